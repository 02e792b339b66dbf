"""The projects' map (same filters as the list, a table of the same counts, places drawn as
points), the procedural steps' download (CUP, planned against actual, delays, formula-safe
cells) and the stored roll-up on the project, cluster and challenge pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation

from patto.pact.models import Territory
from patto.projects import services
from patto.projects.models import Milestone, ProcedureStep, Project, ProjectPlace
from tests.projects.conftest import make_project

#: Filter menus (4), the default pact, the counts by territory, the points, the totals.
MAP_QUERIES = 8


@pytest.fixture(autouse=True)
def _italian_by_default():
    # A request to an /en/ page leaves English active in the thread: each test starts in
    # the site's language.
    with translation.override("it"):
        yield


def en(obj) -> str:
    """The English address of a page."""
    with translation.override("en"):
        return obj.get_absolute_url()


def test_map_counts_projects_by_territory_with_the_lists_filters(client, bologna):
    response = client.get("/en/progetti/mappa/", {"cluster": "1"})
    assert response.status_code == 200
    counts = {t.code: t.count for t in response.context["map"].territories}
    expected = {}
    for p in Project.objects.filter(cluster__code="1"):
        for t in p.territories.all():
            expected[t.code] = expected.get(t.code, 0) + 1
    assert counts == expected
    html = response.content.decode()
    # The table is the map's alternative; its links keep the filters.
    assert 'data-testid="map-table"' in html
    if expected:
        code = next(iter(expected))
        assert f"cluster=1&amp;territory={code}" in html
    # The list links to the map with the same filters, and back.
    assert "/en/progetti/?cluster=1" in html
    assert (
        "/en/progetti/mappa/?cluster=1"
        in client.get("/en/progetti/", {"cluster": "1"}).content.decode()
    )


def test_map_shows_points_and_says_what_has_no_place(client, bologna):
    project = make_project(bologna, "2", "rigenerazione-parco")
    ProjectPlace.objects.create(
        project=project,
        name="Parco del Navile",
        latitude=Decimal("44.52"),
        longitude=Decimal("11.33"),
    )
    unplaced = make_project(bologna, "2", "senza-luogo")
    response = client.get("/en/progetti/mappa/", {"cluster": "2"})
    data = response.context["map"]
    assert [p["title"] for p in data.points] == [project.title]
    assert data.points[0]["url"] == en(project)
    located = {
        p.pk
        for p in Project.objects.filter(cluster__code="2")
        if p.territories.exists() or p.places.exists()
    }
    assert unplaced.pk not in located
    assert data.without_place == Project.objects.filter(cluster__code="2").count() - len(located)
    assert "Parco del Navile" in response.content.decode()


def test_map_queries_do_not_grow_with_projects(client, bologna, django_assert_num_queries):
    with django_assert_num_queries(MAP_QUERIES):
        client.get("/progetti/mappa/", {"cluster": "1"})
    places = list(Territory.objects.filter(kind="municipality")[:5])
    for n in range(20):
        p = make_project(bologna, "1", f"sulla-mappa-{n}")
        p.territories.add(*places)
        ProjectPlace.objects.create(project=p, name=f"Sito {n}", latitude=44.5, longitude=11.3)
    with django_assert_num_queries(MAP_QUERIES):
        response = client.get("/progetti/mappa/", {"cluster": "1"})
    assert len(response.context["map"].points) == 20


def test_bad_filters_show_nothing_on_the_map(client, bologna):
    response = client.get("/progetti/mappa/", {"status": "nonsense"})
    assert response.context["map"].total == 0
    assert "status" in response.context["filter_errors"]


def steps_csv(client, **query) -> list[dict]:
    response = client.get("/en/progetti/fasi-procedurali/", {**query, "formato": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_procedural_steps_download_with_cup_delays_and_safe_cells(client, bologna):
    project = make_project(bologna, "2", "opera-pubblica", cup="J31B21000440001")
    other = make_project(bologna, "2", "altra-opera")
    ProcedureStep.objects.create(
        project=project,
        step="design",
        planned_start_on=dt.date(2022, 1, 1),
        planned_end_on=dt.date(2022, 6, 30),
        actual_start_on=dt.date(2022, 1, 10),
        actual_end_on=dt.date(2022, 7, 30),
        note='=HYPERLINK("http://x")',
    )
    ProcedureStep.objects.create(
        project=project,
        step="tender",
        planned_start_on=dt.date(2022, 8, 1),
        planned_end_on=dt.date(2099, 1, 1),
    )
    ProcedureStep.objects.create(project=other, step="works")
    rows = steps_csv(client, pact="bologna-2021", code="opera-pubblica")
    assert [r["step"] for r in rows] == ["design", "tender"]
    design, tender = rows
    assert design["cup"] == "J31B21000440001"
    assert design["step_label"] == "Design"
    assert (design["delay_days"], design["state"]) == ("30", "done")
    assert (tender["delay_days"], tender["state"]) == ("", "late_to_start")
    # A cell that a spreadsheet would run as a formula is written as text.
    assert design["note"].startswith("'=")
    everything = steps_csv(client)
    assert {r["project"] for r in everything} >= {"opera-pubblica", "altra-opera"}


def test_procedural_steps_download_in_xlsx(client, bologna):
    import openpyxl

    project = make_project(bologna, "2", "opera-xlsx", cup="J31B21000440001")
    ProcedureStep.objects.create(project=project, step="award")
    response = client.get("/progetti/fasi-procedurali/", {"code": "opera-xlsx", "formato": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][:5] == ("pact", "project", "project_title", "cup", "step")
    assert rows[1][1] == "opera-xlsx" and rows[1][3] == "J31B21000440001"


def test_sheet_explains_the_roll_up_and_links_the_steps(client, bologna, staff):
    project = make_project(bologna, "1", "con-traguardi")
    project = services.project_change(
        project=project,
        user=staff,
        expected_version=project.version,
        progress_method=Project.ProgressMethod.MILESTONES,
    )
    phase = Milestone(project=project, title="Progettazione", weight=1)
    services.project_records_change(
        project=project, user=staff, model_name="milestone", saved=[phase]
    )
    kids = [Milestone(project=project, parent=phase, title=f"Passo {n}") for n in range(4)]
    services.project_records_change(project=project, user=staff, model_name="milestone", saved=kids)
    services.project_records_change(
        project=project,
        user=staff,
        model_name="milestone",
        saved=[Milestone(project=project, title="Lavori", weight=1)],
    )
    # Three of the four steps reached, as an approved report would mark them.
    Milestone.objects.filter(pk__in=[k.pk for k in kids[:3]]).update(done_on=dt.date(2026, 3, 1))
    services.progress_refresh(projects=[project.pk])
    html = client.get(
        en(project)
    ).content.decode()
    assert "From its milestones and sub-projects" in html
    assert "50% of the weight: 3 of 4 milestones done" in html
    assert "50% of the weight: 0 of 1 milestone done" in html
    assert 'id="project-rollup-chart"' in html and 'id="project-rollup"' in html
    assert 'data-testid="milestones"' in html


def test_sheet_of_a_project_set_by_hand_says_so(client, bologna):
    project = Project.objects.get(code="patto-lavoro-occupazione")
    html = client.get(
        en(project)
    ).content.decode()
    assert "Set by hand, with a reason" in html


@pytest.mark.parametrize("kind", ["cluster", "challenge"])
def test_cluster_and_challenge_pages_show_the_stored_roll_up(
    client, bologna, kind, django_assert_max_num_queries
):
    group = (
        bologna.clusters.get(code="1")
        if kind == "cluster"
        else bologna.challenges.filter(projects__isnull=False).first()
    )
    url = en(group)
    with django_assert_max_num_queries(40):
        html = client.get(url).content.decode()
    assert 'data-testid="group-rollup"' in html
    stored = group.rollup
    projects = [p for p in group.projects.filter(parent__isnull=True) if p.status != "cancelled"]
    assert len(stored.parts) == len(projects)
    weights = sum(float(p.weight) for p in projects)
    assert stored.value == pytest.approx(
        sum(float(p.weight) * p.progress for p in projects) / weights
    )


STEPS_QUERIES = 5


def test_procedural_steps_page_in_fixed_queries(client, bologna, django_assert_num_queries):
    project = make_project(bologna, "2", "opera-pagina", cup="J31B21000440001")
    ProcedureStep.objects.create(
        project=project,
        step="works",
        planned_start_on=dt.date(2023, 1, 1),
        planned_end_on=dt.date(2023, 12, 31),
        actual_start_on=dt.date(2023, 2, 1),
        actual_end_on=dt.date(2024, 1, 30),
    )
    with django_assert_num_queries(STEPS_QUERIES):
        response = client.get("/en/progetti/fasi-procedurali/", {"cluster": "2"})
    html = response.content.decode()
    assert "J31B21000440001" in html and "30 days late" in html
    assert "cluster=2&amp;formato=csv" in html
    for n in range(10):
        other = make_project(bologna, "2", f"opera-{n}")
        ProcedureStep.objects.create(project=other, step="design")
    with django_assert_num_queries(STEPS_QUERIES):
        response = client.get("/en/progetti/fasi-procedurali/", {"cluster": "2"})
    assert len(response.context["rows"]) == 11
