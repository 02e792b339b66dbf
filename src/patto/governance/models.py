"""Models of governance: the pact's bodies and their members, meetings with agendas, attendance
and minutes, decisions and their follow-up actions (chapter 7 of the Bologna pact)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.pact.models import Pact, Party, WorkingGroup, code_help


class Body(ExampleDataModel, TimeStampedModel):
    """A body of the pact: the Table, a cluster's working group, a thematic table."""

    class Kind(models.TextChoices):
        TABLE = "table", _("Pact's Table")
        WORKING_GROUP = "working_group", _("Working group")
        SAFEGUARD = "safeguard", _("Safeguard table")
        INCLUSION = "inclusion", _("Socio-occupational inclusion table")
        OTHER = "other", _("Other body")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="bodies",
                             verbose_name=_("pact"))
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    working_group = models.ForeignKey(WorkingGroup, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="bodies",
                                      verbose_name=_("working group"))
    chair = models.CharField(_("chair"), max_length=300, blank=True, help_text=_(
        "Who chairs the body, as the pact says (a role, not a person's name)."))
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "position", "code"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [models.UniqueConstraint(fields=["pact", "code"],
                                               name="governance_body_unique_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body", kwargs={"pact": self.pact.code, "code": self.code})


class BodyMember(TimeStampedModel):
    """A party sitting in a body, from a date and until a date (open when unset)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members",
                             verbose_name=_("body"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="body_seats",
                              verbose_name=_("party"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "role", "party__name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            models.UniqueConstraint(fields=["body", "party", "start_on"],
                                    name="governance_member_unique"),
            models.CheckConstraint(condition=Q(end_on__isnull=True)
                                   | Q(end_on__gte=models.F("start_on")),
                                   name="governance_member_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.party} – {self.body}"


class Representative(TimeStampedModel):
    """A person who represents a member party in a body, or substitutes for its representative.

    Personal data: shown only to the body's members and to staff.
    """

    class Kind(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        SUBSTITUTE = "substitute", _("Substitute")

    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE,
                               related_name="representatives", verbose_name=_("member party"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="body_seats", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.REPRESENTATIVE)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member", "kind", "start_on"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["member", "person", "kind", "start_on"],
                                    name="governance_representative_unique"),
            models.CheckConstraint(condition=Q(end_on__isnull=True)
                                   | Q(end_on__gte=models.F("start_on")),
                                   name="governance_representative_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()})"


class Meeting(TimeStampedModel):
    """A meeting of a body: convened with a date, a place or a link, and an agenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        CONVENED = "convened", _("convened")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings",
                             verbose_name=_("body"))
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link to join"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True,
                           editable=False)
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, help_text=_(
        "Raised at every change of date or place, so that calendars update the event."))
    invited_at = models.DateTimeField(_("invitations sent at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True)
                                   | Q(ends_at__gte=models.F("starts_at")),
                                   name="governance_meeting_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", kwargs={"pact": self.body.pact.code,
                                                     "code": self.body.code, "pk": self.pk})


class AgendaItem(models.Model):
    """An item of a meeting's agenda, linked to what it discusses."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="+",
                                      verbose_name=_("projects"))
    indicators = models.ManyToManyField("monitoring.Indicator", blank=True, related_name="+",
                                        verbose_name=_("indicators"))
    funds = models.ManyToManyField("funds.Fund", blank=True, related_name="+",
                                   verbose_name=_("funds"))
    decisions = models.ManyToManyField("Decision", blank=True, related_name="agenda_items",
                                       verbose_name=_("earlier decisions"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    return f"governance/meetings/{instance.meeting_id}/{filename}"


class MeetingDocument(TimeStampedModel):
    """A document of a meeting (an annex to an item, a presentation), in the media folder."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("meeting"))
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="documents", verbose_name=_("agenda item"))
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=meeting_document_path, max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "title"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Who attended a meeting for a party: present, absent or delegated to another party."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        DELEGATED = "delegated", _("delegated")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("meeting"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("party"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("person"))
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    delegate = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("delegated to"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "party__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "party"],
                                               name="governance_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_status_display()}"


class Minutes(TimeStampedModel):
    """One version of a meeting's minutes. An approved version never changes: a correction is
    a new version, approved in its turn."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes",
                                verbose_name=_("meeting"))
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    approved_at = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="approved_minutes",
                                    verbose_name=_("approved at the meeting"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "-version"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [models.UniqueConstraint(fields=["meeting", "version"],
                                               name="governance_minutes_unique_version")]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"


class Decision(TimeStampedModel):
    """A decision of a body, numbered per body and year (3/2026)."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions",
                             verbose_name=_("body"))
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="decisions", verbose_name=_("meeting"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    decided_on = models.DateField(_("decided on"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="+",
                                      verbose_name=_("projects"))
    indicators = models.ManyToManyField("monitoring.Indicator", blank=True, related_name="+",
                                        verbose_name=_("indicators"))
    funds = models.ManyToManyField("funds.Fund", blank=True, related_name="+",
                                   verbose_name=_("funds"))
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    abstained = models.PositiveIntegerField(_("abstained"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [models.UniqueConstraint(fields=["body", "year", "number"],
                                               name="governance_decision_unique_number")]

    def __str__(self) -> str:
        return f"{self.label} – {self.title}"

    @property
    def label(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def has_vote(self) -> bool:
        return self.votes_for is not None


class FollowUp(TimeStampedModel):
    """An action a decision asks for: an owner party (and maybe a person), a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="follow_ups",
                                 verbose_name=_("decision"))
    title = models.CharField(_("action"), max_length=300)
    owner_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("owner party"))
    owner_person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="governance_actions",
                                     verbose_name=_("owner person"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """A reminder sent for a follow-up action and its due date: once per action and due date."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reminders",
                                  verbose_name=_("follow-up action"))
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["follow_up", "due_on"],
                                               name="governance_reminder_once")]

    def __str__(self) -> str:
        return f"{self.follow_up} ({self.due_on})"
