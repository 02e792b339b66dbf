"""CSV and XLSX downloads of what a list page shows, through django-import-export resources."""

from __future__ import annotations

from django.http import Http404, HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(resource, queryset, fmt: str, filename: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404(f"unknown format {fmt!r}: use csv or xlsx")
    dataset = resource.export(queryset)
    body = dataset.export(fmt)
    if fmt == "csv":
        body = body.encode("utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def table_response(header: list[str], rows: list[list[str]], fmt: str,
                   filename: str) -> HttpResponse:
    """A plain table (header and text cells) as a CSV or XLSX download."""
    import csv
    import io

    from openpyxl import Workbook

    if fmt not in CONTENT_TYPES:
        raise Http404(f"unknown format {fmt!r}: use csv or xlsx")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        body = buffer.getvalue().encode("utf-8")
    else:
        book = Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
