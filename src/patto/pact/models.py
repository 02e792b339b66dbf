"""Models of the pact registry: who signed what, on which territory, organised how."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import TimeStampedModel
from patto.engine.pact_package import tax_code_is_valid

code_help = _("Identificativo stabile, usato negli indirizzi e nei file del pacchetto dati.")


def validate_tax_code(value: str) -> None:
    if value and not tax_code_is_valid(value):
        raise ValidationError(
            _("%(value)s non è un codice fiscale valido: la cifra di controllo non torna. "
              "Copialo di nuovo dal registro o lascia il campo vuoto."),
            code="bad_tax_code", params={"value": value})


class Territory(TimeStampedModel):
    """A metropolitan city, a union of municipalities or district, or a municipality."""

    class Kind(models.TextChoices):
        METROPOLITAN_CITY = "metropolitan_city", _("Città metropolitana")
        DISTRICT = "district", _("Circondario")
        UNION = "union", _("Unione di Comuni")
        MUNICIPALITY = "municipality", _("Comune")

    code = models.SlugField(_("codice"), max_length=60, unique=True, help_text=code_help)
    name = models.CharField(_("nome"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    istat_code = models.CharField(_("codice ISTAT"), max_length=6, blank=True)
    cadastral_code = models.CharField(_("codice catastale"), max_length=4, blank=True)
    population = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("anno della popolazione"), null=True,
                                                       blank=True)
    population_source = models.CharField(_("fonte della popolazione"), max_length=200,
                                         blank=True)
    website = models.URLField(_("sito web"), blank=True)
    boundary = models.JSONField(_("confine (GeoJSON)"), null=True, blank=True, help_text=_(
        "Geometria GeoJSON in WGS84, caricata con `patto load-boundaries`."))
    boundary_source = models.CharField(_("fonte del confine"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("territorio")
        verbose_name_plural = _("territori")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pact:territory_detail", kwargs={"code": self.code})


class TerritoryMembership(TimeStampedModel):
    """That a territory belonged to another over a period (unions change over time)."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE,
                                  related_name="memberships", verbose_name=_("territorio"))
    parent = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="members",
                               verbose_name=_("appartiene a"))
    start_on = models.DateField(_("dal"), null=True, blank=True,
                                help_text=_("Vuoto se da sempre o non noto."))
    end_on = models.DateField(_("al"), null=True, blank=True,
                              help_text=_("Vuoto se ancora in corso."))
    source = models.TextField(_("fonte"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["territory__name", "start_on"]
        verbose_name = _("appartenenza territoriale")
        verbose_name_plural = _("appartenenze territoriali")
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
    code = models.SlugField(_("codice"), max_length=60, unique=True, help_text=code_help)
    name = models.CharField(_("nome"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)
    description = models.TextField(_("descrizione"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("categoria di soggetti")
        verbose_name_plural = _("categorie di soggetti")

    def __str__(self) -> str:
        return self.name


class Party(TimeStampedModel):
    """An organisation that promotes or signs a pact."""

    code = models.SlugField(_("codice"), max_length=80, unique=True, help_text=code_help)
    name = models.CharField(_("denominazione"), max_length=300)
    short_name = models.CharField(_("nome breve"), max_length=100, blank=True)
    category = models.ForeignKey(PartyCategory, on_delete=models.PROTECT,
                                 related_name="parties", verbose_name=_("categoria"))
    tax_code = models.CharField(_("codice fiscale"), max_length=16, blank=True,
                                validators=[validate_tax_code], help_text=_(
                                    "11 cifre per gli enti, con cifra di controllo verificata."))
    website = models.URLField(_("sito web"), blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="parties", verbose_name=_("territorio"),
                                  help_text=_("Il territorio che rappresenta o in cui ha sede."))
    description = models.TextField(_("descrizione"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("soggetto")
        verbose_name_plural = _("soggetti")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pact:party_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class SdgGoal(models.Model):
    """One of the 17 Sustainable Development Goals of the UN 2030 Agenda."""

    number = models.PositiveSmallIntegerField(_("numero"), unique=True)
    title = models.CharField(_("titolo"), max_length=200)
    title_en = models.CharField(_("titolo in inglese"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("obiettivo di sviluppo sostenibile")
        verbose_name_plural = _("obiettivi di sviluppo sostenibile")

    def __str__(self) -> str:
        return f"{self.number}. {self.localized_title}"

    @property
    def localized_title(self) -> str:
        return self.title_en if get_language() == "en" else self.title


class Pact(TimeStampedModel):
    code = models.SlugField(_("codice"), max_length=60, unique=True, help_text=code_help)
    title = models.CharField(_("titolo"), max_length=300)
    short_title = models.CharField(_("titolo breve"), max_length=120)
    signed_on = models.DateField(_("firmato il"))
    end_on = models.DateField(_("valido fino al"), null=True, blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="pacts",
                                  verbose_name=_("territorio"))
    summary = models.TextField(_("sintesi"))
    description = models.TextField(_("descrizione (Markdown)"), blank=True)
    source_url = models.URLField(_("fonte"), blank=True)
    parties = models.ManyToManyField(Party, through="PactParty", related_name="pacts",
                                     verbose_name=_("soggetti"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("patto")
        verbose_name_plural = _("patti")

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return reverse("pact:pact_detail", kwargs={"pact": self.code})


class PactDocument(models.Model):
    class Kind(models.TextChoices):
        PACT_TEXT = "pact_text", _("Testo del Patto")
        ANNOUNCEMENT = "announcement", _("Comunicato")
        ANNEX = "annex", _("Allegato")
        REPORT = "report", _("Rapporto")
        OTHER = "other", _("Altro")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="documents",
                             verbose_name=_("patto"))
    title = models.CharField(_("titolo"), max_length=300)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    published_on = models.DateField(_("pubblicato il"), null=True, blank=True)
    url = models.URLField(_("indirizzo"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "published_on", "title"]
        verbose_name = _("documento")
        verbose_name_plural = _("documenti")
        constraints = [models.UniqueConstraint(fields=["pact", "title"],
                                               name="document_unique_title")]

    def __str__(self) -> str:
        return self.title


class PactParty(models.Model):
    """A party's role in a pact: the promoter that coordinates it, or a signatory."""

    class Role(models.TextChoices):
        PROMOTER = "promoter", _("Soggetto promotore")
        SIGNATORY = "signatory", _("Firmatario")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("patto"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="pact_roles",
                              verbose_name=_("soggetto"))
    role = models.CharField(_("ruolo"), max_length=20, choices=Role.choices)
    joined_on = models.DateField(_("aderisce dal"))
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "position"]
        verbose_name = _("adesione al patto")
        verbose_name_plural = _("adesioni al patto")
        constraints = [
            models.UniqueConstraint(fields=["pact", "party"], name="pact_party_unique"),
            models.UniqueConstraint(fields=["pact"], condition=Q(role="promoter"),
                                    name="pact_one_promoter"),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()})"


class PactPart(TimeStampedModel):
    """What every ordered, coded part of a pact has (cluster, challenge, action, instrument)."""

    code = models.SlugField(_("codice"), max_length=40, help_text=code_help)
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)
    summary = models.TextField(_("sintesi"))

    class Meta:
        abstract = True
        ordering = ["pact", "position"]


def _unique_code(name: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint(fields=["pact", "code"], name=f"{name}_unique_code")]


class Cluster(PactPart):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="clusters",
                             verbose_name=_("patto"))
    title = models.CharField(_("titolo"), max_length=300)
    short_title = models.CharField(_("titolo breve"), max_length=120)
    description = models.TextField(_("descrizione (Markdown)"), blank=True)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("cluster di progetti")
        verbose_name_plural = _("cluster di progetti")
        constraints = _unique_code("cluster")

    def __str__(self) -> str:
        return f"{self.code}. {self.short_title}"

    def get_absolute_url(self) -> str:
        return reverse("pact:cluster_detail", kwargs={"pact": self.pact.code, "code": self.code})


class Challenge(PactPart):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="challenges",
                             verbose_name=_("patto"))
    title = models.CharField(_("titolo"), max_length=400)
    description = models.TextField(_("descrizione (Markdown)"), blank=True)
    sdgs = models.ManyToManyField(SdgGoal, blank=True, related_name="challenges",
                                  verbose_name=_("obiettivi SDG"))
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="challenges",
                                      verbose_name=_("cluster"))
    history = HistoricalRecords(m2m_fields=[sdgs, clusters])

    class Meta(PactPart.Meta):
        verbose_name = _("sfida")
        verbose_name_plural = _("sfide")
        constraints = _unique_code("challenge")

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("pact:challenge_detail",
                       kwargs={"pact": self.pact.code, "code": self.code})


class WorkingGroup(TimeStampedModel):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="working_groups",
                             verbose_name=_("patto"))
    code = models.SlugField(_("codice"), max_length=40, help_text=code_help)
    name = models.CharField(_("nome"), max_length=300)
    cluster = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="working_groups", verbose_name=_("cluster"))
    summary = models.TextField(_("sintesi"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "code"]
        verbose_name = _("gruppo di lavoro")
        verbose_name_plural = _("gruppi di lavoro")
        constraints = _unique_code("working_group")

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinamento")
        MEMBER = "member", _("Componente")

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE,
                                      related_name="members", verbose_name=_("gruppo di lavoro"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="working_groups",
                              verbose_name=_("soggetto"))
    person = models.CharField(_("persona"), max_length=200, blank=True, help_text=_(
        "Dato personale: mostrato solo al personale autenticato."))
    role = models.CharField(_("ruolo"), max_length=20, choices=Role.choices,
                            default=Role.MEMBER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["working_group", "role", "party__name"]
        verbose_name = _("componente del gruppo di lavoro")
        verbose_name_plural = _("componenti del gruppo di lavoro")
        constraints = [models.UniqueConstraint(fields=["working_group", "party"],
                                               name="working_group_member_unique")]

    def __str__(self) -> str:
        return f"{self.party} – {self.working_group}"


class EmergencyAction(PactPart):
    """An action to answer the emergency (chapter 3 of the Bologna pact)."""

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="emergency_actions",
                             verbose_name=_("patto"))
    title = models.CharField(_("titolo"), max_length=300)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("azione per l'emergenza")
        verbose_name_plural = _("azioni per l'emergenza")
        constraints = _unique_code("emergency_action")

    def __str__(self) -> str:
        return self.title


class Instrument(PactPart):
    class Kind(models.TextChoices):
        COMMUNITY_FUND = "community_fund", _("Fondo di comunità")
        JOB_INCLUSION = "job_inclusion", _("Inserimento lavorativo")
        EQUALISATION_FUND = "equalisation_fund", _("Fondo perequativo")
        REGENERATION_PROGRAMME = "regeneration_programme", _("Programmi di rigenerazione")
        OTHER = "other", _("Altro")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="instruments",
                             verbose_name=_("patto"))
    name = models.CharField(_("nome"), max_length=300)
    kind = models.CharField(_("tipo"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("descrizione (Markdown)"), blank=True)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("strumento")
        verbose_name_plural = _("strumenti")
        constraints = _unique_code("instrument")

    def __str__(self) -> str:
        return self.name


class TableDuty(PactPart):
    """What the pact's Table monitors or promotes (chapter 7)."""

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="table_duties",
                             verbose_name=_("patto"))
    title = models.CharField(_("titolo"), max_length=300)
    history = HistoricalRecords()

    class Meta(PactPart.Meta):
        verbose_name = _("compito del Tavolo")
        verbose_name_plural = _("compiti del Tavolo")
        constraints = _unique_code("table_duty")

    def __str__(self) -> str:
        return self.title
