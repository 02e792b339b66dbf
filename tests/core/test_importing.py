"""Background imports of parties: every row checked first, errors by row and column, atomic."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from patto.core.importing import Progress, import_job_create
from patto.core.models import ImportJob
from patto.pact.models import Party

HEADER = "code,name,short_name,category,tax_code,website,territory,description\n"


def upload(client, kind, name, content):
    return client.post(f"/gestione/importazioni/{kind}/nuova/",
                       {"file": SimpleUploadedFile(name, content)})


def run(staff, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(kind="parties", uploaded_file=SimpleUploadedFile(name, content),
                                user=staff)
    job.refresh_from_db()
    return job


def test_good_csv_creates_and_updates(bologna, staff, django_capture_on_commit_callbacks):
    content = (HEADER + "nuova-associazione,Nuova Associazione,NA,associazioni-imprenditoriali,"
               ",,037006,\n" + "comune-bologna,Comune di Bologna,Bologna,enti-territoriali,"
               "01232710374,,037006,\n").encode()
    job = run(staff, "parties.csv", content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.problems
    assert job.summary.get("new") == 1
    assert Party.objects.get(code="nuova-associazione").category.code == \
        "associazioni-imprenditoriali"
    assert Progress.percent(job) == 100


def test_bad_rows_are_reported_by_row_and_column_and_nothing_written(
        bologna, staff, django_capture_on_commit_callbacks):
    content = (HEADER
               + "buona,Riga buona,,diocesi,,,,\n"
               + "cattiva-categoria,Categoria sbagliata,,nessuna,,,,\n"
               + "cattivo-cf,Codice fiscale sbagliato,,diocesi,01232710375,,,\n").encode()
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


def test_upload_page_starts_the_job_and_shows_progress(client, bologna, staff,
                                                       django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "parties", "p.csv",
                          (HEADER + "via-web,Via web,,diocesi,,,,\n").encode())
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

    content = (b"code,name,kind,istat_code,cadastral_code,population,population_year,"
               b"population_source,website\n"
               b"037006,Bologna,municipality,037006,A944,390000,2024,ISTAT 2024,\n"
               b"037999,Comune Inventato,province,,,,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(kind="territories",
                                uploaded_file=SimpleUploadedFile("t.csv", content), user=staff)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert {(p["row"], p["field"]) for p in job.problems} == {(3, "kind")}
    assert Territory.objects.get(code="037006").population != 390000
