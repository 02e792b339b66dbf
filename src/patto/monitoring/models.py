"""Indicators of the agenda and of projects, their observations (never overwritten) and targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.pact.models import Challenge, Pact, SdgGoal, SdgTarget, Territory
from patto.projects.models import Project

value_field = {"max_digits": 30, "decimal_places": 10}


class Indicator(ExampleDataModel, TimeStampedModel):
    """A measure followed over time: of the territory's agenda (SDG-linked) or of a project."""

    class Level(models.TextChoices):
        AGENDA = "agenda", _("Sustainable development agenda")
        PROJECT = "project", _("Project")

    class Direction(models.TextChoices):
        POSITIVE = "positive", _("Higher is better")
        NEGATIVE = "negative", _("Lower is better")

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="indicators",
                             verbose_name=_("pact"))
    code = models.CharField(_("code"), max_length=40, help_text=_(
        "As in the Open SDG file name, e.g. 1-2-1 for data/indicator_1-2-1.csv."))
    name = models.CharField(_("name"), max_length=400)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    direction = models.CharField(_("desired direction"), max_length=10,
                                 choices=Direction.choices, default=Direction.POSITIVE)
    limit = models.DecimalField(_("natural limit"), null=True, blank=True, **value_field)
    sdg_goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="indicators", verbose_name=_("SDG goal"))
    sdg_target = models.ForeignKey(SdgTarget, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="indicators", verbose_name=_("SDG target"))
    sdg_indicator = models.CharField(_("SDG indicator code"), max_length=20, blank=True)
    source = models.TextField(_("source"), blank=True)
    frequency = models.CharField(_("frequency"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices,
                             default=Level.AGENDA)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="indicators", verbose_name=_("project"))
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="indicators",
                                        verbose_name=_("challenges"))
    # The files as imported, so that an Open SDG export of unchanged data is byte-identical.
    raw_files = models.JSONField(_("imported files"), default=dict, blank=True, editable=False)
    data_columns = models.JSONField(_("data columns"), default=list, blank=True, editable=False)
    meta = models.JSONField(_("metadata"), default=dict, blank=True)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    history = HistoricalRecords(excluded_fields=["raw_files"])

    class Meta:
        ordering = ["pact", "sdg_goal__number", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["pact", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(level="agenda") | Q(project__isnull=False),
                                   name="project_indicator_has_project"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:indicator_detail", kwargs={"pact": self.pact.code,
                                                              "code": self.code})


class ImportBatch(models.Model):
    """One import of observations: which file, by whom, when."""

    kind = models.CharField(_("format"), max_length=20)
    name = models.CharField(_("file or folder"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("imported on"), auto_now_add=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import of observations")
        verbose_name_plural = _("imports of observations")

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Observation(models.Model):
    """One value of an indicator; a revision adds a row and retires the one it supersedes."""

    class Status(models.TextChoices):
        NORMAL = "", _("Normal")
        PROVISIONAL = "provisional", _("Provisional")
        ESTIMATED = "estimated", _("Estimated")
        FORECAST = "forecast", _("Forecast")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE,
                                  related_name="observations", verbose_name=_("indicator"))
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="observations", verbose_name=_("territory"))
    geocode = models.CharField(_("area code"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=20, blank=True,
                              help_text=_("Empty for a year; e.g. 2020-Q1 for a quarter."))
    series = models.CharField(_("series"), max_length=200, blank=True)
    units = models.CharField(_("units"), max_length=100, blank=True)
    disaggregation = models.JSONField(_("disaggregation"), default=dict, blank=True)
    key = models.CharField(max_length=500, editable=False, help_text=_(
        "Series, units, area and disaggregation in one string: what identifies the value."))
    value = models.DecimalField(_("value"), **value_field)
    value_text = models.CharField(_("value as written"), max_length=60)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="observations", verbose_name=_("import"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    is_current = models.BooleanField(_("current"), default=True)
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by",
                                      verbose_name=_("revises"))
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["indicator", "key", "year", "period"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "key", "year", "period"],
                                    condition=Q(is_current=True),
                                    name="one_current_value"),
        ]
        indexes = [models.Index(fields=["indicator", "is_current", "key", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} {self.value_text}"


class Target(models.Model):
    class Level(models.TextChoices):
        UN = "un", _("United Nations")
        EU = "eu", _("European Union")
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")
        LOCAL = "local", _("Local")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets",
                                  verbose_name=_("indicator"))
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="targets", verbose_name=_("territory"))
    series = models.CharField(_("series"), max_length=200, blank=True)
    value = models.DecimalField(_("target value"), **value_field)
    year = models.PositiveSmallIntegerField(_("target year"))
    base_year = models.PositiveSmallIntegerField(_("base year"), null=True, blank=True)
    level = models.CharField(_("set by"), max_length=10, choices=Level.choices,
                             default=Level.LOCAL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["indicator", "territory", "series"],
                                               name="one_target_per_series")]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value} ({self.year})"


class IndicatorResult(models.Model):
    """An indicator's stored assessment, recomputed by the services that change its inputs.

    Pages read it and never assess: the status and score of the indicator's totals for the
    pact's whole territory, and for a project's indicator the figures of the project sheet.
    ``inputs`` fingerprints what the assessment was computed from (the current values read,
    the targets and the indicator's options); ``version`` counts its changes.
    """

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, primary_key=True,
                                     related_name="result", verbose_name=_("indicator"))
    # The goal the indicator counted toward when assessed: a move reassesses both goals.
    goal = models.ForeignKey(SdgGoal, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("SDG goal"))
    status = models.CharField(_("status"), max_length=30)
    score = models.FloatField(_("score"), null=True, blank=True)
    series_count = models.PositiveIntegerField(_("series assessed"), default=0)
    # The project sheet's panel: baseline, latest value and year, share of the target.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("target"))
    # How the status was computed (``PATTO_ASSESSMENT_METHOD``): "opensdg" (sdg-build 2.4's
    # progress options) or "per_series" (the mean over every total series); with the
    # reason code and its figures (each option's result), worded by monitoring.reasons.
    method = models.CharField(_("method"), max_length=20, default="per_series")
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    params = models.JSONField(_("reason's figures"), default=dict, blank=True)
    inputs = models.CharField(_("inputs' fingerprint"), max_length=64)
    # A fingerprint of the results (this row's and its series'), to tell a real change.
    outputs = models.CharField(_("results' fingerprint"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    assessed_at = models.DateTimeField(_("assessed on"), auto_now=True)

    class Meta:
        verbose_name = _("indicator assessment")
        verbose_name_plural = _("indicator assessments")

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.status}"


class SeriesResult(models.Model):
    """One series of an indicator for the pact's whole territory, its values and assessment,
    stored as the indicator's page shows them."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE,
                                  related_name="series_results", verbose_name=_("indicator"))
    position = models.PositiveIntegerField(_("position"))
    key = models.CharField(max_length=500)
    series = models.CharField(_("series"), max_length=200, blank=True)
    units = models.CharField(_("units"), max_length=100, blank=True)
    geocode = models.CharField(_("area code"), max_length=40, blank=True)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("territory"))
    disaggregation = models.JSONField(_("disaggregation"), default=dict, blank=True)
    total = models.BooleanField(_("total"), default=True, help_text=_(
        "No disaggregation: the series counts toward the indicator's and the goal's status."))
    years = models.JSONField(_("years"), default=list)
    values = models.JSONField(_("values"), default=list)
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("target"))
    status = models.CharField(_("status"), max_length=30)
    score = models.FloatField(_("score"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=40)
    params = models.JSONField(_("reason's figures"), default=dict, blank=True)
    # The rest of the engine's result (method, base and latest, growth rates, ratio).
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["indicator", "position"]
        verbose_name = _("series assessment")
        verbose_name_plural = _("series assessments")
        constraints = [models.UniqueConstraint(fields=["indicator", "key"],
                                               name="one_result_per_series")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.key}: {self.status}"


class GoalResult(models.Model):
    """A goal's stored assessment for a pact and its territory: the status from its
    indicators' total series and the composite index (AMPI) over its indicators."""

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="goal_results",
                             verbose_name=_("pact"))
    goal = models.ForeignKey(SdgGoal, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("SDG goal"))
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("territory"))
    indicators = models.PositiveIntegerField(_("indicators"), default=0)
    # Empty when no indicator of the goal has a series (the page says "no indicator").
    status = models.CharField(_("status"), max_length=30, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    composite = models.JSONField(_("composite index"), null=True, blank=True)
    inputs = models.CharField(_("inputs' fingerprint"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    assessed_at = models.DateTimeField(_("assessed on"), auto_now=True)

    class Meta:
        ordering = ["pact", "goal__number"]
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [models.UniqueConstraint(fields=["pact", "goal", "territory"],
                                               name="one_result_per_goal")]

    def __str__(self) -> str:
        return f"{self.pact_id} {self.goal_id}: {self.status}"
