"""The one import pipeline: read a bounded upload, check every row, then write all or nothing.

Every spreadsheet that enters the platform (a staff upload run in the background, or a file
given to a command) passes here:

1. :func:`read_tables` reads a CSV or XLSX file within limits set in settings (file size,
   uncompressed size of an XLSX before it is parsed, rows, cells per row) and cleans every cell
   the same way: control characters and live formulas are refused with their place, the
   apostrophe that our exports put before formula-like text is taken off, spaces trimmed.
2. The importer registered for the kind checks every row and writes through its app's services,
   inside one transaction that :func:`import_run` opens; it reports each fault to
   :class:`Problems` with its place and goes on, so that a person sees every fault at once.
3. Any fault rolls the whole transaction back: nothing is half-written. Problems are kept up to
   a limit, with the count of the others. Any unexpected error fails the job with a message a
   clerk understands; the technical detail goes to the log only. The uploaded file is deleted
   when its job ends.

Faults of the file that leave it readable (a blank or repeated column name, a missing column, a
formula or control character in a cell, a cell beyond the header, a sheet that cannot be read
beside others that can) are reported together with the row checks of the same run, so that one
upload shows them all; only a file that cannot be read at all (not a spreadsheet, wrong
encoding, over a limit) stops before the rows are checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.engine.problems import InputError, Problem, column_name_problems

from .errors import ApplicationError, problem_detail
from .forms import YEARS
from .models import ImportJob
from .text import has_control_characters, undefuse

logger = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one upload may hold; each from a setting (see README, Configuration)."""

    bytes: int
    uncompressed_bytes: int
    rows: int
    cells: int
    problems: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            bytes=getattr(settings, "PATTO_UPLOAD_MAX_BYTES", 10 * MIB),
            uncompressed_bytes=getattr(settings, "PATTO_UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * MIB),
            rows=getattr(settings, "PATTO_UPLOAD_MAX_ROWS", 100_000),
            cells=getattr(settings, "PATTO_UPLOAD_MAX_CELLS", 200),
            problems=getattr(settings, "PATTO_IMPORT_MAX_PROBLEMS", 200),
        )


# Problems ----------------------------------------------------------------------------------


class Problems:
    """Faults found while checking, kept up to a limit; the others are counted."""

    def __init__(self, limit: int | None = None):
        self.limit = Limits.from_settings().problems if limit is None else limit
        self.kept: list[Problem] = []
        self.more = 0
        self._silenced: set[tuple[str, int | None, str | None]] = set()

    def silence(self, file: str, field: str | None, row: int | None = None) -> None:
        """Drop later problems at a place already reported by the reader (a missing column,
        ``row`` None: on every row; a cell refused when read): one fault, said once."""
        self._silenced.add((file, row, field))

    def add(self, problem: Problem) -> None:
        if problem.field is not None and (
            (problem.file, None, problem.field) in self._silenced
            or (problem.file, problem.row, problem.field) in self._silenced
        ):
            return
        if len(self.kept) < self.limit:
            self.kept.append(problem)
        else:
            self.more += 1

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return bool(self.kept)

    def __len__(self) -> int:
        return len(self.kept) + self.more

    def error(self, name: str) -> ApplicationError:
        error = ApplicationError(
            _("%(name)s: nothing was imported.") % {"name": name},
            code="invalid_file",
            problems=self.kept,
        )
        error.more = self.more
        return error


# Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of a table: its number as a spreadsheet shows it, and its cells as text."""

    table: Table
    number: int
    cells: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        return self.cells.get(column, default)

    def problem(
        self, field: str | None, detail: str, *, code: str = "invalid-value", **params: Any
    ) -> Problem:
        return Problem(
            file=self.table.place,
            row=self.number,
            field=field,
            code=code,
            detail=detail,
            params=params,
        )


@dataclass
class Table:
    """A sheet of an XLSX file or a whole CSV file: header and rows."""

    file: str
    sheet: str | None = None
    header: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def place(self) -> str:
        if self.sheet is None:
            return self.file
        return _("%(file)s, sheet %(sheet)s") % {"file": self.file, "sheet": self.sheet}


def _whole(file: str, code: str, detail: str, **params: Any) -> InputError:
    return InputError([Problem(file=file, code=code, detail=detail, params=params)])


def check_file(path: Path, name: str, limits: Limits | None = None) -> str:
    """The format of a file to import, or an error saying why it cannot be read."""
    limits = limits or Limits.from_settings()
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise _whole(
            name,
            "bad-format",
            _(
                "the file is not a .csv or .xlsx file: save it in "
                "one of these formats and upload it again"
            ),
        )
    size = path.stat().st_size
    if size == 0:
        raise _whole(name, "empty-file", _("the file is empty: export the data again"))
    if size > limits.bytes:
        raise _whole(
            name,
            "too-large",
            _(
                "the file is %(size)s MB, over the limit of %(limit)s MB: split it into smaller "
                "files"
            )
            % {"size": round(size / MIB, 1), "limit": round(limits.bytes / MIB, 1)},
        )
    return fmt


def _clean(
    raw: Any,
    table: Table,
    number: int,
    column: str,
    problems: list[Problem],
    *,
    is_formula: bool = False,
) -> str:
    """One cell as trimmed text; control characters and live formulas are faults."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return str(raw)  # the app's number check names it
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    text = str(raw)
    if has_control_characters(text):
        problems.append(
            Row(table, number, {}).problem(
                column,
                _(
                    "the cell holds an invisible control character: retype the text or paste it as "
                    "plain text"
                ),
                code="control-character",
            )
        )
        return ""
    if is_formula or text.startswith("="):
        problems.append(
            Row(table, number, {}).problem(
                column,
                _(
                    "the cell holds a formula (%(formula)s): write its value instead "
                    "(in a spreadsheet, paste special › values only)"
                )
                % {"formula": text[:40]},
                code="formula",
            )
        )
        return ""
    return undefuse(text.strip())


def _rows_of(
    table: Table,
    records: Iterator[tuple[list[Any], list[bool]]],
    limits: Limits,
    problems: list[Problem],
) -> Table:
    """Fill a table from its raw records (cells and, per cell, whether it is a formula)."""
    header_seen = False
    for number, (values, formulas) in enumerate(records, start=1):
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if len(values) > limits.cells:
            raise _whole(
                table.place,
                "too-many-cells",
                _(
                    "row %(row)s has %(count)s cells, over the limit of %(limit)s: remove the "
                    "columns that are not part of the layout"
                )
                % {"row": number, "count": len(values), "limit": limits.cells},
            )
        if not header_seen:
            table.header = [_clean(v, table, 1, str(i + 1), problems) for i, v in enumerate(values)]
            problems.extend(column_name_problems(table.place, table.header))
            header_seen = True
            continue
        if number - 1 > limits.rows:
            raise _whole(
                table.place,
                "too-many-rows",
                _("the file has more than %(limit)s rows: split it into smaller files")
                % {"limit": limits.rows},
            )
        if not values:
            continue
        cells = {}
        for i, column in enumerate(table.header):
            value = values[i] if i < len(values) else None
            cells[column] = _clean(
                value, table, number, column, problems, is_formula=i < len(formulas) and formulas[i]
            )
        if len(values) > len(table.header) and any(
            v not in (None, "") for v in values[len(table.header) :]
        ):
            problems.append(
                Problem(
                    file=table.place,
                    row=number,
                    code="extra-cell",
                    detail=_(
                        "the row has more cells than the header has columns: remove them or name "
                        "their column"
                    ),
                )
            )
        if any(cells.values()):
            table.rows.append(Row(table, number, cells))
    if not header_seen:
        raise _whole(
            table.place,
            "empty-file",
            _("the file has no header row: export the layout again and fill it in"),
        )
    return table


def _csv_records(text: str) -> Iterator[tuple[list[Any], list[bool]]]:
    first = text.split("\n", 1)[0]
    # Italian spreadsheets save CSV with semicolons: follow the header's separator.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield list(values), []


def _read_csv(path: Path, name: str, limits: Limits, problems: list[Problem]) -> list[Table]:
    data = path.read_bytes()
    if b"\x00" in data:
        raise _whole(
            name,
            "not-text",
            _(
                "the file is not a text CSV file (it holds binary "
                "data): export it again as “CSV UTF-8”"
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _whole(
            name,
            "bad-encoding",
            _(
                "the file is not in UTF-8 (byte %(position)s): save it as “CSV UTF-8” and upload "
                "it again"
            )
            % {"position": exc.start + 1},
        ) from None
    table = Table(file=name)
    try:
        return [_rows_of(table, _csv_records(text), limits, problems)]
    except csv.Error as exc:
        raise _whole(
            name,
            "unreadable",
            _("the CSV file cannot be read (%(error)s): check its quotes and separators")
            % {"error": exc},
        ) from None


def _check_zip(path: Path, name: str, limits: Limits) -> None:
    if not zipfile.is_zipfile(path):
        raise _whole(
            name,
            "unreadable",
            _("the file is not a valid XLSX workbook: save it again as .xlsx (Excel workbook)"),
        )
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        total = sum(info.file_size for info in entries)
    if len(entries) > 10_000 or total > limits.uncompressed_bytes:
        raise _whole(
            name,
            "too-large",
            _(
                "the workbook expands to %(size)s MB, over the limit of %(limit)s MB: keep only "
                "the sheets and rows to import"
            )
            % {"size": round(total / MIB, 1), "limit": round(limits.uncompressed_bytes / MIB, 1)},
        )


def _read_xlsx(
    path: Path, name: str, limits: Limits, problems: list[Problem], sheets: list[str] | None
) -> list[Table]:
    from openpyxl import load_workbook

    _check_zip(path, name, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        logger.info("unreadable workbook %s: %r", name, exc)
        raise _whole(
            name,
            "unreadable",
            _("the file is not a valid XLSX workbook: save it again as .xlsx (Excel workbook)"),
        ) from None
    try:
        tables = []
        names = book.sheetnames if sheets is None else [s for s in sheets if s in book.sheetnames]
        if sheets is None:
            names = names[:1]
        elif not names:
            raise _whole(
                name,
                "missing-sheet",
                _(
                    "the workbook has none of the sheets %(sheets)s: export the layout again and "
                    "keep its sheet names"
                )
                % {"sheets": ", ".join(sheets)},
            )
        for title in names:
            sheet = book[title]
            # Trust no declared size: a forged dimension would pad every row.
            sheet.reset_dimensions()

            def records(sheet=sheet):
                for row in sheet.iter_rows():
                    yield (
                        [c.value for c in row],
                        [getattr(c, "data_type", None) == "f" for c in row],
                    )

            table = Table(file=name, sheet=title if sheets is not None else None)
            try:
                tables.append(_rows_of(table, records(), limits, problems))
            except InputError:
                raise
            except Exception as exc:
                if len(names) == 1:
                    raise
                # One broken sheet among others: said with its place, and the others are
                # still read and checked in the same run.
                logger.info("unreadable sheet %s of %s: %r", title, name, exc)
                problems.append(
                    Problem(
                        file=table.place,
                        code="unreadable",
                        detail=_(
                            "the sheet cannot be read: copy its cells into a new sheet with "
                            "the same name, save the workbook again as .xlsx and upload it"
                        ),
                    )
                )
        return tables
    except InputError:
        raise
    except Exception as exc:
        logger.info("unreadable workbook %s: %r", name, exc)
        raise _whole(
            name,
            "unreadable",
            _("the workbook cannot be read: save it again as .xlsx (Excel workbook)"),
        ) from None
    finally:
        book.close()


def read_tables_checked(
    path: Path, name: str, *, sheets: list[str] | None = None, limits: Limits | None = None
) -> tuple[list[Table], list[Problem]]:
    """The tables of an upload, every cell cleaned, and the faults that left it readable.

    A fault that stops reading (format, encoding, a limit) raises :class:`InputError`; the
    others come back beside the tables (a refused cell reads as empty), for the rows to be
    checked in the same run.
    """
    limits = limits or Limits.from_settings()
    path = Path(path)
    fmt = check_file(path, name, limits)
    problems: list[Problem] = []
    if fmt == "csv":
        tables = _read_csv(path, name, limits, problems)
    else:
        tables = _read_xlsx(path, name, limits, problems, sheets)
    return tables, problems


def read_tables(
    path: Path, name: str, *, sheets: list[str] | None = None, limits: Limits | None = None
) -> list[Table]:
    """The tables of an upload, every cell cleaned, or every fault of the file at once.

    ``sheets`` names the XLSX sheets to read (a CSV file is one table); without it the first
    sheet is read. Raises :class:`InputError` with the faults found, each with its place.
    """
    tables, problems = read_tables_checked(path, name, sheets=sheets, limits=limits)
    if problems:
        raise InputError(problems)
    return tables


def missing_columns(table: Table, required: list[str] | tuple[str, ...]) -> list[Problem]:
    """A problem for each required column the table's header lacks."""
    return [
        Problem(
            file=table.place,
            row=1,
            field=c,
            code="missing-column",
            detail=_("column %(name)s is missing: download the layout again and keep its header")
            % {"name": c},
        )
        for c in required
        if c not in table.header
    ]


def read_table(
    path: Path, name: str, *, required: list[str] = (), limits: Limits | None = None
) -> Table:
    """The one table of an upload, with its required columns checked."""
    table = read_tables(path, name, limits=limits)[0]
    missing = missing_columns(table, required)
    if missing:
        raise InputError(missing)
    return table


# Typed cells, shared by every importer ---------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as its type; the message says how to write it."""


def parse_decimal(text: str) -> Decimal:
    """A number as people write it: 1234.5, 1234,5 or 1.234,5 (Italian)."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in value:
        value = value.replace(".", "").replace(",", ".") if value.count(",") == 1 else value
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(
            _("“%(value)s” is not a number: write it as 1234,5") % {"value": text}
        ) from None
    if not number.is_finite():
        raise CellError(
            _("“%(value)s” is not a finite number: write the value, or leave the row out")
            % {"value": text}
        )
    return number


def parse_year(text: str) -> int:
    """A year between 1900 and 2100."""
    try:
        number = parse_decimal(text)
    except CellError:
        raise CellError(
            _("“%(value)s” is not a year: write it as 2024") % {"value": text}
        ) from None
    if number != number.to_integral_value() or int(number) not in YEARS:
        raise CellError(
            _("“%(value)s” is not a year between %(first)s and %(last)s")
            % {"value": text, "first": YEARS.start, "last": YEARS.stop - 1}
        )
    return int(number)


def parse_date(text: str) -> dt.date:
    """A date as YYYY-MM-DD or, as Italians write it, DD/MM/YYYY, within 1900..2100."""
    value = text.strip()
    try:
        if "/" in value:
            day, month, year = value.split("/")
            date = dt.date(int(year), int(month), int(day))
        else:
            date = dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date: write it as 31/12/2024 or 2024-12-31") % {"value": text}
        ) from None
    if date.year not in YEARS:
        raise CellError(
            _("“%(value)s” is not a date between %(first)s and %(last)s")
            % {"value": text, "first": YEARS.start, "last": YEARS.stop - 1}
        )
    return date


# Running ---------------------------------------------------------------------------------------


@dataclass
class ImportContext:
    """What an importer gets: the file, who imports it, where to report faults and progress."""

    path: Path
    name: str
    user: Any
    problems: Problems
    progress: Callable[[int], None]
    dry_run: bool = False
    rows: int = 0

    def tables(self, *, sheets: list[str] | None = None) -> list[Table]:
        """The file's tables; the faults that leave it readable go to ``problems`` (the run
        then writes nothing) and the importer goes on to check the rows."""
        tables, problems = read_tables_checked(self.path, self.name, sheets=sheets)
        self._report(problems)
        self.rows += sum(len(t.rows) for t in tables)
        return tables

    def table(self, *, required: list[str] = ()) -> Table:
        """The file's one table, as :meth:`tables`, with its required columns checked: a
        missing column is reported once, not again on every row."""
        table = self.tables()[0]
        missing = missing_columns(table, required)
        self._report(missing)
        for problem in missing:
            self.problems.silence(table.place, problem.field)
        return table

    def _report(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.problems.add(problem)
            if problem.row is not None and problem.row > 1:
                self.problems.silence(problem.file, problem.field, problem.row)


@dataclass(frozen=True)
class Importer:
    """Something staff can import: ``run`` checks every row of the context's file, reports
    each fault to ``context.problems`` and writes through its app's services; it returns a
    summary (what it created, changed, left alone)."""

    kind: str
    label: str
    permission: str
    run: Callable[[ImportContext], dict]


_REGISTRY: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    _REGISTRY[importer.kind] = importer


def importer_for(kind: str) -> Importer | None:
    return _REGISTRY.get(kind)


def importers() -> list[Importer]:
    return list(_REGISTRY.values())


@dataclass(frozen=True)
class ImportResult:
    summary: dict
    rows: int


def import_run(
    *,
    importer: Importer,
    path: Path,
    name: str,
    user: Any,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Run an importer on a file in one transaction: its summary and the rows read, or an
    ApplicationError listing every fault (then nothing is written)."""
    problems = Problems()
    context = ImportContext(
        path=Path(path),
        name=name,
        user=user,
        problems=problems,
        progress=progress or (lambda percent: None),
        dry_run=dry_run,
    )
    try:
        with transaction.atomic():
            summary = importer.run(context)
            if problems or dry_run:
                transaction.set_rollback(True)
    except InputError as exc:
        problems.extend(exc.problems)
    except ApplicationError as exc:
        problems.extend(exc.problems or [Problem(file=name, code=exc.code, detail=exc.message)])
    if problems:
        raise problems.error(name)
    return ImportResult(summary=summary, rows=context.rows)


class Progress:
    """How far a job has come, kept in the cache where the web page can read it."""

    def __init__(self, job_id: Any):
        self.key = f"import-job:{job_id}:progress"
        cache.set(self.key, 0, timeout=86400)

    def at(self, percent: int) -> None:
        cache.set(self.key, max(0, min(100, int(percent))), timeout=86400)

    @staticmethod
    def percent(job: ImportJob) -> int:
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return 100
        return int(cache.get(f"import-job:{job.id}:progress") or 0)


def import_job_create(*, kind: str, uploaded_file: Any, user: Any) -> ImportJob:
    """Store an uploaded file and queue its import; the task starts once this commits."""
    importer = importer_for(kind)
    if importer is None:
        raise ApplicationError(
            _("Unknown import kind: %(kind)s.") % {"kind": kind}, code="unknown_kind"
        )
    if not user.has_perm(importer.permission):
        raise ApplicationError(
            _("You do not have permission to import this data."), code="forbidden"
        )
    name = Path(uploaded_file.name).name
    if Path(name).suffix.lower() not in FORMATS:
        raise ApplicationError(
            _("%(name)s: unrecognised format. Upload a .csv or .xlsx file.") % {"name": name},
            code="bad_format",
        )
    limit = Limits.from_settings().bytes
    if uploaded_file.size > limit:
        raise ApplicationError(
            _(
                "%(name)s: the file is %(size)s MB, over the limit of "
                "%(limit)s MB. Split it into smaller files."
            )
            % {
                "name": name,
                "size": round(uploaded_file.size / MIB, 1),
                "limit": round(limit / MIB, 1),
            },
            code="too_large",
        )
    from .tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, file=uploaded_file, original_name=name, created_by=user
        )
        transaction.on_commit(lambda: run_import_job.enqueue(str(job.id)))
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Run a queued job to its end: done, or failed with what a clerk can act upon.

    Whatever happens, the job ends (never left running) and its file is deleted.
    """
    importer = importer_for(job.kind)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    progress = Progress(job.id)
    try:
        if importer is None:
            raise ApplicationError(
                _("Unknown import kind: %(kind)s.") % {"kind": job.kind}, code="unknown_kind"
            )
        result = import_run(
            importer=importer,
            path=Path(job.file.path),
            name=job.original_name,
            user=job.created_by,
            progress=progress.at,
        )
    except ApplicationError as exc:
        problems = exc.problems or [
            Problem(file=job.original_name, code=exc.code, detail=exc.message)
        ]
        return _finish(
            job, ImportJob.Status.FAILED, problems=problems, more=getattr(exc, "more", 0)
        )
    except Exception:
        # The detail (which may name paths or settings) goes to the log, never to the page.
        logger.exception("import job %s (%s) failed", job.id, job.kind)
        return _finish(
            job,
            ImportJob.Status.FAILED,
            problems=[
                Problem(
                    file=job.original_name,
                    code="internal-error",
                    detail=_(
                        "the import stopped on an unexpected error and nothing was written: "
                        "try again later, and if it happens again tell the administrator the "
                        "import's reference %(ref)s"
                    )
                    % {"ref": job.id},
                )
            ],
        )
    job.total_rows = result.rows
    return _finish(job, ImportJob.Status.DONE, summary=result.summary)


def import_job_fail(job: ImportJob, detail: str) -> ImportJob:
    """End a job that could not run (its worker stopped, its task failed to start)."""
    return _finish(
        job,
        ImportJob.Status.FAILED,
        problems=[Problem(file=job.original_name, code="internal-error", detail=detail)],
    )


def import_jobs_expire(*, older_than: dt.timedelta | None = None) -> int:
    """Fail the jobs that a stopped worker left queued or running too long; how many."""
    older_than = older_than or dt.timedelta(seconds=getattr(settings, "PATTO_IMPORT_TIMEOUT", 3600))
    stale = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING],
        updated_at__lt=timezone.now() - older_than,
    )
    count = 0
    for job in stale:
        import_job_fail(
            job,
            _(
                "the import did not finish within the time allowed and "
                "nothing was written: upload the file again"
            ),
        )
        count += 1
    return count


def _finish(
    job: ImportJob,
    status: str,
    *,
    problems: list[Problem] | None = None,
    summary: dict | None = None,
    more: int = 0,
) -> ImportJob:
    job.status = status
    job.problems = [
        {"file": p.file, "row": p.row, "field": p.field, "detail": problem_detail(p)}
        for p in problems or []
    ]
    job.problem_count = len(job.problems) + more
    job.summary = {str(k): v for k, v in (summary or {}).items()}
    job.finished_at = timezone.now()
    if job.file:
        # The upload served its purpose; keeping it would keep personal data for nothing.
        job.file.delete(save=False)
    job.save(
        update_fields=[
            "status",
            "problems",
            "problem_count",
            "summary",
            "finished_at",
            "total_rows",
            "file",
            "updated_at",
        ]
    )
    return job
