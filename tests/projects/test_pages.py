"""Project pages: list with filters and progress, the sheet, print and PDF, no query per row."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from patto.pact import selectors as pact_selectors
from patto.projects.models import Project


def test_load_pact_counts_projects_and_activities(bologna):
    counts = pact_selectors.pact_counts(bologna)
    assert counts["projects"] == Project.objects.filter(pact=bologna).count() == 14
    assert counts["activities"] > 0


def test_every_emergency_action_is_a_project(bologna):
    actions = set(bologna.emergency_actions.values_list("pk", flat=True))
    done = set(Project.objects.filter(pact=bologna).values_list("emergency_action", flat=True))
    assert actions <= done


def test_2015_sheet_holds_its_real_activities(db):
    project = Project.objects.get(pact__code="bologna-2015", code="patto-lavoro-occupazione")
    assert [a.done_on.isoformat() for a in project.completed_activities.all()] == [
        "2014-04-10", "2015-04-29"]
    event = project.events.get()
    assert (event.held_on.isoformat(), event.participants) == ("2015-04-13", 100)
    assert project.planned_activities.count() == 4
    assert project.links.count() == 4


@pytest.mark.parametrize("query", [
    {}, {"cluster": "1"}, {"status": "in_progress"}, {"horizon": "emergency"},
    {"party": "citta-metropolitana-bologna"}, {"territory": "037"}, {"challenge": "1"},
    {"q": "talenti"},
])
def test_list_filters(client, bologna, query, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/progetti/", query)
    assert response.status_code == 200
    html = response.content.decode()
    expected = Project.objects.all()
    if "cluster" in query:
        expected = expected.filter(cluster__code=query["cluster"])
    if "status" in query:
        expected = expected.filter(status=query["status"])
    if "horizon" in query:
        expected = expected.filter(horizon=query["horizon"])
    for project in expected[:5]:
        if not query.get("territory") and not query.get("challenge") and not query.get("q") \
                and not query.get("party"):
            assert project.get_absolute_url() in html
    assert html.count("<progress") == len(response.context["projects"])


def test_sheet_page_has_every_part_and_bounded_queries(client, db,
                                                       django_assert_max_num_queries):
    url = Project.objects.get(code="patto-lavoro-occupazione").get_absolute_url()
    with django_assert_max_num_queries(25):
        response = client.get(url)
    html = response.content.decode()
    for heading in ("Descrizione del progetto", "Referenti del progetto", "Attori coinvolti",
                    "Attività previste", "Attività svolte", "Criticità riscontrate",
                    "Fattori di successo", "Focus sulle attività svolte"):
        assert heading in html, heading
    assert "Patrizia Paganini" not in html  # referents' names are personal data
    assert "Palazzo Malvezzi" in html


def test_print_view_and_pdf(client, db):
    project = Project.objects.get(code="patto-lavoro-occupazione")
    printable = client.get(f"/progetti/bologna-2015/{project.code}/stampa/")
    assert printable.status_code == 200 and b"sheet.css" in printable.content
    response = client.get(f"/progetti/bologna-2015/{project.code}/scheda.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "OCCUPAZIONE" in text.upper() and "100" in text
