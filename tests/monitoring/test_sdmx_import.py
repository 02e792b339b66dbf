"""SDMX-CSV imports match ISTAT and NUTS 2021 codes to territories (real ISTAT, Eurostat files)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from patto.core.errors import ApplicationError
from patto.monitoring.models import ImportBatch
from patto.monitoring.services import sdmx_import

ENGINE_FILES = Path(__file__).parent.parent / "engine" / "files"
WORLD = ENGINE_FILES / "sdmx-world"


@pytest.fixture
def indicator(bologna):
    return bologna.indicators.get(code="8-5-2")


def imported(indicator):
    """The values SDMX imports brought (the package's agenda has others)."""
    return indicator.observations.filter(batch__kind="sdmx")


def test_bologna_package_gives_the_metropolitan_city_its_nuts_code(bologna):
    assert bologna.territory.nuts_code == "ITH55"
    assert bologna.territory.istat_code == "037"


def test_nuts_2021_codes_map_to_territories(indicator, tmp_path):
    path = tmp_path / "eurostat.csv"
    path.write_text(
        "DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        "ESTAT:X(1.0),23/04/24 23:00:00,A,PC,ITH55,2019,74.9,\n"
        "ESTAT:X(1.0),23/04/24 23:00:00,A,PC,ith55,2020,73.6,p\n", encoding="utf-8")
    assert sdmx_import(path=path, indicator=indicator) == {"created": 2, "revised": 0,
                                                           "unchanged": 0}
    rows = imported(indicator).order_by("year")
    assert [(o.year, o.value, o.territory.code, o.geocode) for o in rows] == [
        (2019, Decimal("74.9"), "037", "ITH55"), (2020, Decimal("73.6"), "037", "ith55")]


def test_real_istat_file_refuses_unknown_regions_with_their_rows(indicator):
    with pytest.raises(ApplicationError) as info:
        sdmx_import(path=WORLD / "istat_popstrbil1_itd55.csv", indicator=indicator)
    problems = info.value.problems
    # Italy (rows 2-11) and Emilia-Romagna (rows 12-21) are no territory of the pact;
    # Bologna's ITD55 (rows 22-31) is the metropolitan city's ITH55.
    assert [p.row for p in problems] == list(range(2, 22))
    assert {(p.field, p.code) for p in problems} == {("REF_AREA", "unknown-area")}
    assert problems[10].params == {"cell": "ITD5"}
    assert not imported(indicator).exists()


def test_real_istat_file_imports_bologna_when_the_others_are_skipped(indicator):
    summary = sdmx_import(path=WORLD / "istat_popstrbil1_itd55.csv", indicator=indicator,
                          skip_unknown_areas=True)
    assert summary == {"created": 10, "revised": 0, "unchanged": 0, "skipped": 20}
    births = imported(indicator).filter(series__contains="DATA_TYPE=FLBIRTH") \
        .order_by("year")
    assert [(o.year, o.value) for o in births] == [
        (2019, Decimal("1689")), (2020, Decimal("1559")), (2021, Decimal("1512")),
        (2022, Decimal("1336")), (2023, Decimal("1272"))]
    assert {o.territory.code for o in imported(indicator)} == {"037"}
    assert {o.geocode for o in imported(indicator)} == {"ITD55"}
    batch = ImportBatch.objects.get(kind="sdmx")
    assert len(batch.summary["warnings"]) == 20
    assert batch.summary["warnings"][0].startswith("istat_popstrbil1_itd55.csv, row 2")


def test_real_eurostat_file_reports_an_unknown_nuts_code_by_row(indicator):
    with pytest.raises(ApplicationError) as info:
        sdmx_import(path=WORLD / "eurostat_lfst_r_lfe2emprt_itg1.csv", indicator=indicator)
    problems = info.value.problems
    assert [p.row for p in problems] == list(range(2, 29))
    assert {(p.field, p.code, p.params["cell"]) for p in problems} == {
        ("geo", "unknown-area", "ITG1")}
    assert "NUTS 2021" in problems[0].detail


def test_import_sdmx_command_writes_values_and_lists_skipped_rows(indicator, tmp_path, capsys):
    path = tmp_path / "istat.csv"
    shutil.copy(WORLD / "istat_popstrbil1_itd55.csv", path)
    with translation.override("en"), pytest.raises(CommandError, match=r"istat\.csv, row 2,"):
        call_command("import-sdmx", str(path), "--indicator", "8-5-2")
    assert not imported(indicator).exists()
    call_command("import-sdmx", str(path), "--indicator", "8-5-2", "--skip-unknown-areas")
    out, err = capsys.readouterr()
    assert out.splitlines() == ["created: 10", "revised: 0", "unchanged: 0", "skipped: 20"]
    assert err.count("skipped: istat.csv, row") == 20
    deaths = imported(indicator).get(year=2021, series__contains="DATA_TYPE=FDEATH")
    assert (deaths.value, deaths.territory.name) == (Decimal("231"),
                                                     "Città metropolitana di Bologna")
