"""Reads for monitoring pages: indicators with their values, targets and assessments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from patto.engine.progress import (
    IndicatorAssessment,
    ProgressOptions,
    SeriesAssessment,
    assess_indicator,
    assess_series,
)
from patto.pact.models import Pact, SdgGoal

from .models import Indicator, Observation, Target

STATUSES = ["target_achieved", "substantial_progress", "moderate_progress", "limited_progress",
            "deterioration", "not_enough_data"]


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


def indicator_list(*, pact: Pact, goal: int | None = None) -> QuerySet[Indicator]:
    indicators = pact.indicators.filter(level=Indicator.Level.AGENDA).select_related(
        "sdg_goal", "sdg_target")
    if goal is not None:
        indicators = indicators.filter(sdg_goal__number=goal)
    return indicators.prefetch_related(
        Prefetch("observations", queryset=Observation.objects.filter(is_current=True)
                 .select_related("territory").order_by("key", "year")),
        Prefetch("targets", queryset=Target.objects.select_related("territory")),
        "challenges")


def _label(o: Observation) -> str:
    parts = [o.series, o.units, o.territory.name if o.territory else o.geocode,
             ", ".join(f"{k}: {v}" for k, v in sorted(o.disaggregation.items()))]
    return " · ".join(p for p in parts if p) or "Totale"


def indicator_series(indicator: Indicator, *, headline_only: bool = True) -> list[SeriesView]:
    """Each series of the indicator, assessed with its target when it has one."""
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in indicator.observations.all():
        if o.is_current and (not headline_only or not o.disaggregation):
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
                                assessment=assess_series(years, values, options)))
    return views


def indicator_assessment(indicator: Indicator) -> IndicatorAssessment:
    return assess_indicator([s.assessment for s in indicator_series(indicator)])


@dataclass
class GoalView:
    goal: SdgGoal
    indicators: int
    assessment: IndicatorAssessment | None


def goals_overview(*, pact: Pact) -> list[GoalView]:
    """The 17 goals with how many indicators follow each and their averaged status."""
    by_goal: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicator_list(pact=pact):
        if indicator.sdg_goal_id:
            by_goal[indicator.sdg_goal.number].append(indicator)
    views = []
    for goal in SdgGoal.objects.annotate(n=Count("indicators")).order_by("number"):
        indicators = by_goal.get(goal.number, [])
        series = [s.assessment for i in indicators for s in indicator_series(i)]
        views.append(GoalView(goal=goal, indicators=len(indicators),
                              assessment=assess_indicator(series) if series else None))
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
