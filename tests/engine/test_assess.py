"""The batched assessment of `patto assess` gives exactly what the per-series one gives."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from patto.engine.assess import assess_many, assess_opensdg, assess_opensdg_path
from patto.engine.opensdg import read_repository
from patto.engine.opensdg_progress import Deviations
from patto.engine.problems import InputError
from patto.engine.progress import ProgressOptions, assess_series
from tests.conftest import PACKAGE

OPTIONS = [
    ProgressOptions(), ProgressOptions(direction="negative"),
    ProgressOptions(target=80, target_year=2030, base_year=2015),
    ProgressOptions(target=5, target_year=2030, direction="negative", base_year=2012),
    ProgressOptions(limit=100.0), ProgressOptions(window="short"),
    ProgressOptions(window="long", base_year=2010),
    ProgressOptions(target=50, target_year=2030, window="short"),
]
FIELDS = ["status", "method", "base_year", "latest_year"]
NUMBERS = ["score", "base_value", "latest_value", "observed_growth", "required_growth", "ratio"]


def random_series(seed: int, count: int = 40) -> list[tuple[list[int], list[float]]]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        years = sorted(rng.choice(np.arange(2005, 2025), size=int(rng.integers(1, 20)),
                                  replace=False).tolist())
        values = (rng.uniform(10, 100) * (1 + rng.normal(0.01, 0.03))
                  ** np.arange(len(years))).tolist()
        if k % 13 == 0:
            values[0] = 0.0  # a zero base: not enough data, by name
        out.append((years, values))
    return out


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_equals_per_series(options, seed):
    series = random_series(seed)
    for (years, values), fast in zip(series, assess_many(series, options), strict=True):
        slow = assess_series(years, values, options)
        for name in FIELDS:
            assert getattr(fast, name) == getattr(slow, name), name
        for name in NUMBERS:
            a, b = getattr(fast, name), getattr(slow, name)
            assert (a is None) == (b is None), name
            if a is not None:
                assert a == pytest.approx(b, rel=1e-12), name


def test_agenda_is_assessed_as_sdg_build_assesses_it():
    records = assess_opensdg(read_repository(PACKAGE / "agenda"))
    indicators = {r["indicator"]: r for r in records if r["level"] == "indicator"}
    assert len(indicators) == 30
    # sdg-build ignores GeoCode: where municipalities sit beside the whole area, the headline
    # has several values a year and Open SDG shows no status.
    stopped = {k for k, r in indicators.items() if r["reason"] == "duplicate_year"}
    assert "10-1-1" in stopped and "1-2-1" not in stopped
    assert all(indicators[k]["status"] == "not_enough_data" for k in stopped)
    assert {r["status"] for r in indicators.values()} >= {"deterioration",
                                                         "substantial_progress"}


def test_area_option_assesses_the_whole_territory():
    records = assess_opensdg(read_repository(PACKAGE / "agenda"), Deviations(area="037"))
    indicators = {r["indicator"]: r for r in records if r["level"] == "indicator"}
    assert indicators["10-1-1"]["reason"] == "assessed"
    assert all(r["reason"] != "duplicate_year" for r in indicators.values())


def test_lenient_assessment_names_the_broken_indicator_and_assesses_the_others(tmp_path):
    repo = tmp_path / "agenda"
    shutil.copytree(PACKAGE / "agenda", repo)
    (repo / "data" / "indicator_1-2-1.csv").write_text("Year,Value\n2015,x\n",
                                                       encoding="utf-8")
    records, _warnings = assess_opensdg_path(repo)
    [broken] = [r for r in records if r["indicator"] == "1-2-1"]
    assert (broken["reason"], broken["status"]) == ("unreadable", "not_enough_data")
    assert "data/indicator_1-2-1.csv, row 2, field Value" in broken["problems"]
    assert len({r["indicator"] for r in records}) == 30
    with pytest.raises(InputError):
        assess_opensdg_path(repo, strict=True)
