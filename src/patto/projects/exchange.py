"""Export and import of projects with their sheets as CSV or XLSX, in the package's own columns.

The same tables as a pact data package's project resources: XLSX holds one sheet per table,
CSV one file whose first column names the table. Exporting, importing into a database that
has the pact registry but no projects, and exporting again gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from patto.core.errors import ApplicationError
from patto.engine.datapackage import read_package
from patto.engine.problems import InputError, Problem
from patto.pact.models import Pact
from patto.pact.services import LoadResult, PackageWriter

from .models import Project
from .package import load_projects_section
from .schema import RESOURCES, TABLES

COLUMNS = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in RESOURCES}
PUBLIC_TABLES = [t for t in TABLES if t != "project_referents"]
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_tables(projects: QuerySet[Project], *, personal: bool = False
                  ) -> dict[str, list[list[str]]]:
    """Rows of every table for these projects, in a stable order; referents only if
    ``personal`` (names of people are personal data)."""
    projects = projects.select_related("pact", "cluster", "emergency_action", "lead_party") \
        .prefetch_related("challenges", "sdg_targets", "territories", "links__pact",
                          "involved__party", "referents__party", "funding__party",
                          "planned_activities", "completed_activities", "critical_issues",
                          "success_factors", "meetings", "events", "contributions__party") \
        .order_by("pact__code", "code")
    rows: dict[str, list[list[Any]]] = {t: [] for t in TABLES}
    for p in projects:
        key = [p.pact.code, p.code]
        rows["projects"].append([
            p.pact.code, p.code, p.title, p.cluster.code if p.cluster else None,
            p.emergency_action.code if p.emergency_action else None, p.horizon,
            p.lead_party.code, p.status, p.progress, p.start_on, p.end_on, p.cup, p.budget,
            p.summary, p.expected_results, None, p.description,
            ";".join(sorted(c.code for c in p.challenges.all())),
            ";".join(sorted(t.code for t in p.sdg_targets.all())),
            ";".join(sorted(t.code for t in p.territories.all())), p.is_example, p.source])
        for other in sorted(p.links.all(), key=lambda o: o.code):
            if other.pact_id == p.pact_id and p.code < other.code:
                rows["project_links"].append([*key, other.code, None])
        rows["project_parties"] += sorted([*key, i.party.code, i.role] for i in p.involved.all())
        if personal:
            rows["project_referents"] += sorted([*key, r.party.code, r.person]
                                                for r in p.referents.all())
        rows["project_funding"] += sorted(
            ([*key, f.source, f.party.code if f.party else None, f.kind, f.amount]
             for f in p.funding.all()), key=lambda r: r[2])
        rows["planned_activities"] += [[*key, a.position, a.title, a.due_on, a.status]
                                       for a in sorted(p.planned_activities.all(),
                                                       key=lambda a: a.position)]
        rows["completed_activities"] += sorted(
            ([*key, a.done_on, a.text] for a in p.completed_activities.all()),
            key=lambda r: (r[2], r[3]))
        rows["critical_issues"] += sorted(([*key, c.noted_on, c.text]
                                           for c in p.critical_issues.all()),
                                          key=lambda r: (r[3], r[2] or dt.date.min))
        rows["success_factors"] += sorted([*key, s.text] for s in p.success_factors.all())
        rows["meetings"] += sorted(([*key, m.held_on, m.title, m.participants]
                                    for m in p.meetings.all()), key=lambda r: (r[2], r[3]))
        rows["events"] += sorted(([*key, e.title, e.held_on, e.place, e.participants]
                                  for e in p.events.all()), key=lambda r: (r[3], r[2]))
        rows["contributions"] += sorted(
            ([*key, c.activity, c.amount, c.granted_by, c.party.code if c.party else None,
              c.received_on] for c in p.contributions.all()), key=lambda r: (r[2], r[4]))
    return {t: [[_cell(v) for v in row] for row in table] for t, table in rows.items()}


def write_csv(tables: dict[str, list[list[str]]], stream: io.TextIOBase) -> None:
    """One CSV: the first column names the table, then each table's own columns."""
    union: list[str] = []
    for t in TABLES:
        union += [c for c in COLUMNS[t] if c not in union]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["table", *union])
    for t in TABLES:
        for row in tables.get(t, []):
            values = dict(zip(COLUMNS[t], row, strict=True))
            writer.writerow([t, *(values.get(c, "") for c in union)])


def write_xlsx(tables: dict[str, list[list[str]]], path: Path) -> None:
    """One sheet per table, every cell as text; fixed timestamps so equal data give equal
    bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for t in TABLES:
        sheet = book.create_sheet(t)
        sheet.append(COLUMNS[t])
        for row in tables.get(t, []):
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.number_format = "@"
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time here; equal data must give equal bytes.
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                                 content)
            target.writestr(fixed, content)


def export_file(projects: QuerySet[Project], path: Path, *, personal: bool = True) -> int:
    tables = export_tables(projects, personal=personal)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(tables, path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as stream:
            write_csv(tables, stream)
    else:
        raise ApplicationError(f"{path.name}: use a .csv or .xlsx file name", code="bad_format")
    return len(tables["projects"])


# Import -----------------------------------------------------------------------------------

def _read_tables(path: Path) -> tuple[dict[str, list[list[str]]], dict[str, list[str]]]:
    """Tables of an exchange file, and for each row the place a person finds it at."""
    tables: dict[str, list[list[str]]] = {t: [] for t in TABLES}
    places: dict[str, list[str]] = {t: [] for t in TABLES}
    name = path.name
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader, [])
            if not header or header[0] != "table":
                raise InputError([Problem(file=name, row=1, field="table", code="bad-header",
                                          detail="the first column must be 'table'; export a "
                                                 "file to see the layout")])
            for number, row in enumerate(reader, start=2):
                values = dict(zip(header, row, strict=False))
                table = values.get("table", "")
                if table not in tables:
                    raise InputError([Problem(file=name, row=number, field="table",
                                              code="unknown-table",
                                              detail=f"{table!r} is not one of: "
                                                     f"{', '.join(TABLES)}")])
                tables[table].append([values.get(c, "") for c in COLUMNS[table]])
                places[table].append(f"{name}, row {number}")
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        for t in TABLES:
            if t not in book.sheetnames:
                continue
            rows = list(book[t].iter_rows(values_only=True))
            header = [str(h) for h in rows[0]] if rows else []
            for number, row in enumerate(rows[1:], start=2):
                values = dict(zip(header, row, strict=False))
                tables[t].append([_cell(values.get(c)) for c in COLUMNS[t]])
                places[t].append(f"{name}, sheet {t}, row {number}")
    else:
        raise InputError([Problem(file=name, code="bad-format",
                                  detail="use a .csv or .xlsx file")])
    return tables, places


def _typed(tables: dict[str, list[list[str]]], places: dict[str, list[str]]):
    """Type and check the rows with the package schema (Frictionless), in a scratch folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        resources = []
        for resource in RESOURCES:
            copy = json.loads(json.dumps(resource))
            keys = copy["schema"].get("foreignKeys", [])
            copy["schema"]["foreignKeys"] = [k for k in keys
                                             if k["reference"]["resource"] in TABLES]
            resources.append(copy)
            with (root / resource["path"]).open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(COLUMNS[resource["name"]])
                writer.writerows(tables[resource["name"]])
        (root / "datapackage.json").write_text(json.dumps(
            {"name": "projects-import", "resources": resources}), encoding="utf-8")
        try:
            return read_package(root)
        except InputError as exc:
            raise InputError([_placed(p, places) for p in exc.problems]) from exc


def _placed(problem: Problem, places: dict[str, list[str]]) -> Problem:
    table = problem.file.removesuffix(".csv")
    if problem.row is not None and table in places and 2 <= problem.row <= len(
            places[table]) + 1:
        where = places[table][problem.row - 2]
        return Problem(file=where, code=problem.code, detail=problem.detail,
                       field=problem.field, params=problem.params)
    return problem


@transaction.atomic
def import_file(path: Path, *, user: Any = None, dry_run: bool = False,
                progress: Callable[[int], None] | None = None) -> LoadResult:
    """Import an exchange file: for each pact it names, the projects become the file's.

    All rows are checked first; any problem refuses the whole file, each with its place.
    """
    path = Path(path)
    try:
        tables, places = _read_tables(path)
        data = _typed(tables, places)
    except InputError as exc:
        raise ApplicationError(f"{path.name}: nothing was imported.", code="invalid_file",
                               problems=exc.problems) from exc
    if progress:
        progress(50)
    result = LoadResult()
    writer = PackageWriter(result, user, f"import-projects {path.name}")
    codes = sorted({r["pact"] for r in data.tables["projects"]})
    try:
        for code in codes:
            pact = Pact.objects.filter(code=code).first()
            if pact is None:
                row = next(r for r in data.tables["projects"] if r["pact"] == code)
                raise InputError([Problem(file=places["projects"][row["_row"] - 2],
                                          field="pact", code="unknown-pact",
                                          detail=f"pact {code!r} is not loaded; load its "
                                                 "package first with `patto load-pact`")])
            result.pacts.append(pact)
            load_projects_section(data=data, writer=writer, pact=pact, parties={})
    except InputError as exc:
        raise ApplicationError(f"{path.name}: nothing was imported.", code="invalid_file",
                               problems=[_placed(p, places) for p in exc.problems]) from exc
    if dry_run:
        transaction.set_rollback(True)
    return result


def import_job_runner(job: Any, progress: Any) -> dict:
    """Runs a staff upload of projects in the background (see patto.core.importing)."""
    result = import_file(Path(job.file.path), user=job.created_by, progress=progress.at)
    return {f"{label} {kind}": n for label, counter in (
        ("created", result.created), ("updated", result.updated), ("deleted", result.deleted))
        for kind, n in sorted(counter.items())}
