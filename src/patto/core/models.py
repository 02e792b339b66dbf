"""Base models shared by every app, and the record of background imports with their progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        abstract = True


class ExampleDataModel(models.Model):
    """Rows that a demo or a package marks as illustrative: pages and downloads say so."""

    is_example = models.BooleanField(_("example data"), default=False, help_text=_(
        "Illustrative, not taken from a source: marked as example on every page."))

    class Meta:
        abstract = True


class ImportJob(TimeStampedModel):
    """A file that staff uploaded to import in the background, with its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("completed")
        FAILED = "failed", _("rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    # Emptied when the job ends: the upload is kept only while it is being imported.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    summary = models.JSONField(_("results"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0, help_text=_(
        "All the problems found; only the first ones are kept in the list."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   verbose_name=_("uploaded by"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    def get_kind_display(self) -> str:
        from .importing import importer_for

        importer = importer_for(self.kind)
        return str(importer.label) if importer else self.kind
