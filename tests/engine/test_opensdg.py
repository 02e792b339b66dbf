"""Open SDG folders read exactly, write back byte for byte, and refuse broken files by place."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.engine.opensdg import (
    IndicatorFile,
    Observation,
    build_indicator,
    headline,
    read_repository,
    read_repository_lenient,
    series_key,
    write_repository,
)
from patto.engine.problems import InputError

GOOD = Path(__file__).parent / "files" / "opensdg" / "good"
POVERTY = "Persone a rischio di povertà"


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def by_id(indicators: list[IndicatorFile]) -> dict[str, IndicatorFile]:
    return {i.id: i for i in indicators}


@pytest.fixture
def repo(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(GOOD, copy)
    return copy


def problems_of(path):
    with pytest.raises(InputError) as info:
        read_repository(path)
    return info.value.problems


def set_line(path: Path, row: int, text: str) -> None:
    """Replace spreadsheet row ``row`` (the header is row 1) of a CSV file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[row - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- reading


def test_reads_the_three_indicators_in_natural_order():
    indicators = read_repository(GOOD)
    assert [i.id for i in indicators] == ["1-2-1", "8-5-2", "11-6-2"]


def test_series_units_geocode_and_disaggregation_are_parsed():
    poverty = by_id(read_repository(GOOD))["1-2-1"]
    assert poverty.columns == ("Year", "Series", "Units", "GeoCode", "Sex", "Value")
    first = poverty.observations[0]
    assert first == Observation(
        year=2015, value=Decimal("12.50"), series=POVERTY, units="Percentuale",
        geocode="037", disaggregation=(), row=2)
    assert str(first.value) == "12.50"  # the text's digits are kept
    women = [o for o in poverty.observations if o.disaggregation == (("Sex", "Femmine"),)]
    assert [(o.year, o.value, o.row) for o in women] == [
        (2015, Decimal("13.4"), 6), (2016, Decimal("13.0"), 7), (2018, Decimal("12.0"), 8)]
    assert poverty.meta["source_organisation_1"] == "ISTAT"
    assert poverty.config == {}
    assert poverty.progress_options == []


def test_blank_values_are_skipped_and_rows_keep_their_number():
    poverty = by_id(read_repository(GOOD))["1-2-1"]
    assert 4 not in [o.row for o in poverty.observations]  # 2017 has no value
    assert len(poverty.observations) == 11
    minimal = by_id(read_repository(GOOD))["8-5-2"]
    assert [(o.year, o.value, o.row) for o in minimal.observations] == [
        (2018, Decimal("5.6"), 2), (2019, Decimal("5.1"), 3), (2021, Decimal("4.8"), 5),
        (2022, Decimal("4.30"), 6)]
    assert minimal.observations[0].series is None
    assert minimal.observations[0].geocode is None
    assert minimal.meta == {} and minimal.config == {}
    assert set(minimal.raw) == {"data/indicator_8-5-2.csv"}


def test_headline_and_series_key():
    poverty = by_id(read_repository(GOOD))["1-2-1"]
    total = headline(poverty.observations)
    assert [(o.geocode, o.year) for o in total] == [
        ("037", 2015), ("037", 2016), ("037", 2018), ("037006", 2015), ("037006", 2018)]
    keys = {series_key(o) for o in poverty.observations}
    assert (POVERTY, "Percentuale", "037", (("Sex", "Maschi"),)) in keys
    assert len(keys) == 4


def test_meta_config_and_progress_options():
    air = by_id(read_repository(GOOD))["11-6-2"]
    assert air.meta["national_geographical_coverage"] == "Città metropolitana di Bologna"
    assert air.config["auto_progress_calculation"] is True
    assert air.progress_options == [
        {"direction": "negative", "base_year": 2015, "target_year": 2030, "target": 10},
        {"unit": "µg/m³", "direction": "negative", "base_year": 2016, "limit": 0.5},
    ]
    assert set(air.raw) == {
        "data/indicator_11-6-2.csv", "meta/11-6-2.yml", "indicator-config/11-6-2.yml"}
    assert air.raw["indicator-config/11-6-2.yml"] == (
        GOOD / "indicator-config" / "11-6-2.yml").read_bytes()


def test_progress_options_fall_back_to_meta(repo):
    (repo / "meta" / "8-5-2.yml").write_text(
        "progress_calculation_options:\n- direction: positive\n", encoding="utf-8")
    minimal = by_id(read_repository(repo))["8-5-2"]
    assert minimal.progress_options == [{"direction": "positive"}]


def test_attributes_after_value_are_not_disaggregations(repo):
    (repo / "data" / "indicator_8-5-2.csv").write_text(
        "Year,Sex,Value,COMMENT_OBS\n2019,,5.1,stima\n2019,Femmine,6.0,\n", encoding="utf-8")
    minimal = by_id(read_repository(repo))["8-5-2"]
    total, women = minimal.observations
    assert total.disaggregation == () and total.attributes == (("COMMENT_OBS", "stima"),)
    assert women.disaggregation == (("Sex", "Femmine"),) and women.attributes == ()
    assert headline(minimal.observations) == [total]


# --------------------------------------------------------------------------- round trip


def test_round_trip_is_byte_identical(tmp_path):
    out = tmp_path / "out"
    write_repository(read_repository(GOOD), out)
    assert files_under(out) == files_under(GOOD)


def test_round_trip_keeps_bom_crlf_quotes_and_comments(repo, tmp_path):
    odd = (b"\xef\xbb\xbfYear,\"Sex\",Value\r\n2019,,\"5.10\"\r\n2019,Femmine,6\r\n"
           b"2020,,\r\n")
    (repo / "data" / "indicator_8-5-2.csv").write_bytes(odd)
    (repo / "indicator-config" / "8-5-2.yml").write_bytes(
        b"# commento\nreporting_status:   complete   # allineato\n")
    out = tmp_path / "out"
    indicators = read_repository(repo)
    minimal = by_id(indicators)["8-5-2"]
    assert minimal.columns == ("Year", "Sex", "Value")
    assert minimal.observations[0].value == Decimal("5.10")
    write_repository(indicators, out)
    assert files_under(out) == files_under(repo)


def test_changed_content_is_serialised_again(tmp_path):
    indicators = by_id(read_repository(GOOD))
    minimal = indicators["8-5-2"]
    changed = replace(
        minimal,
        observations=(*minimal.observations, Observation(
            year=2023, value=Decimal("4.1"), series=None, units=None, geocode=None,
            disaggregation=(), row=0)),
        config={"reporting_status": "complete"},
    )
    air = indicators["11-6-2"]
    air = replace(air, meta={**air.meta, "source_organisation_1": "ARPAE"})
    out = tmp_path / "out"
    write_repository([changed, air, indicators["1-2-1"]], out)
    assert (out / "data" / "indicator_8-5-2.csv").read_text(encoding="utf-8") == (
        "Year,Value\n2018,5.6\n2019,5.1\n2021,4.8\n2022,4.30\n2023,4.1\n")
    assert (out / "indicator-config" / "8-5-2.yml").read_text(encoding="utf-8") == (
        "reporting_status: complete\n")
    assert yaml.safe_load((out / "meta" / "11-6-2.yml").read_text(encoding="utf-8"))[
        "source_organisation_1"] == "ARPAE"
    # Unchanged files of a changed indicator keep their bytes.
    assert (out / "indicator-config" / "11-6-2.yml").read_bytes() == (
        GOOD / "indicator-config" / "11-6-2.yml").read_bytes()
    again = by_id(read_repository(out))
    assert again["8-5-2"].observations[-1].value == Decimal("4.1")


def test_write_refuses_the_same_indicator_twice(tmp_path):
    minimal = by_id(read_repository(GOOD))["8-5-2"]
    with pytest.raises(InputError) as info:
        write_repository([minimal, minimal], tmp_path / "out")
    [problem] = info.value.problems
    assert (problem.file, problem.code) == ("data/indicator_8-5-2.csv", "duplicate-indicator")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- building


def observations_of_a_database():
    def obs(year, value, sex=None, geocode="037"):
        return Observation(
            year=year, value=Decimal(value), series=POVERTY, units="Percentuale",
            geocode=geocode, disaggregation=(("Sex", sex),) if sex else (), row=0)
    return [obs(2018, "10.5", "Maschi"), obs(2015, "12.50"), obs(2018, "11.25"),
            obs(2015, "13.4", "Femmine"), obs(2015, "14.8", geocode="037006")]


COLUMNS = ("Year", "Series", "Units", "GeoCode", "Sex", "Value")
CONFIG = {
    "reporting_status": "complete",
    "auto_progress_calculation": True,
    "progress_calculation_options": [
        {"direction": "negative", "base_year": 2015, "target_year": 2030,
         "target": Decimal("9.5")}],
}


def test_build_indicator_is_deterministic_and_reads_back(tmp_path):
    first = build_indicator("1-2-1", COLUMNS, observations_of_a_database(),
                            {"indicator_name": "Povertà"}, CONFIG)
    second = build_indicator("1-2-1", COLUMNS, reversed(observations_of_a_database()),
                             {"indicator_name": "Povertà"}, CONFIG)
    assert first.raw == second.raw
    assert first.raw["data/indicator_1-2-1.csv"].decode("utf-8") == (
        "Year,Series,Units,GeoCode,Sex,Value\n"
        f"2015,{POVERTY},Percentuale,037,,12.50\n"
        f"2018,{POVERTY},Percentuale,037,,11.25\n"
        f"2015,{POVERTY},Percentuale,037,Femmine,13.4\n"
        f"2018,{POVERTY},Percentuale,037,Maschi,10.5\n"
        f"2015,{POVERTY},Percentuale,037006,,14.8\n")
    assert first.raw["meta/1-2-1.yml"].decode("utf-8") == "indicator_name: Povertà\n"
    assert "target: 9.5\n" in first.raw["indicator-config/1-2-1.yml"].decode("utf-8")

    one, two = tmp_path / "one", tmp_path / "two"
    write_repository([first], one)
    write_repository([second], two)
    assert files_under(one) == files_under(two)
    [back] = read_repository(one)
    assert back.observations == first.observations
    assert back.columns == first.columns
    assert back.progress_options[0]["target"] == 9.5
    assert back.meta == {"indicator_name": "Povertà"}
    write_repository([back], tmp_path / "three")
    assert files_under(tmp_path / "three") == files_under(one)


def test_build_indicator_without_meta_writes_no_yaml(tmp_path):
    built = build_indicator("8-5-2", ("Year", "Value"), [Observation(
        2019, Decimal("5.1"), None, None, None, (), 0)], {}, {})
    assert set(built.raw) == {"data/indicator_8-5-2.csv"}
    write_repository([built], tmp_path)
    assert files_under(tmp_path) == {"data/indicator_8-5-2.csv": b"Year,Value\n2019,5.1\n"}


def test_build_indicator_refuses_what_it_cannot_write():
    observations = [*observations_of_a_database(), observations_of_a_database()[1]]
    with pytest.raises(InputError) as info:
        build_indicator("1-2-1", ("Year", "Series", "Value"), observations, {}, {})
    problems = {(p.code, p.field) for p in info.value.problems}
    assert ("missing-column", "Units") in problems
    assert ("missing-column", "GeoCode") in problems
    assert ("missing-column", "Sex") in problems
    assert ("duplicate-row", "Year") in problems
    assert all(p.file == "data/indicator_1-2-1.csv" for p in info.value.problems)
    with pytest.raises(InputError) as info:
        build_indicator("../evil", ("Year", "Value"), [], {}, {})
    assert info.value.problems[0].code == "bad-id"


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.decimals(allow_nan=False, allow_infinity=False),
       year=st.integers(min_value=1000, max_value=9999))
def test_any_decimal_reads_back_equal(tmp_path_factory, value, year):
    out = tmp_path_factory.mktemp("prop")
    built = build_indicator("17-1-1", ("Year", "Value"), [Observation(
        year, value, None, None, None, (), 0)], {}, {})
    write_repository([built], out)
    [back] = read_repository(out)
    [observation] = back.observations
    assert observation.value == value
    assert str(observation.value) == str(value)
    assert observation.year == year


# --------------------------------------------------------------------------- broken


def test_bad_year_names_file_row_and_column(repo):
    set_line(repo / "data" / "indicator_1-2-1.csv", 3,
             f"Q1 2016,{POVERTY},Percentuale,037,,12.1")
    [problem] = problems_of(repo)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "data/indicator_1-2-1.csv", 3, "Year", "bad-year")
    assert "four-digit" in problem.detail


@pytest.mark.parametrize("label", ["2016-Q1", "2016 Q1", "2016/2017", "2016-17"])
def test_year_with_suffix_or_range_reads_its_first_four_digits(repo, label):
    set_line(repo / "data" / "indicator_1-2-1.csv", 3,
             f"{label},{POVERTY},Percentuale,037,,12.1")
    poverty = by_id(read_repository(repo))["1-2-1"]
    [row] = [o for o in poverty.observations if o.row == 3]
    assert (row.year, row.year_label, row.period) == (2016, label, label)


@pytest.mark.parametrize("cell", ["Inf", "-inf", "NaN", "Infinity"])
def test_non_finite_value_is_skipped_with_a_warning(repo, cell):
    set_line(repo / "data" / "indicator_8-5-2.csv", 3, f"2019,{cell}")
    reading = read_repository_lenient(repo)
    assert reading.problems == []
    minimal = {i.id: i for i in reading.indicators}["8-5-2"]
    assert 3 not in [o.row for o in minimal.observations]
    assert [(w.file, w.row, w.field, w.code) for w in minimal.warnings] == [
        ("data/indicator_8-5-2.csv", 3, "Value", "non-finite-value"),
        ("data/indicator_8-5-2.csv", 4, "Value", "empty-value")]  # the fixture's blank row
    assert [o.row for o in minimal.unvalued] == [3, 4]


def test_a_problem_keeps_only_its_indicator_out_when_reading_leniently(repo):
    set_line(repo / "data" / "indicator_8-5-2.csv", 3, "2019,n.d.")
    reading = read_repository_lenient(repo)
    assert [(p.file, p.code) for p in reading.problems] == [
        ("data/indicator_8-5-2.csv", "bad-value")]
    assert "8-5-2" not in {i.id for i in reading.indicators}
    assert {"1-2-1", "11-6-2"} <= {i.id for i in reading.indicators}


def test_yaml_with_byte_order_mark_and_missing_files_are_read(repo):
    config = repo / "indicator-config" / "11-6-2.yml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    for folder in ("meta", "indicator-config"):
        for path in (repo / folder).glob("8-5-2.yml"):
            path.unlink()
    indicators = by_id(read_repository(repo))
    assert indicators["11-6-2"].progress_options
    assert indicators["8-5-2"].settings == {}


def test_bad_value_names_file_row_and_column(repo):
    set_line(repo / "data" / "indicator_8-5-2.csv", 3, "2019,5,1")
    set_line(repo / "data" / "indicator_8-5-2.csv", 5, "2021,n.d.")
    problems = problems_of(repo)
    assert [(p.file, p.row, p.field, p.code) for p in problems] == [
        ("data/indicator_8-5-2.csv", 3, None, "wrong-cell-count"),
        ("data/indicator_8-5-2.csv", 5, "Value", "bad-value"),
    ]
    (repo / "data" / "indicator_8-5-2.csv").write_text(
        "Year;Value\n2019;5,1\n", encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.row, problem.code) == (1, "wrong-separator")


def test_decimal_comma_is_explained(repo):
    (repo / "data" / "indicator_8-5-2.csv").write_text(
        'Year,Value\n2019,"5,1"\n', encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.row, problem.field, problem.code) == (2, "Value", "bad-value")
    assert "5.1" in problem.detail


def test_missing_value_column(repo):
    (repo / "data" / "indicator_8-5-2.csv").write_text(
        "Year,value\n2019,5.1\n", encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "data/indicator_8-5-2.csv", 1, "Value", "missing-column")
    assert "rename column 'value'" in problem.detail


def test_bad_yaml_names_the_line(repo):
    (repo / "meta" / "1-2-1.yml").write_text(
        "indicator_number: 1.2.1\nindicator_name: [Quota\nsource: ISTAT\n", encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.file, problem.code) == ("meta/1-2-1.yml", "bad-yaml")
    assert problem.row is not None and problem.row >= 2


def test_yaml_that_is_not_a_mapping(repo):
    (repo / "indicator-config" / "8-5-2.yml").write_text("- a\n- b\n", encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.file, problem.code) == ("indicator-config/8-5-2.yml", "not-a-mapping")


def test_bad_progress_options_name_the_setting(repo):
    config = repo / "indicator-config" / "11-6-2.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "direction: negative\n  base_year: 2016", "direction: negatve\n  base_year: 2016"),
        encoding="utf-8")
    [problem] = problems_of(repo)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "indicator-config/11-6-2.yml", 12, "progress_calculation_options[1].direction",
        "bad-progress-option")


def test_duplicate_row_names_both_rows(repo):
    path = repo / "data" / "indicator_1-2-1.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write(f"2016,{POVERTY},Percentuale,037,Femmine,13.1\n")
    poverty = by_id(read_repository(repo))["1-2-1"]
    [warning] = [w for w in poverty.warnings if w.code == "duplicate-row"]
    assert (warning.file, warning.row) == ("data/indicator_1-2-1.csv", 14)
    assert warning.params["first_row"] == 7
    assert 14 not in [o.row for o in poverty.observations]
    assert 14 in [o.row for o in poverty.unvalued]  # set aside, still seen by the progress


def test_bad_file_name_suggests_the_right_one(repo):
    shutil.copy(repo / "data" / "indicator_8-5-2.csv", repo / "data" / "8.5.1.csv")
    [problem] = problems_of(repo)
    assert (problem.file, problem.code) == ("data/8.5.1.csv", "bad-file-name")
    assert "indicator_8-5-1.csv" in problem.detail


def test_all_problems_are_reported_at_once(repo):
    set_line(repo / "data" / "indicator_1-2-1.csv", 2, f"2015,{POVERTY},Percentuale,037,,x")
    set_line(repo / "data" / "indicator_11-6-2.csv", 4, "duemila,µg/m³,16.9")
    (repo / "data" / "indicator.csv").write_text("Year,Value\n", encoding="utf-8")
    (repo / "meta" / "8-5-2.yml").write_text("a: [\n", encoding="utf-8")
    problems = problems_of(repo)
    assert sorted((p.file, p.code) for p in problems) == [
        ("data/indicator.csv", "bad-file-name"),
        ("data/indicator_1-2-1.csv", "bad-value"),
        ("data/indicator_11-6-2.csv", "bad-year"),
        ("meta/8-5-2.yml", "bad-yaml"),
    ]


def test_missing_data_folder(tmp_path):
    [problem] = problems_of(tmp_path)
    assert (problem.file, problem.code) == ("data", "missing-folder")


def test_not_utf8_names_the_row(repo):
    (repo / "data" / "indicator_8-5-2.csv").write_bytes(
        b"Year,Sex,Value\n2019,,5.1\n2019,Propriet\xe0,4\n")
    [problem] = problems_of(repo)
    assert (problem.file, problem.row, problem.code) == (
        "data/indicator_8-5-2.csv", 3, "encoding-error")


def test_short_row_is_read_with_blank_cells_at_its_end(repo):
    path = repo / "data" / "indicator_1-2-1.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("2030,Persone in povertà\n")
    poverty = by_id(read_repository(repo))["1-2-1"]
    [warning] = [w for w in poverty.warnings if w.code == "short-row"]
    assert warning.row == 14
    # Its Value cell is among the missing ones: the row is set aside as an empty value.
    assert [w.code for w in poverty.warnings if w.row == 14] == ["short-row", "empty-value"]


def test_data_files_are_those_sdg_build_reads(repo):
    """sdg-build's default ``data/*-*.csv``: any such name is an indicator, its id the name
    without ``indicator_``; a name the pattern misses is left out (a strict read refuses it)."""
    shutil.copy(repo / "data" / "indicator_8-5-2.csv", repo / "data" / "archived-8-5-2.csv")
    shutil.copy(repo / "data" / "indicator_8-5-2.csv", repo / "data" / "indicator_8.csv")
    reading = read_repository_lenient(repo)
    archived = next(i for i in reading.indicators if i.id == "archived-8-5-2")
    assert archived.data_path == "data/archived-8-5-2.csv"
    assert "8" not in {i.id for i in reading.indicators}
    assert [p.file for p in reading.ignored] == ["data/indicator_8.csv"]
    assert not reading.problems
    (repo / "config_data.yml").write_text(
        "inputs:\n- class: InputCsvData\n  path_pattern: data/*.csv\n", encoding="utf-8")
    reading = read_repository_lenient(repo)
    assert "8" in {i.id for i in reading.indicators} and not reading.ignored
