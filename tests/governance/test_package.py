"""The Bologna bodies come from the package's governance/bodies.csv."""

from __future__ import annotations

from patto.governance.models import Body
from patto.pact.services import pact_load_package


def test_bologna_bodies_are_loaded_with_their_parties(bologna):
    bodies = {b.code: b for b in Body.objects.filter(pact=bologna)}
    assert set(bodies) == {"tavolo-patto", "gdl-1", "gdl-2", "gdl-3", "tavolo-salvaguardia",
                           "tavolo-inclusione"}
    table = bodies["tavolo-patto"]
    assert table.kind == "table"
    assert table.members.count() == bologna.memberships.count()
    assert table.members.get(role="chair").party.code == "citta-metropolitana-bologna"
    assert bodies["gdl-1"].working_group.code == "gdl-1"
    assert bodies["gdl-1"].members.count() == bodies["gdl-1"].working_group.members.count()
    assert bodies["tavolo-salvaguardia"].is_example


def test_a_second_load_changes_nothing(bologna, package_copy):
    result = pact_load_package(path=package_copy)
    assert result.created.get("bodies", 0) == 0
    assert result.updated.get("bodies", 0) == 0


def test_an_unknown_party_is_refused_with_its_place(bologna, package_copy):
    import pytest

    from patto.core.errors import ApplicationError

    path = package_copy / "governance" / "bodies.csv"
    text = path.read_text(encoding="utf-8").replace("cna-bologna;", "nessuno;")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ApplicationError) as exc:
        pact_load_package(path=package_copy)
    assert any("nessuno" in p.detail and p.row == 6 for p in exc.value.problems)
