"""Base models shared by every app, and the record of background imports with their progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificato il"), auto_now=True)

    class Meta:
        abstract = True


class ImportJob(TimeStampedModel):
    """A file that staff uploaded to import in the background, with its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in coda")
        RUNNING = "running", _("in corso")
        DONE = "done", _("completata")
        FAILED = "failed", _("rifiutata")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("tipo"), max_length=40)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("nome del file"), max_length=255)
    status = models.CharField(_("stato"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("righe"), default=0)
    summary = models.JSONField(_("riepilogo"), default=dict, blank=True)
    problems = models.JSONField(_("problemi"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   verbose_name=_("caricato da"))
    finished_at = models.DateTimeField(_("terminata il"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("importazione")
        verbose_name_plural = _("importazioni")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    def get_kind_display(self) -> str:
        from .importing import importer_for

        importer = importer_for(self.kind)
        return str(importer.label) if importer else self.kind
