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
