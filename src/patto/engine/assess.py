"""Assesses whole files without a database: an Open SDG data folder or an SDMX-CSV file.

`patto assess PATH` prints what this module returns: one record per indicator and one per
series, with the figures behind each status. An Open SDG folder is assessed as sdg-build 2.4
assesses it (:mod:`.opensdg_progress`); an indicator whose files have a problem gets a record
naming it, and the others are still assessed unless ``strict``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .opensdg import IndicatorFile, read_repository_lenient
from .opensdg_progress import (
    SDG_BUILD,
    Deviations,
    IndicatorProgress,
    SeriesProgress,
    measure_indicator,
)
from .problems import InputError
from .progress import (
    STATUSES,
    ProgressOptions,
    SeriesAssessment,
    assess_indicator,
    assess_panel,
    assess_series,
)
from .sdmx import read_sdmx_csv

FIELDS = ["level", "indicator", "series", "status", "score", "method", "base_year",
          "base_value", "latest_year", "latest_value", "target", "target_year",
          "observed_growth", "required_growth", "ratio"]
#: The columns of an Open SDG assessment: the status, its source (auto, manual, off), the
#: reason code and the figures behind it; ``problems`` names what kept an indicator out.
OPENSDG_FIELDS = ["level", "indicator", "series", "status", "score", "source", "reason",
                  "base_year", "base_value", "latest_year", "latest_value", "target",
                  "target_year", "progress_value", "observed_growth", "required_growth",
                  "problems"]


def _record(level: str, indicator: str, series: str, a: SeriesAssessment | None,
            status: str, score: float | None) -> dict:
    row = dict.fromkeys(FIELDS)
    row.update(level=level, indicator=indicator, series=series, status=status, score=score)
    if a is not None:
        data = asdict(a)
        row.update({k: data[k] for k in FIELDS if k in data and k not in
                    ("level", "indicator", "series", "status", "score")})
    return row


def _options(item: IndicatorFile, series: str | None) -> ProgressOptions:
    chosen = {}
    for option in item.progress_options:
        if option.get("series") in (None, "", series):
            chosen = option
            break
    def number(name):
        value = chosen.get(name)
        return None if value is None else float(value)
    def year(name):
        value = chosen.get(name)
        return None if value is None else int(value)
    return ProgressOptions(
        direction="negative" if chosen.get("direction") == "negative" else "positive",
        target=number("target"), target_year=year("target_year"),
        base_year=year("base_year"), limit=number("limit"))


def _series_label(key: tuple) -> str:
    series, units, geocode = key
    return " | ".join(part for part in (series or "", units or "", geocode or "") if part) \
        or "total"


def _optional(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def assess_many(series: list[tuple[list[int], list[float]]], options: ProgressOptions
                ) -> list[SeriesAssessment]:
    """Several series with the same options at once, through the vectorised panel.

    Gives what :func:`assess_series` gives on each (tested), without its per-series
    explanation text: a base year is a floor, so years before it are left out first.
    """
    floor = options.base_year if options.base_year is not None else -10**9
    years = sorted({y for ys, _ in series for y in ys if y >= floor})
    if len(series) < 8 or not years:
        return [assess_series(ys, vs, options) for ys, vs in series]
    index = {y: i for i, y in enumerate(years)}
    values = np.full((len(series), 1, len(years)), np.nan)
    for row, (ys, vs) in enumerate(series):
        for y, v in zip(ys, vs, strict=True):
            if y >= floor:
                values[row, 0, index[y]] = v
    nan = np.array([np.nan])
    result = assess_panel(
        values, np.array(years), np.array([1.0 if options.direction == "positive" else -1.0]),
        targets=nan if options.target is None else np.array([options.target]),
        target_years=nan if options.target_year is None else np.array(
            [float(options.target_year)]),
        limits=nan if options.limit is None else np.array([options.limit]),
        window=options.window)
    span = {"short": 5, "long": 15}.get(options.window)
    out = []
    for row in range(len(series)):
        status = STATUSES[int(result.status_code[row, 0])]
        if status == "not_enough_data":
            # Rare, and its reason is worth the scalar path's own figures.
            out.append(assess_series(*series[row], options))
            continue
        present = np.flatnonzero(~np.isnan(values[row, 0]))
        last = present[-1]
        if span is not None:
            present = present[np.array(years)[present] >= years[last] - span]
        first = present[0]
        out.append(SeriesAssessment(
            status=status, score=_optional(result.score[row, 0]),
            method="none" if status == "not_enough_data" else (
                "target" if options.target is not None else "trend"),
            base_year=years[first], base_value=float(values[row, 0, first]),
            latest_year=years[last], latest_value=float(values[row, 0, last]),
            target=options.target, target_year=options.target_year,
            observed_growth=_optional(result.observed_growth[row, 0]),
            required_growth=_optional(result.required_growth[row, 0]),
            ratio=_optional(result.ratio[row, 0]), explanation=""))
    return out


def _progress_record(inid: str, result: IndicatorProgress | SeriesProgress,
                     source: str) -> dict:
    params = result.params
    row = dict.fromkeys(OPENSDG_FIELDS)
    row.update(
        level="series" if isinstance(result, SeriesProgress) else "indicator", indicator=inid,
        series=result.tag if isinstance(result, SeriesProgress) else "",
        status=result.status, score=result.score, source=source, reason=result.reason,
        base_year=params.get("base_year"), base_value=params.get("base_value"),
        latest_year=params.get("current_year"), latest_value=params.get("current_value"),
        target=params.get("target"), target_year=params.get("target_year"),
        progress_value=params.get("progress_value"),
        observed_growth=params.get("observed_growth"),
        required_growth=params.get("required_growth"))
    row["params"] = params
    return row


def assess_opensdg(indicators: Iterable[IndicatorFile],
                   deviations: Deviations = SDG_BUILD) -> list[dict]:
    """One record per indicator (its status as Open SDG shows it) and one per option."""
    records = []
    for item in indicators:
        result = measure_indicator(item, deviations)
        records.append(_progress_record(item.id, result, result.source))
        records += [_progress_record(item.id, s, result.source) for s in result.series]
    return records


def assess_opensdg_path(path: Path, strict: bool = False,
                        deviations: Deviations = SDG_BUILD) -> tuple[list[dict], list]:
    """An Open SDG folder: (records, warnings). With ``strict`` any problem refuses it all."""
    reading = read_repository_lenient(path)
    if strict and reading.problems:
        raise InputError(reading.problems)
    records = assess_opensdg(reading.indicators, deviations)
    by_file: dict[str, list] = defaultdict(list)
    for problem in reading.problems:
        by_file[problem.file].append(problem)
    read = {i.id for i in reading.indicators}
    for name, problems in sorted(by_file.items()):
        stem = Path(name).stem
        inid = stem[len("indicator_"):] if stem.startswith("indicator_") else stem
        if inid in read:
            continue
        row = dict.fromkeys(OPENSDG_FIELDS)
        row.update(level="indicator", indicator=inid, series="", status="not_enough_data",
                   source="", reason="unreadable",
                   problems="; ".join(str(p) for p in problems))
        row["params"] = {"problems": problems}
        records.append(row)
    return records, reading.warnings


def assess_headline_series(indicators: Iterable[IndicatorFile]) -> list[dict]:
    """Patto's own CAGR method on every headline series (the panel path of the bench)."""
    records = []
    for item in indicators:
        groups: dict[tuple, list] = defaultdict(list)
        for o in item.observations:
            if not o.disaggregation:
                groups[(o.series, o.units, o.geocode)].append(o)
        ordered = sorted(groups.items(), key=lambda kv: _series_label(kv[0]))
        by_options: dict[ProgressOptions, list[int]] = defaultdict(list)
        for position, (key, rows) in enumerate(ordered):
            rows.sort(key=lambda o: o.year)
            by_options[_options(item, key[0])].append(position)
        assessed: dict[int, SeriesAssessment] = {}
        for options, positions in by_options.items():
            batch = [([o.year for o in ordered[p][1]], [float(o.value) for o in ordered[p][1]])
                     for p in positions]
            assessed.update(zip(positions, assess_many(batch, options), strict=True))
        results = []
        for position, (key, _rows) in enumerate(ordered):
            a = assessed[position]
            results.append(a)
            records.append(_record("series", item.id, _series_label(key), a, a.status,
                                   a.score))
        summary = assess_indicator(results)
        records.insert(len(records) - len(results),
                       _record("indicator", item.id, "", None, summary.status, summary.score))
    return records


def assess_sdmx(path: Path) -> list[dict]:
    groups: dict[tuple, list] = defaultdict(list)
    for o in read_sdmx_csv(path):
        if o.value is not None:
            groups[(o.dataflow, o.area or "", o.dimensions, o.unit or "")].append(o)
    by_flow: dict[str, list] = defaultdict(list)
    for (flow, area, dims, unit), rows in sorted(groups.items()):
        years: dict[int, float] = {}
        for o in sorted(rows, key=lambda o: o.period):
            years[o.year] = float(o.value)  # the latest period of a year stands for it
        a = assess_series(list(years), list(years.values()), ProgressOptions())
        label = " | ".join([area, *(f"{k}={v}" for k, v in dims), unit]).strip(" |")
        by_flow[flow].append((label, a))
    records = []
    for flow, items in by_flow.items():
        summary = assess_indicator([a for _, a in items])
        records.append(_record("indicator", flow, "", None, summary.status, summary.score))
        records += [_record("series", flow, label, a, a.status, a.score) for label, a in items]
    return records


def assess_path(path: str | Path, strict: bool = False) -> list[dict]:
    """An Open SDG folder (has data/) or an SDMX-CSV file, assessed in full."""
    path = Path(path)
    if path.is_dir():
        return assess_opensdg_path(path, strict)[0]
    return assess_sdmx(path)
