"""Stored assessments: computed when observations, targets or options change, read by pages.

Every service that changes an indicator's inputs calls :func:`assessments_refresh` in its own
transaction, so a committed change and its assessment are never apart and no page assesses.
What is stored is what the pages showed when they assessed on each request: each series of
the pact's whole territory (Patto's compound-annual-growth-rate method, its target when it
has one), the indicator's status from its totals, and per goal the status from its
indicators' totals and the Adjusted Mazziotta-Pareto Index over their first total series.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast

from patto.engine.progress import (
    IndicatorAssessment,
    ProgressOptions,
    SeriesAssessment,
    assess_indicator,
    assess_series,
    share_of_target,
)
from patto.pact.models import Pact, SdgGoal

from .models import GoalResult, Indicator, IndicatorResult, Observation, SeriesResult, Target

#: SeriesAssessment's fields kept in ``SeriesResult.figures`` (the others have columns).
_FIGURES = ("method", "base_year", "base_value", "latest_year", "latest_value", "target",
            "target_year", "observed_growth", "required_growth", "ratio", "explanation")


@dataclass(frozen=True)
class RefreshSummary:
    indicators: int = 0
    changed: int = 0
    goals: int = 0
    goals_changed: int = 0


def _finite(x):
    """JSON (and PostgreSQL's jsonb) has no NaN or infinity: keep them as text."""
    if isinstance(x, float) and not math.isfinite(x):
        return {"float": repr(x)}
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def _unfinite(x):
    if isinstance(x, dict):
        if set(x) == {"float"}:
            return float(x["float"])
        return {k: _unfinite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_unfinite(v) for v in x]
    return x


def _digest(parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def series_assessment(row: SeriesResult) -> SeriesAssessment:
    """The engine's result as it was stored, for the wording of pages."""
    figures = _unfinite(row.figures)
    return SeriesAssessment(status=row.status, score=row.score, reason=row.reason,
                            params=_unfinite(row.params),
                            **{name: figures.get(name) for name in _FIGURES})


def _assess(years: list[int], values: list[float], options: ProgressOptions
            ) -> SeriesAssessment:
    try:
        return assess_series(years, values, options)
    except ValueError:
        # Several values in one year (quarters, or periods): the page said nothing before,
        # it now says why there is no status.
        seen, year = set(), None
        for y in years:
            if y in seen:
                year = y
                break
            seen.add(y)
        if year is None:
            raise
        return SeriesAssessment(
            status="not_enough_data", score=None, method="none", base_year=None,
            base_value=None, latest_year=max(years), latest_value=None,
            target=options.target, target_year=options.target_year, observed_growth=None,
            required_growth=None, ratio=None,
            explanation=f"The series has two values for {year}; one value a year is needed.",
            reason="duplicate_year", params={"year": year})


def _series_rows(indicator: Indicator, rows: list[tuple], targets: list[Target]
                 ) -> list[SeriesResult]:
    """Each whole-territory series of an indicator, assessed with its target if it has one.

    ``rows`` are (key, year, series, units, geocode, territory_id, disaggregation, value)
    of the current values for the pact's whole territory, ordered by key, year and period.
    """
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    limit = float(indicator.limit) if indicator.limit is not None else None
    results = []
    for position, key in enumerate(sorted(groups)):
        lines = groups[key]
        _key, _year, series, units, geocode, territory_id, disaggregation, _value = lines[0]
        target = next((t for t in targets if t.series == series
                       and t.territory_id in (None, territory_id)), None)
        options = ProgressOptions(
            direction=indicator.direction,
            target=float(target.value) if target else None,
            target_year=target.year if target else None,
            base_year=target.base_year if target else None, limit=limit)
        years = [line[1] for line in lines]
        values = [line[7] for line in lines]
        a = _assess(years, values, options)
        figures = {name: getattr(a, name) for name in _FIGURES}
        results.append(SeriesResult(
            indicator=indicator, position=position, key=key, series=series, units=units,
            geocode=geocode, territory_id=territory_id, disaggregation=disaggregation or {},
            total=not disaggregation, years=years, values=_finite(values), target=target,
            status=a.status, score=a.score, reason=a.reason, params=_finite(a.params),
            figures=_finite(figures)))
    return results


def _panel(rows: list[tuple], target: Target | None) -> dict:
    """The project sheet's figures: baseline (the target's base year, else the first year),
    latest value and the share of the way to the target, over the values of the totals."""
    totals = [r for r in rows if not r[6]]
    plain = [r for r in totals if not r[2]] or totals
    plain.sort(key=lambda r: (r[1], r[0]))
    if not plain:
        return {}
    base = next((r for r in plain if target and target.base_year and r[1] == target.base_year),
                plain[0])
    latest = plain[-1]
    share = share_of_target(base[7], latest[7], float(target.value)) if target else None
    return _finite({"baseline": base[7], "latest": latest[7], "latest_year": latest[1],
                    "share": share})


def _read(indicators: list[Indicator], roots: dict[int, int | None]
          ) -> dict[int, list[tuple]]:
    """The current values each indicator's assessment reads, in one query: the pact's whole
    territory for every indicator, every territory for a project's indicator."""
    from django.db.models import Q

    by_pact_root: dict[int | None, list[int]] = defaultdict(list)
    project_ids = []
    for i in indicators:
        if i.level == Indicator.Level.PROJECT:
            project_ids.append(i.pk)
        else:
            by_pact_root[roots[i.pact_id]].append(i.pk)
    where = Q(indicator_id__in=project_ids) if project_ids else Q(pk__in=[])
    for root, ids in by_pact_root.items():
        where |= Q(indicator_id__in=ids) & (Q(territory__isnull=True) | Q(territory_id=root))
    rows: dict[int, list[tuple]] = defaultdict(list)
    query = (Observation.objects.filter(where, is_current=True)
             .annotate(number=Cast("value", FloatField()))
             .order_by("indicator_id", "key", "year", "period")
             .values_list("indicator_id", "key", "year", "series", "units", "geocode",
                          "territory_id", "number", "id"))
    # The disaggregation is part of the key (``observation_key``): read it once a series
    # rather than decoding a JSON column on every row.
    shapes: dict[str, dict] = {}
    for indicator_id, key, year, series, units, geocode, place, number, pk in \
            query.iterator(chunk_size=20_000):
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = _disaggregation_of(key)
        rows[indicator_id].append((key, year, series, units, geocode, place, shape, number,
                                   pk))
    return rows


def _disaggregation_of(key: str) -> dict:
    """The disaggregation written in an observation's key (``observation_key``)."""
    return {name: value for name, value in json.loads(key)[3]}


def _compute(indicator: Indicator, root: int | None, rows: list[tuple], targets: list[Target]
             ) -> tuple[str, IndicatorResult, list[SeriesResult]]:
    whole = [r[:8] for r in rows if r[5] in (None, root)]
    series = _series_rows(indicator, whole, targets)
    totals = [series_assessment(s) for s in series if s.total]
    combined = assess_indicator(totals)
    panel_target = targets[0] if targets else None
    figures = _panel([r[:8] for r in rows], panel_target) \
        if indicator.level == Indicator.Level.PROJECT else {}
    inputs = _digest([
        sorted(r[8] for r in rows), root, indicator.direction, str(indicator.limit),
        indicator.level,
        [(t.pk, t.series, t.territory_id, str(t.value), t.year, t.base_year) for t in targets]])
    result = IndicatorResult(indicator=indicator, goal_id=indicator.sdg_goal_id,
                             status=combined.status,
                             score=combined.score, series_count=len(totals),
                             figures=figures, target=panel_target, inputs=inputs)
    return inputs, result, series


def _outputs(result: IndicatorResult, series: list[SeriesResult]) -> str:
    return _digest([
        result.status, result.score, result.series_count, result.figures, result.target_id,
        result.goal_id,
        [(s.position, s.key, s.series, s.units, s.geocode, s.territory_id, s.disaggregation,
          s.total, s.years, s.values, s.target_id, s.status, s.score, s.reason, s.params,
          s.figures) for s in series]])


@transaction.atomic
def indicators_assess(*, indicators: Iterable[Indicator], dry_run: bool = False
                      ) -> RefreshSummary:
    """Assess indicators again and store the results that changed.

    Reads every indicator's values in one query and its targets in another, whatever their
    number. ``changed`` counts the indicators whose results differ from the stored ones;
    a row is rewritten when its results or its inputs' fingerprint changed, and its
    version goes up when its results did. ``dry_run`` only counts.
    """
    indicators = list(indicators)
    if not indicators:
        return RefreshSummary()
    ids = [i.pk for i in indicators]
    roots = dict(Pact.objects.filter(pk__in={i.pact_id for i in indicators})
                 .values_list("pk", "territory_id"))
    rows = _read(indicators, roots)
    targets: dict[int, list[Target]] = defaultdict(list)
    for t in Target.objects.filter(indicator_id__in=ids).order_by("indicator", "year", "pk"):
        targets[t.indicator_id].append(t)
    stored = {pk: (inputs, outputs, version) for pk, inputs, outputs, version in
              IndicatorResult.objects.filter(indicator_id__in=ids)
              .values_list("indicator_id", "inputs", "outputs", "version")}
    rewrite, results, series, changed = [], [], [], 0
    for indicator in indicators:
        inputs, result, lines = _compute(indicator, roots[indicator.pact_id],
                                         rows.get(indicator.pk, []),
                                         targets.get(indicator.pk, []))
        result.outputs = _outputs(result, lines)
        old_inputs, old_outputs, old_version = stored.get(indicator.pk, ("", "", 0))
        if old_outputs != result.outputs:
            changed += 1
            result.version = old_version + 1
        elif old_inputs == inputs:
            continue
        else:
            result.version = old_version
        rewrite.append(indicator.pk)
        results.append(result)
        series.extend(lines)
    if rewrite and not dry_run:
        SeriesResult.objects.filter(indicator_id__in=rewrite).delete()
        IndicatorResult.objects.filter(indicator_id__in=rewrite).delete()
        IndicatorResult.objects.bulk_create(results)
        SeriesResult.objects.bulk_create(series, batch_size=2000)
    return RefreshSummary(indicators=len(indicators), changed=changed)


@dataclass(frozen=True)
class Composite:
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


def composite_of(lines: list[tuple[dict, str]]) -> Composite | None:
    """AMPI over lines of values by year, each with its indicator's desired direction."""
    import numpy as np

    from patto.engine.ampi import AmpiOptions, ampi

    if not lines:
        return None
    years = sorted(set.intersection(*(set(line) for line, _ in lines)))
    if len(years) < 2:
        return None
    values = np.array([[[line[y] for y in years] for line, _ in lines]], dtype=np.float64)
    polarity = np.array([1.0 if d == "positive" else -1.0 for _, d in lines])
    try:
        result = ampi(values, AmpiOptions(reference_unit=0, base_year_index=0,
                                          polarity=polarity))
    except ValueError:
        return None  # e.g. a component that never changes: no goalposts to scale it
    index = result.index[0]
    return Composite(first_year=years[0], first=float(index[0]), last_year=years[-1],
                     last=float(index[-1]), components=len(lines))


@transaction.atomic
def goals_assess(*, pact: Pact, goals: Iterable[int] | None = None, dry_run: bool = False
                 ) -> RefreshSummary:
    """Assess the pact's goals (``goals``: their ids; all 17 by default) again from the
    stored series of their agenda indicators.

    Two queries read the inputs whatever the number of values (the stored totals, and the
    indicators counted per goal); only the goals whose results or inputs changed are
    rewritten.
    """
    agenda = Indicator.objects.filter(pact=pact, level=Indicator.Level.AGENDA,
                                      sdg_goal__isnull=False)
    stored = {r.goal_id: r for r in GoalResult.objects.filter(
        pact=pact, territory_id=pact.territory_id)}
    if goals is not None:
        # And any goal without a stored result yet, so that every goal has one.
        goals = set(goals) | (set(SdgGoal.objects.values_list("pk", flat=True)) - set(stored))
        agenda = agenda.filter(sdg_goal_id__in=goals)
    counts: dict[int, int] = defaultdict(int)
    for goal_id in agenda.values_list("sdg_goal_id", flat=True):
        counts[goal_id] += 1
    lines = (SeriesResult.objects.filter(indicator__in=agenda, total=True)
             .order_by("indicator__code", "indicator_id", "position")
             .values_list("indicator__sdg_goal_id", "indicator_id", "indicator__direction",
                          "status", "score", "years", "values"))
    by_goal: dict[int, list[tuple]] = defaultdict(list)
    for line in lines:
        by_goal[line[0]].append(line)
    fresh, changed = [], []
    every = SdgGoal.objects.order_by("number")
    goals = list((every.filter(pk__in=goals) if goals is not None else every)
                 .values_list("pk", flat=True))
    for goal_id in goals:
        found = by_goal.get(goal_id, [])
        inputs = _digest([counts.get(goal_id, 0), pact.territory_id,
                          [list(x) for x in found]])
        old = stored.get(goal_id)
        combined = _goal_status(found)
        firsts: dict[int, tuple] = {}
        for line in found:
            firsts.setdefault(line[1], line)
        composite = composite_of([
            (dict(zip(line[5], _unfinite(line[6]), strict=True)), line[2])
            for line in firsts.values()]) if counts.get(goal_id) else None
        result = GoalResult(
            pact=pact, goal_id=goal_id, territory_id=pact.territory_id,
            indicators=counts.get(goal_id, 0),
            status=combined.status if combined else "",
            score=combined.score if combined else None,
            composite=_finite(asdict(composite)) if composite else None,
            inputs=inputs, version=old.version if old else 1)
        same = old is not None and (old.indicators, old.status, old.score, old.composite) == (
            result.indicators, result.status, result.score,
            json.loads(json.dumps(result.composite)))
        if not same:
            result.version += 1 if old else 0
            changed.append(goal_id)
        elif old.inputs == inputs:
            continue
        fresh.append(result)
    if fresh and not dry_run:
        GoalResult.objects.filter(pact=pact, goal_id__in=[r.goal_id for r in fresh]).delete()
        GoalResult.objects.bulk_create(fresh)
    return RefreshSummary(goals=len(goals), goals_changed=len(changed))


def _goal_status(lines: list[tuple]) -> IndicatorAssessment | None:
    """Open SDG's mean of the scores over every total series of the goal's indicators."""
    if not lines:
        return None
    return assess_indicator([SeriesAssessment(
        status=status, score=score, method="none", base_year=None, base_value=None,
        latest_year=None, latest_value=None, target=None, target_year=None,
        observed_growth=None, required_growth=None, ratio=None, explanation="")
        for _goal, _id, _direction, status, score, _years, _values in lines])


@transaction.atomic
def assessments_refresh(*, indicators: Iterable[Indicator], dry_run: bool = False
                        ) -> RefreshSummary:
    """Assess the given indicators again, then the goals of their pacts.

    The one entry point of the services that change observations, targets or an indicator's
    options (or move it to another goal); call it inside their transaction.
    """
    indicators = list(indicators)
    # The goals an indicator belongs to, and belonged to before a change of its goal.
    touched: dict[int, set] = defaultdict(set)
    for pact_id, goal_id, before in Indicator.objects.filter(
            pk__in=[i.pk for i in indicators]).values_list("pact_id", "sdg_goal_id",
                                                           "result__goal_id"):
        touched[pact_id].update(g for g in (goal_id, before) if g is not None)
    done = indicators_assess(indicators=indicators, dry_run=dry_run)
    goals = goals_changed = 0
    for pact in Pact.objects.filter(pk__in={i.pact_id for i in indicators}):
        summary = goals_assess(pact=pact, goals=touched[pact.pk], dry_run=dry_run)
        goals += summary.goals
        goals_changed += summary.goals_changed
    return RefreshSummary(indicators=done.indicators, changed=done.changed, goals=goals,
                          goals_changed=goals_changed)


@transaction.atomic
def assessments_rebuild(*, pacts: Iterable[Pact] | None = None, dry_run: bool = False
                        ) -> RefreshSummary:
    """Assess every indicator and goal of the pacts (all of them by default) again."""
    pacts = list(pacts) if pacts is not None else list(Pact.objects.all())
    summary = indicators_assess(indicators=Indicator.objects.filter(pact__in=pacts)
                                .order_by("pk"), dry_run=dry_run)
    goals = goals_changed = 0
    for pact in pacts:
        done = goals_assess(pact=pact, dry_run=dry_run)
        goals += done.goals
        goals_changed += done.goals_changed
    return RefreshSummary(indicators=summary.indicators, changed=summary.changed,
                          goals=goals, goals_changed=goals_changed)


def assessments_fill(**kwargs) -> None:
    """After ``migrate``: assess what has no stored result yet (a database migrated from
    before stored assessments), so that no page is ever without one."""
    missing = list(Indicator.objects.filter(result__isnull=True))
    if missing:
        assessments_refresh(indicators=missing)
    for pact in Pact.objects.filter(goal_results__isnull=True, indicators__isnull=False) \
            .distinct():
        goals_assess(pact=pact)
