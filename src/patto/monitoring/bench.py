"""A synthetic Open SDG repository for `patto bench monitoring`, of a given size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml


def synthetic_repository(path: Path, *, indicators: int = 150, rows: int = 120_000,
                         seed: int = 15) -> None:
    """Indicators with a Series and a GeoCode column, about rows/indicators rows each."""
    rng = np.random.default_rng(seed)
    (path / "data").mkdir(parents=True)
    (path / "meta").mkdir()
    (path / "indicator-config").mkdir()
    per = max(rows // indicators, 2)
    years = np.arange(2005, 2025)
    for k in range(indicators):
        code = f"{k % 17 + 1}-{k // 17 + 1}-1"
        lines = ["Year,Series,GeoCode,Value"]
        series_count = max(per // len(years), 1)
        for s in range(series_count):
            level = rng.uniform(10, 100)
            growth = rng.normal(0.01, 0.02)
            for j, year in enumerate(years):
                value = level * (1 + growth) ** j
                lines.append(f"{year},S{s},,{value:.2f}")
        (path / "data" / f"indicator_{code}.csv").write_text("\n".join(lines) + "\n",
                                                              encoding="utf-8")
        (path / "meta" / f"{code}.yml").write_text(yaml.safe_dump(
            {"indicator_name": f"Synthetic indicator {code}"}), encoding="utf-8")
        (path / "indicator-config" / f"{code}.yml").write_text(yaml.safe_dump(
            {"auto_progress_calculation": True, "progress_calculation_options": [
                {"direction": "positive", "base_year": 2015, "target_year": 2030,
                 "target": round(float(rng.uniform(50, 150)), 2)}]}), encoding="utf-8")


def opensdg_agreement(root: Path) -> list[tuple[str, int, int]]:
    """How many of sdg-build's statuses Patto gives, per repository under ``root``.

    Each folder under ``root`` that holds an Open SDG repository and a ``statuses.json``
    (indicator id -> {"status": ...}, sdg-build's output) counts; an indicator whose
    files Patto cannot read counts as giving no status. Returns (name, equal, total).
    """
    import json

    from patto.engine.opensdg import read_repository_lenient
    from patto.engine.opensdg_progress import measure_indicator

    results = []
    for folder in sorted(p for p in Path(root).iterdir() if (p / "statuses.json").is_file()):
        expected = json.loads((folder / "statuses.json").read_text(encoding="utf-8"))
        reading = read_repository_lenient(folder)
        got = {i.id: measure_indicator(i).open_sdg_status for i in reading.indicators}
        equal = sum(got.get(inid, "") == want["status"] for inid, want in expected.items())
        results.append((folder.name, equal, len(expected)))
    return results


def opensdg_corpus() -> Path | None:
    """The corpus to measure: ``PATTO_OPENSDG_CORPUS`` if set, else the test fixtures."""
    import os

    given = os.environ.get("PATTO_OPENSDG_CORPUS")
    if given:
        return Path(given)
    fixtures = Path(__file__).resolve().parents[3] / "tests" / "engine" / "files" \
        / "opensdg-world"
    return fixtures if fixtures.is_dir() else None


def new_value_to_pages(indicator) -> float:
    """Seconds from recording one new value of ``indicator`` to its page and its goal's page
    rendered with the status stored for it, as a visitor asks for them (page cache as set).

    The value is a tenth of the latest one, so that the status usually changes; the pages
    are checked to show the stored status, or the measurement is refused.
    """
    import time
    from decimal import Decimal

    from django.test import Client
    from django.urls import reverse

    from .models import IndicatorResult
    from .services import NewValue, observations_record

    latest = indicator.observations.filter(is_current=True).order_by("-year", "key") \
        .select_related("territory").first()
    if latest is None:
        raise ValueError(f"indicator {indicator.code} has no value to follow")
    goal = reverse("monitoring:goal_detail", kwargs={"number": indicator.sdg_goal.number})
    pages = [indicator.get_absolute_url(), f"{goal}?patto={indicator.pact.code}"]
    client = Client()
    for page in pages:  # a running server has its templates compiled: warm up, untimed
        client.get(page, secure=True)
    start = time.perf_counter()
    observations_record(indicator=indicator, values=[NewValue(
        year=latest.year + 1, period=latest.period,
        value_text=str((latest.value / Decimal(10)).quantize(Decimal("0.0001"))),
        series=latest.series, units=latest.units, geocode=latest.geocode,
        disaggregation=latest.disaggregation, territory=latest.territory)])
    html = [client.get(page, secure=True) for page in pages]
    seconds = time.perf_counter() - start
    status = IndicatorResult.objects.get(indicator=indicator).status
    for page, response in zip(pages, html, strict=True):
        if response.status_code != 200 or \
                f"patto-status-{status}".encode() not in response.content:
            raise ValueError(f"{page} does not show the new status {status}")
    return seconds
