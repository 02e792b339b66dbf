"""Export and import of projects with their sheets as CSV or XLSX, in the package's own columns.

The same tables as a pact data package's project resources: XLSX holds one sheet per table,
CSV one file whose first column names the table. Exporting, importing into a database that
has the pact registry but no projects, and exporting again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from patto.core.errors import ApplicationError
from patto.core.exports import cell_text, csv_text, xlsx_bytes
from patto.core.importing import (
    ImportContext,
    Importer,
    Row,
    import_run,
    read_table,
    read_tables,
)
from patto.engine.datapackage import read_package
from patto.engine.pact_package import format_basis
from patto.engine.problems import InputError, Problem
from patto.pact.models import Pact
from patto.pact.services import LoadResult, PackageWriter

from .models import ProcedureStep, Project
from .package import load_projects_section
from .schema import RESOURCES, TABLES

STEP_ORDER = [s.value for s in ProcedureStep.Step]
COLUMNS = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in RESOURCES}
PUBLIC_TABLES = [t for t in TABLES if t != "project_referents"]


def export_tables(projects: QuerySet[Project], *, personal: bool = False
                  ) -> dict[str, list[list[str]]]:
    """Rows of every table for these projects, in a stable order; referents only if
    ``personal`` (names of people are personal data)."""
    projects = projects.select_related("pact", "cluster", "emergency_action", "lead_party",
                                       "parent") \
        .prefetch_related("challenges", "sdg_targets", "territories", "links__pact",
                          "outgoing_links__to_project",
                          "involved__party", "referents__party", "funding__party",
                          "planned_activities", "completed_activities", "critical_issues",
                          "procedure_steps",
                          "success_factors", "meetings", "events", "contributions__party",
                          "milestones", "places__territory") \
        .order_by("pact__code", "code")
    rows: dict[str, list[list[Any]]] = {t: [] for t in TABLES}
    for p in projects:
        key = [p.pact.code, p.code]
        rows["projects"].append([
            p.pact.code, p.code, p.title, p.cluster.code if p.cluster else None,
            p.emergency_action.code if p.emergency_action else None, p.horizon,
            p.lead_party.code, format_basis(p.lead_party_basis, p.lead_party_basis_note),
            p.status, p.progress, format_basis(p.status_basis, p.status_basis_note),
            p.start_on, p.end_on, p.cup, p.budget,
            p.summary, p.expected_results, None, p.description,
            ";".join(sorted(c.code for c in p.challenges.all())),
            ";".join(sorted(t.code for t in p.sdg_targets.all())),
            ";".join(sorted(t.code for t in p.territories.all())), p.is_example, p.source,
            p.sheet_updated_on, p.working_method, p.parent.code if p.parent else None,
            p.weight, p.progress_method, p.progress_reason])
        milestones = sorted(p.milestones.all(), key=lambda m: (m.position, m.pk))
        titles = {m.pk: m.title for m in milestones}
        rows["milestones"] += [[*key, m.title, titles.get(m.parent_id), m.position, m.weight,
                                m.due_on, m.done_on] for m in _parents_first(milestones)]
        rows["project_places"] += sorted(
            ([*key, pl.name, pl.latitude, pl.longitude,
              pl.territory.code if pl.territory else None] for pl in p.places.all()),
            key=lambda r: r[2])
        for link in sorted(p.outgoing_links.all(), key=lambda k: k.to_project.code):
            other = link.to_project
            if other.pact_id == p.pact_id and p.code < other.code:
                rows["project_links"].append([*key, other.code, link.note])
        rows["project_parties"] += sorted([*key, i.party.code, i.role,
                                           format_basis(i.basis, i.basis_note)]
                                          for i in p.involved.all())
        if personal:
            rows["project_referents"] += sorted([*key, r.party.code, r.person]
                                                for r in p.referents.all())
        rows["project_funding"] += sorted(
            ([*key, f.source, f.party.code if f.party else None, f.kind, f.amount]
             for f in p.funding.all()), key=lambda r: r[2])
        rows["procedure_steps"] += sorted(
            ([*key, s.step, s.planned_start_on, s.planned_end_on, s.actual_start_on,
              s.actual_end_on, s.note] for s in p.procedure_steps.all()),
            key=lambda r: STEP_ORDER.index(r[2]))
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
        rows["events"] += sorted(([*key, e.title, e.held_on, e.place, e.participants,
                                   e.organiser]
                                  for e in p.events.all()), key=lambda r: (r[3], r[2]))
        rows["contributions"] += sorted(
            ([*key, c.activity, c.amount, c.granted_by, c.party.code if c.party else None,
              c.received_on, c.kind, c.resource] for c in p.contributions.all()),
            key=lambda r: (r[2], r[4]))
    return {t: [[cell_text(v) for v in row] for row in table] for t, table in rows.items()}


def _parents_first(milestones: list) -> list:
    """Milestones in their order, each under its parent (as a reader of the file expects;
    a load accepts any order)."""
    children: dict[int | None, list] = {}
    for m in milestones:
        children.setdefault(m.parent_id, []).append(m)
    ordered: list = []

    def walk(parent: int | None) -> None:
        for m in children.get(parent, []):
            ordered.append(m)
            walk(m.pk)

    walk(None)
    return ordered


def _csv_rows(tables: dict[str, list[list[str]]]) -> tuple[list[str], list[list[str]]]:
    """One table: the first column names the table, then the union of every table's columns."""
    union: list[str] = []
    for t in TABLES:
        union += [c for c in COLUMNS[t] if c not in union]
    rows = []
    for t in TABLES:
        for row in tables.get(t, []):
            values = dict(zip(COLUMNS[t], row, strict=True))
            rows.append([t, *(values.get(c, "") for c in union)])
    return ["table", *union], rows


def export_file(projects: QuerySet[Project], path: Path, *, personal: bool = True) -> int:
    tables = export_tables(projects, personal=personal)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes({t: (COLUMNS[t], tables[t]) for t in TABLES}))
    elif path.suffix.lower() == ".csv":
        path.write_text(csv_text(*_csv_rows(tables)), encoding="utf-8")
    else:
        raise ApplicationError(f"{path.name}: use a .csv or .xlsx file name", code="bad_format")
    return len(tables["projects"])


# Import -----------------------------------------------------------------------------------

def _read_tables(path: Path, name: str) -> tuple[dict[str, list[list[str]]],
                                                  dict[str, list[Row]]]:
    """Tables of an exchange file, read through the import pipeline, and each row's place."""
    tables: dict[str, list[list[str]]] = {t: [] for t in TABLES}
    places: dict[str, list[Row]] = {t: [] for t in TABLES}
    if Path(name).suffix.lower() == ".csv":
        table = read_table(path, name, required=["table"])
        for row in table.rows:
            kind = row.get("table")
            if kind not in tables:
                raise InputError([row.problem("table", f"{kind!r} is not one of: "
                                              f"{', '.join(TABLES)}", code="unknown-table")])
            tables[kind].append([row.get(c) for c in COLUMNS[kind]])
            places[kind].append(row)
    else:
        for table in read_tables(path, name, sheets=TABLES):
            for row in table.rows:
                tables[table.sheet].append([row.get(c) for c in COLUMNS[table.sheet]])
                places[table.sheet].append(row)
    for kind, rows in places.items():
        if "text_file" in COLUMNS[kind]:
            # An exchange file carries texts in its own cells; a path would read a server file.
            bad = [r.problem("text_file", "an exchange file names no files: write the text "
                             "in the description column and empty this cell",
                             code="outside-package", value=r.get("text_file"))
                   for r in rows if r.get("text_file")]
            if bad:
                raise InputError(bad)
    return tables, places


def _typed(tables: dict[str, list[list[str]]], places: dict[str, list[Row]]):
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
            # A scratch copy for the schema check: the values as read, not defused.
            (root / resource["path"]).write_text(
                csv_text(COLUMNS[resource["name"]], tables[resource["name"]], defused=False),
                encoding="utf-8")
        (root / "datapackage.json").write_text(json.dumps(
            {"name": "projects-import", "resources": resources}), encoding="utf-8")
        try:
            return read_package(root)
        except InputError as exc:
            raise InputError([_placed(p, places) for p in exc.problems]) from exc


def _placed(problem: Problem, places: dict[str, list[Row]]) -> Problem:
    """A problem found in the scratch package, placed where the person finds it."""
    table = problem.file.removesuffix(".csv")
    if problem.row is not None and table in places and 2 <= problem.row <= len(
            places[table]) + 1:
        where = places[table][problem.row - 2]
        return Problem(file=where.table.place, row=where.number, code=problem.code,
                       detail=problem.detail, field=problem.field, params=problem.params)
    return problem


def import_projects(context: ImportContext) -> dict:
    """The projects importer: for each pact the file names, its projects become the file's.

    Every row is checked first (the pipeline's reader, then the package schema); any problem
    refuses the whole file, each with its place.
    """
    tables, places = _read_tables(context.path, context.name)
    data = _typed(tables, places)
    context.progress(50)
    result = LoadResult()
    writer = PackageWriter(result, context.user, f"import-projects {context.name}")
    try:
        for code in sorted({r["pact"] for r in data.tables["projects"]}):
            pact = Pact.objects.filter(code=code).first()
            if pact is None:
                row = next(r for r in data.tables["projects"] if r["pact"] == code)
                where = places["projects"][row["_row"] - 2]
                raise InputError([where.problem(
                    "pact", f"pact {code!r} is not loaded; load its package first with "
                    "`patto load-pact`", code="unknown-pact")])
            result.pacts.append(pact)
            load_projects_section(data=data, writer=writer, pact=pact, parties={})
    except InputError as exc:
        raise InputError([_placed(p, places) for p in exc.problems]) from exc
    context.progress(100)
    return {f"{label} {kind}": n for label, counter in (
        ("created", result.created), ("updated", result.updated), ("deleted", result.deleted),
        ("unchanged", result.unchanged)) for kind, n in sorted(counter.items())}


IMPORTER = Importer("projects", _("Projects with their sheets"), "projects.delete_project",
                    import_projects)


def import_file(path: Path, *, user: Any = None, dry_run: bool = False) -> dict:
    """Import an exchange file from a command, through the same pipeline as an upload."""
    return import_run(importer=IMPORTER, path=Path(path), name=Path(path).name, user=user,
                      dry_run=dry_run).summary
