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
