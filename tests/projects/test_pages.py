"""Project pages: list with filters and progress, the sheet, print and PDF, no query per row."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.db.models import Q
from pypdf import PdfReader

from patto.pact import selectors as pact_selectors
from patto.projects.models import Project, ProjectParty


def test_load_pact_counts_projects_and_activities(bologna):
    counts = pact_selectors.pact_counts(bologna, full=True)
    assert counts["projects"] == Project.objects.filter(pact=bologna).count() == 15
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


def _expected(query: dict) -> set[str]:
    """The rows a query must give, worked out by plain lookups apart from the filter set."""
    projects = Project.objects.all()
    if "cluster" in query:
        projects = projects.filter(cluster__code=query["cluster"])
    if "status" in query:
        projects = projects.filter(status=query["status"])
    if "horizon" in query:
        projects = projects.filter(horizon=query["horizon"])
    if "territory" in query:
        # The territory and every place in it, as the reference tree has them.
        from django.utils import timezone

        from patto.pact.models import Territory
        from patto.pact.selectors import territory_tree

        root = Territory.objects.get(code=query["territory"])
        tree = territory_tree(root=root, on=timezone.localdate())
        within = {root.pk} | {n.territory.pk for n in tree.municipalities} | {
            g.territory.pk for g in tree.groups}
        projects = projects.filter(Q(territories__in=within)
                                   | Q(places__territory__in=within)).distinct()
    if "challenge" in query:
        projects = projects.filter(challenges__code=query["challenge"])
    if "q" in query:
        projects = projects.filter(Q(title__icontains=query["q"])
                                   | Q(summary__icontains=query["q"]))
    codes = {(p.pact.code, p.code) for p in projects.select_related("pact")}
    if "party" in query:
        lead = {(p.pact.code, p.code) for p in Project.objects.filter(
            lead_party__code=query["party"]).select_related("pact")}
        involved = {(i.project.pact.code, i.project.code) for i in ProjectParty.objects.filter(
            party__code=query["party"]).select_related("project__pact")}
        codes &= lead | involved
    return codes


FILTERS = [
    {"cluster": "1"}, {"status": "in_progress"}, {"horizon": "emergency"},
    {"party": "unibo"}, {"party": "confindustria-emilia"},
    {"territory": "037"}, {"challenge": "1"}, {"q": "talenti"},
    {"party": "confindustria-emilia", "horizon": "emergency"},
]


@pytest.fixture
def unibo_leads(bologna):
    """A project led by the university, which the package only names as a partner."""
    from patto.pact.models import Party
    from tests.projects.conftest import make_project

    project = make_project(bologna, "2", "guidato-da-unibo")
    project.lead_party = Party.objects.get(code="unibo")
    project.save()
    return project


@pytest.mark.parametrize("query", FILTERS)
def test_each_filter_gives_exactly_its_rows(client, unibo_leads, query):
    expected = _expected(query)
    assert 0 < len(expected) < Project.objects.count(), "the case must filter something"
    response = client.get("/progetti/", query)
    assert response.status_code == 200
    rows = [(p.pact.code, p.code) for p in response.context["projects"]]
    assert len(rows) == len(set(rows)), "a project listed twice"
    assert set(rows) == expected
    html = response.content.decode()
    for project in response.context["projects"]:
        assert project.get_absolute_url() in html
    assert html.count("<progress") == len(rows)


def test_party_filter_gives_both_the_projects_led_and_those_joined(client, unibo_leads):
    response = client.get("/progetti/", {"party": "unibo"})
    listed = {p.code for p in response.context["projects"]}
    joined = set(ProjectParty.objects.filter(party__code="unibo")
                 .values_list("project__code", flat=True))
    assert joined and unibo_leads.code not in joined
    assert listed == joined | {unibo_leads.code}


def test_party_filter_keeps_projects_the_party_is_involved_in_but_does_not_lead(client,
                                                                               bologna):
    partnerships = ProjectParty.objects.filter(party__code="confindustria-emilia")
    assert partnerships.exists()
    assert not Project.objects.filter(lead_party__code="confindustria-emilia").exists()
    response = client.get("/progetti/", {"party": "confindustria-emilia"})
    listed = {p.pk for p in response.context["projects"]}
    assert listed == {i.project_id for i in partnerships}
    # The party can be chosen in the menu although it leads nothing.
    assert 'value="confindustria-emilia"' in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", [{}, *FILTERS])
def test_downloads_hold_the_same_filtered_rows(client, unibo_leads, query, fmt):
    response = client.get("/progetti/", {**query, "formato": fmt})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
        header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(header, r, strict=False)) for r in values]
    assert sorted((r["pact"], r["code"]) for r in rows) == sorted(
        _expected(query) if query else {(p.pact.code, p.code) for p in
                                        Project.objects.select_related("pact")})


def test_an_invalid_filter_shows_nothing_and_says_why(client, bologna):
    response = client.get("/progetti/", {"status": "finito"})
    assert list(response.context["projects"]) == []
    assert "status" in response.context["filter_errors"]


@pytest.mark.parametrize("query", [{}, *FILTERS])
def test_list_queries_do_not_grow_with_rows(client, bologna, query, django_assert_num_queries):
    # Menus (clusters, challenges, parties, territories) and the rows: one query
    # each, whatever the number of projects; the session adds none for a visitor.
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get("/progetti/", query).status_code == 200


def test_list_queries_stay_the_same_with_more_projects(client, bologna,
                                                       django_assert_num_queries):
    from tests.projects.conftest import make_project

    for number in range(30):
        project = make_project(bologna, "1", f"extra-{number}")
        project.territories.add(*bologna.projects.get(code="attrazione-talenti")
                                .territories.all())
        ProjectParty.objects.create(project=project, party=project.lead_party, role="lead")
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/progetti/", {"party": "citta-metropolitana-bologna"})


def test_list_pages_by_fifty_keeping_the_filters(client, bologna, django_assert_num_queries):
    from tests.projects.conftest import make_project

    for number in range(60):
        make_project(bologna, "1", f"extra-{number:02}")
    query = {"cluster": "1"}
    with django_assert_num_queries(LIST_QUERIES):
        first = client.get("/progetti/", query)
    total = first.context["page"].paginator.count
    assert total >= 60 + bologna.projects.filter(cluster__code="1").count() - 60 > 50
    with django_assert_num_queries(LIST_QUERIES):
        second = client.get("/progetti/", {**query, "pagina": 2})
    one, two = list(first.context["projects"]), list(second.context["projects"])
    assert len(one) == 50 and len(two) == total - 50 and not set(one) & set(two)
    html = first.content.decode()
    assert "cluster=1&amp;pagina=2" in html and "cluster=1&amp;formato=csv" in html
    assert "pagina=1" in second.content.decode()
    rows = list(csv.DictReader(io.StringIO(
        client.get("/progetti/", {**query, "pagina": 2, "formato": "csv"})
        .getvalue().decode("utf-8"))))
    assert len(rows) == total


LIST_QUERIES = 6


def test_sheet_page_has_every_part_and_bounded_queries(client, db,
                                                       django_assert_max_num_queries):
    url = Project.objects.get(code="patto-lavoro-occupazione").get_absolute_url()
    # 26 before the milestones, places and sub-projects of the sheet (issue 11); one more
    # for national monitoring's record (OpenCoesione's panel).
    with django_assert_max_num_queries(30):
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


@pytest.mark.parametrize(("values", "target", "shown", "bar"), [
    # (year, value) from the baseline on; target (value, base year); share worked out by hand.
    ([(2020, 40), (2022, 55), (2024, 70)], (100, 2020), "50%", 50),   # 30 of 60
    ([(2019, 200), (2023, 175)], (100, 2019), "25%", 25),             # lower is better
    ([(2018, 10), (2024, 40)], (30, 2018), "150%", 100),              # overshot: bar full
    ([(2016, 5), (2020, 9), (2024, 8)], (13, 2020), "-25%", 0),       # base year 2020: -1/4
    ([(2020, 1), (2024, 2)], None, None, None),                       # no target: no share
])
def test_sheet_shows_the_share_of_each_indicators_target(client, people, values, target, shown,
                                                          bar):
    from patto.monitoring.models import Indicator, Observation, Target

    indicator = Indicator.objects.create(pact=people.pact, code="p-prova", name="Persone accolte",
                                         level=Indicator.Level.PROJECT, project=people.own)
    from patto.monitoring.services import observation_key

    for year, value in values:
        Observation.objects.create(indicator=indicator, year=year, value=value,
                                   value_text=str(value), key=observation_key())
    if target:
        Target.objects.create(indicator=indicator, value=target[0], year=2030,
                              base_year=target[1])
    from patto.monitoring.assessments import assessments_refresh

    assessments_refresh(indicators=[indicator])  # as monitoring's services do on each write
    html = client.get(people.own.get_absolute_url()).content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"[^\"]+\">Persone accolte</a>.*?</tr>",
                    html, re.S)
    assert row, "the indicator's row is missing"
    row = row[0]
    if shown is None:
        assert "<progress" not in row and re.search(r"<td>—</td>\s*</tr>$", row)
    else:
        assert f'<progress class="flex-grow-1" value="{bar}" max="100"' in row
        assert f"<span>{shown}</span>" in row


def test_the_territory_filter_takes_a_name_and_a_larger_area_holds_its_places(
        client, bologna, monkeypatch):
    """At national scale the menu would list thousands of places: above a bound it becomes a
    text box (a name, with the larger areas suggested), and a union, province or region
    lists the projects of the places in it, those placed by a point only too."""
    from patto.pact.models import Territory, TerritoryMembership
    from patto.projects import selectors
    from patto.projects.models import ProjectPlace
    from tests.projects.conftest import make_project

    union = Territory.objects.get(code="unione-reno-galliera")
    town = TerritoryMembership.objects.filter(parent=union).first().territory
    pointed = make_project(bologna, "1", "solo-un-punto")
    ProjectPlace.objects.create(project=pointed, name="Piazza", latitude="44.49400",
                                longitude="11.34300", territory=town)
    html = client.get("/progetti/").content.decode()
    assert '<select id="f-territory" name="territory">' in html
    monkeypatch.setattr(selectors, "TERRITORY_MENU_MAX", 3)
    html = client.get("/progetti/").content.decode()
    assert 'name="territory" value="" list="f-territory-areas"' in html
    areas = re.findall(r'<option value="([^"]+)"></option>', html)
    assert union.name in areas and town.name not in areas
    by_name = client.get("/progetti/", {"territory": town.name.upper()})
    codes = {p.code for p in by_name.context["projects"]}
    assert "solo-un-punto" in codes
    assert codes == {c for _pact, c in _expected({"territory": town.code})}
    assert by_name.context["filters"]["territory"] == town.name.upper()
    in_union = {p.code for p in client.get("/progetti/", {"territory": union.name})
                .context["projects"]}
    assert "solo-un-punto" in in_union
    assert in_union == {c for _pact, c in _expected({"territory": union.code})}
    assert list(client.get("/progetti/", {"territory": "Atlantide"}).context["projects"]) == []
