"""Sub-projects, milestones and points in the pact package and the projects exchange:
loaded through the package pipeline (all or nothing, faults placed), written back the same,
and a point's municipality stored when the point is saved."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest

from patto.core.errors import ApplicationError
from patto.core.exports import csv_text
from patto.engine.geo import area, contains, locate
from patto.pact.models import Territory
from patto.pact.services import pact_load_package
from patto.projects.exchange import COLUMNS, export_tables
from patto.projects.models import Milestone, Project, ProjectPlace, ProjectUpdate, ReportingRound
from patto.projects.schema import TABLES

# Piazza Maggiore (Bologna) and the Rocca Sforzesca (Imola).
BOLOGNA_POINT = ("44.49381", "11.34265")
IMOLA_POINT = ("44.35297", "11.71441")


def _write(root, resource: str, rows: list[dict]) -> None:
    """Append rows (by column name) to a package CSV."""
    path = root / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [[r.get(c, "") for c in header] for r in rows])


def _set(root, resource: str, code: str, **values: str) -> None:
    path = root / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0])
    for r in rows:
        if r["code"] == code:
            r.update(values)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _row_of(root, resource: str, **match: str) -> int:
    """The spreadsheet row number (header is 1) of the first record matching."""
    with (root / f"{resource}.csv").open(encoding="utf-8", newline="") as handle:
        for number, r in enumerate(csv.DictReader(handle), start=2):
            if all(r[k] == v for k, v in match.items()):
                return number
    raise AssertionError(match)


M = {"pact": "bologna-2021", "project": "polo-innovazione-appennino"}


@pytest.fixture
def rich_package(package_copy, bologna):
    root = package_copy
    _set(root, "projects", "reshoring", parent="polo-innovazione-appennino", weight="3")
    _set(root, "projects", "polo-innovazione-appennino", progress_method="milestones")
    _write(root, "milestones", [
        {**M, "title": "Sede", "weight": "2", "due_on": "2022-06-30", "done_on": "2022-05-02"},
        {**M, "title": "Laboratori", "weight": "1"},
        {**M, "title": "Attrezzature", "parent": "Laboratori", "due_on": "2023-01-31"},
        {**M, "title": "Personale", "parent": "Laboratori", "done_on": "2023-03-01"},
    ])
    _write(root, "project_places", [
        {**M, "name": "Sede del polo", "latitude": BOLOGNA_POINT[0],
         "longitude": BOLOGNA_POINT[1]},
        {**M, "name": "Laboratorio di Imola", "latitude": IMOLA_POINT[0],
         "longitude": IMOLA_POINT[1], "municipality": "037032"},
        {**M, "name": "Al largo", "latitude": "44.0", "longitude": "13.5"},
    ])
    return root


# The engine ------------------------------------------------------------------------------

def test_point_in_polygon_excludes_holes_and_other_parts():
    ring = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    donut = {"type": "Polygon", "coordinates": [ring, hole]}
    assert contains(donut, 0.5, 0.5) and not contains(donut, 2, 2)
    multi = {"type": "MultiPolygon", "coordinates": [[ring], [[[10, 10], [11, 10], [11, 11],
                                                              [10, 10]]]]}
    assert contains(multi, 10.9, 10.1) and not contains(multi, 7, 7)
    assert locate([area("a", donut), area("b", multi)], 10.9, 10.1) == "b"
    assert area("none", {"type": "Point", "coordinates": [0, 0]}) is None


# Loading ---------------------------------------------------------------------------------

def test_package_loads_parents_weights_milestones_and_points(rich_package):
    pact_load_package(path=rich_package)
    reshoring = Project.objects.get(pact__code="bologna-2021", code="reshoring")
    polo = reshoring.parent
    assert polo.code == "polo-innovazione-appennino" and reshoring.weight == Decimal("3")
    milestones = {m.title: m for m in polo.milestones.all()}
    assert milestones["Personale"].parent == milestones["Laboratori"]
    assert milestones["Sede"].done_on == dt.date(2022, 5, 2)
    assert milestones["Sede"].update is None  # the secretariat's initial record
    assert [m.position for m in polo.milestones.filter(parent=None)] == [1, 2]
    # Progress from milestones is the roll-up's: Sede 2/3 done, Laboratori 1/3 half done,
    # then the sub-project (reshoring, 0%, weight 3) beside them.
    assert polo.rollup.method == "milestones" and polo.rollup.value is not None
    places = {p.name: p for p in polo.places.select_related("territory")}
    assert places["Sede del polo"].territory.code == "037006"  # found from the boundaries
    assert places["Laboratorio di Imola"].territory.code == "037032"  # as the file says
    assert places["Al largo"].territory is None  # in the sea: no municipality


def test_second_load_changes_nothing(rich_package):
    pact_load_package(path=rich_package)
    again = pact_load_package(path=rich_package)
    assert not again.changed, (again.created, again.updated, again.deleted)


def test_load_export_load_gives_the_same_data(rich_package):
    pact_load_package(path=rich_package)
    projects = Project.objects.filter(pact__code="bologna-2021")
    first = export_tables(projects, personal=True)
    # Write the export as the package's own project tables, then load that.
    for table in TABLES:
        (rich_package / f"{table}.csv").write_text(
            csv_text(COLUMNS[table], [r for r in first[table]], defused=False),
            encoding="utf-8")
    result = pact_load_package(path=rich_package)
    assert not result.changed, (result.created, result.updated, result.deleted)
    assert export_tables(projects, personal=True) == first
    assert len(first["milestones"]) == 4 and len(first["project_places"]) == 3
    # Parents come before their parts in the file.
    assert [r[2] for r in first["milestones"]] == ["Sede", "Laboratori", "Attrezzature",
                                                   "Personale"]


def test_removing_rows_removes_them(rich_package):
    pact_load_package(path=rich_package)
    for table in ("milestones", "project_places"):
        path = rich_package / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n",
                        encoding="utf-8")
    _set(rich_package, "projects", "reshoring", parent="")
    pact_load_package(path=rich_package)
    polo = Project.objects.get(pact__code="bologna-2021", code="polo-innovazione-appennino")
    assert not polo.milestones.exists() and not polo.places.exists()
    assert not polo.subprojects.exists()


# Refusals: the place and the fix, nothing written ------------------------------------------

def _refused(root) -> tuple:
    before = (Milestone.objects.count(), ProjectPlace.objects.count(),
              Project.objects.filter(parent__isnull=False).count())
    with pytest.raises(ApplicationError) as caught:
        pact_load_package(path=root)
    assert (Milestone.objects.count(), ProjectPlace.objects.count(),
            Project.objects.filter(parent__isnull=False).count()) == before
    [problem] = caught.value.problems
    return problem


def test_unknown_parent_milestone_is_refused_with_its_place(rich_package):
    _write(rich_package, "milestones", [{**M, "title": "Orfana", "parent": "Nessuna"}])
    problem = _refused(rich_package)
    assert (problem.file, problem.field) == ("milestones.csv", "parent")
    assert problem.row == _row_of(rich_package, "milestones", title="Orfana")
    assert "'Nessuna' is not in milestones.csv" in problem.detail
    assert "empty the cell" in problem.detail


def test_a_project_inside_itself_is_refused(rich_package):
    _set(rich_package, "projects", "polo-innovazione-appennino", parent="reshoring")
    problem = _refused(rich_package)
    assert (problem.file, problem.field) == ("projects.csv", "parent")
    assert "cannot be part of itself" in problem.detail


def test_a_point_in_a_territory_that_is_no_municipality_is_refused(rich_package):
    _write(rich_package, "project_places", [{**M, "name": "Ovunque", "latitude": "44.5",
                                             "longitude": "11.3", "municipality": "037"}])
    problem = _refused(rich_package)
    assert (problem.file, problem.field, problem.row) == (
        "project_places.csv", "municipality",
        _row_of(rich_package, "project_places", name="Ovunque"))
    assert "not a municipality" in problem.detail


def test_a_bad_latitude_is_refused_by_the_schema(rich_package):
    _write(rich_package, "project_places", [{**M, "name": "Polo nord", "latitude": "95",
                                             "longitude": "11.3"}])
    problem = _refused(rich_package)
    assert (problem.file, problem.field) == ("project_places.csv", "latitude")


def test_a_milestone_done_by_a_report_keeps_its_date(rich_package, people):
    pact_load_package(path=rich_package)
    polo = Project.objects.get(pact__code="bologna-2021", code="polo-innovazione-appennino")
    reporting_round = ReportingRound.objects.create(
        pact=polo.pact, title="Giro 2023", opens_on=dt.date(2023, 1, 1),
        deadline=dt.date(2023, 12, 31), created_by=people.secretariat)
    update = ProjectUpdate.objects.create(round=reporting_round, project=polo,
                                          status="approved", proposed_status=polo.status,
                                          progress=polo.progress, base_version=polo.version)
    Milestone.objects.filter(project=polo, title="Attrezzature").update(
        done_on=dt.date(2023, 2, 1), update=update)
    # The package still says not done: refused, the report's date kept.
    problem = _refused(rich_package)
    assert (problem.file, problem.field) == ("milestones.csv", "done_on")
    assert "2023-02-01" in problem.detail and "only reports change it" in problem.detail
    # Left out of the package: refused too.
    path = rich_package / "milestones.csv"
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                              if "Attrezzature" not in line) + "\n", encoding="utf-8")
    problem = _refused(rich_package)
    assert problem.file == "milestones.csv" and "keep it in the file" in problem.detail


# A point's municipality, stored on save, and the municipality's page ---------------------

def test_a_point_gets_its_municipality_when_saved_and_again_when_moved(people):
    place = ProjectPlace.objects.create(project=people.own, name="Sportello",
                                        latitude=Decimal(BOLOGNA_POINT[0]),
                                        longitude=Decimal(BOLOGNA_POINT[1]))
    assert place.territory.code == "037006"
    place.latitude, place.longitude = Decimal(IMOLA_POINT[0]), Decimal(IMOLA_POINT[1])
    place.save()
    place.refresh_from_db()
    assert place.territory.code == "037032"
    # A municipality chosen by whoever saves is kept.
    chosen = Territory.objects.get(code="037006")
    place.territory = chosen
    place.save()
    place.refresh_from_db()
    assert place.territory == chosen


def test_municipality_page_lists_a_project_with_only_a_point_there(
    client, people, django_assert_num_queries
):
    people.own.territories.clear()
    ProjectPlace.objects.create(project=people.own, name="Rocca",
                                latitude=Decimal(IMOLA_POINT[0]),
                                longitude=Decimal(IMOLA_POINT[1]))
    # Listed once even when also registered by name.
    people.other.territories.add(Territory.objects.get(code="037032"))
    ProjectPlace.objects.create(project=people.other, name="Rocca",
                                latitude=Decimal(IMOLA_POINT[0]),
                                longitude=Decimal(IMOLA_POINT[1]))
    with django_assert_num_queries(MUNICIPALITY_QUERIES):
        html = client.get("/territorio/037032/").content.decode()
    listed = html[html.find('data-testid="territory-projects"'):]
    listed = listed[:listed.find("</ul>")]
    assert "/progetti/bologna-2021/prova-cluster-1/" in listed
    assert listed.count("/progetti/bologna-2021/prova-cluster-2/") == 1
    html = client.get("/territorio/037006/").content.decode()
    listed = html[html.find('data-testid="territory-projects"'):]
    assert "/progetti/bologna-2021/prova-cluster-1/" not in listed[:listed.find("</ul>")]


MUNICIPALITY_QUERIES = 6
