"""Models of the work instruments: who holds which role, and the safeguard table's crisis cases.

The governance app (bodies and their meetings) has not landed yet. The safeguard table is one
such body: until it exists, a crisis case records its own meetings (:class:`CaseMeeting`), and
each meeting keeps a nullable ``governance_meeting_id`` column reserved for the link. When the
governance app lands, one migration turns that column into a ``ForeignKey`` to its meeting
model with the same column name (``SeparateDatabaseAndState``, so no row is rewritten) and the
case gains a ``body`` key; until then the column stays empty and nothing reads it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.pact.models import Pact, Party, Territory, validate_tax_code

from .ateco import validate_ateco

code_help = _("Stable identifier, used in web addresses and downloads.")


class InstrumentRole(models.Model):
    """A person's role in one pact's work instruments (object-level permission)."""

    class Role(models.TextChoices):
        SAFEGUARD_CLERK = "safeguard_clerk", _("Safeguard table: secretary (records cases)")
        SAFEGUARD_MEMBER = "safeguard_member", _("Safeguard table: member (reads every case)")
        INCLUSION_OPERATOR = "inclusion_operator", _("Job inclusion: operator")
        REGISTER_OFFICER = "register_officer", _("Inclusive-companies register: officer")
        AGREEMENT_OFFICER = "agreement_officer", _("Good-employment agreements: officer")
        DEVELOPMENT_OFFICER = (
            "development_officer",
            _("Economic development: officer (advice, desks, protocols, investors)"),
        )

    pact = models.ForeignKey(
        Pact, on_delete=models.CASCADE, related_name="instrument_roles", verbose_name=_("pact")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="instrument_roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work-instrument role")
        verbose_name_plural = _("work-instrument roles")
        constraints = [
            models.UniqueConstraint(fields=["pact", "user", "role"], name="instrument_role_unique"),
            models.CheckConstraint(
                condition=Q(
                    role__in=[
                        "safeguard_clerk",
                        "safeguard_member",
                        "inclusion_operator",
                        "register_officer",
                        "agreement_officer",
                        "development_officer",
                    ]
                ),
                name="instrument_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class StoredFigures(models.Model):
    """Figures a public or staff page shows, computed by the service that changed their inputs.

    ``kind`` names the figures (``crisis-public``, ``crisis-all``, ...); pages read ``data``
    as it is, in one query, and never recompute it.
    """

    pact = models.ForeignKey(
        Pact, on_delete=models.CASCADE, related_name="instrument_figures", verbose_name=_("pact")
    )
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("stored figures")
        verbose_name_plural = _("stored figures")
        constraints = [
            models.UniqueConstraint(fields=["pact", "kind"], name="instrument_figures_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pact.code} {self.kind}"


# Safeguard table: crisis cases ----------------------------------------------------------------


class CrisisCase(ExampleDataModel, TimeStampedModel):
    """A company in crisis followed by the metropolitan safeguard table."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        OPEN = "open", _("open at the table")
        AGREEMENT = "agreement", _("agreement reached")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        JOBS_KEPT = "jobs_kept", _("all jobs kept")
        PARTLY_KEPT = "partly_kept", _("jobs partly kept")
        TAKEN_OVER = "taken_over", _("taken over by another company")
        REPLACED = "replaced", _("workers placed elsewhere")
        CLOSURE = "closure", _("closure with job losses")
        WITHDRAWN = "withdrawn", _("crisis withdrawn")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="crisis_cases", verbose_name=_("pact")
    )
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    company_name = models.CharField(_("company"), max_length=300)
    company_tax_code = models.CharField(
        _("company tax code"),
        max_length=16,
        validators=[validate_tax_code],
        help_text=_(
            "Partita IVA (11 digits) or codice fiscale (16 characters), with its check digit."
        ),
    )
    ateco_code = models.CharField(
        _("ATECO code"),
        max_length=8,
        validators=[validate_ateco],
        help_text=_("ATECO 2007 activity code, such as 25.62.00."),
    )
    ateco_section = models.CharField(
        _("ATECO section"),
        max_length=1,
        editable=False,
        help_text=_("Derived from the code when saved."),
    )
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="crisis_cases",
        verbose_name=_("municipality"),
    )
    area = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_cases_in_area",
        editable=False,
        verbose_name=_("area"),
        help_text=_("The union or district of the municipality when reported."),
    )
    reported_on = models.DateField(_("reported on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Seen only by the table's members and the secretariat; never in public figures."
        ),
    )
    unions = models.ManyToManyField(
        Party, blank=True, related_name="crisis_cases", verbose_name=_("unions involved")
    )
    history = HistoricalRecords(m2m_fields=[unions])

    class Meta:
        ordering = ["-reported_on", "code"]
        verbose_name = _("crisis case")
        verbose_name_plural = _("crisis cases")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="crisis_case_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["reported", "open", "agreement", "closed"]),
                name="crisis_case_status_known",
            ),
            # Closed cases, and only they, carry an outcome and a closing date.
            models.CheckConstraint(
                condition=(Q(status="closed", closed_on__isnull=False) & ~Q(outcome=""))
                | (~Q(status="closed") & Q(outcome="", closed_on__isnull=True)),
                name="crisis_case_outcome_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("reported_on")),
                name="crisis_case_closed_after_reported",
            ),
            models.CheckConstraint(
                condition=Q(ateco_section__in=list("ABCDEFGHIJKLMNOPQRSTU")),
                name="crisis_case_section_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.company_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "instruments:case_detail", kwargs={"pact": self.pact.code, "code": self.code}
        )

    @property
    def workers_total(self) -> int:
        return sum(w.count for w in self.workers.all())


class CaseWorkers(models.Model):
    """How many workers a case involves, by sex and contract (one row per pair)."""

    class Sex(models.TextChoices):
        WOMEN = "f", _("women")
        MEN = "m", _("men")

    class Contract(models.TextChoices):
        PERMANENT = "permanent", _("permanent")
        FIXED_TERM = "fixed_term", _("fixed-term")
        AGENCY = "agency", _("agency")
        APPRENTICE = "apprentice", _("apprenticeship")
        OTHER = "other", _("other")

    case = models.ForeignKey(
        CrisisCase, on_delete=models.CASCADE, related_name="workers", verbose_name=_("crisis case")
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    contract = models.CharField(_("contract"), max_length=12, choices=Contract.choices)
    count = models.PositiveIntegerField(_("workers"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "sex", "contract"]
        verbose_name = _("workers involved")
        verbose_name_plural = _("workers involved")
        constraints = [
            models.UniqueConstraint(fields=["case", "sex", "contract"], name="case_workers_unique"),
            models.CheckConstraint(condition=Q(sex__in=["f", "m"]), name="case_workers_sex"),
            models.CheckConstraint(
                condition=Q(
                    contract__in=["permanent", "fixed_term", "agency", "apprentice", "other"]
                ),
                name="case_workers_contract",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.case.code}: {self.count} {self.get_sex_display()} {self.get_contract_display()}"
        )


class SafetyNet(models.Model):
    """A social safety net used in a case (cassa integrazione, solidarity contract, ...)."""

    class Kind(models.TextChoices):
        CIGO = "cigo", _("ordinary wage guarantee fund (CIGO)")
        CIGS = "cigs", _("extraordinary wage guarantee fund (CIGS)")
        FIS = "fis", _("wage integration fund (FIS)")
        SOLIDARITY = "solidarity", _("solidarity contract")
        DEROGATION = "derogation", _("wage guarantee in derogation")
        NASPI = "naspi", _("unemployment benefit (NASpI)")
        OTHER = "other", _("other")

    case = models.ForeignKey(
        CrisisCase,
        on_delete=models.CASCADE,
        related_name="safety_nets",
        verbose_name=_("crisis case"),
    )
    kind = models.CharField(_("safety net"), max_length=12, choices=Kind.choices)
    workers = models.PositiveIntegerField(_("workers covered"))
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "start_on"]
        verbose_name = _("safety net used")
        verbose_name_plural = _("safety nets used")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="safety_net_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["cigo", "cigs", "fis", "solidarity", "derogation", "naspi", "other"]
                ),
                name="safety_net_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.code}: {self.get_kind_display()}"


class CaseMeeting(models.Model):
    """A meeting of the safeguard table on a case, with its outcome.

    ``governance_meeting_id`` is reserved for the governance app's meeting (see the module's
    docstring); it stays empty until that app lands.
    """

    case = models.ForeignKey(
        CrisisCase, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("crisis case")
    )
    held_on = models.DateField(_("held on"))
    subject = models.CharField(_("subject"), max_length=300)
    outcome = models.TextField(_("outcome"), blank=True)
    governance_meeting_id = models.PositiveBigIntegerField(
        _("meeting of the table"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Reserved: the link to the table's meeting once bodies and meetings exist."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "held_on", "pk"]
        verbose_name = _("case meeting")
        verbose_name_plural = _("case meetings")

    def __str__(self) -> str:
        return f"{self.case.code} {self.held_on:%Y-%m-%d}"


# Job-inclusion pathways (Insieme per il Lavoro) ------------------------------------------------


def validate_person_code(value: str) -> None:
    """The operator's pseudonym for a person: letters, digits and dashes, never something
    that names the person (a tax code, an e-mail address, a phone number)."""
    from .pseudonyms import pseudonym_problem

    problem = pseudonym_problem(value)
    if problem:
        raise ValidationError(problem, code="bad_person_code")


class Pathway(ExampleDataModel, TimeStampedModel):
    """A person's pathway to a job, known only by the code the operator gave them.

    No name, tax code, contact or birth date is stored, on purpose: the fields below are all
    the platform knows of the person (see ``tests/instruments/test_pathways.py``).
    """

    class Sex(models.TextChoices):
        WOMAN = "f", _("woman")
        MAN = "m", _("man")
        UNSTATED = "x", _("not stated")

    class AgeBand(models.TextChoices):
        UNDER_25 = "15-24", _("15 to 24")
        FROM_25 = "25-34", _("25 to 34")
        FROM_35 = "35-49", _("35 to 49")
        FROM_50 = "50+", _("50 and over")

    class Target(models.TextChoices):
        EXPELLED = "expelled", _("expelled from work (Covid-19)")
        NEET = "neet", _("young person not in work or study (NEET)")
        WOMAN = "woman", _("woman returning to work")
        LONG_UNEMPLOYED = "long_unemployed", _("long-term unemployed")
        OTHER = "other", _("other fragility")

    class Stage(models.TextChoices):
        INTAKE = "intake", _("intake")
        ORIENTATION = "orientation", _("orientation")
        TRAINING = "training", _("training")
        PLACEMENT = "placement", _("placement")
        FOLLOW_UP = "follow_up", _("follow-up at 6 months")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="pathways", verbose_name=_("pact")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pathways",
        verbose_name=_("operator"),
    )
    person_code = models.CharField(
        _("person's code"),
        max_length=40,
        validators=[validate_person_code],
        help_text=_("The code the operator gives the person: never a name, tax code or contact."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    target = models.CharField(_("target group"), max_length=20, choices=Target.choices)
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathways",
        verbose_name=_("municipality of residence"),
    )
    started_on = models.DateField(_("started on"))
    stage = models.CharField(
        _("stage reached"), max_length=12, choices=Stage.choices, default=Stage.INTAKE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "person_code"]
        verbose_name = _("job-inclusion pathway")
        verbose_name_plural = _("job-inclusion pathways")
        constraints = [
            models.UniqueConstraint(
                fields=["pact", "person_code"], name="pathway_person_code_unique"
            ),
            models.CheckConstraint(condition=Q(sex__in=["f", "m", "x"]), name="pathway_sex"),
            models.CheckConstraint(
                condition=Q(
                    stage__in=["intake", "orientation", "training", "placement", "follow_up"]
                ),
                name="pathway_stage_known",
            ),
            models.CheckConstraint(
                condition=Q(age_band__in=["15-24", "25-34", "35-49", "50+"]),
                name="pathway_age_band_known",
            ),
        ]

    def __str__(self) -> str:
        return self.person_code


class PathwayStep(models.Model):
    """The day a pathway reached a stage."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="steps", verbose_name=_("pathway")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Pathway.Stage.choices)
    reached_on = models.DateField(_("reached on"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["pathway", "reached_on", "pk"]
        verbose_name = _("pathway stage")
        verbose_name_plural = _("pathway stages")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "stage"], name="pathway_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pathway} {self.stage}"


class Placement(models.Model):
    """A job a pathway led to: the company (an organisation, not a person) and the contract."""

    class Contract(models.TextChoices):
        PERMANENT = "permanent", _("permanent")
        FIXED_TERM = "fixed_term", _("fixed-term")
        APPRENTICESHIP = "apprenticeship", _("apprenticeship")
        INTERNSHIP = "internship", _("work placement (tirocinio)")
        AGENCY = "agency", _("agency")
        OTHER = "other", _("other")

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="placements", verbose_name=_("pathway")
    )
    company_name = models.CharField(_("company"), max_length=300)
    company_tax_code = models.CharField(
        _("company tax code"), max_length=16, blank=True, validators=[validate_tax_code]
    )
    contract = models.CharField(_("contract"), max_length=16, choices=Contract.choices)
    started_on = models.DateField(_("started on"))
    employed_at_follow_up = models.BooleanField(
        _("still employed at 6 months"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pathway", "started_on"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    contract__in=[
                        "permanent",
                        "fixed_term",
                        "apprenticeship",
                        "internship",
                        "agency",
                        "other",
                    ]
                ),
                name="placement_contract_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pathway}: {self.company_name}"


# Inclusive-companies register ------------------------------------------------------------------


class RegisterCriterion(TimeStampedModel):
    """A published criterion that a company must meet to enter the register."""

    pact = models.ForeignKey(
        Pact, on_delete=models.CASCADE, related_name="register_criteria", verbose_name=_("pact")
    )
    code = models.SlugField(_("code"), max_length=40, help_text=code_help)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "position", "code"]
        verbose_name = _("register criterion")
        verbose_name_plural = _("register criteria")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="register_criterion_unique")
        ]

    def __str__(self) -> str:
        return self.title


class RegisterApplication(ExampleDataModel, TimeStampedModel):
    """A company's application to the register, then its entry while registered.

    The contact e-mail is the company's address for the renewal reminder: staff only, never
    on a public page or in a download.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        REGISTERED = "registered", _("registered")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="register_applications", verbose_name=_("pact")
    )
    company_name = models.CharField(_("company"), max_length=300)
    company_tax_code = models.CharField(
        _("company tax code"), max_length=16, validators=[validate_tax_code]
    )
    ateco_code = models.CharField(_("ATECO code"), max_length=8, validators=[validate_ateco])
    ateco_section = models.CharField(_("ATECO section"), max_length=1, editable=False)
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="register_applications",
        verbose_name=_("municipality"),
    )
    contact_email = models.EmailField(
        _("contact e-mail"),
        help_text=_(
            "Where the office writes about the application and the renewal; never published."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reminded_on = models.DateField(_("renewal reminder sent on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the application was rejected or the entry revoked."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["company_name"]
        verbose_name = _("register application")
        verbose_name_plural = _("register applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["submitted", "registered", "rejected", "expired", "revoked"]
                ),
                name="register_status_known",
            ),
            # A registered (or once registered) entry has its dates, in order.
            models.CheckConstraint(
                condition=~Q(status__in=["registered", "expired", "revoked"])
                | (
                    Q(registered_on__isnull=False, valid_until__isnull=False)
                    & Q(valid_until__gt=F("registered_on"))
                ),
                name="register_entry_dates",
            ),
            # Rejection and revocation always say why.
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "revoked"]) | ~Q(reason=""),
                name="register_reason_given",
            ),
            # One live entry or application per company and pact.
            models.UniqueConstraint(
                fields=["pact", "company_tax_code"],
                condition=Q(status__in=["submitted", "registered"]),
                name="register_one_live_per_company",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name


class CriterionStatement(models.Model):
    """What the company declares about one criterion."""

    application = models.ForeignKey(
        RegisterApplication,
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("application"),
    )
    criterion = models.ForeignKey(
        RegisterCriterion,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("criterion"),
    )
    text = models.TextField(_("statement"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "criterion__position"]
        verbose_name = _("statement on a criterion")
        verbose_name_plural = _("statements on criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="criterion_statement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.criterion}"


class ApplicationDocument(models.Model):
    """A document attached to an application, stored under a name the platform chose."""

    application = models.ForeignKey(
        RegisterApplication,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    file = models.FileField(_("file"), upload_to="instruments/register/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.original_name


# Good-employment agreements --------------------------------------------------------------------


class Agreement(ExampleDataModel, TimeStampedModel):
    """An *Intesa per la buona occupazione*: what a company commits to at a site."""

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("pact")
    )
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    company_name = models.CharField(_("company"), max_length=300)
    company_tax_code = models.CharField(
        _("company tax code"), max_length=16, validators=[validate_tax_code]
    )
    site = models.CharField(
        _("site"),
        max_length=300,
        blank=True,
        help_text=_("The plant or site the agreement covers; empty for the whole company."),
    )
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("municipality"),
    )
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("valid until"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "code"]
        verbose_name = _("good-employment agreement")
        verbose_name_plural = _("good-employment agreements")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="agreement_code_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("signed_on")),
                name="agreement_ends_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.site})" if self.site else self.company_name


class Commitment(models.Model):
    """One commitment of an agreement, with a target and what was achieved so far (stored by
    the service that records each monitoring report)."""

    class Kind(models.TextChoices):
        HIRES = "hires", _("hires")
        TRAINING_HOURS = "training_hours", _("training hours")
        SAFETY_MEASURES = "safety_measures", _("safety measures")
        OTHER = "other", _("other")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    target = models.PositiveIntegerField(_("target"))
    due_on = models.DateField(_("due by"))
    achieved = models.PositiveIntegerField(_("achieved"), default=0, editable=False)
    reported_on = models.DateField(_("last report on"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="commitment_target"),
            models.CheckConstraint(
                condition=Q(kind__in=["hires", "training_hours", "safety_measures", "other"]),
                name="commitment_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def share(self) -> int:
        """Per cent of the target achieved (may pass 100)."""
        return round(100 * self.achieved / self.target) if self.target else 0


class CommitmentReport(models.Model):
    """A monitoring report: how much of a commitment was achieved by a day (cumulative)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("commitment")
    )
    reported_on = models.DateField(_("reported on"))
    value = models.PositiveIntegerField(_("achieved so far"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "reported_on"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "reported_on"], name="commitment_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.value}"


# Economic development: advice services, desks, tables, prizes, protocols, investors -----------
#
# What the end-of-term report of a pact's work instruments counts besides the four above. The
# names a territory gives these services (its enterprise-advice centre, its investor service,
# its prize) are data of the pact, never code: the code knows only their kinds.


class DevelopmentService(ExampleDataModel, TimeStampedModel):
    """A service or table of the pact for enterprises and citizens, under the name it has in
    the territory (such as *Progetti d'impresa* for enterprise advice)."""

    class Kind(models.TextChoices):
        ENTERPRISE_ADVICE = "enterprise_advice", _("advice to would-be entrepreneurs")
        DEBT_DESK = "debt_desk", _("over-indebtedness help desk")
        INVESTOR_SERVICE = "investor_service", _("service for investors")
        BUSINESS_DESKS = "business_desks", _("coordination of the one-stop shops for business")
        NEIGHBOURHOOD_RETAIL = "neighbourhood_retail", _("neighbourhood retail network")
        TRADE_TOURISM_TABLE = "trade_tourism_table", _("table for trade and tourism")
        OTHER = "other", _("other service")

    pact = models.ForeignKey(
        Pact,
        on_delete=models.PROTECT,
        related_name="development_services",
        verbose_name=_("pact"),
    )
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(_("active since"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "position", "code"]
        verbose_name = _("economic-development service")
        verbose_name_plural = _("economic-development services")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="development_service_unique"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "enterprise_advice",
                        "debt_desk",
                        "investor_service",
                        "business_desks",
                        "neighbourhood_retail",
                        "trade_tourism_table",
                        "other",
                    ]
                ),
                name="development_service_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceActivity(ExampleDataModel, TimeStampedModel):
    """Consultations, events or meetings a service held, counted: no person is recorded.

    A row counts what was held on a day, or in a period ending on it (``count``): the
    consultations on a topic, or an event or a meeting with its participants (or, for the
    years before the platform, the events of a period as one total). The topic and the note
    are for the office only: the public reads counts.
    """

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("consultations")
        EVENT = "event", _("event")
        MEETING = "meeting", _("meeting")

    service = models.ForeignKey(
        DevelopmentService,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("service"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(
        _("held on"), help_text=_("For consultations counted over a period, its last day.")
    )
    title = models.CharField(
        _("title or topic"),
        max_length=300,
        blank=True,
        help_text=_("Never a person's name: a consultation is recorded by its topic only."),
    )
    count = models.PositiveIntegerField(
        _("how many"),
        default=1,
        help_text=_("1 for an event or a meeting; more for a total over a period."),
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_activities",
        verbose_name=_("municipality"),
    )
    note = models.TextField(_("note for the office"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "-held_on", "pk"]
        verbose_name = _("service activity")
        verbose_name_plural = _("service activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["consultation", "event", "meeting"]),
                name="service_activity_kind_known",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="service_activity_count"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()} {self.held_on:%Y-%m-%d}"


validate_country = RegexValidator(
    r"^[A-Z]{2}$", _("Write the country as its two-letter ISO code, such as DE or US.")
)


class Investment(ExampleDataModel, TimeStampedModel):
    """An investor the investor service assisted, and what the investment brings.

    Confidential investments (not announced yet) are counted in the public figures of
    investors assisted, but neither their name nor their amount or jobs are published.
    """

    class Status(models.TextChoices):
        ASSISTED = "assisted", _("being assisted")
        DECIDED = "decided", _("investment decided")
        REALISED = "realised", _("investment realised")
        WITHDRAWN = "withdrawn", _("withdrawn")

    service = models.ForeignKey(
        DevelopmentService,
        on_delete=models.PROTECT,
        related_name="investments",
        verbose_name=_("service"),
    )
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    company_name = models.CharField(_("investor"), max_length=300)
    country = models.CharField(
        _("country of origin"), max_length=2, blank=True, validators=[validate_country]
    )
    ateco_code = models.CharField(
        _("ATECO code"), max_length=8, blank=True, validators=[validate_ateco]
    )
    municipality = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investments",
        verbose_name=_("municipality"),
    )
    assisted_on = models.DateField(_("first assisted on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ASSISTED
    )
    amount = models.DecimalField(
        _("investment (euro)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    jobs = models.PositiveIntegerField(_("jobs expected"), null=True, blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Not announced yet: counted among the investors assisted, never named."),
    )
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assisted_on", "code"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="investment_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["assisted", "decided", "realised", "withdrawn"]),
                name="investment_status_known",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="investment_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.company_name


class PrizeEdition(ExampleDataModel, TimeStampedModel):
    """An edition of a prize the pact awards (such as the *Premio Barresi*)."""

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="prize_editions", verbose_name=_("pact")
    )
    prize = models.CharField(_("prize"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    applications = models.PositiveIntegerField(_("applications received"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["prize", "-year"]
        verbose_name = _("prize edition")
        verbose_name_plural = _("prize editions")
        constraints = [
            models.UniqueConstraint(fields=["pact", "prize", "year"], name="prize_edition_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2100), name="prize_edition_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prize} {self.year}"


class PrizeAward(models.Model):
    """An award of an edition: the enterprise or project as the announcement names it."""

    edition = models.ForeignKey(
        PrizeEdition, on_delete=models.CASCADE, related_name="awards", verbose_name=_("edition")
    )
    winner = models.CharField(
        _("winner"), max_length=300, help_text=_("The enterprise or project awarded.")
    )
    category = models.CharField(_("category"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("prize (euro)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "position", "pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="prize_award_amount"
            )
        ]

    def __str__(self) -> str:
        return self.winner


class Protocol(ExampleDataModel, TimeStampedModel):
    """A protocol the pact's parties signed: legality at a large site, public procurement."""

    class Kind(models.TextChoices):
        SITE_LEGALITY = "site_legality", _("legality protocol of a large site")
        PROCUREMENT = "procurement", _("public-procurement protocol")
        OTHER = "other", _("other protocol")

    pact = models.ForeignKey(
        Pact, on_delete=models.PROTECT, related_name="protocols", verbose_name=_("pact")
    )
    code = models.SlugField(_("code"), max_length=60, help_text=code_help)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    site = models.CharField(
        _("site"), max_length=200, blank=True, help_text=_("The airport, freight village, ...")
    )
    signed_on = models.DateField(_("signed on"))
    summary = models.TextField(_("summary"), blank=True)
    signatories = models.ManyToManyField(
        Party, blank=True, related_name="protocols", verbose_name=_("signatories of the pact")
    )
    other_signatories = models.TextField(
        _("other signatories"),
        blank=True,
        help_text=_("Those who are not parties of the pact (the Prefecture, ...), one a line."),
    )
    history = HistoricalRecords(m2m_fields=[signatories])

    class Meta:
        ordering = ["kind", "-signed_on", "code"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="protocol_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["site_legality", "procurement", "other"]),
                name="protocol_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def other_signatory_list(self) -> list[str]:
        return [line.strip() for line in self.other_signatories.splitlines() if line.strip()]


class ProtocolUpdate(models.Model):
    """A renewal, amendment or extension of a protocol, or a report on it."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("renewal")
        AMENDMENT = "amendment", _("amendment")
        EXTENSION = "extension", _("extension")
        MONITORING = "monitoring", _("monitoring report")

    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="updates", verbose_name=_("protocol")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("what changed"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["protocol", "on", "pk"]
        verbose_name = _("protocol update")
        verbose_name_plural = _("protocol updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["renewal", "amendment", "extension", "monitoring"]),
                name="protocol_update_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.protocol}: {self.get_kind_display()} {self.on:%Y-%m-%d}"
