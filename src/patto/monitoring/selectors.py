"""Reads for monitoring pages: indicators with their values, targets and assessments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from patto.engine.progress import (
    IndicatorAssessment,
    ProgressOptions,
    SeriesAssessment,
    assess_indicator,
    assess_series,
)
from patto.pact.models import Pact, SdgGoal

from .models import Indicator, Observation, Target


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


def indicator_list(*, pact: Pact, goal: int | None = None) -> QuerySet[Indicator]:
    indicators = pact.indicators.filter(level=Indicator.Level.AGENDA).select_related(
        "sdg_goal", "sdg_target")
    if goal is not None:
        indicators = indicators.filter(sdg_goal__number=goal)
    return indicators.select_related("pact").prefetch_related(
        Prefetch("observations", queryset=Observation.objects.filter(is_current=True)
                 .select_related("territory").order_by("key", "year")),
        Prefetch("targets", queryset=Target.objects.select_related("territory")),
        "challenges")


def _label(o: Observation) -> str:
    parts = [o.series, o.units, o.territory.name if o.territory else o.geocode,
             ", ".join(f"{k}: {v}" for k, v in sorted(o.disaggregation.items()))]
    return " · ".join(p for p in parts if p) or "Totale"


def indicator_series(indicator: Indicator, *, headline_only: bool = True,
                     whole_area_only: bool = True) -> list[SeriesView]:
    """Each series of the indicator, assessed with its target when it has one.

    By default only the pact's whole territory (values by municipality or union are
    compared on the map page) and only totals (no disaggregation).
    """
    root = indicator.pact.territory_id
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in indicator.observations.all():
        if not o.is_current or (headline_only and o.disaggregation):
            continue
        if whole_area_only and o.territory_id not in (None, root):
            continue
        groups[o.key].append(o)
    targets = list(indicator.targets.all())
    views = []
    for key, rows in sorted(groups.items()):
        rows.sort(key=lambda o: o.year)
        first = rows[0]
        target = next((t for t in targets if t.series == first.series
                       and (t.territory_id in (None, first.territory_id))), None)
        options = ProgressOptions(
            direction=indicator.direction,
            target=float(target.value) if target else None,
            target_year=target.year if target else None,
            base_year=target.base_year if target else None,
            limit=float(indicator.limit) if indicator.limit is not None else None)
        years = [o.year for o in rows]
        values = [float(o.value) for o in rows]
        views.append(SeriesView(key=key, label=_label(first),
                                territory=first.territory.name if first.territory else "",
                                years=years, values=values, target=target,
                                assessment=assess_series(years, values, options),
                                total=not first.disaggregation, units=first.units,
                                disaggregation=dict(first.disaggregation)))
    return views


def explain(a: SeriesAssessment, limit: float | None = None) -> str:
    """The assessment in the reader's language, from its reason code and figures.

    Worded by ``patto.monitoring.reasons``, the same place ``patto assess`` uses.
    """
    from .reasons import describe_assessment

    return describe_assessment(a, limit)


def year_table(series: list[SeriesView]) -> tuple[list[int], list[tuple[str, list]]]:
    """Series as rows over every year any of them has, blank where a year is missing."""
    years = sorted({y for s in series for y in s.years})
    rows = []
    for s in series:
        by_year = dict(zip(s.years, s.values, strict=True))
        rows.append((s.label, [by_year.get(y) for y in years]))
    return years, rows


def indicator_assessment(indicator: Indicator) -> IndicatorAssessment:
    return assess_indicator([s.assessment for s in indicator_series(indicator)])


@dataclass
class GoalView:
    goal: SdgGoal
    indicators: int
    assessment: IndicatorAssessment | None
    composite: CompositeTrend | None = None


@dataclass(frozen=True)
class CompositeTrend:
    """The goal's Adjusted Mazziotta-Pareto Index for the whole territory, first and last
    year with every component, the base year scoring 100."""

    first_year: int
    first: float
    last_year: int
    last: float
    components: int

    @property
    def change(self) -> float:
        return self.last - self.first


def composite_trend(assessed: list[tuple[Indicator, list[SeriesView]]]
                    ) -> CompositeTrend | None:
    """AMPI over the goal's indicators for the pact's territory (their first series each)."""
    import numpy as np

    from patto.engine.ampi import AmpiOptions, ampi

    lines, polarity = [], []
    for indicator, series in assessed:
        if series:
            lines.append(dict(zip(series[0].years, series[0].values, strict=True)))
            polarity.append(1.0 if indicator.direction == "positive" else -1.0)
    if not lines:
        return None
    years = sorted(set.intersection(*(set(line) for line in lines)))
    if len(years) < 2:
        return None
    values = np.array([[[line[y] for y in years] for line in lines]], dtype=np.float64)
    try:
        result = ampi(values, AmpiOptions(reference_unit=0, base_year_index=0,
                                          polarity=np.array(polarity)))
    except ValueError:
        return None  # e.g. a component that never changes: no goalposts to scale it
    index = result.index[0]
    return CompositeTrend(first_year=years[0], first=float(index[0]), last_year=years[-1],
                          last=float(index[-1]), components=len(lines))


def goals_overview(*, pact: Pact) -> list[GoalView]:
    """The 17 goals with how many indicators follow each and their averaged status."""
    by_goal: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicator_list(pact=pact):
        if indicator.sdg_goal_id:
            by_goal[indicator.sdg_goal.number].append(indicator)
    views = []
    for goal in SdgGoal.objects.order_by("number"):
        indicators = by_goal.get(goal.number, [])
        # Each indicator's series are assessed once, for the status and the composite.
        assessed = [(i, indicator_series(i)) for i in indicators]
        series = [s.assessment for _, views_ in assessed for s in views_]
        views.append(GoalView(goal=goal, indicators=len(indicators),
                              assessment=assess_indicator(series) if series else None,
                              composite=composite_trend(assessed) if indicators else None))
    return views


def indicator_get(*, pact: Pact, code: str) -> Indicator:
    return indicator_list(pact=pact).get(code=code)


def monitoring_counts(pact: Pact) -> dict[str, int]:
    """The counts `patto load-pact` prints for a pact's monitoring."""
    return {
        "agenda indicators": pact.indicators.filter(level=Indicator.Level.AGENDA).count(),
        "project indicators": pact.indicators.filter(level=Indicator.Level.PROJECT).count(),
        "observations": Observation.objects.filter(indicator__pact=pact,
                                                   is_current=True).count(),
    }


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
    """The project's own indicators with the share of the target reached from the baseline."""
    from patto.engine.progress import share_of_target

    indicators = list(project.indicators.prefetch_related(
        Prefetch("observations", queryset=Observation.objects.filter(
            is_current=True, disaggregation={}).order_by("year")), "targets"))
    if not indicators:
        return None
    views = []
    for indicator in indicators:
        rows = [o for o in indicator.observations.all() if not o.series]or \
            list(indicator.observations.all())
        target = next(iter(indicator.targets.all()), None)
        base = next((o for o in rows if target and target.base_year and o.year ==
                     target.base_year), rows[0] if rows else None)
        latest = rows[-1] if rows else None
        share = share_of_target(float(base.value), float(latest.value), float(target.value)) \
            if (base and latest and target) else None
        views.append(ProjectIndicatorView(
            indicator=indicator, baseline=float(base.value) if base else None,
            latest=float(latest.value) if latest else None,
            latest_year=latest.year if latest else None, target=target, share=share))
    return "monitoring/_project_indicators.html", {"indicators": views}


@dataclass
class AreaValue:
    territory: object
    group: object | None
    value: float | None
    value_text: str


def indicator_by_area(*, indicator: Indicator, year: int | None, level: str
                      ) -> tuple[int | None, list[int], list[AreaValue]]:
    """Values of an indicator's total series per municipality (or per union, shown on its
    municipalities) in a year, with the years available."""
    from patto.pact.selectors import territory_tree

    pact = indicator.pact
    tree = territory_tree(root=pact.territory, on=pact.signed_on)
    rows = [o for o in indicator.observations.all() if o.is_current and not o.disaggregation
            and not o.series and o.territory_id]
    years = sorted({o.year for o in rows})
    if not years:
        return None, [], []
    year = year if year in years else years[-1]
    by_place = {o.territory_id: o for o in rows if o.year == year}
    result = []
    for node in tree.municipalities:
        group = node.parent if node.parent and node.parent.pk != pact.territory_id else None
        source = node.territory if level == "comuni" else (group or node.territory)
        found = by_place.get(source.pk)
        result.append(AreaValue(territory=node.territory, group=group,
                                value=float(found.value) if found else None,
                                value_text=found.value_text if found else ""))
    return year, years, result
