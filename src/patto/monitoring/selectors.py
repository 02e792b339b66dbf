"""Reads for monitoring pages: indicators with their values, targets and stored assessments.

Pages never assess: they read what ``patto.monitoring.assessments`` stored when the inputs
changed, each page in a fixed number of queries whatever the number of values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from patto.engine.progress import SeriesAssessment
from patto.pact.models import Pact, SdgGoal

from .assessments import Composite, series_assessment
from .models import GoalResult, Indicator, IndicatorResult, Observation, SeriesResult, Target

#: Kept for the callers that name it: the goal's stored composite index.
CompositeTrend = Composite


@dataclass
class SeriesView:
    """One line of an indicator: its label, values by year and its assessment."""

    key: str
    label: str
    territory: str
    years: list[int]
    values: list[float]
    target: Target | None
    assessment: SeriesAssessment
    total: bool = True  # no disaggregation: the series counts toward the indicator's status
    units: str = ""
    disaggregation: dict | None = None
    explanation: str = ""


def indicator_list(*, pact: Pact, goal: int | None = None) -> QuerySet[Indicator]:
    """The pact's agenda indicators with their stored assessment, in one query."""
    indicators = pact.indicators.filter(level=Indicator.Level.AGENDA)
    if goal is not None:
        indicators = indicators.filter(sdg_goal__number=goal)
    return indicators.select_related("pact", "sdg_goal", "sdg_target", "result")


def _label(series: str, units: str, place: str, disaggregation: dict) -> str:
    parts = [series, units, place,
             ", ".join(f"{k}: {v}" for k, v in sorted(disaggregation.items()))]
    return " · ".join(p for p in parts if p) or "Totale"


def indicator_series(indicator: Indicator, *, headline_only: bool = True) -> list[SeriesView]:
    """Each stored series of the indicator for the pact's whole territory, with its
    assessment; only the totals (no disaggregation) unless ``headline_only`` is False."""
    rows = SeriesResult.objects.filter(indicator=indicator).select_related(
        "target", "territory").defer("territory__boundary").order_by("position")
    if headline_only:
        rows = rows.filter(total=True)
    views = []
    for row in rows:
        place = row.territory.name if row.territory else ""
        views.append(SeriesView(
            key=row.key, label=_label(row.series, row.units, place or row.geocode,
                                      row.disaggregation),
            territory=place, years=list(row.years), values=list(row.values),
            target=row.target, assessment=series_assessment(row), total=row.total,
            units=row.units, disaggregation=dict(row.disaggregation)))
    return views


def explain(a: SeriesAssessment, limit: float | None = None) -> str:
    """The assessment in the reader's language, from its reason code and figures.

    Worded by ``patto.monitoring.reasons``, the same place ``patto assess`` uses.
    """
    from .reasons import describe_assessment

    return describe_assessment(a, limit)


@dataclass
class OptionView:
    """One progress option of an indicator assessed by the Open SDG method, as stored."""

    tag: str
    status: str
    score: float | None
    base_year: int | None
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    target: float | None
    target_year: int | None
    explanation: str


def indicator_progress(result: IndicatorResult | None) -> tuple[str, list[OptionView]]:
    """The explanation of an indicator's stored status and, for the Open SDG method, each
    progress option's result, worded by ``patto.monitoring.reasons``: no query."""
    from .reasons import describe_progress, describe_score

    if result is None:
        return "", []
    params = result.params or {}
    status = params.get("status", result.status)
    explanation = describe_progress(result.reason, params, status)
    if result.method != "opensdg":
        return explanation, []
    options = []
    for option in params.get("options", []):
        figures = option.get("params") or {}
        text = describe_progress(option["reason"], figures, option["status"])
        options.append(OptionView(
            tag=option["tag"], status=option["status"], score=option["score"],
            base_year=figures.get("base_year"), base_value=figures.get("base_value"),
            latest_year=figures.get("current_year"), latest_value=figures.get("current_value"),
            target=figures.get("target"), target_year=figures.get("target_year"),
            explanation=" ".join(t for t in (text, describe_score(option["score"])) if t)))
    if len(options) == 1 and result.reason == "assessed":
        explanation = ""  # the one option's own explanation says it all
    return explanation, options


def year_table(series: list[SeriesView]) -> tuple[list[int], list[tuple[str, list]]]:
    """Series as rows over every year any of them has, blank where a year is missing."""
    years = sorted({y for s in series for y in s.years})
    rows = []
    for s in series:
        by_year = dict(zip(s.years, s.values, strict=True))
        rows.append((s.label, [by_year.get(y) for y in years]))
    return years, rows


def indicator_assessment(indicator: Indicator) -> IndicatorResult | None:
    """The indicator's stored status and score (None before its first assessment)."""
    try:
        return indicator.result
    except IndicatorResult.DoesNotExist:
        return None


@dataclass
class GoalView:
    goal: SdgGoal
    indicators: int
    assessment: GoalResult | None
    composite: Composite | None = None


def goals_overview(*, pact: Pact) -> list[GoalView]:
    """The 17 goals with how many indicators follow each, their stored status and composite
    index: two queries."""
    stored = {r.goal_id: r for r in GoalResult.objects.filter(
        pact=pact, territory_id=pact.territory_id)}
    views = []
    for goal in SdgGoal.objects.order_by("number"):
        result = stored.get(goal.pk)
        composite = Composite(**result.composite) if result and result.composite else None
        views.append(GoalView(goal=goal, indicators=result.indicators if result else 0,
                              assessment=result if result and result.status else None,
                              composite=composite))
    return views


def indicator_get(*, pact: Pact, code: str) -> Indicator:
    """An indicator of the pact (of its agenda or of a project) with its stored assessment."""
    return pact.indicators.select_related("pact", "sdg_goal", "sdg_target", "result").get(
        code=code)


def indicator_observations(indicator: Indicator) -> QuerySet[Observation]:
    """The indicator's current values, for its downloads: one query."""
    return (indicator.observations.filter(is_current=True)
            .select_related("territory").defer("territory__boundary")
            .order_by("key", "year", "period"))


def monitoring_counts(pact: Pact, *, full: bool = False) -> dict[str, int]:
    """A pact's monitoring counts (:func:`patto.pact.selectors.register_count`): its
    indicators, and with ``full`` its current observations, millions at national scale."""
    counts = {
        "agenda_indicators": pact.indicators.filter(level=Indicator.Level.AGENDA).count(),
        "project_indicators": pact.indicators.filter(level=Indicator.Level.PROJECT).count(),
    }
    if full:
        counts["observations"] = Observation.objects.filter(indicator__pact=pact,
                                                            is_current=True).count()
    return counts


@dataclass
class ProjectIndicatorView:
    indicator: Indicator
    baseline: float | None
    latest: float | None
    latest_year: int | None
    target: Target | None
    share: float | None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(100 * self.share)

    @property
    def bar(self) -> int:
        return max(0, min(100, self.percent or 0))


def project_indicators(project) -> tuple[str, dict] | None:
    """The project's own indicators with the share of the target reached from the baseline,
    as stored when their values last changed: one query."""
    indicators = list(project.indicators.select_related("pact", "result", "result__target")
                      .order_by("code"))
    if not indicators:
        return None
    views = []
    for indicator in indicators:
        result = indicator_assessment(indicator)
        figures = result.figures if result else {}
        views.append(ProjectIndicatorView(
            indicator=indicator, baseline=figures.get("baseline"),
            latest=figures.get("latest"), latest_year=figures.get("latest_year"),
            target=result.target if result else None, share=figures.get("share")))
    return "monitoring/_project_indicators.html", {"indicators": views}


@dataclass
class AreaValue:
    """One row of an indicator's map table: a municipality, its group, the value shown."""

    place: object  # patto.pact.selectors.Place
    value: float | None
    value_text: str


def _area_totals(indicator: Indicator) -> QuerySet[Observation]:
    return indicator.observations.filter(is_current=True, disaggregation={}, series="",
                                         territory__isnull=False)


def indicator_area_years(indicator: Indicator) -> list[int]:
    """The years with a value by territory of the indicator's total series: one query."""
    # order_by("year") drops the model's default ordering from the DISTINCT, which otherwise
    # sorts every observation of the indicator to find a handful of years.
    return list(_area_totals(indicator).order_by("year").values_list("year", flat=True)
                .distinct())


def _area_values(indicator: Indicator, year: int, place_ids: list[int] | None = None
                 ) -> dict[int, tuple[float, str]]:
    """The last value of the year per place (by key, then period, as the table had it), of
    every place or of ``place_ids``."""
    rows = _area_totals(indicator).filter(year=year)
    if place_ids is not None:
        rows = rows.filter(territory_id__in=place_ids)
    return {place: (float(value), text) for place, value, text in rows
            .order_by("key", "period").values_list("territory_id", "value", "value_text")}


def _shown(place, level: str) -> int:
    """The territory whose value a municipality shows: its own, or its group's."""
    return place.pk if level == "comuni" else (place.group_pk or place.pk)


def _places(indicator: Indicator) -> list:
    from patto.pact.selectors import territory_places

    pact = indicator.pact
    return territory_places(root_id=pact.territory_id, on=pact.signed_on)


def indicator_area_page(*, indicator: Indicator, year: int, level: str, number,
                        per_page: int):
    """A page of the map's table: the municipalities of the page (by name) with the value
    each shows, read for those places only (one query, two on the first request after a
    change, whatever the number of municipalities)."""
    from django.core.paginator import Paginator

    page = Paginator(_places(indicator), per_page).get_page(number)
    places = list(page.object_list)
    found = _area_values(indicator, year, sorted({_shown(p, level) for p in places}))
    page.object_list = [AreaValue(p, *found.get(_shown(p, level), (None, ""))) for p in places]
    return page


def indicator_area_map(*, indicator: Indicator, year: int, level: str) -> dict:
    """What the choropleth colours every municipality with: each one's value by code, the
    range and the unit; kept once per data version (the page fetches it as JSON)."""
    from patto.core.cache import versioned

    def build() -> dict:
        found = _area_values(indicator, year)
        values = {}
        for place in _places(indicator):
            shown = found.get(_shown(place, level))
            values[place.code] = shown[0] if shown else None
        present = [v for v in values.values() if v is not None]
        return {"values": values, "min": min(present) if present else 0,
                "max": max(present) if present else 1, "unit": indicator.unit,
                "negative": indicator.direction == "negative"}

    return versioned(f"monitoring:map:{indicator.pk}:{year}:{level}", build)
