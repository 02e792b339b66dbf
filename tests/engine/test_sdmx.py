"""SDMX-CSV from ISTAT and Eurostat reads into observations; broken files are refused by place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from patto.engine.problems import InputError
from patto.engine.sdmx import SdmxObservation, area_codes, read_sdmx_csv

FILES = Path(__file__).parent / "files" / "sdmx"


def problems_of(path):
    with pytest.raises(InputError) as info:
        read_sdmx_csv(path)
    return info.value.problems


def test_istat_file_with_itter107_codes():
    observations = read_sdmx_csv(FILES / "istat_itter107.csv")
    assert len(observations) == 7
    first = observations[0]
    assert first == SdmxObservation(
        dataflow="IT1:22_289(1.0)",
        dimensions=(("FREQ", "A"), ("ITTER107", "037006"), ("SEXISTAT1", "9"),
                    ("TIPO_DATO15", "JAN")),
        area="037006", period="2019", year=2019, value=Decimal("390636"), status=None,
        unit="NUM", row=2)
    bologna = [(o.year, o.value, o.status) for o in observations if o.area == "037006"]
    assert bologna == [(2019, Decimal("390636"), None), (2020, Decimal("395416"), None),
                       (2021, Decimal("387971"), "P")]
    missing = observations[5]
    assert (missing.area, missing.year, missing.value) == ("037001", 2021, None)
    metro = observations[6]
    assert (metro.area, metro.value, metro.status) == ("037", Decimal("1011291.0"), "E")
    assert str(metro.value) == "1011291.0"
    # Recognised attributes (UNIT_MULT, NOTE_*) are not dimensions.
    assert "UNIT_MULT" not in dict(metro.dimensions)
    assert "NOTE_TIPO_DATO15" not in dict(metro.dimensions)


def test_eurostat_file_with_geo_and_quarters():
    observations = read_sdmx_csv(FILES / "eurostat_geo.csv")
    assert [o.area for o in observations] == ["IT", "ITH5", "ITH5", "ITH55", "ITH5", "ITH5"]
    first = observations[0]
    assert first.dataflow == "ESTAT:SDG_08_30(1.0)"
    assert first.dimensions == (("freq", "A"), ("geo", "IT"), ("unit", "PC"))
    assert (first.value, first.status, first.unit) == (Decimal("63.5"), None, None)
    assert observations[2].status == "b"  # OBS_FLAG when there is no OBS_STATUS
    assert observations[3].value is None
    quarter = observations[4]
    assert (quarter.period, quarter.year, quarter.value, quarter.row) == (
        "2020-Q1", 2020, Decimal("5.1"), 6)


def test_sdmx_csv_2_with_labels_semicolons_bom_and_decimal_commas():
    observations = read_sdmx_csv(FILES / "sdmx2_labels.csv")
    assert len(observations) == 3  # the delete row is not an observation
    first, second, third = observations
    assert first.dataflow == "IT1:150_915(1.0)"
    assert first.dimensions == (("DATA_TYPE", "EMP_R"), ("FREQ", "A"), ("REF_AREA", "ITH55"))
    assert (first.area, first.value, first.status, first.unit) == (
        "ITH55", Decimal("74.9"), None, "PC")
    assert (second.value, second.status) == (Decimal("73.6"), "P")
    assert (third.period, third.year, third.status, third.row) == ("2021-03", 2021, "E", 4)


def test_sdmx_csv_2_without_labels(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
        "dataflow,ESTAT:NA_MAIN(1.6.0),I,A,IT,2019-S1,-1.5E+3\n", encoding="utf-8")
    [observation] = read_sdmx_csv(path)
    assert observation.dataflow == "ESTAT:NA_MAIN(1.6.0)"
    assert observation.dimensions == (("FREQ", "A"), ("REF_AREA", "IT"))
    assert (observation.year, observation.value) == (2019, Decimal("-1.5E+3"))


def test_no_area_column_gives_none(tmp_path):
    path = tmp_path / "national.csv"
    path.write_text("DATAFLOW,FREQ,TIME_PERIOD,OBS_VALUE\nX:Y(1.0),A,2020,1\n",
                    encoding="utf-8")
    [observation] = read_sdmx_csv(path)
    assert observation.area is None


def test_bad_obs_value_names_row_and_field(tmp_path):
    path = tmp_path / "broken.csv"
    text = (FILES / "istat_itter107.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",390636,", ",390.636 ab,").replace(",12355,", ",n.d.,"),
                    encoding="utf-8")
    problems = problems_of(path)
    assert [(p.file, p.row, p.field, p.code) for p in problems] == [
        ("broken.csv", 2, "OBS_VALUE", "bad-value"),
        ("broken.csv", 6, "OBS_VALUE", "bad-value"),
    ]
    assert "NaN" in problems[0].detail


def test_decimal_comma_with_comma_separator_is_explained(tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text('DATAFLOW,TIME_PERIOD,OBS_VALUE\nX:Y(1.0),2020,"12,5"\n', encoding="utf-8")
    [problem] = problems_of(path)
    assert (problem.row, problem.field, problem.code) == (2, "OBS_VALUE", "bad-value")
    assert "12.5" in problem.detail


def test_missing_time_period_column(tmp_path):
    path = tmp_path / "no_time.csv"
    path.write_text("DATAFLOW,FREQ,ITTER107,OBS_VALUE\nIT1:22_289(1.0),A,037006,1\n",
                    encoding="utf-8")
    [problem] = problems_of(path)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "no_time.csv", 1, "TIME_PERIOD", "missing-column")


def test_missing_dataflow_and_value_columns(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text("FREQ,TIME_PERIOD\nA,2020\n", encoding="utf-8")
    problems = problems_of(path)
    assert [(p.field, p.code) for p in problems] == [
        ("DATAFLOW", "missing-column"), ("OBS_VALUE", "missing-column")]


def test_bad_period_blank_dataflow_and_duplicates(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(
        "DATAFLOW;ITTER107: Territorio;TIME_PERIOD;OBS_VALUE\n"
        "IT1:1(1.0);037006: Bologna;2019;1\n"
        "IT1:1(1.0);037006: Bologna;anno 2020;2\n"
        ";037006;2021;3\n"
        "IT1:1(1.0);037006;2019;4\n"
        "IT1:1(1.0);037006;2022\n",
        encoding="utf-8")
    problems = problems_of(path)
    assert [(p.row, p.field, p.code) for p in problems] == [
        (3, "TIME_PERIOD", "bad-period"),
        (4, "DATAFLOW", "missing-dataflow"),
        (5, "TIME_PERIOD", "duplicate-observation"),
        (6, None, "wrong-cell-count"),
    ]
    assert problems[2].params["first_row"] == 2


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"DATAFLOW,ITTER107,TIME_PERIOD,OBS_VALUE\nX,037063,2020,1\nX,Forl\xec,2020,2\n")
    [problem] = problems_of(path)
    assert (problem.file, problem.row, problem.code) == ("latin1.csv", 3, "encoding-error")
    [problem] = problems_of(tmp_path / "absent.csv")
    assert problem.code == "missing-file"


def test_separator_follows_structure_even_when_labels_have_commas(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        'STRUCTURE;STRUCTURE_ID;"REF_AREA: Territorio, comune";TIME_PERIOD;'
        "OBS_VALUE: Valore, euro\n"
        "dataflow;IT1:1(1.0);037006: Bologna;2020;1,5\n", encoding="utf-8")
    [observation] = read_sdmx_csv(path)
    assert (observation.area, observation.value) == ("037006", Decimal("1.5"))


WORLD = Path(__file__).parent / "files" / "sdmx-world"


def test_real_istat_file_reads_values_years_and_areas():
    observations = read_sdmx_csv(WORLD / "istat_popstrbil1_itd55.csv")
    assert len(observations) == 30
    assert {o.dataflow for o in observations} == {"IT1:29_316_DF_DCIS_POPSTRBIL1_1(1.0)"}
    assert [o.area for o in observations[::5]] == ["IT", "IT", "ITD5", "ITD5", "ITD55", "ITD55"]
    births = {o.year: o.value for o in observations
              if o.area == "ITD55" and dict(o.dimensions)["DATA_TYPE"] == "FLBIRTH"}
    assert births == {2019: Decimal("1689"), 2020: Decimal("1559"), 2021: Decimal("1512"),
                      2022: Decimal("1336"), 2023: Decimal("1272")}
    first = observations[0]
    assert first.dimensions == (("DATA_TYPE", "FDEATH"), ("FREQ", "A"), ("REF_AREA", "IT"),
                                ("SEX", "9"))
    assert (first.period, first.value, first.status, first.unit, first.row) == (
        "2019", Decimal("7431"), None, None, 2)


def test_real_eurostat_file_reads_values_flags_and_nuts2_area():
    observations = read_sdmx_csv(WORLD / "eurostat_lfst_r_lfe2emprt_itg1.csv")
    assert len(observations) == 27
    assert {o.area for o in observations} == {"ITG1"}
    assert [o.year for o in observations] == list(range(1999, 2026))
    by_year = {o.year: (o.value, o.status) for o in observations}
    assert by_year[1999] == (Decimal("43.1"), None)
    assert by_year[2004] == (Decimal("47.8"), "b")
    assert by_year[2025] == (Decimal("51.4"), None)
    assert observations[0].period == "1999-01-01"
    assert observations[0].dimensions == (("age", "Y20-64"), ("freq", "A"), ("geo", "ITG1"),
                                          ("sex", "T"), ("unit", "PC"))


@pytest.mark.parametrize(("code", "expected"), [
    ("ITH55", ("ITH55",)),
    ("ITD55", ("ITD55", "ITH55")),  # ISTAT's ITTER107 keeps NUTS 2006 letters
    ("ITE43", ("ITE43", "ITI43")),
    ("ith5", ("ith5", "ITH5")),
    ("ITC11", ("ITC11",)),
    ("037006", ("037006",)),
    ("ITDXX_1", ("ITDXX_1",)),  # not a NUTS code: no translation
])
def test_area_codes_give_nuts_2021_for_istat_codes(code, expected):
    assert area_codes(code) == expected
