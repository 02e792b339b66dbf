"""Every importer against every kind of bad file: a clear message with its place, nothing written,
no error page, no job left running, no upload kept."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from patto.core.errors import ApplicationError
from patto.core.importing import import_job_create
from patto.core.models import ImportJob

KINDS = ["parties", "territories", "projects", "fund-movements", "values"]


def _project_export(tmp_path) -> str:
    from patto.projects.exchange import export_file
    from patto.projects.models import Project

    path = tmp_path / "progetti.csv"
    export_file(Project.objects.filter(pact__code="bologna-2021"), path)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def valid(bologna, tmp_path):
    """For each importer: a valid header and a valid row to break, as lists of cells."""
    indicator = bologna.indicators.filter(project__isnull=True).first()
    project_text = _project_export(tmp_path).splitlines()
    return {
        "parties": (["code", "name", "short_name", "category", "tax_code", "website",
                     "territory", "description"],
                    ["nuova", "Nuova", "", "diocesi", "", "", "", ""]),
        "territories": (["code", "name", "kind", "istat_code", "cadastral_code", "population",
                         "population_year", "population_source", "website"],
                        ["037006", "Bologna", "municipality", "037006", "A944", "390000",
                         "2024", "ISTAT", ""]),
        "projects": (project_text[0].split(","), None, project_text),
        "fund-movements": (["pact", "fund", "ref", "kind", "date", "donor", "purpose", "medium",
                            "amount", "description"],
                           [bologna.code, "comunita", "T-1", "receipt", "2025-06-01", "hera",
                            "lavoro", "money", "100.00", "prova"]),
        "values": (["indicator", "year", "territory", "series", "units", "value"],
                   [indicator.code, "2023", "", "", "", "12,5"]),
    }


def _csv(header, row) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    if row is not None:
        writer.writerow(row)
    return out.getvalue().encode()


def _xlsx(header, row, *, formula: bool = False, title: str = "Foglio1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    cells = list(row)
    if formula:
        cells[1] = "=1+1"
    sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(header) -> bytes:
    """A small workbook whose sheet expands to megabytes of XML."""
    base = io.BytesIO(_xlsx(header, ["x"] * len(header)))
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", b"<row r=\"3\">" + b" " * 3_000_000
                                    + b"</row></sheetData>")
            z.writestr(info.filename, data)
    return out.getvalue()


def _projects_with(valid_rows: list[str], column: str, value: str) -> bytes:
    """The project export with one cell of its first project row changed."""
    import csv

    rows = list(csv.reader(io.StringIO("\n".join(valid_rows) + "\n")))
    header = rows[0]
    first = next(i for i, r in enumerate(rows) if r and r[0] == "projects")
    rows[first][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _counts():
    from patto.funds.models import Movement
    from patto.monitoring.models import Observation
    from patto.pact.models import Party, Territory
    from patto.projects.models import Project

    return {m.__name__: (m.objects.count(), str(m.objects.order_by("-pk").values_list(
        "pk", flat=True).first())) for m in (Party, Territory, Project, Movement, Observation)}


def _run(kind, name, content, staff, capture):
    with capture(execute=True):
        job = import_job_create(kind=kind, uploaded_file=SimpleUploadedFile(name, content),
                                user=staff)
    job.refresh_from_db()
    return job


def _refused(job, *, row_level: bool, field: str | None = None):
    assert job.status == ImportJob.Status.FAILED, job.summary
    assert job.problems, "a refused file lists its problems"
    first = job.problems[0]
    assert first["file"] and first["detail"]
    if row_level:
        assert first["row"] is not None, first
    if field is not None:
        assert field in {p["field"] for p in job.problems}, job.problems
    assert not job.file, "the upload is deleted when its job ends"


def _bad_content(case: str, kind: str, valid) -> tuple[str, bytes, bool, str | None]:
    """(file name, content, is the fault in a row, field named) for a case."""
    header, row = valid[kind][0], valid[kind][1]
    if kind == "projects":
        lines = valid[kind][2]
        csv_body = ("\n".join(lines) + "\n").encode()
        first = next(line for line in lines if line.startswith("projects,")).split(",")
        row = first
    else:
        csv_body = _csv(header, row)
    if case == "empty":
        return f"{kind}.csv", b"", False, None
    if case == "garbage":
        return f"{kind}.csv", b"\x00\x01\x02PK\x03\x04\xff\xfe" * 64, False, None
    if case == "not-utf8":
        return f"{kind}.csv", csv_body.replace(b"\n", "\nPianoro citt\u00e0,".encode(
            "latin-1"), 1)[:-1] + b"\n", False, None
    if case == "xlsx-garbage":
        return f"{kind}.xlsx", b"PK\x03\x04 not really a workbook", False, None
    if case == "xlsx-bomb":
        return f"{kind}.xlsx", _bomb(header), False, None
    if case == "too-many-rows":
        body = csv_body + b"\n".join([csv_body.splitlines()[1]] * 5) + b"\n"
        return f"{kind}.csv", body, False, None
    if case == "formula-csv":
        if kind == "projects":
            return f"{kind}.csv", _projects_with(valid[kind][2], "title",
                                                 '=HYPERLINK("http://x","y")'), True, "title"
        cells = list(row)
        cells[1] = '=HYPERLINK("http://x","y")'
        return f"{kind}.csv", _csv(header, cells), True, header[1]
    if case == "formula-xlsx":
        if kind == "projects":
            from patto.projects.exchange import COLUMNS

            columns = COLUMNS["projects"]
            content = _xlsx(columns, row[1:len(columns) + 1], formula=True, title="projects")
            return "projects.xlsx", content, True, columns[1]
        return f"{kind}.xlsx", _xlsx(header, row, formula=True), True, header[1]
    if case == "control":
        if kind == "projects":
            return f"{kind}.csv", _projects_with(valid[kind][2], "title", "a\x0bb"), True, \
                "title"
        cells = list(row)
        cells[1] = "a\x0bb"
        return f"{kind}.csv", _csv(header, cells), True, header[1]
    raise AssertionError(case)


FILE_CASES = ["empty", "garbage", "not-utf8", "xlsx-garbage", "xlsx-bomb", "too-many-rows",
              "formula-csv", "formula-xlsx", "control"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", FILE_CASES)
def test_every_importer_refuses_a_bad_file_whole(case, kind, valid, staff, settings,
                                                 django_capture_on_commit_callbacks):
    settings.PATTO_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    settings.PATTO_UPLOAD_MAX_ROWS = 3 if kind != "projects" else 10_000
    if case == "too-many-rows" and kind == "projects":
        settings.PATTO_UPLOAD_MAX_ROWS = 5
    name, content, row_level, field = _bad_content(case, kind, valid)
    before = _counts()
    job = _run(kind, name, content, staff, django_capture_on_commit_callbacks)
    _refused(job, row_level=row_level, field=field)
    assert _counts() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(staff, settings, bologna):
    settings.PATTO_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ApplicationError, match="MB"):
        import_job_create(kind="parties", uploaded_file=SimpleUploadedFile("p.csv", b"x" * 2000),
                          user=staff)
    assert not ImportJob.objects.exists()


def test_a_file_that_is_no_spreadsheet_is_refused_by_its_extension(staff, bologna):
    with translation.override("en"), pytest.raises(ApplicationError, match="unrecognised"):
        import_job_create(kind="parties", uploaded_file=SimpleUploadedFile("p.txt", b"a,b\n"),
                          user=staff)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("value,field,kind", [
    ("NaN", "value", "values"), ("inf", "value", "values"), ("-Infinity", "value", "values"),
    ("3000", "year", "values"), ("-5", "year", "values"), ("inf", "year", "values"),
    ("NaN", "amount", "fund-movements"), ("inf", "amount", "fund-movements"),
    ("3000-01-01", "date", "fund-movements"), ("0999-01-01", "date", "fund-movements"),
])
def test_non_finite_numbers_and_far_years_are_refused_with_their_place(
        value, field, kind, valid, staff, django_capture_on_commit_callbacks):
    header, row = valid[kind][0], list(valid[kind][1])
    row[header.index(field)] = value
    before = _counts()
    job = _run(kind, f"{kind}.csv", _csv(header, row), staff,
               django_capture_on_commit_callbacks)
    _refused(job, row_level=True, field=field)
    assert job.problems[0]["row"] == 2
    assert _counts() == before


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "../../../etc/passwd",
                                  "descrizione.md"])
def test_a_project_upload_can_name_no_file(path, valid, staff,
                                           django_capture_on_commit_callbacks):
    from patto.projects.models import Project

    content = _projects_with(valid["projects"][2], "text_file", path)
    before = _counts()
    job = _run("projects", "progetti.csv", content, staff, django_capture_on_commit_callbacks)
    _refused(job, row_level=True, field="text_file")
    assert _counts() == before
    assert not any("root:" in (p.description or "") for p in Project.objects.all())


def test_the_projects_command_can_name_no_file(valid, tmp_path, bologna):
    path = tmp_path / "progetti.csv"
    path.write_bytes(_projects_with(valid["projects"][2], "text_file", "/etc/passwd"))
    with pytest.raises(CommandError, match="text_file"):
        call_command("import-projects", str(path))


def test_a_package_text_file_that_leaves_the_package_is_refused(package_copy, tmp_path, db):
    """Through an absolute path, ``..`` or a symbolic link out of the package folder."""
    from patto.engine.datapackage import read_package
    from patto.engine.pact_package import check_pact_package

    from ..conftest import edit_csv

    secret = tmp_path / "secret.md"
    secret.write_text("SECRET_KEY=abc", encoding="utf-8")
    (package_copy / "link.md").symlink_to(secret)
    for value in (str(secret), "../secret.md", "link.md"):
        edit_csv(package_copy / "clusters.csv", 2, "text_file", value)
        problems = check_pact_package(read_package(package_copy))
        assert [(p.file, p.row, p.field, p.code) for p in problems] == [
            ("clusters.csv", 2, "text_file", "outside-package")], value
        with pytest.raises(CommandError, match=r"clusters\.csv"):
            call_command("load-pact", str(package_copy))


def test_a_foreign_key_of_another_pact_is_refused(valid, staff, bologna,
                                                  django_capture_on_commit_callbacks):
    from patto.funds.models import Donor
    from patto.monitoring.models import Indicator
    from patto.pact.models import Pact

    other = Pact.objects.exclude(pk=bologna.pk).first()
    Donor.objects.create(pact=other, code="altro-donatore", kind="organisation",
                         name="Altro")
    foreign = Indicator.objects.create(pact=other, code="altro-1", name="Altro")
    header, row = valid["fund-movements"]
    row = list(row)
    row[header.index("donor")] = "altro-donatore"
    job = _run("fund-movements", "m.csv", _csv(header, row), staff,
               django_capture_on_commit_callbacks)
    _refused(job, row_level=True, field="donor")
    header, row = valid["values"]
    row = [foreign.code, *row[1:]]
    job = _run("values", "v.csv", _csv(header, row), staff, django_capture_on_commit_callbacks)
    _refused(job, row_level=True, field="indicator")


def test_every_fault_of_a_file_is_reported_up_to_the_limit(valid, staff, settings,
                                                           django_capture_on_commit_callbacks):
    settings.PATTO_IMPORT_MAX_PROBLEMS = 5
    header, row = valid["values"]
    rows = [[row[0], "abc", *row[2:]] for _ in range(12)]
    content = _csv(header, rows[0]) + b"".join(_csv(header, r).splitlines(True)[1]
                                                 for r in rows[1:])
    job = _run("values", "v.csv", content, staff, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert [p["row"] for p in job.problems] == [2, 3, 4, 5, 6]
    assert job.problem_count == 12


def test_an_unexpected_error_fails_the_job_without_leaking_its_detail(
        valid, staff, monkeypatch, django_capture_on_commit_callbacks):
    from patto.monitoring import spreadsheet

    def explode(**kwargs):
        raise RuntimeError("DATABASE_URL=postgres://secret")

    monkeypatch.setattr(spreadsheet, "observations_record", explode)
    header, row = valid["values"]
    before = _counts()
    job = _run("values", "v.csv", _csv(header, row), staff, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert "secret" not in str(job.problems)
    assert str(job.id) in job.problems[0]["detail"]
    assert not job.file
    assert _counts() == before


def test_a_job_left_running_by_a_stopped_worker_is_ended(valid, staff, client, settings):
    import datetime as dt

    from django.utils import timezone

    job = ImportJob.objects.create(kind="values", file=SimpleUploadedFile("v.csv", b"a\n"),
                                   original_name="v.csv", created_by=staff,
                                   status=ImportJob.Status.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(staff)
    page = client.get(f"/gestione/importazioni/lavoro/{job.pk}/")
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert b"hx-trigger" not in page.content


def test_the_job_page_is_paginated(staff, client):
    problems = [{"file": "v.csv", "row": n, "field": "year", "detail": f"bad {n}"}
                for n in range(2, 202)]
    job = ImportJob.objects.create(kind="values", original_name="v.csv", created_by=staff,
                                   status=ImportJob.Status.FAILED, problems=problems,
                                   problem_count=1200)
    client.force_login(staff)
    first = client.get(f"/gestione/importazioni/lavoro/{job.pk}/").content.decode()
    assert "bad 51" in first and "bad 52" not in first
    last = client.get(f"/gestione/importazioni/lavoro/{job.pk}/?pagina=4").content.decode()
    assert "bad 201" in last and "bad 2<" not in last
    assert 'data-testid="more-problems"' in first and "1000" in first


def test_an_oversized_upload_is_refused_by_the_page_before_it_is_read(client, staff, settings,
                                                                      bologna):
    settings.PATTO_UPLOAD_MAX_BYTES = 1000
    client.force_login(staff)
    response = client.post("/gestione/importazioni/parties/nuova/",
                           {"file": SimpleUploadedFile("p.csv", b"x" * 200_000)})
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_good_import_counts_its_rows_and_keeps_no_file(valid, staff,
                                                         django_capture_on_commit_callbacks):
    header, row = valid["values"]
    second = [row[0], "2022", *row[2:]]
    content = _csv(header, row) + _csv(header, second).splitlines(True)[1]
    job = _run("values", "v.csv", content, staff, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.problems
    assert job.total_rows == 2
    assert not job.file


def test_a_row_with_too_many_cells_is_refused(valid, staff, settings,
                                              django_capture_on_commit_callbacks):
    settings.PATTO_UPLOAD_MAX_CELLS = 10
    header, row = valid["values"]
    content = _csv(header, [*row, *(["x"] * 20)])
    job = _run("values", "v.csv", content, staff, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert "10" in job.problems[0]["detail"]
    assert not job.file
