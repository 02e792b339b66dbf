"""Data of participation: calls for regeneration programmes, proposals and their evaluation,
and the roles of the people who manage, propose and evaluate (chapter 6 of the Bologna pact)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.engine import ranking
from patto.pact.models import Cluster, Pact, Party, Territory

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- Roles -----------------------------------------------------------------------------------


class CallManager(models.Model):
    """A person who publishes and runs the calls of a pact (for the metropolitan city)."""

    pact = models.ForeignKey(
        Pact, on_delete=models.CASCADE, related_name="call_managers", verbose_name=_("pact")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="managed_call_pacts",
        verbose_name=_("person"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call manager")
        verbose_name_plural = _("call managers")
        constraints = [models.UniqueConstraint(fields=["pact", "user"], name="call_manager_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.pact}"


class ProposerAgent(models.Model):
    """A person who writes and submits proposals for a union or a municipality."""

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="proposer_agents",
        verbose_name=_("territory"),
        limit_choices_to={"kind__in": ["union", "district", "municipality"]},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proposer_for",
        verbose_name=_("person"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposer")
        verbose_name_plural = _("proposers")
        constraints = [
            models.UniqueConstraint(fields=["territory", "user"], name="proposer_agent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.territory}"


# --- Calls -----------------------------------------------------------------------------------


class Call(ExampleDataModel, TimeStampedModel):
    """A call for regeneration programmes: who may propose, by when, judged how, for how much."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RANKED = "ranked", _("Ranking published")

    class TieRule(models.TextChoices):
        CRITERIA_ORDER = (
            ranking.TIE_FIRST_CRITERION,
            _("higher mark on the first criterion, then on the next"),
        )
        EARLIER_SUBMISSION = ranking.TIE_EARLIER_SUBMISSION, _("earlier submission")
        SMALLER_REQUEST = ranking.TIE_SMALLER_REQUEST, _("smaller amount requested")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="calls", verbose_name=_("pact")
    )
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Stable identifier, used in web addresses.")
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    unions_may_propose = models.BooleanField(_("unions and districts may propose"), default=True)
    municipalities_may_propose = models.BooleanField(_("municipalities may propose"), default=True)
    fragility = models.ForeignKey(
        "funds.Simulation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fragility threshold"),
        help_text=_(
            "An adopted run of an equalisation rule: only municipalities at or above its "
            "threshold may propose, and programmes may take place only there. Empty: no "
            "threshold."
        ),
    )
    opens_at = models.DateTimeField(_("proposals from"))
    deadline = models.DateTimeField(
        _("deadline for proposals"), help_text=_("Server time; submissions after it are refused.")
    )
    money_available = models.DecimalField(_("money available (€)"), **MONEY)
    max_request = models.DecimalField(
        _("maximum grant per proposal (€)"), null=True, blank=True, **MONEY
    )
    minimum_cofinancing = models.DecimalField(
        _("minimum co-financing (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Share of the budget that the proposer pays itself."),
    )
    tie_rule = models.CharField(
        _("tie rule"), max_length=24, choices=TieRule.choices, default=TieRule.CRITERIA_ORDER
    )
    minimum_total = models.DecimalField(
        _("minimum total to be funded (on 100)"), max_digits=6, decimal_places=3, default=0
    )
    skip_unaffordable = models.BooleanField(
        _("skip a proposal the money left does not cover"),
        default=True,
        help_text=_("If not, funding stops at the first proposal that does not fit."),
    )
    fund_purpose = models.ForeignKey(
        "funds.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fund purpose charged"),
        help_text=_("The purpose of the equalisation fund whose money the grants commit."),
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cluster of funded projects"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    ranked_at = models.DateTimeField(_("ranking published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline", "code"]
        verbose_name = _("call for regeneration programmes")
        verbose_name_plural = _("calls for regeneration programmes")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="call_unique_code"),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("opens_at")), name="call_deadline_after_opening"
            ),
            models.CheckConstraint(condition=Q(money_available__gt=0), name="call_money_positive"),
            models.CheckConstraint(
                condition=Q(max_request__isnull=True) | Q(max_request__gt=0),
                name="call_max_request_positive",
            ),
            models.CheckConstraint(
                condition=Q(unions_may_propose=True) | Q(municipalities_may_propose=True),
                name="call_someone_may_propose",
            ),
            models.CheckConstraint(
                condition=Q(minimum_cofinancing__gte=0, minimum_cofinancing__lte=100),
                name="call_cofinancing_share",
            ),
            models.CheckConstraint(
                condition=Q(minimum_total__gte=0, minimum_total__lte=100),
                name="call_minimum_total_range",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="call_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:call", kwargs={"pact": self.pact.code, "code": self.code})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.deadline


class Criterion(models.Model):
    """A published criterion with its weight; evaluators score each from 0 to its maximum."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("criterion"), max_length=300)
    description = models.TextField(_("what is judged"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="criterion_unique_order"),
            models.UniqueConstraint(fields=["call", "title"], name="criterion_unique_title"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(max_score__gt=0), name="criterion_max_score_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


def call_document_path(instance: CallDocument, filename: str) -> str:
    """Under the media folder, in the call's own folder; the storage cleans the name."""
    return f"participation/calls/{instance.call_id}/{filename}"


class CallDocument(TimeStampedModel):
    """A document of a call (the notice, forms, annexes), stored in the media folder."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="documents", verbose_name=_("call")
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=call_document_path, max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "title"]
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")
        constraints = [
            models.UniqueConstraint(fields=["call", "title"], name="call_document_unique_title")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


# --- Proposals -------------------------------------------------------------------------------


class Proposal(ExampleDataModel, TimeStampedModel):
    """A regeneration programme that a union or municipality proposes to a call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FUNDED = "funded", _("Funded")
        NOT_FUNDED = "not_funded", _("Not funded")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call")
    )
    proposer = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="regeneration_proposals",
        verbose_name=_("proposed by"),
    )
    title = models.CharField(_("title"), max_length=300)
    objectives = models.TextField(_("objectives"))
    content = models.TextField(_("content of the programme"))
    places = models.ManyToManyField(
        Territory,
        related_name="regeneration_places",
        verbose_name=_("places"),
        help_text=_("The municipalities of the proposer where the programme takes place."),
    )
    budget = models.DecimalField(_("total budget (€)"), **MONEY)
    cofinancing = models.DecimalField(
        _("co-financing (€)"),
        default=0,
        **MONEY,
        help_text=_("What the proposer and its partners pay; the call funds the rest."),
    )
    partners = models.ManyToManyField(
        Party, blank=True, related_name="regeneration_proposals", verbose_name=_("partners")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Optimistic lock: an amendment based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regeneration_proposal",
        verbose_name=_("project"),
    )
    commitment = models.OneToOneField(
        "funds.Movement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fund commitment"),
    )
    history = HistoricalRecords(m2m_fields=[places, partners])

    class Meta:
        ordering = ["call", "title"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "proposer"],
                condition=~Q(status="withdrawn"),
                name="proposal_one_per_proposer",
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="proposal_budget_positive"),
            models.CheckConstraint(
                condition=Q(cofinancing__gte=0) & Q(cofinancing__lt=F("budget")),
                name="proposal_cofinancing_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="proposal_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=True) | Q(status="funded"),
                name="proposal_project_only_if_funded",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "participation:proposal",
            kwargs={"pact": self.call.pact.code, "code": self.call.code, "pk": self.pk},
        )

    @property
    def requested(self):
        return self.budget - self.cofinancing


class ProposalContribution(TimeStampedModel):
    """A proposal that a citizen or organisation gave to the programme, with their consent.

    The author's name and e-mail are personal data: only the public name they chose is ever
    shown, and only when they consented to publication.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        ASSOCIATION = "association", _("Association")
        THIRD_SECTOR = "third_sector", _("Third-sector organisation")
        COMPANY = "company", _("Company")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("proposal")
    )
    kind = models.CharField(_("author is a"), max_length=20, choices=Kind.choices)
    author_name = models.CharField(
        _("author's name"), max_length=200, help_text=_("Personal data: never published.")
    )
    author_email = models.EmailField(
        _("author's e-mail"), blank=True, help_text=_("Personal data: never published.")
    )
    public_name = models.CharField(
        _("public name"),
        max_length=200,
        blank=True,
        help_text=_(
            "The name the author chose to be shown with; empty shows the kind of author only."
        ),
    )
    text = models.TextField(_("what they proposed"))
    consent_public = models.BooleanField(_("the author consents to publication"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "created_at"]
        verbose_name = _("contribution gathered")
        verbose_name_plural = _("contributions gathered")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_public=False) | Q(consent_on__isnull=False),
                name="contribution_consent_dated",
            )
        ]

    def __str__(self) -> str:
        return self.public_name or self.get_kind_display()


class ProposalPoint(models.Model):
    """A point a proposer drew on the map of its territory (a square, a building), beside the
    municipalities it picked. Its municipality is found from its boundaries when the point is
    saved (``services``), and must be one of the proposer's."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="points", verbose_name=_("proposal")
    )
    name = models.CharField(_("name of the point"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "name", "pk"]
        verbose_name = _("point of a proposal")
        verbose_name_plural = _("points of proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="proposal_point_latitude"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="proposal_point_longitude",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Evaluation ------------------------------------------------------------------------------


class Evaluator(models.Model):
    """A person assigned to score the proposals of a call."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="evaluators", verbose_name=_("call")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("person"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "user__last_name"]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="evaluator_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.call}"


class ConflictDeclaration(models.Model):
    """An evaluator's declaration, before scoring a proposal, of any conflict of interest."""

    evaluator = models.ForeignKey(
        Evaluator,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("evaluator"),
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("proposal")
    )
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "proposal"], name="declaration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} – {self.proposal}"


class Score(models.Model):
    """An evaluator's score of one criterion of one proposal, with a comment."""

    evaluator = models.ForeignKey(
        Evaluator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("evaluator")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="scores", verbose_name=_("proposal")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "proposal", "criterion"], name="score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class RankingLine(models.Model):
    """A line of a call's ranking as computed when it was published (stored, never redone)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="ranking", verbose_name=_("call")
    )
    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="ranking_line", verbose_name=_("proposal")
    )
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    total = models.DecimalField(
        _("total (on 100)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    marks = models.JSONField(_("marks per criterion"), default=dict)
    grant = models.DecimalField(_("grant (€)"), **MONEY)
    reason = models.CharField(_("outcome"), max_length=20)

    class Meta:
        ordering = ["call", F("position").asc(nulls_last=True)]
        verbose_name = _("ranking line")
        verbose_name_plural = _("ranking lines")
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="ranking_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position or '–'}. {self.proposal}"


# --- Challenges and solutions (the region's challenge portal) --------------------------------


class Moderator(models.Model):
    """A person who hides and restores reported content of a pact's challenges."""

    pact = models.ForeignKey(
        Pact, on_delete=models.CASCADE, related_name="moderators", verbose_name=_("pact")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderates",
        verbose_name=_("person"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("moderator")
        verbose_name_plural = _("moderators")
        constraints = [models.UniqueConstraint(fields=["pact", "user"], name="moderator_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.pact}"


class PublicProfile(models.Model):
    """The name a person chose to appear with on public pages (never their account's name)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="public_profile",
        verbose_name=_("person"),
    )
    public_name = models.CharField(_("public name"), max_length=80)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public profile")
        verbose_name_plural = _("public profiles")

    def __str__(self) -> str:
        return self.public_name


class OpenChallenge(ExampleDataModel, TimeStampedModel):
    """A challenge that the Table or a municipality puts to citizens and administrations."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for solutions")
        CLOSED = "closed", _("Closed")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="open_challenges", verbose_name=_("pact")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    publisher = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
        help_text=_("Empty: the Pact's Table."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public challenge")
        verbose_name_plural = _("public challenges")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:challenge", kwargs={"pk": self.pk})


class Moderated(models.Model):
    """What moderators may hide, with the reason its author sees, and restore."""

    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )

    class Meta:
        abstract = True


class Solution(Moderated, TimeStampedModel):
    """A solution a registered person submits to a challenge, for themselves or for the
    administration they act for."""

    challenge = models.ForeignKey(
        OpenChallenge,
        on_delete=models.CASCADE,
        related_name="solutions",
        verbose_name=_("challenge"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="solutions",
        verbose_name=_("author"),
    )
    administration = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("the solution"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""), name="solution_hidden_reason"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "participation:solution", kwargs={"challenge": self.challenge_id, "pk": self.pk}
        )


class Vote(models.Model):
    """A registered person's support of a solution: once per person and solution."""

    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="votes", verbose_name=_("solution")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["solution", "user"], name="vote_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.solution}"


class Comment(Moderated, TimeStampedModel):
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="comments", verbose_name=_("solution")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""), name="comment_hidden_reason"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ContentReport(TimeStampedModel):
    """Anyone registered reports a solution or a comment; moderators deal with it."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    solution = models.ForeignKey(
        Solution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("solution"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("comment"),
    )
    reason = models.TextField(_("why"))
    resolved_at = models.DateTimeField(_("dealt with at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(solution__isnull=True, comment__isnull=False)
                | Q(solution__isnull=False, comment__isnull=True),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "solution"],
                condition=Q(solution__isnull=False),
                name="report_solution_once",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="report_comment_once",
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:60]

    @property
    def target(self):
        return self.solution or self.comment


class Follow(models.Model):
    """A person follows a challenge and receives a digest of what is new."""

    challenge = models.ForeignKey(
        OpenChallenge, on_delete=models.CASCADE, related_name="follows", verbose_name=_("challenge")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    since = models.DateTimeField(_("digest sent up to"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="follow_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.challenge}"


# --- Co-design networks (the region's territorial labs) --------------------------------------


class Network(ExampleDataModel, TimeStampedModel):
    """A public-private network that co-designs on sustainability themes (a territorial lab)."""

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="networks", verbose_name=_("pact")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"))
    themes = models.CharField(
        _("themes"),
        max_length=500,
        blank=True,
        help_text=_(
            "Such as circular economy, sustainable tourism and mobility, territorial welfare."
        ),
    )
    sdgs = models.ManyToManyField(
        "pact.SdgGoal", blank=True, related_name="networks", verbose_name=_("SDGs")
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="networks", verbose_name=_("territories")
    )
    coordinator = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinated by"),
    )
    history = HistoricalRecords(m2m_fields=[sdgs, territories])

    class Meta:
        ordering = ["pact", "name"]
        verbose_name = _("co-design network")
        verbose_name_plural = _("co-design networks")
        constraints = [models.UniqueConstraint(fields=["pact", "code"], name="network_unique_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participation:network", kwargs={"pact": self.pact.code, "code": self.code})


class NetworkPartner(models.Model):
    """A partner of a network: a party of the pact, or another organisation by name."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="partners", verbose_name=_("network")
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    name = models.CharField(_("organisation"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "name"]
        verbose_name = _("network partner")
        verbose_name_plural = _("network partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(party__isnull=False) | ~Q(name=""), name="network_partner_named"
            ),
            models.UniqueConstraint(
                fields=["network", "party"],
                condition=Q(party__isnull=False),
                name="network_partner_party_once",
            ),
        ]

    def __str__(self) -> str:
        return self.party.display_name if self.party_id else self.name


class NetworkActivity(models.Model):
    """An activity of a network, dated, with what it produced."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="activities", verbose_name=_("network")
    )
    title = models.CharField(_("activity"), max_length=300)
    held_on = models.DateField(_("date"))
    output = models.TextField(_("output"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "-held_on"]
        verbose_name = _("network activity")
        verbose_name_plural = _("network activities")

    def __str__(self) -> str:
        return self.title
