"""Projects and actions with their monitoring sheet, and the rounds in which referents report."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.engine.pact_package import cup_problem, step_delay
from patto.pact.models import (
    BasedModel,
    Challenge,
    Cluster,
    EmergencyAction,
    Pact,
    Party,
    SdgTarget,
    Territory,
    basis_fields,
)


def cup_validator(value: str) -> None:
    """The CUP's structure (see patto.engine.pact_package.cup_problem), with the fix."""
    if value and cup_problem(value, this_year=dt.date.today().year):
        raise ValidationError(
            _("%(value)s is not a CUP: it has 15 characters, a letter, two digits, a letter, "
              "two digits for the year of the decision and nine digits (e.g. J31B21000440001)."
              " Copy it again from the CUP system or OpenCoesione."),
            code="bad_cup", params={"value": value})


money = {"max_digits": 14, "decimal_places": 2}


class Project(ExampleDataModel, TimeStampedModel):
    """A project or action of a pact, in a cluster or carrying out an emergency action."""

    class Horizon(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        SHORT = "short", _("Short term")
        MEDIUM_LONG = "medium_long", _("Medium to long term")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("In progress")
        SUSPENDED = "suspended", _("Suspended")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class ProgressMethod(models.TextChoices):
        MANUAL = "manual", _("Set by hand, with a reason")
        MILESTONES = "milestones", _("From its milestones and sub-projects")
        INDICATORS = "indicators", _("From its indicators' share of target")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="projects",
                             verbose_name=_("pact"))
    code = models.SlugField(_("code"), max_length=80)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="subprojects", verbose_name=_("part of"),
                               help_text=_("The project this one is a sub-project of."))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=1,
                                 help_text=_(
        "Relative to the other parts of the same project (or the other projects of its "
        "cluster): only the proportions count."))
    progress_method = models.CharField(
        _("progress from"), max_length=12, choices=ProgressMethod.choices,
        default=ProgressMethod.MANUAL)
    progress_reason = models.TextField(_("reason for the progress"), blank=True, help_text=_(
        "Why the progress set by hand is what it is, as the approved report says."))
    title = models.CharField(_("title"), max_length=300)
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="projects", verbose_name=_("cluster"))
    emergency_action = models.ForeignKey(
        EmergencyAction, on_delete=models.PROTECT, null=True, blank=True,
        related_name="projects", verbose_name=_("emergency action"))
    horizon = models.CharField(_("horizon"), max_length=20, choices=Horizon.choices)
    lead_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="led_projects",
                                   verbose_name=_("lead party"))
    lead_party_basis, lead_party_basis_note = basis_fields(_("the lead party"))
    status = FSMField(_("status"), max_length=20, choices=Status.choices,
                      default=Status.PROPOSED)
    status_basis, status_basis_note = basis_fields(_("the status and progress"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0,
                                                validators=[MaxValueValidator(100)])
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[cup_validator],
                           help_text=_("Codice Unico di Progetto of a public investment."))
    budget = models.DecimalField(_("budget (€)"), null=True, blank=True, **money)
    summary = models.TextField(_("description"))
    expected_results = models.TextField(_("expected results"), blank=True)
    description = models.TextField(_("long description (Markdown)"), blank=True)
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="projects",
                                        verbose_name=_("challenges"))
    sdg_targets = models.ManyToManyField(SdgTarget, blank=True, related_name="projects",
                                         verbose_name=_("SDG targets"))
    territories = models.ManyToManyField(Territory, blank=True, related_name="projects",
                                         verbose_name=_("territories"))
    links = models.ManyToManyField("self", blank=True, symmetrical=True, through="ProjectLink",
                                   verbose_name=_("linked projects"))
    source = models.TextField(_("source"), blank=True)
    sheet_updated_on = models.DateField(_("sheet updated on"), null=True, blank=True,
                                        help_text=_(
        "The date the sheet itself gives for its last update (e.g. a sheet imported from a "
        "document); empty when the platform's own record of changes applies."))
    working_method = models.TextField(_("working method"), blank=True, help_text=_(
        "How the activities are carried out, as the sheet says under the completed "
        "activities."))
    # Optimistic lock: an edit based on an older version is refused, never silently applied.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["pact", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="project_unique_code"),
            models.CheckConstraint(
                condition=Q(cluster__isnull=False, emergency_action__isnull=True)
                | Q(cluster__isnull=True, emergency_action__isnull=False),
                name="project_in_cluster_or_emergency"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_max"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="project_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")),
                                   name="project_not_own_parent"),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(start_on__isnull=True)
                | Q(end_on__gte=models.F("start_on")), name="project_end_after_start"),
        ]
        permissions = [("review_update", _("Can approve or return progress reports")),
                       ("submit_update", _("Can submit progress reports"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pact": self.pact.code,
                                                          "code": self.code})

    # Status transitions: what a project may become from where it is.
    @transition(field=status, source=Status.PROPOSED, target=Status.APPROVED)
    def approve(self):
        """The Table approves a proposed project."""

    @transition(field=status, source=[Status.APPROVED, Status.SUSPENDED],
                target=Status.IN_PROGRESS)
    def start(self):
        """Work starts, or resumes after a suspension."""

    @transition(field=status, source=[Status.APPROVED, Status.IN_PROGRESS],
                target=Status.SUSPENDED)
    def suspend(self):
        """Work stops for a while."""

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.COMPLETED)
    def complete(self):
        """The project is done."""

    @transition(field=status, source=[Status.PROPOSED, Status.APPROVED, Status.IN_PROGRESS,
                                      Status.SUSPENDED], target=Status.CANCELLED)
    def cancel(self):
        """The project is abandoned."""


class Milestone(models.Model):
    """A milestone of a project, possibly made of smaller milestones (at any depth).

    A milestone is done when the approved report that says so is approved: its date and
    the report are kept. Its weight counts against its siblings only.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=_("project"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("part of"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("milestone"), max_length=300)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=1)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    update = models.ForeignKey("ProjectUpdate", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("from report"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="milestone_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")),
                                   name="milestone_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.parent_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": _("A milestone can only be part of a milestone "
                                               "of the same project.")}, code="bad_parent")


class ProjectProgress(models.Model):
    """A project's progress as rolled up when its inputs last changed, with what it is made
    of: pages read it, never compute it.

    ``parts`` holds each direct part (milestone, sub-project or indicator) with its
    normalised share of the weight, its progress and its milestones done out of all.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True,
                                   related_name="rollup", verbose_name=_("project"))
    method = models.CharField(_("progress from"), max_length=12,
                              choices=Project.ProgressMethod.choices)
    value = models.FloatField(_("progress (%)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.TextField(_("reason for the progress"), blank=True)
    parts = models.JSONField(_("parts"), default=list, blank=True)
    update = models.ForeignKey("ProjectUpdate", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("from report"))
    computed_at = models.DateTimeField(_("computed on"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project progress")
        verbose_name_plural = _("projects' progress")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.value}"


class GroupProgress(models.Model):
    """The progress of a cluster's or a challenge's projects rolled up, stored when one of
    them changes: each project counts with its weight, normalised over the group."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="rollup", verbose_name=_("cluster"))
    challenge = models.OneToOneField(Challenge, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="rollup",
                                     verbose_name=_("challenge"))
    value = models.FloatField(_("progress (%)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    parts = models.JSONField(_("parts"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed on"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group progress")
        verbose_name_plural = _("groups' progress")
        constraints = [models.CheckConstraint(
            condition=Q(cluster__isnull=False, challenge__isnull=True)
            | Q(cluster__isnull=True, challenge__isnull=False),
            name="group_progress_one_group")]

    def __str__(self) -> str:
        return f"{self.cluster_id or self.challenge_id}: {self.value}"


class ProjectPlace(models.Model):
    """A point where a project happens, drawn on the map (a site, a building), beside the
    municipalities it covers."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="places",
                                verbose_name=_("project"))
    name = models.CharField(_("place"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    territory = models.ForeignKey(Territory, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("municipality"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("place of a project")
        verbose_name_plural = _("places of projects")
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90),
                                   name="project_place_latitude"),
            models.CheckConstraint(condition=Q(longitude__gte=-180, longitude__lte=180),
                                   name="project_place_longitude"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectLink(models.Model):
    """That two projects are integrated or cross one another, with what the sheet says of it.

    Stored both ways (the link is symmetrical), each row carrying the same note.
    """

    from_project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                     related_name="outgoing_links", verbose_name=_("project"))
    to_project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("linked project"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        db_table = "projects_project_links"
        verbose_name = _("link between projects")
        verbose_name_plural = _("links between projects")
        constraints = [models.UniqueConstraint(fields=["from_project", "to_project"],
                                               name="project_link_unique")]

    def __str__(self) -> str:
        return f"{self.from_project} ↔ {self.to_project}"


class ProjectParty(BasedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="involved",
                                verbose_name=_("project"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="project_roles",
                              verbose_name=_("party"))
    role = models.CharField(_("role"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "party__name"]
        verbose_name = _("involved actor")
        verbose_name_plural = _("involved actors")
        constraints = [models.UniqueConstraint(fields=["project", "party"],
                                               name="project_party_unique")]

    def __str__(self) -> str:
        return f"{self.party} ({self.role})"


class ProjectReferent(models.Model):
    """A person who answers for a project on behalf of a party; the account, when linked,
    lets them report."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="referents",
                                verbose_name=_("project"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="referents",
                              verbose_name=_("party"))
    person = models.CharField(_("person"), max_length=200, help_text=_(
        "Personal data: shown only to signed-in staff."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="referent_of", verbose_name=_("account"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "party__name", "person"]
        verbose_name = _("referent")
        verbose_name_plural = _("referents")
        constraints = [models.UniqueConstraint(fields=["project", "party", "person"],
                                               name="project_referent_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.party})"


class ClusterCoordinator(models.Model):
    """An account that coordinates a cluster's working group and owns its projects."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="coordinators",
                                verbose_name=_("cluster"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="coordinated_clusters", verbose_name=_("account"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cluster coordinator")
        verbose_name_plural = _("cluster coordinators")
        constraints = [models.UniqueConstraint(fields=["cluster", "user"],
                                               name="cluster_coordinator_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.cluster}"


class PartyReporter(models.Model):
    """An account that records the contributions its party grants."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="reporters",
                              verbose_name=_("party"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reporter_for", verbose_name=_("account"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party reporter")
        verbose_name_plural = _("party reporters")
        constraints = [models.UniqueConstraint(fields=["party", "user"],
                                               name="party_reporter_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.party}"


class Funding(models.Model):
    class Kind(models.TextChoices):
        EU = "eu", _("European Union")
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")
        LOCAL = "local", _("Local")
        PRIVATE = "private", _("Private")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding",
                                verbose_name=_("project"))
    source = models.CharField(_("source"), max_length=300)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="fundings", verbose_name=_("party"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (€)"), **money)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "source"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="funding_amount_positive")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount} €"


class ProcedureStep(models.Model):
    """A procedural step of a public work or funded project, planned against actual, as
    OpenCoesione and the national monitoring system (BDAP-MOP) record them."""

    class Step(models.TextChoices):
        DESIGN = "design", _("Design")
        TENDER = "tender", _("Call for tenders")
        AWARD = "award", _("Award")
        WORKS = "works", _("Works")
        TESTING = "testing", _("Testing and acceptance")

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="procedure_steps", verbose_name=_("project"))
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_start_on = models.DateField(_("actual start"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "planned_start_on", "id"]
        verbose_name = _("procedural step")
        verbose_name_plural = _("procedural steps")
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="procedure_step_unique"),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_start_on__isnull=True)
                | Q(planned_end_on__gte=models.F("planned_start_on")),
                name="procedure_step_planned_order"),
            models.CheckConstraint(
                condition=Q(actual_end_on__isnull=True) | Q(actual_start_on__isnull=True)
                | Q(actual_end_on__gte=models.F("actual_start_on")),
                name="procedure_step_actual_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.get_step_display()}"

    @property
    def delay_days(self) -> int | None:
        """Days late at the end (or so far, while running); negative when early."""
        return step_delay(self.planned_end_on, self.actual_end_on, dt.date.today())


class PlannedActivity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="planned_activities", verbose_name=_("project"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.TextField(_("activity"))
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")

    def __str__(self) -> str:
        return self.title[:80]


class ProjectUpdate(TimeStampedModel):
    """What a referent reports for a project in a round, and the coordinator's decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")

    round = models.ForeignKey("ReportingRound", on_delete=models.PROTECT, related_name="updates",
                              verbose_name=_("reporting round"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates",
                                verbose_name=_("project"))
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    proposed_status = models.CharField(_("project status"), max_length=20,
                                       choices=Project.Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"),
                                                validators=[MaxValueValidator(100)])
    summary = models.TextField(_("what happened"), blank=True)
    payload = models.JSONField(_("reported records"), default=dict, blank=True, help_text=_(
        "Completed activities, critical issues, meetings and events reported, applied to the "
        "sheet when approved."))
    base_version = models.PositiveIntegerField(_("project version reported on"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed on"), null=True, blank=True)
    review_comment = models.TextField(_("coordinator's comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-round__deadline", "project__title"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [models.UniqueConstraint(fields=["round", "project"],
                                               name="one_update_per_round")]

    def __str__(self) -> str:
        return f"{self.project} – {self.round}"

    @transition(field=status, source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED)
    def submit(self):
        """The referent sends the report for review."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self):
        """The coordinator accepts it: it reaches the public pages."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.RETURNED)
    def send_back(self):
        """The coordinator asks for changes, with a comment."""


class ReportSubmission(models.Model):
    """What a report said each time it was sent, and the comment it came back with: the
    coordinator sees what changed since the version they sent back."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE,
                               related_name="submissions", verbose_name=_("progress report"))
    number = models.PositiveSmallIntegerField(_("submission"))
    content = models.JSONField(_("content sent"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted on"))
    return_comment = models.TextField(_("comment when sent back"), blank=True)

    class Meta:
        ordering = ["update", "number"]
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [models.UniqueConstraint(fields=["update", "number"],
                                               name="one_submission_number_per_report")]

    def __str__(self) -> str:
        return f"{self.update} #{self.number}"


class SheetRecord(models.Model):
    """What every dated record of the sheet keeps: its project and the report that brought it."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("from report"))

    class Meta:
        abstract = True


class CompletedActivity(SheetRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="completed_activities", verbose_name=_("project"))
    done_on = models.DateField(_("date"))
    text = models.TextField(_("activity done"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "done_on"]
        verbose_name = _("completed activity")
        verbose_name_plural = _("completed activities")

    def __str__(self) -> str:
        return f"{self.done_on}: {self.text[:60]}"


class CriticalIssue(SheetRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="critical_issues", verbose_name=_("project"))
    noted_on = models.DateField(_("noted on"), null=True, blank=True)
    text = models.TextField(_("critical issue"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "noted_on"]
        verbose_name = _("critical issue")
        verbose_name_plural = _("critical issues")

    def __str__(self) -> str:
        return self.text[:80]


class SuccessFactor(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="success_factors", verbose_name=_("project"))
    text = models.TextField(_("success factor"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("success factor")
        verbose_name_plural = _("success factors")

    def __str__(self) -> str:
        return self.text[:80]


class Meeting(SheetRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings",
                                verbose_name=_("project"))
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "held_on"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Event(SheetRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=400)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    organiser = models.CharField(_("organised by"), max_length=300, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "held_on"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


class Contribution(models.Model):
    """Money or resources a project received for an activity, and who granted them.

    The sheet's column reads "Contributo (€/risorsa)": money in euro, or goods, services,
    staff or spaces, described and valued when a value is declared.
    """

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        IN_KIND = "in_kind", _("In kind (goods or services)")
        RESOURCES = "resources", _("Resources (staff, spaces, time)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contributions",
                                verbose_name=_("project"))
    activity = models.CharField(_("activity"), max_length=400)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MONEY)
    amount = models.DecimalField(_("contribution (€)"), null=True, blank=True, help_text=_(
        "Required for money; for goods, services or resources, their declared value if any."),
        **money)
    resource = models.CharField(_("resource contributed"), max_length=400, blank=True,
                                help_text=_("What was given, when it is not money."))
    granted_by = models.CharField(_("granted by"), max_length=300)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="contributions", verbose_name=_("granting party"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "received_on", "activity"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="money") & Q(amount__isnull=False))
                | (~Q(kind="money") & ~Q(resource="")),
                name="contribution_money_or_resource"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.MONEY:
            return f"{self.activity}: {self.amount} €"
        return f"{self.activity}: {self.resource}"

    def clean(self) -> None:
        if self.kind == self.Kind.MONEY and self.amount is None:
            raise ValidationError({"amount": _(
                "A contribution in money needs its amount in euro; for goods, services or "
                "resources choose their kind and describe them.")}, code="amount_required")
        if self.kind != self.Kind.MONEY and not self.resource:
            raise ValidationError({"resource": _(
                "Say what was given (e.g. “a room for 100 people”), or record it as money.")},
                code="resource_required")


class ReportingRound(TimeStampedModel):
    """A call to every referent of a pact to report progress by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="reporting_rounds",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("opened by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        constraints = [models.CheckConstraint(condition=Q(deadline__gte=models.F("opens_on")),
                                              name="round_deadline_after_opening")]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """That a referent was reminded of a round, so nobody gets the same reminder twice."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["round", "project", "user"],
                                               name="one_reminder_per_round")]

    def __str__(self) -> str:
        return f"{self.round} · {self.project} · {self.user}"


class OpenCoesioneRecord(models.Model):
    """What national monitoring (OpenCoesione's project data, CC BY 4.0) says of a project,
    linked by its CUP: kept beside the pact's own figures, never mixed with them."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE,
                                   related_name="opencoesione", verbose_name=_("project"))
    cup = models.CharField(_("CUP"), max_length=15)
    local_code = models.CharField(_("local project code"), max_length=200, blank=True)
    title = models.TextField(_("title in national monitoring"), blank=True)
    link = models.URLField(_("OpenCoesione page"), max_length=500, blank=True)
    #: Financing by source: OpenCoesione column -> amount as text ("340000.00").
    financing = models.JSONField(_("financing by source"), default=dict, blank=True)
    public_total = models.DecimalField(_("total public financing (€)"), max_digits=16,
                                       decimal_places=2, null=True, blank=True)
    commitments = models.DecimalField(_("commitments (€)"), max_digits=16, decimal_places=2,
                                      null=True, blank=True)
    payments = models.DecimalField(_("payments (€)"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    state = models.CharField(_("state"), max_length=100, blank=True)
    procedural_state = models.CharField(_("procedural state"), max_length=100, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)
    source_updated_on = models.DateField(_("source updated on"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("national monitoring record")
        verbose_name_plural = _("national monitoring records")

    def __str__(self) -> str:
        return f"{self.project} · {self.cup}"
