"""Assesses whole files without a database: an Open SDG data folder or an SDMX-CSV file.

`patto assess PATH` prints what this module returns: one record per indicator and one per
series, with the figures behind each status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from .opensdg import IndicatorFile, read_repository
from .progress import ProgressOptions, SeriesAssessment, assess_indicator, assess_series
from .sdmx import read_sdmx_csv

FIELDS = ["level", "indicator", "series", "status", "score", "method", "base_year",
          "base_value", "latest_year", "latest_value", "target", "target_year",
          "observed_growth", "required_growth", "ratio"]


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


def assess_opensdg(indicators: Iterable[IndicatorFile]) -> list[dict]:
    records = []
    for item in indicators:
        groups: dict[tuple, list] = defaultdict(list)
        for o in item.observations:
            if not o.disaggregation:
                groups[(o.series, o.units, o.geocode)].append(o)
        results = []
        for key, rows in sorted(groups.items(), key=lambda kv: _series_label(kv[0])):
            rows.sort(key=lambda o: o.year)
            a = assess_series([o.year for o in rows], [float(o.value) for o in rows],
                              _options(item, key[0]))
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


def assess_path(path: str | Path) -> list[dict]:
    """An Open SDG folder (has data/) or an SDMX-CSV file, assessed in full."""
    path = Path(path)
    if path.is_dir():
        return assess_opensdg(read_repository(path))
    return assess_sdmx(path)
