"""The exchange with OpenCoesione's project data (opencoesione.gov.it, "progetti", CC BY 4.0).

* Import: an OpenCoesione project CSV (semicolons, decimal commas, as published) goes through
  the one import pipeline (bounded upload, every row checked, all or nothing); a row whose CUP
  is a pact project's gets its national figures stored beside the project
  (:class:`OpenCoesioneRecord`); the other rows are counted as unmatched, not as faults.
* Export: a pact's projects in OpenCoesione's columns (CUP, financing by source, commitments,
  payments, procedural steps), through the one exporter (formula-safe).
* A panel on the project page: what national monitoring says, next to the pact's figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from patto.core import downloads
from patto.core.exports import Table, csv_lines
from patto.core.importing import ImportContext, Importer
from patto.engine import opencoesione as oc

from .models import OpenCoesioneRecord, Project

#: How many unmatched CUPs a summary names (the count is always whole).
UNMATCHED_SHOWN = 20


def _separator_problem(context: ImportContext) -> bool:
    """OpenCoesione separates its columns with semicolons: a header without any is refused."""
    with open(context.path, "rb") as f:
        first = f.readline().decode("utf-8-sig", "replace")
    if ";" in first:
        return False
    from patto.engine.problems import Problem

    context.problems.add(Problem(
        file=context.name, row=1, field=None, code="wrong-separator",
        detail=_("the columns are not separated by semicolons as in OpenCoesione's files: "
                 "upload the CSV as OpenCoesione publishes it")))
    return True


def record_save(*, project: Project, record: oc.Record) -> OpenCoesioneRecord:
    """Store (or replace) the national figures of a project (the importer's one write)."""
    saved, _created = OpenCoesioneRecord.objects.update_or_create(project=project, defaults={
        "cup": record.cup, "local_code": record.local_code, "title": record.title,
        "link": record.link[:500],
        "financing": {k: str(v) for k, v in record.financing.items()},
        "public_total": record.public_total, "commitments": record.commitments,
        "payments": record.payments, "state": record.state,
        "procedural_state": record.procedural_state, "start_on": record.start_on,
        "planned_end_on": record.planned_end_on, "actual_end_on": record.actual_end_on,
        "source_updated_on": record.source_updated_on})
    return saved


def import_opencoesione(context: ImportContext) -> dict:
    """The importer: every row checked; rows whose CUP is a pact project's are linked."""
    wrong = _separator_problem(context)
    table = context.table(required=oc.REQUIRED)
    if wrong or oc.CUP not in table.header:
        return {}
    records = []
    for row in table.rows:
        record, faults = oc.read_record(row.cells)
        for column, message in faults:
            context.problems.add(row.problem(column, message, code="bad-cell"))
        records.append(record)
    context.progress(50)
    if context.problems:
        return {}
    cups = {r.cup for r in records if r.cup}
    projects: dict[str, list[Project]] = {}
    for project in Project.objects.filter(cup__in=cups).order_by("pk"):
        projects.setdefault(project.cup.upper(), []).append(project)
    linked, unmatched = 0, []
    for record in records:
        found = projects.get(record.cup, [])
        for project in found:
            record_save(project=project, record=record)
            linked += 1
        if not found:
            unmatched.append(record.cup or "-")
    context.progress(100)
    return {"linked": linked, "unmatched": len(unmatched),
            "unmatched CUP": ", ".join(unmatched[:UNMATCHED_SHOWN])}


IMPORTER = Importer("opencoesione", _lazy("National monitoring (OpenCoesione projects)"),
                    "projects.change_project", import_opencoesione)


# Export --------------------------------------------------------------------------------------


def project_record(project: Project) -> oc.Record:
    """A pact project as OpenCoesione writes a project: its CUP, financing by source, steps;
    commitments and payments are those national monitoring gave it (the pact keeps none)."""
    financing: dict[str, Decimal] = {}
    for funding in project.funding.all():
        source = oc.KIND_SOURCE.get(funding.kind, "FINANZ_ALTRO_PUBBLICO")
        financing[source] = financing.get(source, Decimal(0)) + funding.amount
    public = sum((v for k, v in financing.items() if k not in ("FINANZ_PRIVATO",
                                                                "FINANZ_DA_REPERIRE")),
                 Decimal(0)) if financing else project.budget
    national = getattr(project, "opencoesione", None)
    return oc.Record(
        cup=project.cup, local_code=f"{project.pact.code}/{project.code}", title=project.title,
        financing=financing, public_total=public,
        commitments=national.commitments if national else None,
        payments=national.payments if national else None,
        state=project.get_status_display(), procedural_state="",
        start_on=project.start_on, planned_end_on=project.end_on, actual_end_on=None,
        source_updated_on=project.sheet_updated_on,
        steps={s.step: (s.planned_start_on, s.planned_end_on, s.actual_start_on,
                        s.actual_end_on) for s in project.procedure_steps.all()},
    )


def export_table(pact: str) -> Table:
    """A pact's projects in OpenCoesione's columns (a registered download's table)."""
    projects = (Project.objects.filter(pact__code=pact)
                .select_related("pact", "opencoesione")
                .prefetch_related("funding", "procedure_steps").order_by("code"))
    return oc.EXPORT_HEADER, [oc.write_row(project_record(p)) for p in projects]


DOWNLOAD = downloads.register("projects-opencoesione", export_table, sheet="progetti")


def export_csv(pact: str) -> str:
    """The export as OpenCoesione publishes its files: semicolons, through the one exporter
    (every cell formula-safe)."""
    return "".join(csv_lines(*export_table(pact), delimiter=";"))


def export_comma_csv(pact: str) -> str:
    """The same table through :func:`patto.core.exports.csv_lines` (the registered download)."""
    return "".join(csv_lines(*export_table(pact)))


# Project page --------------------------------------------------------------------------------


def national_panel(project: Project) -> tuple[str, dict[str, Any]] | None:
    """The sheet panel: national monitoring's figures beside the pact's, if linked."""
    record = OpenCoesioneRecord.objects.filter(project=project).first()
    if record is None:
        return None
    financing = [(source, Decimal(amount)) for source, amount in record.financing.items()]
    return "projects/panels/opencoesione.html", {"oc": record, "oc_financing": financing,
                                                  "oc_project": project}


def export_view(request, pact: str):
    """A pact's projects in OpenCoesione's columns: ``?formato=csv|xlsx|json`` through the one
    download pipeline (built once per data version); without it, the ``;``-separated CSV with
    decimal commas that OpenCoesione itself publishes. Public: pact data only, no names."""
    from django.http import Http404, HttpResponse

    from patto.core.downloads import download_response, query_key
    from patto.pact.models import Pact

    if not Pact.objects.filter(code=pact).exists():
        raise Http404
    filename = f"opencoesione-{pact}"
    fmt = request.GET.get("formato")
    if fmt:
        return download_response(request, key=query_key(request, filename), fmt=fmt,
                                 filename=filename, sheet="progetti",
                                 build=lambda: export_table(pact))
    response = HttpResponse(export_csv(pact), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
