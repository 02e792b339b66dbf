"""The import framework: validate every row of a spreadsheet, then write all in one transaction.

Apps register what can be imported (a django-import-export resource and the permission
needed); staff upload a file, a background task validates and writes it, and the job
records progress in the cache so the page can show it while the task runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tablib
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.engine.problems import Problem

from .errors import ApplicationError
from .models import ImportJob

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class Importer:
    """Something staff can import: a django-import-export resource (one table), or a
    ``runner`` that imports a whole file itself (several tables) and returns a summary."""

    kind: str
    label: str
    resource_class: type | None
    permission: str
    runner: Callable[[ImportJob, Progress], dict] | None = None


_REGISTRY: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    _REGISTRY[importer.kind] = importer


def importer_for(kind: str) -> Importer | None:
    return _REGISTRY.get(kind)


def importers() -> list[Importer]:
    return list(_REGISTRY.values())


def load_dataset(path: Path, name: str) -> tablib.Dataset:
    """Read a CSV (UTF-8) or XLSX file into a dataset, or say what is wrong with it."""
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ApplicationError(_("%(name)s: unrecognised format. Upload a .csv or .xlsx "
                                 "file.") % {"name": name}, code="bad_format")
    try:
        if fmt == "csv":
            content = path.read_bytes().decode("utf-8-sig")
            return tablib.Dataset().load(content, format="csv")
        with path.open("rb") as handle:
            return tablib.Dataset().load(handle, format="xlsx")
    except UnicodeDecodeError as exc:
        raise ApplicationError(_("%(name)s: the file is not in UTF-8. Save it as “CSV UTF-8” "
                                 "and upload it again.") % {"name": name},
                               code="bad_encoding") from exc
    except Exception as exc:  # tablib and openpyxl raise many kinds for a broken file
        raise ApplicationError(_("%(name)s: the file cannot be read (%(error)s). Check that "
                                 "it is a valid CSV or XLSX file.") % {"name": name, "error": exc},
                               code="unreadable") from exc


class Progress:
    """Rows processed so far, kept in the cache where the web page can read it."""

    def __init__(self, job_id: Any, total: int):
        self.key, self.total, self.done = f"import-job:{job_id}:progress", max(total, 1), 0
        cache.set(self.key, 0, timeout=86400)

    def step(self) -> None:
        self.done += 1
        if self.done % 10 == 0 or self.done == self.total:
            cache.set(self.key, round(100 * self.done / self.total), timeout=86400)

    def at(self, percent: int) -> None:
        cache.set(self.key, percent, timeout=86400)

    @staticmethod
    def percent(job: ImportJob) -> int:
        if job.status == ImportJob.Status.DONE:
            return 100
        return int(cache.get(f"import-job:{job.id}:progress") or 0)


def _tracked(resource_class: type, progress: Progress) -> Any:
    class Tracked(resource_class):
        def after_import_row(self, row, row_result, **kwargs):
            super().after_import_row(row, row_result, **kwargs)
            progress.step()

    return Tracked()


def _problems(result: Any, resource: Any, name: str) -> list[Problem]:
    columns = {f.attribute: f.column_name for f in resource.fields.values()}
    problems: list[Problem] = []
    for error in result.base_errors:
        problems.append(Problem(file=name, code="file-error", detail=str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(Problem(file=name, row=number + 1, code="row-error",
                                    detail=str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = columns.get(attribute, attribute)
            for message in messages:
                problems.append(Problem(
                    file=name, row=invalid.number + 1,
                    field=None if column == "__all__" else column,
                    code="invalid-value", detail=str(message)))
    return problems


def import_job_create(*, kind: str, uploaded_file: Any, user: Any) -> ImportJob:
    """Store an uploaded file and queue its import; the task starts once this commits."""
    importer = importer_for(kind)
    if importer is None:
        raise ApplicationError(_("Unknown import kind: %(kind)s.") % {"kind": kind},
                               code="unknown_kind")
    if not user.has_perm(importer.permission):
        raise ApplicationError(_("You do not have permission to import this data."),
                               code="forbidden")
    if Path(uploaded_file.name).suffix.lower() not in FORMATS:
        raise ApplicationError(_("%(name)s: unrecognised format. Upload a .csv or .xlsx "
                                 "file.") % {"name": uploaded_file.name}, code="bad_format")
    from .tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, file=uploaded_file,
                                       original_name=uploaded_file.name, created_by=user)
        transaction.on_commit(lambda: run_import_job.enqueue(str(job.id)))
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Validate every row, then write them all in one transaction, or write nothing."""
    importer = importer_for(job.kind)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    if importer.runner is not None:
        try:
            summary = importer.runner(job, Progress(job.id, total=100))
        except ApplicationError as exc:
            problems = exc.problems or [Problem(file=job.original_name, code=exc.code,
                                                detail=exc.message)]
            return _finish(job, ImportJob.Status.FAILED, problems=problems)
        return _finish(job, ImportJob.Status.DONE, summary=summary)
    try:
        dataset = load_dataset(Path(job.file.path), job.original_name)
    except ApplicationError as exc:
        return _finish(job, ImportJob.Status.FAILED, problems=[
            Problem(file=job.original_name, code=exc.code, detail=exc.message)])
    job.total_rows = len(dataset)
    progress = Progress(job.id, total=2 * len(dataset))
    # First pass: everything is validated and rolled back, so every fault is reported.
    check = _tracked(importer.resource_class, progress)
    result = check.import_data(dataset, dry_run=True, raise_errors=False,
                               use_transactions=True, user=job.created_by)
    problems = _problems(result, check, job.original_name)
    if problems:
        return _finish(job, ImportJob.Status.FAILED, problems=problems)
    writer = _tracked(importer.resource_class, progress)
    with transaction.atomic():
        result = writer.import_data(dataset, dry_run=False, raise_errors=False,
                                    use_transactions=True, user=job.created_by)
        problems = _problems(result, writer, job.original_name)
        if problems:
            transaction.set_rollback(True)
    if problems:
        return _finish(job, ImportJob.Status.FAILED, problems=problems)
    return _finish(job, ImportJob.Status.DONE, summary={
        k: v for k, v in result.totals.items() if v})


def _finish(job: ImportJob, status: str, *, problems: list[Problem] | None = None,
            summary: dict | None = None) -> ImportJob:
    job.status = status
    job.problems = [{"file": p.file, "row": p.row, "field": p.field, "detail": p.detail}
                    for p in problems or []]
    job.summary = summary or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "summary", "finished_at", "total_rows",
                            "updated_at"])
    return job
