"""Stored statuses are sdg-build's: real Open SDG repositories imported into the agenda are
assessed as sdg-build 2.4 assessed them (the oracle's statuses beside the fixtures), and the
same as the engine's ``measure_indicator`` on the files themselves."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from patto.engine.opensdg import read_repository_lenient
from patto.engine.opensdg_progress import measure_indicator
from patto.monitoring.models import IndicatorResult
from patto.monitoring.services import opensdg_import

WORLD = Path(__file__).parent.parent / "engine" / "files" / "opensdg-world"
PUBLISHERS = sorted(p.name for p in WORLD.iterdir() if (p / "statuses.json").is_file())


# PostgreSQL keeps a value at its column's scale (numeric), so a score computed from stored
# values may differ from one computed on the file's text in the eighth significant digit.
SCORE_REL = 1e-7


def shown(result: IndicatorResult) -> str:
    """The status Open SDG would show for a stored result ('' for none)."""
    params = result.params or {}
    if result.reason == "manual":
        return params["status"]
    return "" if result.status == "not_enough_data" else result.status


def readable_copy(publisher: str, tmp_path: Path) -> Path:
    """The publisher's excerpt without the indicators whose files cannot be read at all (the
    import takes a repository whole; their problem is tested where the reader is)."""
    folder = tmp_path / publisher
    shutil.copytree(WORLD / publisher, folder)
    reading = read_repository_lenient(folder)
    for problem in reading.problems:
        (folder / problem.file).unlink(missing_ok=True)
    return folder


@pytest.fixture
def world_pact(db, bologna):
    from patto.pact.models import Pact

    return Pact.objects.create(code="world", title="World", short_title="World",
                               signed_on=date(2024, 1, 1), territory=bologna.territory,
                               summary="Open SDG repositories of statistics offices.")


@pytest.mark.parametrize("publisher", PUBLISHERS)
def test_imported_indicators_are_stored_with_sdg_builds_status(publisher, world_pact,
                                                               tmp_path):
    folder = readable_copy(publisher, tmp_path)
    opensdg_import(path=folder, pact=world_pact)
    oracle = json.loads((folder / "statuses.json").read_text(encoding="utf-8"))
    engine = {i.id: measure_indicator(i) for i in read_repository_lenient(folder).indicators}
    stored = {r.indicator.code: r for r in
              IndicatorResult.objects.filter(indicator__pact=world_pact)
              .select_related("indicator")}
    assert set(stored) == set(engine) and len(stored) >= 10
    differ = {}
    for code, result in stored.items():
        want = engine[code]
        got = (shown(result), result.score, result.reason, result.method)
        expected = (want.open_sdg_status if want.source != "manual" else want.status,
                    want.score, want.reason, "opensdg")
        if got[0] != expected[0] or got[2:] != expected[2:] or (got[1] is None) != (
                expected[1] is None) or (got[1] is not None and got[1] != pytest.approx(
                    expected[1], rel=SCORE_REL, abs=1e-9)):
            differ[code] = (got, expected)
        if code in oracle:
            assert shown(result) == oracle[code]["status"], code
            if oracle[code]["score"] is None:
                assert result.score is None, code
            else:
                assert result.score == pytest.approx(oracle[code]["score"], rel=SCORE_REL,
                                                     abs=1e-9), code
    assert differ == {}
    assert len(set(oracle) & set(stored)) >= 10


def test_a_file_imported_again_with_other_progress_cells_is_assessed_again(world_pact,
                                                                          tmp_path):
    """sdg-build reads a ``Progress`` column after ``Value`` instead of the values; Patto
    keeps it in the imported file, not as observations, and still assesses again when
    only it changed."""
    folder = readable_copy("cases", tmp_path)
    opensdg_import(path=folder, pact=world_pact)
    first = IndicatorResult.objects.get(indicator__pact=world_pact, indicator__code="3-4-1")
    assert first.status == "substantial_progress"
    data = folder / "data" / "indicator_3-4-1.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    # Same values, the progress cells now falling: 30, 29, 28, ...
    lines = [lines[0]] + [",".join([*line.split(",")[:2], str(30 - n)])
                          for n, line in enumerate(lines[1:])]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    opensdg_import(path=folder, pact=world_pact)
    [item] = [i for i in read_repository_lenient(folder).indicators if i.id == "3-4-1"]
    want = measure_indicator(item)
    after = IndicatorResult.objects.get(indicator__pact=world_pact, indicator__code="3-4-1")
    assert want.status == "deterioration"
    assert (after.status, after.score) == (want.status, pytest.approx(want.score))
