"""Stored assessments: computed when observations, targets or options change, read by pages.

Every service that changes an indicator's inputs calls :func:`assessments_refresh` in its own
transaction, so a committed change and its assessment are never apart and no page assesses.

The status is computed by the method ``PATTO_ASSESSMENT_METHOD`` names:

- ``"opensdg"`` (the default): the status Open SDG shows, as sdg-build 2.4 computes it
  (:func:`patto.engine.opensdg_progress.measure_indicator`) from the indicator's progress
  options, on its values for the pact's whole territory presented as the headline of an
  Open SDG repository of that territory (the rows of the pact's root territory without a
  ``GeoCode``; values of no loaded territory keep theirs). The options are those of its
  Open SDG metadata and configuration; the desired direction, natural limit and targets
  changed in Patto since the import replace theirs (:func:`progress_settings`). A goal's
  status is read from the mean score of its indicators; its composite index is computed
  over the series each indicator's first scored option selected.
- ``"per_series"``: Patto's earlier method, each series of the whole territory assessed
  with its target, the indicator's status the mean over its total series, the goal's the
  mean over its indicators' total series and its composite index over their first total
  series.

Each series of the whole territory is stored with its values either way, for the chart and
the table of the indicator's page; with ``"per_series"`` also with its own status.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import FloatField
from django.db.models.functions import Cast

from patto.engine.opensdg import (
    DEFAULT_COLUMNS,
    PROGRESS_OPTIONS,
    SITE_CONFIG,
    ColumnOptions,
    IndicatorFile,
    _make_observation,
)
from patto.engine.opensdg import Observation as Row
from patto.engine.opensdg_progress import indicator_frame, measure_indicator, status_from_score
from patto.engine.progress import (
    STATUSES,
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


#: SeriesResult's columns, in the order :func:`_series_write` inserts them.
_SERIES_COLUMNS = ("indicator_id", "position", "key", "series", "units", "geocode",
                   "territory_id", "disaggregation", "total", "years", "values", "target_id",
                   "status", "score", "reason", "params", "figures")


@dataclass(slots=True)
class _Series:
    """A series' result as :func:`_series_write` stores it (a ``SeriesResult`` row): a plain
    object, as thousands of model instances and ``bulk_create``'s preparation of every
    field were a third of storing a 150-indicator repository's assessment (cProfile)."""

    indicator_id: int
    position: int
    key: str
    series: str
    units: str
    geocode: str
    territory_id: int | None
    disaggregation: dict
    total: bool
    years: list
    values: list
    target_id: int | None
    status: str
    score: float | None
    reason: str
    params: dict
    figures: dict


#: The values ``PATTO_ASSESSMENT_METHOD`` may take.
METHODS = ("opensdg", "per_series")


def assessment_method() -> str:
    """The method stored statuses are computed by (``PATTO_ASSESSMENT_METHOD``)."""
    method = getattr(settings, "PATTO_ASSESSMENT_METHOD", "opensdg") or "opensdg"
    if method not in METHODS:
        raise ImproperlyConfigured(
            f"PATTO_ASSESSMENT_METHOD is {method!r}; set it to 'opensdg' (the statuses "
            "sdg-build 2.4 gives, the default) or 'per_series' (Patto's mean over every "
            "total series)")
    return method


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


def _finite_values(values: list) -> list:
    """:func:`_finite` of a list of numbers, without the walk when every one is finite.

    ``math.fsum`` is finite exactly when no value is NaN or infinite (a sum too large
    raises, a None or text refuses): then the list is what the walk would return."""
    try:
        if math.isfinite(math.fsum(values)):
            return list(values)
    except (TypeError, ValueError, OverflowError):
        pass
    return _finite(values)


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


def series_assessment(row: SeriesResult | _Series) -> SeriesAssessment:
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
                 ) -> list[_Series]:
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
        results.append(_Series(
            indicator_id=indicator.pk, position=position, key=key, series=series,
            units=units, geocode=geocode, territory_id=territory_id,
            disaggregation=disaggregation or {}, total=not disaggregation, years=years,
            values=_finite_values(values), target_id=target.pk if target else None,
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
                          "territory_id", "number", "id", "period"))
    # The disaggregation is part of the key (``observation_key``): read it once a series
    # rather than decoding a JSON column on every row.
    shapes: dict[str, dict] = {}
    # The query's own SQL on a plain cursor: every column is a number or text the driver
    # already gives as Python wants it (the value cast to float by the database), so
    # Django's row conversion (a third of the reading time) adds nothing.
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20_000):
            for indicator_id, key, year, series, units, geocode, place, number, pk, period \
                    in chunk:
                shape = shapes.get(key)
                if shape is None:
                    shape = shapes[key] = _disaggregation_of(key)
                rows[indicator_id].append((key, year, series, units, geocode, place, shape,
                                           number, pk, period))
    return rows


def _disaggregation_of(key: str) -> dict:
    """The disaggregation written in an observation's key (``observation_key``)."""
    return {name: value for name, value in json.loads(key)[3]}


def _compute(indicator: Indicator, root: int | None, rows: list[tuple], targets: list[Target],
             method: str) -> tuple[str, IndicatorResult, list[_Series]]:
    panel_target = targets[0] if targets else None
    figures = _panel([r[:8] for r in rows], panel_target) \
        if indicator.level == Indicator.Level.PROJECT else {}
    parts = [method, sorted(r[8] for r in rows), root, indicator.direction,
             str(indicator.limit), indicator.level,
             [(t.pk, t.series, t.territory_id, str(t.value), t.year, t.base_year)
              for t in targets]]
    if method == "opensdg":
        # What the Open SDG method also reads: the options, columns and imported files
        # (their rows without a value, cells after Value, column options).
        files = {k: v for k, v in (indicator.raw_files or {}).items() if k != "_digest"}
        parts += [indicator.meta, indicator.config, indicator.data_columns, _digest(files),
                  bool(files)]
    inputs = _digest(parts)
    whole = [r for r in rows if r[5] in (None, root)]
    if method == "opensdg":
        series, status, score, reason, params = _opensdg(indicator, root, whole, targets)
        count = len(params.get("options", []))
    else:
        series = _series_rows(indicator, [r[:8] for r in whole], targets)
        totals = [series_assessment(s) for s in series if s.total]
        combined = assess_indicator(totals)
        status, score, count = combined.status, combined.score, len(totals)
        reason = "assessed" if combined.score is not None else "no_data"
        params = {"scores": [a.score for a in totals if a.score is not None]}
    result = IndicatorResult(indicator=indicator, goal_id=indicator.sdg_goal_id,
                             status=status, score=score, series_count=count,
                             figures=figures, target=panel_target, inputs=inputs,
                             method=method, reason=reason, params=params)
    return inputs, result, series


@functools.lru_cache(maxsize=32)
def column_options(site_config: str | None) -> ColumnOptions:
    """The column options of a repository's ``config_data.yml`` text, as its reader took them.

    The import keeps that file's text beside each indicator; the reader reads it from a
    folder, so it is given one (once per distinct text).
    """
    if not site_config:
        return DEFAULT_COLUMNS
    import tempfile
    from pathlib import Path

    from patto.engine.opensdg import _site_options

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, SITE_CONFIG).write_text(site_config, encoding="utf-8")
        options, _problems = _site_options(Path(folder))
    return options


@dataclass(frozen=True)
class _Imported:
    """What Open SDG reads in an imported data file besides the stored values."""

    #: Rows set aside by the reader (no value, or a second value for a year and series).
    aside: tuple[Row, ...] = ()
    #: The cells after ``Value`` (observation attributes, the ``Progress`` column) by
    #: (series, units, geocode, disaggregation, year as written).
    attributes: dict = field(default_factory=dict)


#: :class:`_Imported` of data files, by the file's fingerprint.
_IMPORTED: dict[str, _Imported] = {}


def imported_extras(indicator: Indicator) -> _Imported:
    """What sdg-build reads in the indicator's imported data file and Patto does not keep as
    observations: the rows the reader set aside (a blank or non-finite value; a second value
    for a year and series), which Open SDG still sees when an option picks its series, and
    the cells after ``Value`` (attributes; a ``Progress`` column replaces the values in
    sdg-build's calculation). Read once per distinct file."""
    from patto.engine.opensdg import _parse_csv

    for name, text in (indicator.raw_files or {}).items():
        if not (name.startswith("data/") and name.endswith(".csv") and isinstance(text, str)):
            continue
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        found = _IMPORTED.get(digest)
        if found is None:
            _columns, values, _problems, aside = _parse_csv(name, data)
            found = _remember(digest, values, aside)
        return found
    return _Imported()


def _remember(digest: str, values: Iterable[Row], aside: Iterable[Row]) -> _Imported:
    """Keep what :func:`imported_extras` reads of a data file, by the file's fingerprint."""
    found = _Imported(aside=tuple(aside), attributes={
        (o.series or "", o.units or "", o.geocode or "", o.disaggregation,
         o.period): o.attributes for o in values if o.attributes})
    if len(_IMPORTED) > 1000:
        _IMPORTED.clear()
    _IMPORTED[digest] = found
    return found


def imported_files_parsed(items: Iterable[IndicatorFile]) -> None:
    """Hand the import's own reading of its data files to :func:`imported_extras`, so that
    the assessment in the same transaction does not parse every file a second time (a
    third of the stored assessment of a 150-indicator repository, cProfile).

    The reading is the same ``_parse_csv`` of the same bytes, so the result is the one
    :func:`imported_extras` would make; it is filed under those bytes' fingerprint."""
    for item in items:
        data = item.raw.get(item.data_path)
        if data is not None:
            _remember(hashlib.sha256(data).hexdigest(), item.observations, item.unvalued)


def _number_or_none(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None


def progress_settings(indicator: Indicator, targets: list[Target],
                      options: ColumnOptions = DEFAULT_COLUMNS) -> dict:
    """The indicator's Open SDG settings (metadata and configuration merged) that its status
    is computed from, with what was changed in Patto.

    An indicator imported from an Open SDG repository keeps the repository's progress
    options, so that it has the status sdg-build gives it there. The import also copies the
    first option's ``direction`` and ``limit`` into the indicator, and each option's
    ``target`` with a ``target_year`` into a target of its ``series``; where one of these
    now differs from what the options say, it was changed in Patto and replaces the
    options' own: the direction and the limit in every option, a target (its value, year
    and base year; its removal) in the options of its series, or in a new option when no
    option names that series. An indicator made in Patto (no imported files and no
    ``auto_progress_calculation`` or ``progress_status``) has automatic progress with one
    option per target (its series, value, year and base year), or one without a target,
    each with the indicator's direction and limit; sdg-build's defaults (base year 2015,
    target year 2030) fill the rest.
    """
    merged = IndicatorFile(id=indicator.code, columns=(), observations=(),
                           meta=indicator.meta or {}, config=indicator.config or {}, raw={},
                           options=options).settings
    own = [t for t in targets if t.territory_id is None]
    direction, limit = indicator.direction, indicator.limit
    limit_value = None if limit is None else float(limit)
    if not indicator.raw_files and "auto_progress_calculation" not in merged \
            and "progress_status" not in merged:
        common = {"direction": direction, **({"limit": limit_value} if limit is not None
                                             else {})}
        made = [{**common, **({"series": t.series} if t.series else {}),
                 "target": float(t.value), "target_year": t.year,
                 **({"base_year": t.base_year} if t.base_year is not None else {})}
                for t in own] or [common]
        return {**merged, "auto_progress_calculation": True, PROGRESS_OPTIONS: made}
    given = merged.get(PROGRESS_OPTIONS)
    if given is not None and not isinstance(given, list):
        return merged  # sdg-build takes it as one option with the defaults
    opts = [dict(o) if isinstance(o, dict) else o for o in (given or [{}])]
    first = opts[0] if opts and isinstance(opts[0], dict) else {}
    changed = False
    # As the import reads it (and sdg-build): only "positive" wishes a rise.
    if direction != ("positive" if first.get("direction") == "positive" else "negative"):
        for o in opts:
            if isinstance(o, dict):
                o["direction"] = direction
        changed = True
    if limit != _number_or_none(first.get("limit")):
        for o in opts:
            if isinstance(o, dict):
                o.pop("limit", None)
                if limit is not None:
                    o["limit"] = limit_value
        changed = True
    imported: dict[str, tuple] = {}
    for o in opts:
        if isinstance(o, dict) and o.get("target") is not None \
                and o.get("target_year") is not None:
            year = _number_or_none(o.get("target_year"))
            imported[str(o.get("series") or "")] = (
                _number_or_none(o.get("target")), None if year is None else int(year),
                o.get("base_year"))
    stored = {t.series: (t.value, t.year, t.base_year) for t in own}
    for series in sorted(set(imported) | set(stored)):
        if imported.get(series) == stored.get(series):
            continue
        changed = True
        mine = [o for o in opts if isinstance(o, dict) and str(o.get("series") or "") == series]
        if not mine and series in stored:
            mine = [{"direction": first.get("direction", direction),
                     **({"limit": first["limit"]} if "limit" in first else {}),
                     **({"series": series} if series else {})}]
            opts.append(mine[0])
        for o in mine:
            if series in stored:
                value, year, base_year = stored[series]
                o.update(target=float(value), target_year=year)
                if base_year is not None:
                    o["base_year"] = base_year
            else:
                o.pop("target", None)
                o.pop("target_year", None)
    if not changed:
        return merged
    return {**merged, PROGRESS_OPTIONS: opts}


def _jsonable(x):
    """Figures as JSON keeps them (an option's value may be any YAML value)."""
    return json.loads(json.dumps(_finite(x), default=str))


def _opensdg(indicator: Indicator, root: int | None, whole: list[tuple],
             targets: list[Target]) -> tuple[list[_Series], str, float | None, str, dict]:
    """sdg-build's status on the indicator's whole-territory values, and the stored series.

    ``whole`` rows are those of :func:`_read` for the pact's whole territory. Returns the
    series (their values, no status of their own; ``total`` when a progress option
    selected them), the status (a manual status outside Patto's codes is stored as
    ``not_enough_data``, the status as written in ``params``), score, reason and params.
    """
    raw = indicator.raw_files or {}
    options = column_options(raw.get(SITE_CONFIG))
    extras = imported_extras(indicator)
    frame = []
    # A series' rows share their key, hence their cells: sort them once a series.
    cells_of: dict[str, tuple] = {}
    attributes = extras.attributes
    make = _make_observation
    for number, r in enumerate(whole):
        key, year, series, units, geocode, place, shape, value, _pk, period = r
        cells = cells_of.get(key)
        if cells is None:
            cells = cells_of[key] = tuple(sorted(shape.items()))
        # Row(year=, value=, series=, units=, geocode=, disaggregation=, row=, attributes=,
        # year_label=), built as the reader builds it (past the frozen class's __init__).
        frame.append(make(
            year, value, series or None, units or None,
            # The pact's whole territory is the headline, as its own repository has it.
            None if place is not None and place == root else (geocode or None),
            cells, number,
            attributes.get((series, units, geocode, cells, period or str(year)), ())
            if attributes else (),
            period or None))
    roots = {r[4] for r in whole if r[5] is not None and r[5] == root and r[4]}
    for number, o in enumerate(extras.aside, start=len(frame)):
        frame.append(replace(o, row=number, geocode=None if o.geocode in roots
                             else o.geocode))
    item = indicator_frame(indicator.code, indicator.data_columns or (), frame,
                           progress_settings(indicator, targets, options), options)
    progress = measure_indicator(item)
    selected: set[str] = set()
    details = []
    for option in progress.series:
        chosen = [whole[n] for n in option.rows if n < len(whole)]
        selected.update(r[0] for r in chosen)
        details.append({"tag": option.tag, "status": option.status, "score": option.score,
                        "reason": option.reason, "params": option.params,
                        "years": [r[1] for r in chosen], "values": [r[7] for r in chosen]})
    params = {**progress.params, "source": progress.source, "options": details}
    status = progress.status
    if status not in STATUSES:
        params["status"] = status
        status = "not_enough_data"
    elif progress.source == "manual":
        params["status"] = status
    groups: dict[str, list[tuple]] = defaultdict(list)
    for r in whole:
        groups[r[0]].append(r)
    series_rows = []
    for position, key in enumerate(sorted(groups)):
        lines = groups[key]
        _key, _year, series, units, geocode, place, disaggregation, *_rest = lines[0]
        target = next((t for t in targets if t.series == series
                       and t.territory_id in (None, place)), None)
        values = [line[7] for line in lines]
        series_rows.append(_Series(
            indicator_id=indicator.pk, position=position, key=key, series=series,
            units=units, geocode=geocode, territory_id=place,
            disaggregation=disaggregation or {}, total=key in selected,
            years=[line[1] for line in lines], values=_finite_values(values),
            target_id=target.pk if target else None, status="", score=None, reason="",
            params={}, figures={}))
    return series_rows, status, progress.score, progress.reason, _jsonable(params)


def _series_text(s: _Series | tuple) -> str:
    """A series' results as :func:`_outputs` writes them into the indicator's fingerprint."""
    if isinstance(s, _Series):
        s = (s.position, s.key, s.series, s.units, s.geocode, s.territory_id,
             s.disaggregation, s.total, s.years, s.values, s.target_id, s.status, s.score,
             s.reason, s.params, s.figures)
    return json.dumps(s, default=str, sort_keys=True)


def _outputs(result: IndicatorResult, series: list[_Series]) -> tuple[str, list[str]]:
    """The fingerprint of an indicator's results (its row's and its series'), and each
    series' text in it (to tell which stored series changed).

    The fingerprint is the :func:`_digest` of ``[status, ..., params, [series, ...]]``,
    the list's text put together from the series' texts (JSON without indentation writes
    an item inside a list as it writes it alone), so that each series is written once."""
    texts = [_series_text(s) for s in series]
    head = json.dumps([result.status, result.score, result.series_count, result.figures,
                       result.target_id, result.goal_id, result.method, result.reason,
                       result.params], default=str, sort_keys=True)
    whole = f"{head[:-1]}, [{', '.join(texts)}]]"
    return hashlib.sha256(whole.encode()).hexdigest(), texts


def _series_write(series: list[_Series], texts: list[str], indicator_ids: list[int]) -> None:
    """Store the indicators' series: only those that are new or whose results changed
    are written (keyed by indicator and series key), those no longer there removed.

    The stored rows are read as plain values and compared by their text in the
    fingerprint (:func:`_series_text`); a changed row is deleted and inserted again, all
    new rows with one ``executemany`` of the rows' own values (JSON prepared by each
    field), past ``bulk_create``'s per-field preparation of every model instance."""
    connection = connections[SeriesResult.objects.db]
    quote = connection.ops.quote_name
    meta = SeriesResult._meta
    table = quote(meta.db_table)
    fields = [meta.get_field(name.removesuffix("_id")) for name in _SERIES_COLUMNS]
    column = {name: quote(f.column) for name, f in zip(_SERIES_COLUMNS, fields, strict=True)}
    json_at = [n for n, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    stored: dict[tuple[int, str], tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(indicator_ids), 500):
            chunk = indicator_ids[start:start + 500]
            # Only the model's own table and column names, quoted, go into the text.
            cursor.execute(
                f"SELECT {quote(meta.pk.column)}, "  # noqa: S608
                + ", ".join(column[name] for name in _SERIES_COLUMNS)
                + f" FROM {table} WHERE {column['indicator_id']} IN "
                f"({', '.join(['%s'] * len(chunk))})", chunk)
            for pk, *row in cursor.fetchall():
                for n in json_at:
                    if isinstance(row[n], str):  # SQLite, and psycopg as Django sets it
                        row[n] = json.loads(row[n])
                row[8] = bool(row[8])  # total: SQLite gives 0 or 1
                stored[(row[0], row[2])] = (pk, _series_text(tuple(row[1:])))
    wanted = {(s.indicator_id, s.key): text for s, text in zip(series, texts, strict=True)}
    gone = [pk for where, (pk, text) in stored.items() if wanted.get(where) != text]
    fresh = [s for s, text in zip(series, texts, strict=True)
             if stored.get((s.indicator_id, s.key), (None, None))[1] != text]
    if gone:
        SeriesResult.objects.filter(pk__in=gone).delete()
    if not fresh:
        return
    sql = (f"INSERT INTO {table} ({', '.join(column[n] for n in _SERIES_COLUMNS)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(_SERIES_COLUMNS))})")
    params = []
    for s in fresh:
        row = [getattr(s, name) for name in _SERIES_COLUMNS]
        for n in json_at:
            row[n] = fields[n].get_db_prep_save(row[n], connection)
        params.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start:start + 2000])


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
    method = assessment_method()
    rows = _read(indicators, roots)
    targets: dict[int, list[Target]] = defaultdict(list)
    for t in Target.objects.filter(indicator_id__in=ids).order_by("indicator", "year", "pk"):
        targets[t.indicator_id].append(t)
    stored = {pk: (inputs, outputs, version) for pk, inputs, outputs, version in
              IndicatorResult.objects.filter(indicator_id__in=ids)
              .values_list("indicator_id", "inputs", "outputs", "version")}
    rewrite, results, series, texts_of, changed = [], [], [], [], 0
    for indicator in indicators:
        inputs, result, lines = _compute(indicator, roots[indicator.pact_id],
                                         rows.get(indicator.pk, []),
                                         targets.get(indicator.pk, []), method)
        result.outputs, texts = _outputs(result, lines)
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
        texts_of.extend(texts)
    if rewrite and not dry_run:
        IndicatorResult.objects.filter(indicator_id__in=rewrite).delete()
        IndicatorResult.objects.bulk_create(results)
        _series_write(series, texts_of, rewrite)
        # Projects whose progress comes from their indicators follow (issue 11, point 4).
        from .project_progress import projects_follow

        projects_follow(rewrite)
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
    stored results of their agenda indicators.

    With the "opensdg" method the goal's status is read from the mean score of its
    indicators that have one (sdg-build's ``get_progress_status_from_score``; "target
    achieved" when all of them achieved it) and its composite index is computed over the
    series each indicator's first scored progress option selected; with "per_series" both
    come from every total series. Two queries read the inputs whatever the number of values
    (the stored results, and the indicators counted per goal); only the goals whose results
    or inputs changed are rewritten.
    """
    method = assessment_method()
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
    if method == "opensdg":
        lines = [(goal_id, pk, *_headline(params, direction), status, score)
                 for goal_id, pk, direction, status, score, params in
                 IndicatorResult.objects.filter(indicator__in=agenda)
                 .order_by("indicator__code", "indicator_id")
                 .values_list("indicator__sdg_goal_id", "indicator_id",
                              "indicator__direction", "status", "score", "params")]
    else:
        lines = [(goal_id, pk, direction, years, values, status, score)
                 for goal_id, pk, direction, status, score, years, values in
                 SeriesResult.objects.filter(indicator__in=agenda, total=True)
                 .order_by("indicator__code", "indicator_id", "position")
                 .values_list("indicator__sdg_goal_id", "indicator_id",
                              "indicator__direction", "status", "score", "years", "values")]
    by_goal: dict[int, list[tuple]] = defaultdict(list)
    for line in lines:
        by_goal[line[0]].append(line)
    fresh, changed = [], []
    every = SdgGoal.objects.order_by("number")
    goals = list((every.filter(pk__in=goals) if goals is not None else every)
                 .values_list("pk", flat=True))
    for goal_id in goals:
        found = by_goal.get(goal_id, [])
        inputs = _digest([method, counts.get(goal_id, 0), pact.territory_id,
                          [list(x) for x in found]])
        old = stored.get(goal_id)
        combined = _goal_status(found, method)
        firsts: dict[int, tuple] = {}
        for line in found:
            if line[3]:
                firsts.setdefault(line[1], line)
        composite = composite_of([
            (dict(zip(line[3], _unfinite(line[4]), strict=True)), line[2])
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


def _headline(params: dict, direction: str) -> tuple[str, list, list]:
    """The direction, years and values of the first scored progress option of a stored
    "opensdg" result (no years when none has a score)."""
    for option in (params or {}).get("options", []):
        if option.get("score") is not None and option.get("years"):
            sign = (option.get("params") or {}).get("direction")
            return ("positive" if sign == 1 else "negative" if sign == -1 else direction,
                    option["years"], option["values"])
    return direction, [], []


def _goal_status(lines: list[tuple], method: str) -> IndicatorAssessment | None:
    """The mean of the scores of the goal's indicators ("opensdg") or of every total series
    of its indicators ("per_series"), with Open SDG's status for it."""
    if not lines:
        return None
    if method == "opensdg":
        scored = [(status, score) for *_x, status, score in lines if score is not None]
        if not scored:
            return IndicatorAssessment(status="not_enough_data", score=None, series=(),
                                       explanation="")
        score = float(np.mean([score for _status, score in scored]))
        achieved = all(status == "target_achieved" for status, _score in scored)
        return IndicatorAssessment(status=status_from_score(score, achieved), score=score,
                                   series=(), explanation="")
    return assess_indicator([SeriesAssessment(
        status=status, score=score, method="none", base_year=None, base_value=None,
        latest_year=None, latest_value=None, target=None, target_year=None,
        observed_growth=None, required_growth=None, ratio=None, explanation="")
        for *_x, status, score in lines])


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
