"""Reason codes are worded in one place, for `patto assess` and the pages alike."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from patto.engine.opensdg_progress import measure_series
from patto.engine.progress import ProgressOptions, assess_series
from patto.monitoring.reasons import describe_assessment, describe_progress
from tests.engine.test_opensdg_world import WORLD

REASONS = ["no_data", "single_year", "base_after_data", "base_zero", "sign_change",
           "no_headline", "many_series", "duplicate_year", "bad_option", "undefined_ratio"]


def test_each_reason_has_its_own_words():
    with translation.override("en"):
        texts = {reason: describe_progress(reason, {"column": "Units", "values": ["a", "b"],
                                                   "year": 2020, "key": "target",
                                                   "value": "x", "base_year": 2016,
                                                   "current_year": 2013})
                 for reason in REASONS}
    assert all(texts.values())
    assert len(set(texts.values())) == len(REASONS)
    assert "Units" in texts["many_series"] and "2020" in texts["duplicate_year"]
    assert "2016" in texts["base_after_data"]


def test_scaled_thresholds_are_the_ones_printed():
    result = measure_series([(2015, 95.0), (2020, 96.0)],
                            {"direction": "positive", "limit": 100})
    coefficient = result.params["coefficient"]
    assert 0 < coefficient < 1
    with translation.override("en"):
        text = describe_progress(result.reason, result.params)
    assert "1.5%" not in text.replace(",", ".")
    assert "scaled" in text
    page = assess_series([2015, 2020], [95.0, 96.0],
                         ProgressOptions(direction="positive", limit=100.0))
    with translation.override("en"):
        page_text = describe_assessment(page, limit=100.0)
    assert "scaled" in page_text and "1.5%" not in page_text.replace(",", ".")


def test_page_says_why_there_is_not_enough_data():
    zero = assess_series([2015, 2020], [0.0, 3.0])
    one = assess_series([2020], [3.0])
    with translation.override("en"):
        assert "is 0" in describe_assessment(zero)
        assert "two different years" in describe_assessment(one)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_assess_command_assesses_the_others_and_strict_refuses(tmp_path, capsys):
    repo = tmp_path / "cases"
    shutil.copytree(WORLD / "cases", repo)
    (repo / "data" / "indicator_2-5-1.csv").write_text("Year,Value\n2015,x\n",
                                                       encoding="utf-8")
    with translation.override("en"):
        call_command("assess", str(repo))
    out = capsys.readouterr()
    records = rows(out.out)
    broken = [r for r in records if r["indicator"] == "2-5-1"]
    assert [(r["reason"], r["status"]) for r in broken] == [("unreadable", "not_enough_data")]
    assert {r["indicator"] for r in records} >= {"1-1-1", "2-2-1", "3-6-1"}
    assert "non-finite-value" not in out.out and "warning: data/indicator_1-3-1.csv" in out.err
    with pytest.raises(CommandError, match=r"indicator_2-5-1.csv, row 2, field Value"):
        call_command("assess", str(repo), "--strict")
