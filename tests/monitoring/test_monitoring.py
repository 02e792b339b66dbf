"""Monitoring: Open SDG import and exact export, revisions, pages, the assess command."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from patto.core.errors import ApplicationError
from patto.monitoring.models import ImportBatch, Indicator, Observation
from patto.monitoring.services import (
    NewValue,
    observations_record,
    opensdg_export,
    opensdg_import,
)
from tests.conftest import PACKAGE

AGENDA = PACKAGE / "agenda"
GOOD = Path(__file__).resolve().parents[1] / "engine" / "files" / "opensdg" / "good"
WORLD = Path(__file__).resolve().parents[1] / "engine" / "files" / "opensdg-world"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".csv", ".yml")}


def test_package_agenda_is_loaded(bologna):
    assert bologna.indicators.filter(level="agenda").count() == 28
    project_indicator = bologna.indicators.get(level="project", code="p-az-4-inserimenti")
    assert project_indicator.project.code == "az-4"
    assert project_indicator.is_example
    assert Observation.objects.filter(indicator__pact=bologna).count() > 9000


def test_export_of_unchanged_agenda_is_byte_identical(bologna, tmp_path):
    opensdg_export(pact=bologna, path=tmp_path / "out")
    assert files_of(tmp_path / "out") == files_of(AGENDA)


def test_revision_keeps_the_earlier_value_and_who(bologna, staff, tmp_path):
    indicator = bologna.indicators.get(code="8-5-2")
    old = indicator.observations.get(is_current=True, year=2020, key__contains='"037"',
                                     disaggregation={})
    changes = observations_record(indicator=indicator, user=staff, values=[NewValue(
        year=2020, value_text="99.9", units=old.units, geocode=old.geocode,
        territory=old.territory)])
    assert (changes.created, changes.revised) == (0, 1)
    new = indicator.observations.get(is_current=True, year=2020, key=old.key)
    assert new.supersedes == old and new.created_by == staff and new.value == Decimal("99.9")
    old.refresh_from_db()
    assert not old.is_current and old.value_text != "99.9"
    # After a revision the export is rebuilt from the database, deterministically.
    opensdg_export(pact=bologna, path=tmp_path / "a", codes=["8-5-2"])
    opensdg_export(pact=bologna, path=tmp_path / "b", codes=["8-5-2"])
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert b"99.9" in (tmp_path / "a" / "data" / "indicator_8-5-2.csv").read_bytes()


def test_same_value_again_changes_nothing(bologna):
    indicator = bologna.indicators.get(code="8-5-2")
    o = indicator.observations.filter(is_current=True).first()
    changes = observations_record(indicator=indicator, values=[NewValue(
        year=o.year, value_text=o.value_text, series=o.series, units=o.units,
        geocode=o.geocode, disaggregation=o.disaggregation, territory=o.territory)])
    assert (changes.created, changes.revised, changes.unchanged) == (0, 0, 1)


def test_broken_repository_is_refused_whole(bologna, tmp_path):
    broken = tmp_path / "repo"
    shutil.copytree(GOOD, broken)
    path = broken / "data" / "indicator_8-5-2.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("4.3", "quattro"),
                    encoding="utf-8")
    before = Indicator.objects.count()
    with pytest.raises(ApplicationError) as info:
        opensdg_import(path=broken, pact=bologna)
    [problem] = info.value.problems
    assert problem.file == "data/indicator_8-5-2.csv" and problem.field == "Value"
    assert Indicator.objects.count() == before


def test_unknown_area_is_kept_without_territory_and_reported(bologna, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(GOOD, repo)
    path = repo / "data" / "indicator_1-2-1.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("037006", "099999"),
                    encoding="utf-8")
    totals = opensdg_import(path=repo, pact=bologna)
    assert totals["warnings"] >= 1
    kept = Observation.objects.filter(indicator__pact=bologna, indicator__code="1-2-1",
                                      geocode="099999", is_current=True)
    assert kept.exists() and all(o.territory is None for o in kept)
    batch = ImportBatch.objects.latest("created_at")
    assert any("099999" in w and "GeoCode" in w for w in batch.summary["warnings"])


@pytest.mark.parametrize(("year", "value", "field"), [
    (1899, "1.5", "year"), (2101, "1.5", "year"), (2020, "Infinity", "value"),
    (2020, "NaN", "value"), (2020, "-inf", "value"), (2020, "1,5", "value"),
])
def test_recording_refuses_bad_years_and_non_finite_numbers_whole(bologna, year, value, field):
    indicator = bologna.indicators.get(code="8-5-2")
    old = indicator.observations.filter(is_current=True).first()
    before = indicator.observations.count()
    good = NewValue(year=2020, value_text="99.9", units=old.units, geocode=old.geocode,
                    territory=old.territory)
    with pytest.raises(ApplicationError) as info:
        observations_record(indicator=indicator, values=[good, NewValue(
            year=year, value_text=value, units=old.units, geocode=old.geocode)])
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.field) == ("8-5-2", 2, field)
    assert indicator.observations.count() == before


def test_recording_is_one_transaction(bologna, monkeypatch):
    from patto.monitoring import services

    indicator = bologna.indicators.get(code="8-5-2")
    old = indicator.observations.get(is_current=True, year=2020, key__contains='"037"',
                                     disaggregation={})

    def broken_insert(rows):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_insert", broken_insert)
    with pytest.raises(RuntimeError):
        observations_record(indicator=indicator, values=[NewValue(
            year=2020, value_text="99.9", units=old.units, geocode=old.geocode,
            territory=old.territory)])
    old.refresh_from_db()
    assert old.is_current  # the retirement was rolled back with the failed insert


def test_real_repository_round_trip_keeps_rows_labels_and_statuses(bologna, tmp_path):
    from patto.engine.opensdg import read_repository, read_repository_lenient
    from patto.engine.opensdg_progress import measure_indicator

    source = WORLD / "canada"
    originals = {i.id: i for i in read_repository(source)}
    # Start from no values for these codes (the example agenda uses some of them too).
    clash = Observation.objects.filter(indicator__pact=bologna,
                                       indicator__code__in=list(originals))
    clash.update(supersedes=None)
    clash.delete()
    opensdg_import(path=source, pact=bologna)
    opensdg_export(pact=bologna, path=tmp_path / "same", codes=list(originals))
    exported = {i.id: i for i in read_repository_lenient(tmp_path / "same").indicators}
    for inid, item in originals.items():
        assert exported[inid].raw[item.data_path] == item.raw[item.data_path]
    expected = json.loads((source / "statuses.json").read_text(encoding="utf-8"))
    for inid, want in expected.items():
        assert measure_indicator(exported[inid]).open_sdg_status == want["status"], inid
    # Rebuilt from the database (as after a revision): the same values and year labels.
    Indicator.objects.filter(pact=bologna, code__in=list(originals)).update(raw_files={})
    opensdg_export(pact=bologna, path=tmp_path / "rebuilt", codes=list(originals))
    rebuilt = {i.id: i for i in read_repository(tmp_path / "rebuilt")}

    def rows(item):
        return sorted((o.period, str(o.value), o.series or "", o.units or "",
                       o.geocode or "", o.disaggregation) for o in item.observations)

    labelled = [i for i in originals.values() if any(o.year_label for o in i.observations)]
    assert labelled
    for inid, item in originals.items():
        assert rows(rebuilt[inid]) == rows(item), inid


@pytest.mark.parametrize("url", [
    "/monitoraggio/", "/monitoraggio/obiettivi/8/",
    "/monitoraggio/bologna-2021/indicatori/8-5-2/",
    "/monitoraggio/bologna-2021/indicatori/11-7-1/territorio/",
    "/monitoraggio/bologna-2021/indicatori/11-7-1/territorio/?livello=unioni&anno=2015",
])
def test_pages(client, bologna, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200


def test_indicator_page_shows_status_chart_data_and_example_mark(client, bologna):
    html = client.get("/monitoraggio/bologna-2021/indicatori/8-5-2/").content.decode()
    assert 'id="indicator-chart"' in html and 'id="indicator-data"' in html
    assert "patto-status-" in html
    assert "dato di esempio" in html.lower()
    assert "CAGR" in html


def test_indicator_downloads(client, bologna):
    url = "/monitoraggio/bologna-2021/indicatori/8-5-2/"
    rows = list(csv.DictReader(io.StringIO(client.get(url, {"formato": "csv"})
                                           .getvalue().decode())))
    current = Observation.objects.filter(indicator__code="8-5-2", is_current=True).count()
    assert len(rows) == current and rows[0]["example"] == "true"
    data = client.get(url, {"formato": "json"}).json()
    assert data["indicator"] == "8-5-2" and len(data["observations"]) == current


def test_map_page_has_every_municipality(client, bologna):
    from patto.pact.models import Territory

    response = client.get("/monitoraggio/bologna-2021/indicatori/11-7-1/territorio/")
    assert len(response.context["areas"]) == 55
    values = client.get("/monitoraggio/bologna-2021/indicatori/11-7-1/territorio/valori.json"
                        ).json()
    assert len(values["values"]) == 55 and values["year"] == response.context["year"]
    by_name = {a.place.name: a.value for a in response.context["areas"]}
    codes = dict(Territory.objects.filter(name__in=by_name).values_list("name", "code"))
    assert {codes[n]: v for n, v in by_name.items()} == values["values"]


def test_project_page_shows_share_of_target(client, bologna):
    html = client.get("/progetti/bologna-2021/az-4/").content.decode()
    assert "p-az-4-inserimenti" in html or "inserimenti" in html.lower()
    assert "<progress" in html


def test_assess_command_needs_no_database(capsys):
    call_command("assess", str(AGENDA), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    levels = {r["level"] for r in rows}
    assert levels == {"indicator", "series"}
    assert {r["indicator"] for r in rows if r["level"] == "indicator"} >= {"8-5-2", "1-2-1"}


def test_referent_template_round_trip(client, bologna, django_user_model,
                                      django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    from patto.core.models import ImportJob
    from patto.projects.models import Project, ProjectReferent

    project = Project.objects.get(pact=bologna, code="az-4")
    user = django_user_model.objects.create_user("ref", "r@example.org", "a-long-test-password")
    ProjectReferent.objects.create(project=project, party=project.lead_party, person="R",
                                   user=user)
    client.force_login(user)
    response = client.get("/gestione/valori/bologna-2021/modello/", {"formato": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("indicator", "year", "territory", "series", "units", "value")
    assert {r[0] for r in rows[1:]} == {"p-az-4-inserimenti"}  # only what they may update
    last = rows[-1]
    sheet.append([last[0], str(int(last[1]) + 1), last[2], last[3], last[4], "2100"])
    sheet.append(["8-5-2", "2025", "", "", "", "80"])  # not theirs: refused with its row
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestione/importazioni/values/nuova/",
                    {"file": SimpleUploadedFile("valori.xlsx", buffer.getvalue())})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(p["row"], p["field"]) for p in job.problems] == [(len(rows) + 2, "indicator")]
    sheet.delete_rows(sheet.max_row)
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestione/importazioni/values/nuova/",
                    {"file": SimpleUploadedFile("valori.xlsx", buffer.getvalue())})
    job = ImportJob.objects.order_by("-created_at").first()
    assert job.status == "done", job.problems
    assert job.summary == {"created": 1, "revised": 0, "unchanged": len(rows) - 1}
    latest = Observation.objects.filter(indicator__code="p-az-4-inserimenti",
                                        is_current=True).order_by("-year").first()
    assert latest.value == Decimal("2100") and latest.created_by == user


def test_sdmx_import_into_an_indicator(bologna, tmp_path):
    from patto.monitoring.services import sdmx_import

    path = tmp_path / "istat.csv"
    path.write_text(
        "DATAFLOW,FREQ,ITTER107,DATA_TYPE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MEAS\n"
        "IT1:22_289(1.0),A,037006,EMP,2019,70.1,,PC\n"
        "IT1:22_289(1.0),A,037006,EMP,2020,68.4,P,PC\n"
        "IT1:22_289(1.0),A,037,EMP,2020,69.0,,PC\n", encoding="utf-8")
    indicator = bologna.indicators.get(code="8-5-2")
    assert sdmx_import(path=path, indicator=indicator) == {"created": 3, "revised": 0,
                                                           "unchanged": 0}
    o = indicator.observations.get(geocode="037006", year=2020)
    assert o.status == "provisional" and o.territory.name == "Bologna"
    path.write_text(path.read_text(encoding="utf-8").replace("037006,EMP,2019", "099999,EMP,2019"),
                    encoding="utf-8")
    with pytest.raises(ApplicationError) as info:
        sdmx_import(path=path, indicator=indicator)
    assert [(p.row, p.field) for p in info.value.problems] == [(2, "ITTER107")]


def test_goals_show_a_composite_trend(client, bologna):
    from patto.monitoring.selectors import goals_overview

    goals = {g.goal.number: g for g in goals_overview(pact=bologna)}
    assert goals[8].composite is not None
    assert goals[8].composite.first == pytest.approx(100.0)
    assert goals[14].composite is None  # no indicator follows goal 14
    html = client.get("/monitoraggio/").content.decode()
    assert html.count('data-testid="composite"') == sum(
        1 for g in goals.values() if g.composite)
