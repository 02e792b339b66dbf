"""The pact as signed (issue 11): names, verbatim titles, every emergency action, and where each
inferred value comes from, held and shown."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from patto.core.errors import ApplicationError
from patto.engine.pact_package import format_basis, parse_basis
from patto.pact.models import (
    Challenge,
    Cluster,
    EmergencyAction,
    PactParty,
    Party,
    WorkingGroupMember,
)
from patto.pact.services import pact_load_package
from tests.conftest import PACKAGE_2015

# Engine -------------------------------------------------------------------------------------


def test_basis_cells_parse_and_format_back():
    assert parse_basis("inferred: perché sì") == ("inferred", "perché sì")
    assert parse_basis("source: Patto, cap. 3") == ("source", "Patto, cap. 3")
    assert parse_basis("Example") == ("example", "")
    assert format_basis(*parse_basis("inferred: a: b")) == "inferred: a: b"


def test_empty_basis_defaults_to_source_or_example():
    assert parse_basis(None) == ("source", "")
    assert parse_basis("  ", example=True) == ("example", "")


@pytest.mark.parametrize("cell", ["guessed: x", "inferred", "inferred:  "])
def test_bad_basis_is_refused_with_the_fix(cell):
    with pytest.raises(ValueError, match=r"basis|reasoning"):
        parse_basis(cell)


# Registry as loaded --------------------------------------------------------------------------


def test_party_names_are_as_signed_with_the_official_name_apart(bologna):
    acer = Party.objects.get(code="acer-bologna")
    assert acer.name == "Acer"
    assert acer.legal_name == "ACER Bologna - Azienda Casa Emilia-Romagna"
    assert acer.other_name == acer.legal_name
    assert Party.objects.get(code="hera").name == "Gruppo HERA"
    assert Party.objects.get(code="confindustria-emilia").name == "Confindustria Emilia Centro"
    cgil = Party.objects.get(code="cgil-bologna")
    assert cgil.name == "CGIL BOLOGNA" and cgil.other_name == ""


def test_every_party_name_appears_in_the_pact_text(bologna):
    from pathlib import Path

    # The PDF's text breaks long names across lines: compare with the lines joined.
    text = " ".join(
        Path("/work/shared/seeds/001_f2c4438f7558f18c.txt")
        .read_text(encoding="utf-8")
        .split("# indice")[0]
        .split()
    )
    missing = [p.name for p in bologna.parties.all() if p.name not in text]
    assert missing == []


def test_challenge_titles_are_verbatim_with_short_labels(bologna):
    two = Challenge.objects.get(pact=bologna, code="2")
    assert two.title.endswith("minimizzazione della pressione antropica sui sistemi ambientali")
    assert two.short_label and two.label == two.short_label
    eight = Challenge.objects.get(pact=bologna, code="8")
    assert "per dare nuove opportunità alle giovani generazioni" in eight.title
    one = Challenge.objects.get(pact=bologna, code="1")
    assert one.short_label == "" and one.label == one.title


def test_cluster_2_summary_says_material_and_immaterial(bologna):
    assert "materiale e immateriale" in Cluster.objects.get(pact=bologna, code="2").summary


def test_every_emergency_action_of_chapter_3(bologna):
    actions = EmergencyAction.objects.filter(pact=bologna)
    assert actions.count() == 10
    assert "scheda di attività n. 40" in actions.get(code="ea-10").title


def test_inferred_values_carry_their_reasoning(bologna):
    coordinators = WorkingGroupMember.objects.filter(
        working_group__pact=bologna, role="coordinator"
    )
    assert {m.basis for m in coordinators} == {"inferred"}
    assert all(m.basis_note for m in coordinators)
    members = WorkingGroupMember.objects.filter(working_group__pact=bologna, role="member")
    assert {m.basis for m in members} == {"example"} and all(m.is_example for m in members)
    assert set(Challenge.objects.filter(pact=bologna).values_list("links_basis", flat=True)) == {
        "inferred"
    }
    signed_2015 = PactParty.objects.filter(pact__code="bologna-2015")
    assert signed_2015.get(party__code="cciaa-bologna").basis == "source"
    assert signed_2015.filter(basis="inferred").count() == 18


def test_the_2015_title_follows_the_city_s_announcement(bologna):
    from patto.pact.models import Pact

    assert (
        Pact.objects.get(code="bologna-2015").title
        == "Patto metropolitano per il lavoro e lo sviluppo economico e sociale"
    )


# Pages ---------------------------------------------------------------------------------------


def test_party_page_shows_both_names(client, bologna):
    html = client.get("/soggetti/hera/").content.decode()
    assert "Gruppo HERA" in html and "Hera S.p.A. (Gruppo Hera)" in html
    html = client.get("/soggetti/cgil-bologna/").content.decode()
    assert 'data-testid="legal-name"' not in html


def test_signatories_of_2015_show_their_inferred_basis(client, bologna):
    html = client.get("/soggetti/cgil-imola/").content.decode()
    assert 'data-basis="inferred"' in html and "ricostruito dai firmatari" in html


def test_cluster_page_flags_inferred_coordinators_and_empty_clusters(client, bologna):
    html = client.get("/patti/bologna-2021/cluster/2/").content.decode()
    assert 'data-basis="inferred"' in html and 'data-basis="example"' in html
    assert 'data-testid="no-projects"' in html
    html = client.get("/patti/bologna-2021/cluster/1/").content.decode()
    assert 'data-testid="no-projects"' not in html and "/progetti/" in html


def test_challenge_page_flags_its_links(client, bologna):
    html = client.get("/patti/bologna-2021/sfide/7/").content.decode()
    assert 'data-testid="links-basis"' in html and "attribuzione redazionale" in html
    assert "decollo della sanità territoriale" in html


def test_territory_page_lists_its_projects_in_exact_queries(
    client, bologna, django_assert_num_queries
):
    with django_assert_num_queries(TERRITORY_QUERIES):
        html = client.get("/territorio/037/").content.decode()
    listed = html[html.find('data-testid="territory-projects"') :]
    assert "/progetti/bologna-2021/reshoring/" in listed
    assert "/progetti/bologna-2015/irma/" in listed


TERRITORY_QUERIES = 6


# Packages older than the columns ---------------------------------------------------------


def _drop_column(root, resource: str, column: str) -> None:
    path = root / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index(column)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([r[:at] + r[at + 1 :] for r in rows])
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        if r["name"] == resource:
            r["schema"]["fields"] = [f for f in r["schema"]["fields"] if f["name"] != column]
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def test_a_package_without_basis_columns_still_loads(bologna, tmp_path):
    root = tmp_path / "old"
    shutil.copytree(PACKAGE_2015, root)
    for resource, column in [
        ("pact_parties", "basis"),
        ("projects", "status_basis"),
        ("projects", "lead_party_basis"),
        ("project_parties", "basis"),
        ("parties", "legal_name"),
        ("events", "organiser"),
    ]:
        _drop_column(root, resource, column)
    Party.objects.filter(code="cciaa-bologna").update(legal_name="Camera di commercio (prova)")
    pact_load_package(path=root)
    roles = PactParty.objects.filter(pact__code="bologna-2015")
    assert set(roles.values_list("basis", flat=True)) == {"source"}
    # A package without legal names leaves the ones another package gave.
    assert Party.objects.get(code="cciaa-bologna").legal_name == "Camera di commercio (prova)"


def test_a_bad_basis_cell_refuses_the_package_with_its_place(bologna, tmp_path):
    from tests.conftest import edit_csv

    root = tmp_path / "bad"
    shutil.copytree(PACKAGE_2015, root)
    edit_csv(root / "pact_parties.csv", 3, "basis", "inferred")
    with pytest.raises(ApplicationError) as caught:
        pact_load_package(path=root)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("pact_parties.csv", 3, "basis")
