"""Loading boundaries from GeoJSON: matched by ISTAT code, all or nothing."""

from __future__ import annotations

import json

import pytest

from patto.core.errors import ApplicationError
from patto.pact.models import Territory
from patto.pact.services import territory_load_boundaries
from tests.conftest import BOUNDARIES


def test_all_municipalities_have_a_boundary(bologna):
    assert Territory.objects.filter(kind="municipality", boundary__isnull=False).count() == 55


def test_reloading_changes_nothing(bologna):
    summary = territory_load_boundaries(path=BOUNDARIES,
                                        source="ISTAT, elaborazione openpolis (CC BY)")
    assert summary == {"updated": 0, "skipped": 0, "features": 55}


def test_feature_without_code_is_refused_whole(bologna, tmp_path):
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    original = Territory.objects.get(istat_code=collection["features"][0]["properties"][
        "com_istat_code"]).boundary
    collection["features"][0]["geometry"]["coordinates"] = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    del collection["features"][1]["properties"]["com_istat_code"]
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(ApplicationError) as info:
        territory_load_boundaries(path=broken)
    assert [(p.row, p.field) for p in info.value.problems] == [
        (2, "properties.com_istat_code")]
    first = Territory.objects.get(
        istat_code=collection["features"][0]["properties"]["com_istat_code"])
    assert first.boundary == original


def test_not_geojson_is_refused(db, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ApplicationError, match=r"bad\.geojson"):
        territory_load_boundaries(path=bad)
