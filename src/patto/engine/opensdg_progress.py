"""Open SDG's progress statuses, computed as sdg-build 2.4 computes them, with reason codes.

sdg-build 2.4's ``sdg/ProgressMeasure.py`` is the reference: for each progress calculation
option it selects one series of an indicator's rows (by series, unit and disaggregation, or
the headline), picks a base year (2015 by default, else the first later year with data),
computes the compound annual growth rate (CAGR) to the latest year and compares it with
thresholds (without a target, scaled near a natural ``limit``) or with the CAGR a target
needs; the indicator's score is the mean of its options' scores. Here the same rules give a
plain result with a reason code and the figures behind it, never a sentence: the web layer
and ``patto assess`` word the reason (``patto.monitoring.reasons``). Nothing here reads a
file or imports Django.

Where sdg-build stops with an exception (no headline, several series left after the
selection, two values for one year, a base year after the last data), Open SDG shows no
status; here the result is ``not_enough_data`` with the reason, for the whole indicator, as
in sdg-build. Deliberate differences are options of :class:`Deviations`, all off by default.

References
----------
.. [1] open-sdg/sdg-build, ``sdg/ProgressMeasure.py`` (2.4), ``IndicatorProgress`` and
   ``SeriesProgress``,
   https://github.com/open-sdg/sdg-build/blob/139fede74ba534d2ed8b9eee4cd878b41f54cb67/sdg/ProgressMeasure.py
.. [2] Statistics Canada and Open SDG, "Progress Measurement Methodology for the Sustainable
   Development Goals", Open SDG 2.4.0,
   https://github.com/open-sdg/open-sdg/blob/26d2e38700e4fee329fea4823e908c4298064693/docs/progress-methodology.md
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from .opensdg import (
    CONFIG_DIR,
    GEOCODE,
    SERIES,
    UNITS,
    VALUE,
    YEAR,
    ColumnOptions,
    IndicatorFile,
    Observation,
)

#: sdg-build's defaults for an option's missing keys.
DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
DEFAULT_DIRECTION = "negative"
TREND_THRESHOLDS = {"high": 0.015, "med": 0.005, "low": 0.0}
TARGET_THRESHOLDS = {"high": 0.95, "med": 0.6, "low": 0.0}
LIMIT_EXPONENT = 4.44
#: sdg-build replaces a zero target or base value by this (the result then depends on the
#: unit of measure; :class:`Deviations` can refuse instead).
ZERO_SUBSTITUTE = 0.001

#: Why a series or an indicator has the status it has. Each comes with ``params``.
REASONS = (
    "assessed",            # a status from the thresholds: method, progress_value, thresholds
    "target_achieved",     # latest value on the right side of the target
    "manual",              # auto_progress_calculation off, progress_status given by hand
    "not_assessed",        # auto_progress_calculation off and no progress_status
    "no_data",             # no value left after the selection
    "single_year",         # base year equal to the latest year
    "sign_change",         # base and latest values of different signs
    "base_after_data",     # no year with data at or after the base year
    "no_headline",         # no row without disaggregation, and none named
    "many_series",         # the selection leaves several series (column, values)
    "duplicate_year",      # two values for one year in the selection
    "bad_option",          # an option value sdg-build cannot use (key, value)
    "undefined_ratio",     # required growth undefined (target year = base year, …)
    "base_zero",           # only with Deviations(refuse_zero_base=True)
)


@dataclass(frozen=True, slots=True)
class Deviations:
    """Where Patto may deliberately depart from sdg-build; every switch is off by default.

    ``refuse_zero_base``: a base value (or target) of 0 gives ``not_enough_data`` with
    reason ``base_zero`` instead of sdg-build's substitute 0.001, whose result depends on
    the unit of measure. ``area``: assess the rows of this ``GeoCode`` as the headline (a
    pact whose whole territory has a code), where sdg-build ignores ``GeoCode`` and so
    finds several values a year.
    """

    refuse_zero_base: bool = False
    area: str | None = None


SDG_BUILD = Deviations()


@dataclass(frozen=True, slots=True)
class SeriesProgress:
    """The progress of one option's series: status, score, reason code and figures.

    ``status`` is one of ``patto.engine.progress.STATUSES``; ``score`` runs from -5 to +5
    (None without one). ``params`` holds the figures that the reason's wording needs:
    base and current year and value, target and target year, direction (+1/-1), method
    (1 without a target, 2 with one), progress value, the thresholds actually used and the
    limit coefficient, and for a failure what failed (``column``, ``values``, ``year``).
    """

    tag: str
    status: str
    score: float | None
    reason: str
    params: dict = field(default_factory=dict)
    #: The ``row`` of each observation the option selected (valued, in year order): what a
    #: caller needs to show or store the series behind the status.
    rows: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorProgress:
    """An indicator's progress as Open SDG shows it.

    ``status`` is a status code, or for ``source == "manual"`` the ``progress_status``
    written in the metadata as it is. ``source`` is "auto" (computed), "manual" or "off".
    ``reason`` and ``params`` say why; ``series`` holds each option's result.
    """

    status: str
    score: float | None
    source: str
    reason: str
    params: dict
    series: tuple[SeriesProgress, ...] = ()

    @property
    def open_sdg_status(self) -> str:
        """The status as sdg-build writes it: '' where it gives none."""
        if self.status in ("not_enough_data", "not_assessed"):
            return ""
        return self.status


class _Stop(Exception):
    """sdg-build raises here; the indicator gets no status."""

    def __init__(self, reason: str, **params: Any):
        super().__init__(reason)
        self.reason = reason
        self.params = params


# --------------------------------------------------------------------------------------------
# Rows as sdg-build sees them


class _Row(NamedTuple):
    # A named tuple, not a frozen dataclass: 120,000 of them are made per repository, and
    # a frozen dataclass sets each field through object.__setattr__ (cProfile).
    year_text: str
    value: float  # NaN when blank or skipped
    cells: Mapping[str, str]  # non-blank cells other than Year and Value (read only)
    ref: int = -1  # the observation's ``row``


def _rows(item: IndicatorFile) -> list[_Row]:
    rows = []
    observations: Iterable[Observation] = sorted(
        (*item.observations, *item.unvalued), key=lambda o: o.row)
    # The rows of a series without attributes have the same cells: one mapping for all of
    # them (nothing changes a row's cells).
    shared: dict[tuple, dict] = {}
    for o in observations:
        if o.attributes:
            cells = None
        else:
            key = (o.disaggregation, o.series, o.units, o.geocode)
            cells = shared.get(key)
        if cells is None:
            cells = dict(o.disaggregation) | dict(o.attributes)
            for name, text in (("Series", o.series), ("Units", o.units),
                               ("GeoCode", o.geocode)):
                if text is not None:
                    cells[name] = text
            if not o.attributes:
                shared[key] = cells
        value = float(o.value) if o.value is not None else math.nan
        rows.append(_Row(o.period, value, cells, o.row))
    return rows


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _select(item: IndicatorFile, option: Mapping, rows: list[_Row], tag: str,
            deviations: Deviations) -> list[tuple[int, float, int]]:
    """sdg-build's ``SeriesProgress.filter_data``: the (year, value, row) of one series."""
    opts: ColumnOptions = item.options
    columns = [c for c in item.columns if c not in (YEAR, VALUE)]
    keep = {YEAR, opts.series_column, opts.unit_column, opts.progress_column, VALUE}
    dropped = (set(opts.non_disaggregation_columns) | set(opts.observation_attributes)) - keep
    if deviations.area is not None:
        rows = [r for r in rows if r.cells.get("GeoCode") == deviations.area]
        dropped.add("GeoCode")
    if len(item.columns) > 2:
        columns = [c for c in columns if c not in dropped]
        if opts.progress_column in columns:
            progressed = []
            for r in rows:
                text = r.cells.get(opts.progress_column)
                try:
                    value = float(text) if text is not None else math.nan
                except ValueError:
                    raise _Stop("bad_option", key=opts.progress_column, value=text) from None
                progressed.append(_Row(r.year_text, value, r.cells, r.ref))
            rows = progressed
            columns.remove(opts.progress_column)

        def narrow(rows: list[_Row], column: str, wanted: Any) -> list[_Row]:
            # sdg-build keeps every row when the column or the value is missing (and warns).
            if column not in columns:
                return rows
            chosen = [r for r in rows if isinstance(wanted, str)
                      and r.cells.get(column) == wanted]
            return chosen or rows

        if option.get("unit") is not None:
            rows = narrow(rows, opts.unit_column, option["unit"])
        if option.get("series") is not None:
            rows = narrow(rows, opts.series_column, option["series"])
        disaggregation = option.get("disaggregation")
        if disaggregation:
            if not isinstance(disaggregation, list) or not all(
                    isinstance(d, Mapping) and "field" in d and "value" in d
                    for d in disaggregation):
                raise _Stop("bad_option", key="disaggregation", value=disaggregation)
            for d in disaggregation:
                rows = narrow(rows, str(d["field"]), d["value"])
        else:
            named = [c for c in columns if c not in opts.non_disaggregation_columns]
            headline = [r for r in rows if not any(c in r.cells for c in named)]
            if not headline and rows:
                raise _Stop("no_headline")
            rows = headline
        for column in columns:
            values = {r.cells.get(column) for r in rows}
            if len(values) > 1:
                raise _Stop("many_series", column=column,
                            values=sorted(v if v is not None else "" for v in values))
    # Open SDG's progress reads the first four digits of a year written with more.
    if any(len(r.year_text) > 4 for r in rows):
        years = [int(r.year_text[:4]) for r in rows]
    else:
        years = [int(r.year_text) for r in rows]
    pairs = [(y, r.value, r.ref) for y, r in zip(years, rows, strict=True)
             if not math.isnan(r.value)]
    seen: set[int] = set()
    for year, _, _ in pairs:
        if year in seen:
            raise _Stop("duplicate_year", year=year)
        seen.add(year)
    return pairs


def _tag(inid: str, option: Mapping) -> str:
    parts = [inid]
    for key in ("series", "unit"):
        if option.get(key) is not None:
            parts.append(str(option[key]))
    for d in option.get("disaggregation") or []:
        if isinstance(d, Mapping):
            parts.append(str(d.get("value")))
    return " / ".join(parts)


# --------------------------------------------------------------------------------------------
# One series


def measure_series(pairs: list[tuple[int, float]], option: Mapping, tag: str = "",
                   deviations: Deviations = SDG_BUILD) -> SeriesProgress:
    """sdg-build's ``SeriesProgress`` on one series' (year, value) pairs.

    Parameters
    ----------
    pairs : list of (int, float)
        One value a year, any order, finite.
    option : mapping
        One progress calculation option: ``base_year`` (default 2015), ``target``,
        ``target_year`` (default 2030), ``direction`` ("positive", anything else counts as
        negative, the default), ``limit``, ``progress_thresholds``.
    tag : str
        The series' name in the results.
    deviations : Deviations
        Patto's departures from sdg-build, off by default.

    Returns
    -------
    SeriesProgress

    Raises
    ------
    _Stop
        Where sdg-build raises (a base year after the last data, an option it cannot use);
        :func:`measure_indicator` turns it into the indicator's reason.

    Notes
    -----
    With base year :math:`t_0` (the option's, else the first later year with data), latest
    year :math:`t`, values :math:`y_0, y_t`, direction :math:`d = \\pm 1` and
    :math:`s` the sign of :math:`y_0`: without a target the progress value is
    :math:`s d ((y_t/y_0)^{1/(t-t_0)} - 1)`, compared with 0.015, 0.005 and 0 (each times
    :math:`C` near a limit :math:`L`: :math:`C = 1 - (|y_0|/|L|)^{4.44}` if
    :math:`|y_0| \\le |L|`, :math:`1 - ((2|L| - |y_0|)/|L|)^{4.44}` below :math:`2|L|`,
    else 1); with a target :math:`y_T` for year :math:`T` it is
    :math:`s d\\, CAGR_o / |CAGR_r|` with :math:`CAGR_r = (y_T/y_0)^{1/(T-t_0)} - 1`,
    compared with 0.95, 0.6 and 0. The status is substantial, moderate, limited progress or
    deterioration; the target is achieved when :math:`y_t \\ge y_T` (positive) or
    :math:`y_t \\le y_T` (negative), score 5. Scores: without a target
    :math:`\\max(125 v - 2.5, -5)` below 0, :math:`500 v / C - 2.5`, :math:`250 v / C -
    1.25`, :math:`\\min(500 v / C - 5, 5)` above the thresholds in turn (5 when
    :math:`C = 0`); with one :math:`\\min(7.1429 R - 4.2857, 5)` from 0.6 up, else
    :math:`\\max(4.1667 R - 2.5, -5)`. A zero base value or target is replaced by 0.001.

    Examples
    --------
    >>> r = measure_series([(2015, 20.0), (2020, 25.0)],
    ...                    {"direction": "positive", "target": 40, "target_year": 2030})
    >>> r.status, round(r.params["progress_value"], 3), round(r.score, 2)
    ('substantial_progress', 0.965, 2.61)
    """
    base_year = option.get("base_year", DEFAULT_BASE_YEAR)
    target = option.get("target")
    target_year = option.get("target_year", DEFAULT_TARGET_YEAR)
    limit = option.get("limit")
    thresholds_given = option.get("progress_thresholds", {}) or {}
    for key, value in (("base_year", base_year), ("target_year", target_year),
                       ("target", target), ("limit", limit)):
        if value is not None and _number(value) is None:
            raise _Stop("bad_option", key=key, value=value)
    if not isinstance(thresholds_given, Mapping) or any(
            _number(v) is None for v in thresholds_given.values()):
        raise _Stop("bad_option", key="progress_thresholds", value=thresholds_given)
    direction = 1 if option.get("direction") == "positive" else -1
    substituted = []
    if target is not None and target == 0:
        if deviations.refuse_zero_base:
            return SeriesProgress(tag, "not_enough_data", None, "base_zero", {"what": "target"})
        target = ZERO_SUBSTITUTE
        substituted.append("target")
    method = 1 if target is None else 2
    params: dict[str, Any] = {"direction": direction, "method": method,
                              "target": None if target is None else float(target),
                              "target_year": None if target is None else target_year,
                              "limit": None if limit is None else float(limit)}
    if not pairs:
        return SeriesProgress(tag, "not_enough_data", None, "no_data", params)
    by_year = dict(pairs)
    years = sorted(by_year)
    current_year = years[-1]
    current_value = by_year[current_year]
    if base_year not in by_year:
        later = [y for y in years if y > base_year]
        if not later:
            raise _Stop("base_after_data", base_year=base_year, current_year=current_year)
        base_year = later[0]
    base_value = by_year[base_year]
    params.update(base_year=int(base_year), base_value=base_value,
                  current_year=int(current_year), current_value=current_value)
    sign = -1 if base_value < 0 else 1
    params["sign"] = sign

    # Thresholds (sdg-build's get_progress_thresholds).
    coefficient = None
    if method == 1:
        thresholds = {**TREND_THRESHOLDS, **{k: float(v) for k, v in thresholds_given.items()}}
        if limit is not None:
            b, lim = abs(base_value), abs(float(limit))
            if b >= 2 * lim:
                coefficient = 1.0
            elif b <= lim:
                coefficient = 1 - (b / lim) ** LIMIT_EXPONENT
            else:
                coefficient = 1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT
            for key in ("high", "med", "low"):
                thresholds[key] *= coefficient
    else:
        thresholds = {**TARGET_THRESHOLDS, **{k: float(v) for k, v in thresholds_given.items()}}
    params["thresholds"] = {k: thresholds[k] for k in ("high", "med", "low")}
    params["coefficient"] = coefficient

    achieved = target is not None and (
        (direction == -1 and current_value <= target)
        or (direction == 1 and current_value >= target))

    # Progress value (sdg-build's calculate_progress_value).
    value = None
    reason = "assessed"
    if base_value == 0:
        if deviations.refuse_zero_base:
            return SeriesProgress(tag, "not_enough_data", None, "base_zero",
                                  {**params, "what": "base"})
        base_value = ZERO_SUBSTITUTE
        substituted.append("base")
    if (base_value > 0 > current_value) or (base_value < 0 < current_value):
        reason = "sign_change"
    elif current_year - base_year < 1:
        reason = "single_year"
    else:
        observed = (current_value / base_value) ** (1 / (current_year - base_year)) - 1
        if method == 1:
            value = sign * direction * observed
        else:
            span = target_year - base_year
            if span == 0 or (target / base_value) < 0:
                reason = "undefined_ratio"
            else:
                required = (target / base_value) ** (1 / span) - 1
                params["required_growth"] = required
                numerator = sign * direction * observed
                if required == 0:
                    value = math.copysign(math.inf, numerator) if numerator else math.nan
                else:
                    value = numerator / abs(required)
        params["observed_growth"] = observed
    params["progress_value"] = value
    params["substituted"] = substituted

    if achieved:
        return SeriesProgress(tag, "target_achieved", 5.0, "target_achieved", params)
    if value is None or math.isnan(value):
        if value is not None:
            reason = "undefined_ratio"
        return SeriesProgress(tag, "not_enough_data", None, reason, params)
    high, med, low = thresholds["high"], thresholds["med"], thresholds["low"]
    if value >= high:
        status = "substantial_progress"
    elif value >= med:
        status = "moderate_progress"
    elif value >= low:
        status = "limited_progress"
    else:
        status = "deterioration"
    score = _score(value, method, high, med, low, coefficient)
    return SeriesProgress(tag, status, score, reason, params)


def _score(value: float, method: int, high: float, med: float, low: float,
           coefficient: float | None) -> float | None:
    """sdg-build's ``get_score`` (its formulas assume the default thresholds)."""
    if method == 1:
        c = 1.0 if coefficient is None else coefficient
        if value < low:
            return max(125 * value - 2.5, -5.0)
        if c == 0:
            return 5.0
        if value >= high:
            return min(500 * value / c - 5, 5.0)
        if value >= med:
            return 250 * value / c - 1.25
        return 500 * value / c - 2.5
    if value >= med:
        return min((7.1429 * value) - 4.2857, 5.0)
    return max((4.1667 * value) - 2.5, -5.0)


def status_from_score(score: float, target_achieved: bool = False) -> str:
    """sdg-build's ``get_progress_status_from_score``."""
    if target_achieved:
        return "target_achieved"
    if 2.5 <= score:
        return "substantial_progress"
    if 0 <= score:
        return "moderate_progress"
    if -2.5 <= score:
        return "limited_progress"
    return "deterioration"


# --------------------------------------------------------------------------------------------
# One indicator


def measure_indicator(item: IndicatorFile, deviations: Deviations = SDG_BUILD
                      ) -> IndicatorProgress:
    """The progress status Open SDG shows for an indicator read from its repository.

    Parameters
    ----------
    item : IndicatorFile
        From :func:`patto.engine.opensdg.read_repository_lenient`.
    deviations : Deviations
        Off by default: the result is sdg-build 2.4's.

    Returns
    -------
    IndicatorProgress
        With ``auto_progress_calculation: true``, the mean score of the options that have
        one (every option: ``progress_calculation_options``, else one with the defaults)
        and its status ("target achieved" when every scored option achieved its target);
        otherwise the hand-written ``progress_status`` ("manual"), or none ("off").
        Where sdg-build stops on one option, the indicator has no status and that
        option's reason.

    Examples
    --------
    >>> from patto.engine.opensdg import Observation
    >>> from decimal import Decimal
    >>> rows = tuple(Observation(year=y, value=Decimal(v), series=None, units=None,
    ...              geocode=None, disaggregation=(), row=n)
    ...              for n, (y, v) in enumerate([(2015, "10"), (2020, "8")], start=2))
    >>> item = IndicatorFile(id="1-1-1", columns=("Year", "Value"), observations=rows,
    ...                      meta={"auto_progress_calculation": True}, config={}, raw={})
    >>> measure_indicator(item).status
    'substantial_progress'
    """
    settings = item.settings
    if settings.get("auto_progress_calculation") is not True:
        if "progress_status" in settings:
            status = settings["progress_status"]
            return IndicatorProgress(status="" if status is None else str(status), score=None,
                                     source="manual", reason="manual", params={})
        return IndicatorProgress(status="not_assessed", score=None, source="off",
                                 reason="not_assessed", params={})
    options = settings.get("progress_calculation_options") or [{}]
    if not isinstance(options, list):
        options = [{}]
    rows = _rows(item)
    results = []
    for option in options:
        if not isinstance(option, Mapping):
            return IndicatorProgress("not_enough_data", None, "auto", "bad_option",
                                     {"key": "progress_calculation_options",
                                      "value": option}, tuple(results))
        tag = _tag(item.id, option)
        try:
            selected = _select(item, option, rows, tag, deviations)
            result = measure_series([(y, v) for y, v, _ in selected], option, tag,
                                    deviations)
            results.append(replace(result, rows=tuple(
                ref for _, _, ref in sorted(selected, key=lambda s: s[0]))))
        except _Stop as stop:
            failed = SeriesProgress(tag, "not_enough_data", None, stop.reason, stop.params)
            return IndicatorProgress("not_enough_data", None, "auto", stop.reason,
                                     {**stop.params, "series": tag},
                                     (*results, failed))
    scored = [r for r in results if r.score is not None]
    if not scored:
        reasons = {r.reason for r in results}
        reason = reasons.pop() if len(reasons) == 1 else "no_data"
        params = dict(results[0].params) if len(results) == 1 else {}
        return IndicatorProgress("not_enough_data", None, "auto", reason, params,
                                 tuple(results))
    score = float(np.mean([r.score for r in scored]))
    achieved = all(r.status == "target_achieved" for r in scored)
    status = status_from_score(score, achieved)
    return IndicatorProgress(status, score, "auto", "assessed",
                             {"scores": [r.score for r in scored],
                              "left_out": len(results) - len(scored)}, tuple(results))


# --------------------------------------------------------------------------------------------
# An indicator from stored rows


def indicator_frame(inid: str, columns: Iterable[str], observations: Iterable[Observation],
                    settings: Mapping, options: ColumnOptions) -> IndicatorFile:
    """An indicator as an Open SDG repository would hold it, from rows kept elsewhere.

    Parameters
    ----------
    inid : str
        The indicator's id.
    columns : iterable of str
        The data file's columns as imported (may be empty); the cells the observations
        have and the columns lack (a disaggregation added later) are put before ``Value``,
        so that sdg-build's rules see them.
    observations : iterable of Observation
        The rows, each with a distinct ``row``; :class:`SeriesProgress` ``rows`` names them.
        ``geocode`` None for the headline area.
    settings : mapping
        The metadata and configuration already merged (see ``IndicatorFile.settings``).
    options : ColumnOptions
        The repository's column options.

    Returns
    -------
    IndicatorFile
        For :func:`measure_indicator`; it keeps no file's bytes.
    """
    rows = tuple(observations)
    given = [c for c in columns if c not in (YEAR, VALUE)]
    seen = set(given)
    for o in rows:
        for name, present in ((SERIES, o.series), (UNITS, o.units), (GEOCODE, o.geocode)):
            if present is not None and name not in seen:
                given.append(name)
                seen.add(name)
        for name, _value in (*o.disaggregation, *o.attributes):
            if name not in seen:
                given.append(name)
                seen.add(name)
    # The settings are given merged: one folder, whatever order the repository had.
    return IndicatorFile(id=inid, columns=(YEAR, *given, VALUE), observations=rows,
                         meta={}, config=dict(settings), raw={},
                         options=replace(options, meta_folders=(CONFIG_DIR,)))
