"""Patto gives the progress status that sdg-build 2.4 gives, on real Open SDG repositories.

The fixtures under ``files/opensdg-world/`` are excerpts of statistics offices' published
repositories with the status sdg-build gave each indicator (see their README).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from patto.engine.opensdg import read_repository_lenient
from patto.engine.opensdg_progress import Deviations, measure_indicator

WORLD = Path(__file__).parent / "files" / "opensdg-world"
PUBLISHERS = sorted(p.name for p in WORLD.iterdir() if (p / "statuses.json").is_file())


def oracle(publisher: str) -> dict:
    return json.loads((WORLD / publisher / "statuses.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("publisher", PUBLISHERS)
def test_every_status_equals_sdg_build(publisher):
    expected = oracle(publisher)
    reading = read_repository_lenient(WORLD / publisher)
    got = {i.id: measure_indicator(i) for i in reading.indicators}
    assert set(expected) <= set(got) | {p.file.split("_")[-1][:-4] for p in reading.problems}
    differ = {}
    for inid, want in expected.items():
        result = got.get(inid)
        status = result.open_sdg_status if result is not None else ""
        score = result.score if result is not None else None
        if status != want["status"] or (score is None) != (want["score"] is None) or (
                score is not None and score != pytest.approx(want["score"], abs=1e-9)):
            differ[inid] = (want["status"], want["score"], status, score)
    assert differ == {}


def test_the_fixtures_cover_enough_publishers_and_cases():
    expected = {p: oracle(p) for p in PUBLISHERS}
    real = [p for p in PUBLISHERS if p != "cases"]
    assert len(real) >= 3
    assert sum(len(expected[p]) for p in real) >= 150
    statuses = Counter(v["status"] for p in real for v in expected[p].values())
    assert {"target_achieved", "substantial_progress", "moderate_progress", "limited_progress",
            "deterioration", ""} <= set(statuses)
    stops = {v.get("stopped") for p in PUBLISHERS for v in expected[p].values()}
    assert {"Exception", "ValueError"} <= stops


def test_stops_have_their_reason_code():
    reading = read_repository_lenient(WORLD / "cases")
    reasons = {i.id: measure_indicator(i).reason for i in reading.indicators}
    assert reasons["1-1-1"] == "duplicate_year"  # two quarters of one year
    assert reasons["2-1-1"] == "base_after_data"
    assert reasons["3-3-1"] == "many_series"
    assert reasons["3-5-1"] == "no_headline"
    assert reasons["2-5-1"] == "not_assessed"
    assert reasons["2-4-1"] == "manual"


def test_named_series_and_unit_keep_the_other_series_out():
    [item] = [i for i in read_repository_lenient(WORLD / "cases").indicators
              if i.id == "2-2-1"]
    [series] = measure_indicator(item).series
    assert series.tag == "2-2-1 / Count / Number"
    assert (series.params["base_value"], series.params["current_value"]) == (109.0, 133.0)


def test_zero_base_refused_only_as_a_deviation():
    [item] = [i for i in read_repository_lenient(WORLD / "cases").indicators
              if i.id == "3-1-1"]
    assert measure_indicator(item).status == "substantial_progress"
    assert measure_indicator(item).series[0].params["substituted"] == ["base"]
    refused = measure_indicator(item, Deviations(refuse_zero_base=True))
    assert (refused.status, refused.reason) == ("not_enough_data", "base_zero")


def test_bench_agreement_counts_equal_statuses(tmp_path):
    import shutil

    from patto.monitoring.bench import opensdg_agreement

    shutil.copytree(WORLD / "cases", tmp_path / "cases")
    assert opensdg_agreement(tmp_path) == [("cases", 16, 16)]
    statuses = json.loads((tmp_path / "cases" / "statuses.json").read_text(encoding="utf-8"))
    statuses["2-4-1"]["status"] = "deterioration"  # not what the metadata says by hand
    (tmp_path / "cases" / "statuses.json").write_text(json.dumps(statuses), encoding="utf-8")
    assert opensdg_agreement(tmp_path) == [("cases", 15, 16)]
