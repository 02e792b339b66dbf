"""The package reader refuses a broken package with every problem's file, row and field."""

from __future__ import annotations

import pytest

from patto.engine.datapackage import read_package
from patto.engine.pact_package import check_pact_package, tax_code_is_valid
from patto.engine.problems import InputError
from tests.conftest import PACKAGE, edit_csv


def problems_of(path):
    with pytest.raises(InputError) as info:
        read_package(path)
    return info.value.problems


def test_bologna_package_reads_with_all_its_rows():
    data = read_package(PACKAGE)
    assert len(data.tables["parties"]) == 52
    assert len(data.tables["challenges"]) == 14
    assert len([t for t in data.tables["territories"] if t["kind"] == "municipality"]) == 55
    assert check_pact_package(data) == []


def test_missing_file_is_named(package_copy):
    (package_copy / "clusters.csv").unlink()
    problems = problems_of(package_copy)
    assert any(p.file == "clusters.csv" and p.code == "scheme-error" for p in problems)


def test_missing_descriptor_says_what_to_pass(tmp_path):
    problems = problems_of(tmp_path)
    assert problems[0].code == "missing-descriptor"
    assert "datapackage.json" in problems[0].detail


def test_wrong_type_names_row_and_field(package_copy):
    edit_csv(package_copy / "pacts.csv", 2, "signed_on", "13/01/2021")
    [problem] = problems_of(package_copy)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "pacts.csv", 2, "signed_on", "type-error")
    assert "YYYY-MM-DD" in problem.detail


def test_bad_value_for_enumeration(package_copy):
    edit_csv(package_copy / "pact_parties.csv", 5, "role", "observer")
    [problem] = problems_of(package_copy)
    assert (problem.file, problem.row, problem.field) == ("pact_parties.csv", 5, "role")
    assert problem.code == "constraint-error"


def test_unknown_reference_names_the_field(package_copy):
    edit_csv(package_copy / "parties.csv", 3, "category", "no-such-category")
    [problem] = problems_of(package_copy)
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "parties.csv", 3, "category", "foreign-key")


def test_duplicate_key_is_refused(package_copy):
    path = package_copy / "clusters.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    problems = problems_of(package_copy)
    assert any(p.code == "primary-key" and p.row == len(lines) + 1 and p.field == "pact, code"
               for p in problems)


def test_every_problem_is_reported_not_only_the_first(package_copy):
    edit_csv(package_copy / "pacts.csv", 2, "signed_on", "yesterday")
    edit_csv(package_copy / "territories.csv", 4, "population", "many")
    files = {p.file for p in problems_of(package_copy)}
    assert files == {"pacts.csv", "territories.csv"}


def test_overlapping_memberships_are_refused(package_copy):
    data = read_package(package_copy)
    rows = data.tables["territory_memberships"]
    budrio = [r for r in rows if r["territory"] == "037008"]
    assert len(budrio) == 2  # Terre di Pianura until 2020, no union since 2021
    later = next(r for r in budrio if r["start_on"])
    edit_csv(package_copy / "territory_memberships.csv", later["_row"], "start_on",
             "2020-06-01")
    problems = check_pact_package(read_package(package_copy))
    assert [(p.file, p.row, p.code) for p in problems] == [
        ("territory_memberships.csv", later["_row"], "overlapping-membership")]


def test_tax_code_check_digit():
    assert tax_code_is_valid("01232710374")  # Comune di Bologna
    assert not tax_code_is_valid("01232710375")
    assert not tax_code_is_valid("12345")


def test_bad_tax_code_in_package(package_copy):
    data = read_package(package_copy)
    row = next(r for r in data.tables["parties"] if r["tax_code"])
    edit_csv(package_copy / "parties.csv", row["_row"], "tax_code", "01232710375")
    problems = check_pact_package(read_package(package_copy))
    assert [(p.row, p.field, p.code) for p in problems] == [
        (row["_row"], "tax_code", "bad-tax-code")]


def test_two_promoters_are_refused(package_copy):
    edit_csv(package_copy / "pact_parties.csv", 3, "role", "promoter")
    problems = check_pact_package(read_package(package_copy))
    assert [(p.file, p.field, p.code) for p in problems] == [
        ("pacts.csv", "id", "promoter-count")]


def test_unknown_cluster_in_a_list_cell(package_copy):
    edit_csv(package_copy / "challenges.csv", 2, "clusters", "1;9")
    problems = check_pact_package(read_package(package_copy))
    assert [(p.file, p.row, p.field, p.code) for p in problems] == [
        ("challenges.csv", 2, "clusters", "unknown-cluster")]


def test_missing_markdown_text(package_copy):
    (package_copy / "texts" / "cluster-2.md").unlink()
    problems = check_pact_package(read_package(package_copy))
    assert [(p.file, p.field, p.code) for p in problems] == [
        ("clusters.csv", "text_file", "missing-text")]
