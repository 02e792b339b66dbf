"""The one exporter: every CSV and XLSX file the platform writes, formula-safe and deterministic.

Every cell goes through :func:`patto.core.text.defuse`: text that a spreadsheet would run as a
formula gets a leading apostrophe, and control characters (which XLSX cannot hold) are
dropped. XLSX files hold every cell as text and carry fixed timestamps, so that equal data give
equal bytes. CSV downloads stream, so a long table never sits whole in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse

from .text import defuse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: A table: its header and its rows.
Table = tuple[list[str], Iterable[Iterable[Any]]]


def cell_text(value: Any) -> str:
    """A value as the text a file shows: dates in ISO form, money with its cents."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _safe(row: Iterable[Any], defused: bool = True) -> list[str]:
    # Line breaks as one character, so that CSV quoting always covers them.
    texts = [cell_text(v).replace("\r\n", "\n").replace("\r", "\n") for v in row]
    return [defuse(t) for t in texts] if defused else texts


class _Echo:
    """A file-like object whose write returns what it was given (for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]], *,
              defused: bool = True, delimiter: str = ",") -> Iterator[str]:
    """A CSV table line by line, every cell formula-safe (``defused=False`` only for scratch
    files that a program, never a person, reads back); ``delimiter=";"`` for the files of
    publishers that write them so (OpenCoesione)."""
    writer = csv.writer(_Echo(), lineterminator="\n", delimiter=delimiter)
    yield writer.writerow(_safe(header, defused))
    for row in rows:
        yield writer.writerow(_safe(row, defused))


def json_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A table as a JSON list of records (the header's names as keys), a record at a time.
    Cells are the files' texts; JSON is read by programs, so nothing is defused."""
    yield "["
    for n, row in enumerate(rows):
        record = dict(zip(header, (cell_text(v) for v in row), strict=True))
        yield ("," if n else "") + json.dumps(record, ensure_ascii=False)
    yield "]"


def csv_text(header: list[str], rows: Iterable[Iterable[Any]], *, defused: bool = True) -> str:
    return "".join(csv_lines(header, rows, defused=defused))


def xlsx_bytes(tables: dict[str, Table]) -> bytes:
    """One sheet per table, every cell stored as text, the same bytes for the same data."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, (header, rows) in tables.items():
        sheet = book.create_sheet(title[:31])
        for row in [header, *rows]:
            cells = []
            for value in _safe(row):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula or a number re-read by Excel
                cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time here; equal data must give equal bytes.
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                                 rb"\g<1>2000-01-01T00:00:00Z", content)
            target.writestr(fixed, content)
    return out.getvalue()


def _attachment(response: HttpResponse, filename: str, fmt: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def table_response(header: list[str], rows: Iterable[Iterable[Any]], fmt: str,
                   filename: str, *, sheet: str | None = None) -> HttpResponse:
    """A table as a CSV or JSON (streamed) or XLSX download, computed now: public downloads
    go through :mod:`patto.core.downloads`, which builds them once per data version."""
    if fmt not in CONTENT_TYPES:
        raise Http404(f"unknown format {fmt!r}: use csv, xlsx or json")
    if fmt in ("csv", "json"):
        lines = csv_lines(header, rows) if fmt == "csv" else json_lines(header, rows)
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
        return _attachment(response, filename, fmt)
    body = xlsx_bytes({sheet or filename: (header, rows)})
    return _attachment(HttpResponse(body, content_type=CONTENT_TYPES[fmt]), filename, fmt)


def resource_table(resource, queryset) -> Table:
    """What a django-import-export resource exports, as a table for the same writer."""
    dataset = resource.export(queryset)
    return list(dataset.headers), list(dataset)


def export_response(resource, queryset, fmt: str, filename: str) -> HttpResponse:
    """What a django-import-export resource exports, through the same writer."""
    if fmt not in CONTENT_TYPES:
        raise Http404(f"unknown format {fmt!r}: use csv, xlsx or json")
    return table_response(*resource_table(resource, queryset), fmt, filename)
