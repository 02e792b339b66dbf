"""Loading a pact package: what it holds, idempotence, atomic refusal, history, dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from patto.core.errors import ApplicationError
from patto.pact import selectors
from patto.pact.models import Party, Territory
from patto.pact.services import pact_load_package
from tests.conftest import PACKAGE, edit_csv


def test_bologna_pact_holds_what_the_sources_list(bologna):
    counts = selectors.pact_counts(bologna)
    assert counts["parties"] == 52
    assert counts["promoters"] == 1
    assert counts["signatories"] == 51
    assert counts["municipalities"] == 55
    assert counts["unions"] == 6
    assert counts["districts"] == 1
    assert counts["clusters"] == 3
    assert counts["challenges"] == 14
    assert counts["working_groups"] == 3
    assert counts["emergency_actions"] == 10  # ch. 3, with the regional activity sheet n. 40
    assert counts["instruments"] == 4
    assert counts["table_duties"] == 5
    assert counts["municipalities_with_boundaries"] == 55
    assert selectors.pact_promoter(bologna).code == "citta-metropolitana-bologna"


def test_second_load_changes_nothing(bologna):
    before = Party.history.count()
    result = pact_load_package(path=PACKAGE)
    assert not result.changed
    assert Party.history.count() == before


def test_a_load_reads_the_rows_there_by_scope_not_one_query_per_row(bologna):
    """A national package has tens of thousands of rows: the writer reads a table's rows of
    a scope (the pact, a project) at once, not each row with its own query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = pact_load_package(path=PACKAGE)
    rows = sum(result.unchanged.values())
    assert rows > 5000 and not result.changed
    assert len(queries.captured_queries) < rows / 5


def test_command_prints_what_the_pact_holds(db, capsys):
    call_command("load-pact", str(PACKAGE))
    out = capsys.readouterr().out
    assert "nothing changed" in out
    for line in ("parties: 52", "promoters: 1", "signatories: 51", "municipalities: 55",
                 "unions: 6", "clusters: 3", "challenges: 14", "working groups: 3"):
        assert line in out.splitlines()


@pytest.mark.parametrize(("file", "row", "field", "value"), [
    ("challenges.csv", 3, "sdgs", "4;18"),  # caught by the package checks
    ("parties.csv", 4, "website", "not a url"),  # caught by model validation while writing
])
def test_broken_package_writes_nothing(bologna, package_copy, file, row, field, value):
    # A valid change in one file and an error in another: neither may land.
    edit_csv(package_copy / "parties.csv", 2, "name", "Renamed on purpose")
    edit_csv(package_copy / file, row, field, value)
    with pytest.raises(ApplicationError) as info:
        pact_load_package(path=package_copy)
    assert [(p.file, p.row, p.field) for p in info.value.problems] == [(file, row, field)]
    assert not Party.objects.filter(name="Renamed on purpose").exists()


def test_command_refuses_with_the_place(db, package_copy):
    edit_csv(package_copy / "territories.csv", 5, "kind", "region")
    with pytest.raises(CommandError, match=r"territories.csv, riga 5, campo kind: il valore "
                                           r"«region» non rispetta il vincolo"):
        call_command("load-pact", str(package_copy))


def test_dry_run_writes_nothing(bologna, package_copy):
    edit_csv(package_copy / "parties.csv", 2, "short_name", "Dry run")
    result = pact_load_package(path=package_copy, dry_run=True)
    assert result.updated
    assert not Party.objects.filter(short_name="Dry run").exists()


def test_reload_records_who_changed_what(bologna, package_copy, staff):
    party = Party.objects.get(code="comune-bologna")
    edit_csv(package_copy / "parties.csv", 3, "short_name", "Comune BO")
    pact_load_package(path=package_copy, user=staff)
    party.refresh_from_db()
    assert party.short_name == "Comune BO"
    latest, previous = party.history.all()[:2]
    assert latest.history_user == staff
    assert previous.short_name != "Comune BO"
    assert latest.history_change_reason.startswith("load-pact")


def test_removed_rows_are_removed_for_that_pact(bologna, package_copy):
    path = package_copy / "table_duties.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    result = pact_load_package(path=package_copy)
    assert bologna.table_duties.count() == 4
    assert sum(result.deleted.values()) == 1


def test_union_membership_follows_the_date(bologna):
    budrio = Territory.objects.get(name="Budrio")
    before = selectors.territory_tree(root=bologna.territory, on=dt.date(2020, 12, 31))
    after = selectors.territory_tree(root=bologna.territory, on=bologna.signed_on)
    assert before.group_of(budrio).name == "Unione dei Comuni Terre di Pianura"
    assert after.group_of(budrio) is None
    assert len(before.municipalities) == len(after.municipalities) == 55


@pytest.mark.parametrize("on", [dt.date(2020, 12, 31), dt.date(2021, 1, 13)])
def test_one_municipalitys_place_in_one_query_agrees_with_the_tree(
        bologna, django_assert_num_queries, on):
    tree = selectors.territory_tree(root=bologna.territory, on=on)
    outside = Territory.objects.create(code="058091", name="Roma", kind="municipality")
    union = Territory.objects.filter(kind="union").first()
    for node in tree.municipalities:
        with django_assert_num_queries(1):
            place = selectors.municipality_place(
                root=bologna.territory, municipality_id=node.territory.pk, on=on)
        assert place.within
        expected = tree.group_of(node.territory)
        assert (place.group.pk if place.group else None) == (expected.pk if expected else None)
    for other in (outside, union):  # not under the root; not a municipality
        assert not selectors.municipality_place(root=bologna.territory,
                                                municipality_id=other.pk, on=on).within


def test_every_municipality_has_one_parent_on_the_pact_date(bologna):
    tree = selectors.territory_tree(root=bologna.territory, on=bologna.signed_on)
    grouped = sum(len(g.children) for g in tree.groups)
    assert grouped + len(tree.ungrouped) == 55


def test_tax_code_validator_rejects_bad_check_digit(bologna):
    from django.core.exceptions import ValidationError

    party = Party.objects.get(code="comune-bologna")
    party.tax_code = "01232710375"
    with pytest.raises(ValidationError, match="codice fiscale"):
        party.full_clean()


def test_territory_tree_takes_constant_queries(bologna, django_assert_max_num_queries):
    root = bologna.territory
    with django_assert_max_num_queries(2):
        tree = selectors.territory_tree(root=root, on=bologna.signed_on)
    assert len(tree.municipalities) == 55
