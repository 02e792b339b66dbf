"""Background imports of parties: every row checked first, errors by row and column, atomic."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patto.core.importing import Progress, import_job_create
from patto.core.models import ImportJob
from patto.pact.models import Party

HEADER = "code,name,short_name,category,tax_code,website,territory,description\n"


def upload(client, kind, name, content):
    return client.post(
        f"/gestione/importazioni/{kind}/nuova/", {"file": SimpleUploadedFile(name, content)}
    )


def run(staff, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind="parties", uploaded_file=SimpleUploadedFile(name, content), user=staff
        )
    job.refresh_from_db()
    return job


def test_good_csv_creates_and_updates(bologna, staff, django_capture_on_commit_callbacks):
    content = (
        HEADER + "nuova-associazione,Nuova Associazione,NA,associazioni-imprenditoriali,"
        ",,037006,\n" + "comune-bologna,Comune di Bologna,Bologna,enti-territoriali,"
        "01232710374,,037006,\n"
    ).encode()
    job = run(staff, "parties.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.problems
    assert job.summary.get("new") == 1
    assert (
        Party.objects.get(code="nuova-associazione").category.code == "associazioni-imprenditoriali"
    )
    assert Progress.percent(job) == 100


def test_bad_rows_are_reported_by_row_and_column_and_nothing_written(
    bologna, staff, django_capture_on_commit_callbacks
):
    content = (
        HEADER
        + "buona,Riga buona,,diocesi,,,,\n"
        + "cattiva-categoria,Categoria sbagliata,,nessuna,,,,\n"
        + "cattivo-cf,Codice fiscale sbagliato,,diocesi,01232710375,,,\n"
    ).encode()
    job = run(staff, "parties.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    places = {(p["row"], p["field"]) for p in job.problems}
    assert places == {(3, "category"), (4, "tax_code")}
    assert not Party.objects.filter(code="buona").exists()


def test_xlsx_is_accepted(bologna, staff, django_capture_on_commit_callbacks):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["da-xlsx", "Da foglio di calcolo", "", "diocesi", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(staff, "parties.xlsx", buffer.getvalue(), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.problems
    assert Party.objects.filter(code="da-xlsx").exists()


def test_unreadable_file_fails_with_a_reason(bologna, staff, django_capture_on_commit_callbacks):
    job = run(staff, "parties.xlsx", b"not a spreadsheet", django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert "XLSX" in job.problems[0]["detail"]


def test_upload_page_starts_the_job_and_shows_progress(
    client, bologna, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, "parties", "p.csv", (HEADER + "via-web,Via web,,diocesi,,,,\n").encode()
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b'data-status="done"' in page.content
    assert b'aria-valuenow="100"' in page.content


def test_import_pages_need_permission(client, bologna, django_user_model):
    user = django_user_model.objects.create_user("lettore", password="a-long-test-password")
    client.force_login(user)
    response = upload(client, "parties", "p.csv", HEADER.encode())
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    client.logout()
    assert client.get("/gestione/importazioni/").status_code == 302


def test_territories_import_updates_by_code(bologna, staff, django_capture_on_commit_callbacks):
    from patto.pact.models import Territory

    content = (
        b"code,name,kind,istat_code,cadastral_code,population,population_year,"
        b"population_source,website\n"
        b"037006,Bologna,municipality,037006,A944,390000,2024,ISTAT 2024,\n"
        b"037999,Comune Inventato,province,,,,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind="territories", uploaded_file=SimpleUploadedFile("t.csv", content), user=staff
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert {(p["row"], p["field"]) for p in job.problems} == {(3, "kind")}
    assert Territory.objects.get(code="037006").population != 390000


# File faults and row checks in one run ---------------------------------------------------------


def test_a_formula_cell_and_a_bad_row_are_reported_in_the_same_run(
    bologna, staff, django_capture_on_commit_callbacks
):
    # The formula is a fault of the file as read, the category one of the row checks: before,
    # the first upload showed only the formula and a second one the category.
    content = (
        HEADER
        + "con-formula,=SOMMA(A1:A2),,diocesi,,,,\n"
        + "cattiva-categoria,Categoria sbagliata,,nessuna,,,,\n"
    ).encode()
    job = run(staff, "parties.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    places = {(p["row"], p["field"]) for p in job.problems}
    assert places == {(2, "name"), (3, "category")}, job.problems
    assert not Party.objects.filter(code__in=["con-formula", "cattiva-categoria"]).exists()


def test_a_repeated_column_and_a_bad_row_are_reported_in_the_same_run(
    bologna, staff, django_capture_on_commit_callbacks
):
    content = (
        HEADER.strip() + ",description\n" + "cattiva-categoria,Categoria sbagliata,,nessuna,,,,,\n"
    ).encode()
    job = run(staff, "parties.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    places = {(p["row"], p["field"]) for p in job.problems}
    assert (1, "description") in places and (2, "category") in places, job.problems


def test_a_missing_column_is_said_once_beside_the_other_rows_faults(tmp_path, db):
    from patto.core.errors import ApplicationError
    from patto.core.importing import Importer, import_run

    def check(context):
        table = context.table(required=["name", "amount"])
        for row in table.rows:
            if not row.get("amount"):
                context.problems.add(row.problem("amount", "required"))
            if not row.get("name").isalpha():
                context.problems.add(row.problem("name", "letters only"))
        return {"rows": len(table.rows)}

    path = tmp_path / "values.csv"
    path.write_text("name,other\nAnna,1\nB2,2\nC3,3\n", encoding="utf-8")
    importer = Importer(kind="test", label="test", permission="", run=check)
    with pytest.raises(ApplicationError) as refused:
        import_run(importer=importer, path=path, name="values.csv", user=None)
    places = [(p.row, p.field, p.code) for p in refused.value.problems]
    assert places == [
        (1, "amount", "missing-column"),
        (3, "name", "invalid-value"),
        (4, "name", "invalid-value"),
    ]


def test_a_file_that_cannot_be_read_stops_before_the_rows(tmp_path, db):
    from patto.core.errors import ApplicationError
    from patto.core.importing import Importer, import_run

    path = tmp_path / "values.csv"
    path.write_bytes("name\nNiccolò\n".encode("latin-1"))
    calls = []
    importer = Importer(
        kind="test",
        label="test",
        permission="",
        run=lambda context: calls.append(context.table()) or {},
    )
    with pytest.raises(ApplicationError) as refused:
        import_run(importer=importer, path=path, name="values.csv", user=None)
    assert [p.code for p in refused.value.problems] == ["bad-encoding"] and calls == []


def test_an_unreadable_sheet_is_reported_beside_the_other_sheets_rows(tmp_path, monkeypatch):
    from patto.core import importing

    book = openpyxl.Workbook()
    book.active.title = "good"
    book.active.append(["name"])
    book.active.append(["=1+1"])
    book.create_sheet("broken").append(["name"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    real = importing._rows_of

    def rows_of(table, records, limits, problems):
        if table.sheet == "broken":
            raise KeyError("a corrupt sheet")
        return real(table, records, limits, problems)

    monkeypatch.setattr(importing, "_rows_of", rows_of)
    tables, problems = importing.read_tables_checked(path, "book.xlsx", sheets=["good", "broken"])
    assert [t.sheet for t in tables] == ["good"]
    assert [(p.file.endswith(" good"), p.code) for p in problems] == [
        (True, "formula"),
        (False, "unreadable"),
    ]
    assert problems[1].file.endswith(" broken")
