"""Export, import into a database without projects, export again: the same bytes."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from patto.projects.models import (
    CompletedActivity,
    Contribution,
    Event,
    Funding,
    Meeting,
    PlannedActivity,
    Project,
    ProjectParty,
)
from tests.conftest import edit_csv, wipe_funds


def read_records(path):
    """CSV records as a spreadsheet numbers them (a cell may span lines)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def rich(people):
    own, other = people.own, people.other
    own.links.add(other)
    own.budget = Decimal("125000.50")
    own.cup = "J31B21000440001"
    own.start_on = dt.date(2021, 2, 1)
    own.expected_results = "Più occupati\nMeno disuguaglianze"
    own.description = "## Dettagli\n\nTesto lungo."
    own.save()
    own.challenges.add(*people.pact.challenges.filter(code__in=["1", "5"]))
    own.territories.add(people.pact.territory)
    ProjectParty.objects.create(project=own, party=people.reporter_party, role="partner")
    Funding.objects.create(project=own, source="Fondo sociale europeo", kind="eu",
                           amount=Decimal("100000.00"))
    PlannedActivity.objects.create(project=own, position=1, title="Avvio", status="done")
    PlannedActivity.objects.create(project=own, position=2, title="Bando",
                                   due_on=dt.date(2026, 6, 30))
    CompletedActivity.objects.create(project=own, done_on=dt.date(2026, 1, 15),
                                     text="Firma dell'accordo, con \"virgolette\", e virgole")
    Meeting.objects.create(project=own, held_on=dt.date(2026, 1, 20), participants=15)
    Event.objects.create(project=own, title="Convegno", held_on=dt.date(2026, 2, 2),
                         place="Bologna", participants=120)
    Contribution.objects.create(project=own, activity="Formazione", amount=Decimal("0.10"),
                                granted_by="Comune di Bologna", party=people.reporter_party)
    return people


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_round_trip_is_exact(rich, tmp_path, suffix):
    first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
    call_command("export-projects", str(first))
    total = Project.objects.count()
    wipe_funds()
    Project.objects.all().delete()
    assert not Contribution.objects.exists()
    call_command("import-projects", str(first))
    assert Project.objects.count() == total
    call_command("export-projects", str(second))
    assert first.read_bytes() == second.read_bytes()
    own = Project.objects.get(code="prova-cluster-1")
    assert own.budget == Decimal("125000.50")
    assert own.contributions.get().amount == Decimal("0.10")
    assert own.links.get().code == "prova-cluster-2"
    assert own.description == "## Dettagli\n\nTesto lungo."


def test_bad_row_is_reported_by_row_and_column_and_nothing_written(rich, tmp_path):
    path = tmp_path / "p.csv"
    call_command("export-projects", str(path))
    records = read_records(path)
    row = next(i for i, record in enumerate(records, start=1) if record[0] == "contributions")
    header = records[0]
    edit_csv(path, row, "amount", "mille")
    before = Project.objects.get(code="prova-cluster-1").progress
    Project.objects.filter(code="prova-cluster-1").update(progress=before + 1)
    with pytest.raises(CommandError, match=rf"p\.csv, riga {row}, campo amount"):
        call_command("import-projects", str(path))
    assert "amount" in header
    assert Project.objects.get(code="prova-cluster-1").progress == before + 1


def test_unknown_reference_is_placed(rich, tmp_path):
    path = tmp_path / "p.csv"
    call_command("export-projects", str(path))
    row = next(i for i, record in enumerate(read_records(path), 1) if record[0] == "projects")
    edit_csv(path, row, "cluster", "9")
    with pytest.raises(CommandError, match=rf"riga {row}, campo cluster"):
        call_command("import-projects", str(path))


def test_list_download_is_the_projects_table(client, rich):
    response = client.get("/progetti/", {"formato": "csv", "cluster": "1"})
    lines = response.getvalue().decode().splitlines()
    assert lines[0].startswith("pact,code,title,cluster")
    assert any(",prova-cluster-1," in line for line in lines[1:])
    assert not any(",prova-cluster-2," in line for line in lines[1:])


def test_staff_pages_export_and_import_in_the_background(client, rich,
                                                         django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.core.models import ImportJob

    client.force_login(rich.secretariat)
    exported = client.get("/gestione/progetti/esporta/", {"formato": "xlsx"})
    assert exported.status_code == 200
    Project.objects.filter(code="prova-cluster-2").delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/gestione/importazioni/projects/nuova/", {
            "file": SimpleUploadedFile("progetti.xlsx", exported.content)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "done", job.problems
    assert Project.objects.filter(code="prova-cluster-2").exists()
    client.force_login(rich.referent)
    assert client.get("/gestione/progetti/esporta/").status_code == 403


def test_staff_import_of_a_bad_file_lists_problems(client, rich, tmp_path,
                                                   django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.core.models import ImportJob

    path = tmp_path / "p.csv"
    call_command("export-projects", str(path))
    row = next(i for i, r in enumerate(read_records(path), 1) if r[0] == "projects")
    edit_csv(path, row, "status", "finito")
    client.force_login(rich.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestione/importazioni/projects/nuova/", {
            "file": SimpleUploadedFile("p.csv", path.read_bytes())})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(p["field"], p["file"], p["row"]) for p in job.problems] == [("status", "p.csv", row)]
