"""Models of the pact registry: who signed what, on which territory, organised how."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.engine.pact_package import tax_code_is_valid

code_help = _("Stable identifier, used in web addresses and in the data package's files.")


class Basis(models.TextChoices):
    """Where a value comes from: pages flag whatever is not read in a source."""

    SOURCE = "source", _("From a source")
    INFERRED = "inferred", _("Inferred")
    EXAMPLE = "example", _("Example")


def basis_fields(label: str) -> tuple[models.CharField, models.TextField]:
    """The pair of fields that says where a value comes from (kind, citation or reasoning)."""
    return (models.CharField(
                format_lazy("{}: {}", _("basis"), label), max_length=10,
                choices=Basis.choices, default=Basis.SOURCE),
            models.TextField(
                format_lazy("{}: {}", _("citation or reasoning"), label), blank=True,
                help_text=_("The source's citation, or the reasoning that led to an "
                            "inferred value.")))


class BasedModel(models.Model):
    """A row whose content is read in a source, inferred, or illustrative (``basis``)."""

    basis, basis_note = basis_fields(_("the record"))

    class Meta:
        abstract = True

    @property
    def is_inferred(self) -> bool:
        return self.basis == Basis.INFERRED


def validate_tax_code(value: str) -> None:
    if value and not tax_code_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid tax code: the check digit does not match. "
              "Copy it again from the register or leave the field empty."),
            code="bad_tax_code", params={"value": value})


class Territory(TimeStampedModel):
    """A metropolitan city, a union of municipalities or district, or a municipality."""

    class Kind(models.TextChoices):
        METROPOLITAN_CITY = "metropolitan_city", _("Metropolitan city")
        DISTRICT = "district", _("District")
        UNION = "union", _("Union of municipalities")
        MUNICIPALITY = "municipality", _("Municipality")

    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    istat_code = models.CharField(_("ISTAT code"), max_length=6, blank=True)
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, blank=True)
    nuts_code = models.CharField(_("NUTS code"), max_length=5, blank=True, help_text=_(
        "The territory's code in Eurostat's NUTS 2021 classification (e.g. ITH55 for the "
        "Città metropolitana di Bologna), as ISTAT lists it; SDMX-CSV imports match it."))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True,
                                                       blank=True)
    population_source = models.CharField(_("population source"), max_length=200,
                                         blank=True)
    website = models.URLField(_("website"), blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True, help_text=_(
        "GeoJSON geometry in WGS84, loaded with `patto load-boundaries`."))
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pact:territory_detail", kwargs={"code": self.code})


class TerritoryMembership(TimeStampedModel):
    """That a territory belonged to another over a period (unions change over time)."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE,
                                  related_name="memberships", verbose_name=_("territory"))
    parent = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="members",
                               verbose_name=_("belongs to"))
    start_on = models.DateField(_("from"), null=True, blank=True,
                                help_text=_(
                                    "Leave empty if it has always applied or is not known."))
    end_on = models.DateField(_("to"), null=True, blank=True,
                              help_text=_("Leave empty if still ongoing."))
    source = models.TextField(_("source"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["territory__name", "start_on"]
        verbose_name = _("territorial membership")
        verbose_name_plural = _("territorial memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(start_on__isnull=True)
                | Q(end_on__gte=models.F("start_on")),
                name="membership_end_after_start"),
            models.CheckConstraint(condition=~Q(territory=models.F("parent")),
                                   name="membership_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.territory} → {self.parent}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.start_on is None or self.start_on <= day) and (
            self.end_on is None or day <= self.end_on)


class PartyCategory(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=code_help)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("party category")
        verbose_name_plural = _("party categories")

    def __str__(self) -> str:
        return self.name


class Party(TimeStampedModel):
    """An organisation that promotes or signs a pact."""

    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=code_help)
    name = models.CharField(_("name as signed"), max_length=300, help_text=_(
        "Exactly as the pact lists it, spelling and capitals included."))
    legal_name = models.CharField(_("official name"), max_length=300, blank=True, help_text=_(
        "The official or legal name, when it differs from the name in the pact."))
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    category = models.ForeignKey(PartyCategory, on_delete=models.PROTECT,
                                 related_name="parties", verbose_name=_("category"))
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True,
                                validators=[validate_tax_code], help_text=_(
                                    "11 digits for organisations, with the check digit verified."))
    website = models.URLField(_("website"), blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="parties", verbose_name=_("territory"),
                                  help_text=_("The territory it represents or where it is based."))
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pact:party_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def other_name(self) -> str:
        """The official name, only when it differs from the name as signed."""
        return self.legal_name if self.legal_name and self.legal_name != self.name else ""


class SdgGoal(models.Model):
    """One of the 17 Sustainable Development Goals of the UN 2030 Agenda."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.localized_title}"

    @property
    def localized_title(self) -> str:
        return self.title_en if get_language() == "en" else self.title


class SdgTarget(models.Model):
    """A target of the UN 2030 Agenda, e.g. 8.5, under its goal."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, related_name="targets",
                             verbose_name=_("goal"))

    class Meta:
        ordering = ["goal__number", "code"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self) -> str:
        return self.code


class Pact(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=code_help)
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=120)
    signed_on = models.DateField(_("signed on"))
    end_on = models.DateField(_("valid until"), null=True, blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="pacts",
                                  verbose_name=_("territory"))
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description (Markdown)"), blank=True)
    source_url = models.URLField(_("source"), blank=True)
    parties = models.ManyToManyField(Party, through="PactParty", related_name="pacts",
                                     verbose_name=_("parties"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("pact")
        verbose_name_plural = _("pacts")

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return reverse("pact:pact_detail", kwargs={"pact": self.code})


class PactDocument(models.Model):
    class Kind(models.TextChoices):
        PACT_TEXT = "pact_text", _("Pact text")
        ANNOUNCEMENT = "announcement", _("Announcement")
        ANNEX = "annex", _("Annex")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="documents",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    url = models.URLField(_("web address"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "published_on", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.UniqueConstraint(fields=["pact", "title"],
                                               name="document_unique_title")]

    def __str__(self) -> str:
        return self.title


class PactParty(BasedModel):
    """A party's role in a pact: the promoter that coordinates it, or a signatory."""

    class Role(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        SIGNATORY = "signatory", _("Signatory")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("pact"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="pact_roles",
                              verbose_name=_("party"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    joined_on = models.DateField(_("member since"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "position"]
        verbose_name = _("pact membership")
        verbose_name_plural = _("pact memberships")
        constraints = [
            models.UniqueConstraint(fields=["pact", "party"], name="pact_party_unique"),
            models.UniqueConstraint(fields=["pact"], condition=Q(role="promoter"),
                                    name="pact_one_promoter"),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()})"


class PactPart(TimeStampedModel):
    """What every ordered, coded part of a pact has (cluster, challenge, action, instrument)."""

    code = models.SlugField(_("code"), max_length=40, help_text=code_help)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    summary = models.TextField(_("summary"))

    class Meta:
        abstract = True
        ordering = ["pact", "position"]


def _unique_code(name: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint(fields=["pact", "code"], name=f"{name}_unique_code")]


class Cluster(PactPart):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="clusters",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=120)
    description = models.TextField(_("description (Markdown)"), blank=True)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("project cluster")
        verbose_name_plural = _("project clusters")
        constraints = _unique_code("cluster")

    def __str__(self) -> str:
        return f"{self.code}. {self.short_title}"

    def get_absolute_url(self) -> str:
        return reverse("pact:cluster_detail", kwargs={"pact": self.pact.code, "code": self.code})


class Challenge(PactPart):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="challenges",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=400, help_text=_(
        "Verbatim, as the pact words it."))
    short_label = models.CharField(_("short label"), max_length=200, blank=True, help_text=_(
        "A shorter label for lists and charts; the title stays the pact's own."))
    description = models.TextField(_("description (Markdown)"), blank=True)
    links_basis, links_basis_note = basis_fields(_("the links to goals and clusters"))
    sdgs = models.ManyToManyField(SdgGoal, blank=True, related_name="challenges",
                                  verbose_name=_("SDGs"))
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="challenges",
                                      verbose_name=_("clusters"))
    history = HistoricalRecords(m2m_fields=[sdgs, clusters])

    class Meta(PactPart.Meta):
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = _unique_code("challenge")

    def __str__(self) -> str:
        return f"{self.code}. {self.label}"

    @property
    def label(self) -> str:
        return self.short_label or self.title

    def get_absolute_url(self) -> str:
        return reverse("pact:challenge_detail",
                       kwargs={"pact": self.pact.code, "code": self.code})


class WorkingGroup(TimeStampedModel):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="working_groups",
                             verbose_name=_("pact"))
    code = models.SlugField(_("code"), max_length=40, help_text=code_help)
    name = models.CharField(_("name"), max_length=300)
    cluster = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="working_groups", verbose_name=_("cluster"))
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "code"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = _unique_code("working_group")

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(ExampleDataModel, BasedModel):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordination")
        MEMBER = "member", _("Member")

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE,
                                      related_name="members", verbose_name=_("working group"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="working_groups",
                              verbose_name=_("party"))
    person = models.CharField(_("person"), max_length=200, blank=True, help_text=_(
        "Personal data: shown only to signed-in staff."))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices,
                            default=Role.MEMBER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["working_group", "role", "party__name"]
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        constraints = [models.UniqueConstraint(fields=["working_group", "party"],
                                               name="working_group_member_unique")]

    def __str__(self) -> str:
        return f"{self.party} – {self.working_group}"


class EmergencyAction(PactPart):
    """An action to answer the emergency (chapter 3 of the Bologna pact)."""

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="emergency_actions",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=300)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("emergency action")
        verbose_name_plural = _("emergency actions")
        constraints = _unique_code("emergency_action")

    def __str__(self) -> str:
        return self.title


class Instrument(PactPart):
    class Kind(models.TextChoices):
        COMMUNITY_FUND = "community_fund", _("Community fund")
        JOB_INCLUSION = "job_inclusion", _("Job placement")
        EQUALISATION_FUND = "equalisation_fund", _("Equalisation fund")
        REGENERATION_PROGRAMME = "regeneration_programme", _("Regeneration programmes")
        OTHER = "other", _("Other")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="instruments",
                             verbose_name=_("pact"))
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description (Markdown)"), blank=True)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = _unique_code("instrument")

    def __str__(self) -> str:
        return self.name


class TableDuty(PactPart):
    """What the pact's Table monitors or promotes (chapter 7)."""

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="table_duties",
                             verbose_name=_("pact"))
    title = models.CharField(_("title"), max_length=300)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("Table duty")
        verbose_name_plural = _("Table duties")
        constraints = _unique_code("table_duty")

    def __str__(self) -> str:
        return self.title
