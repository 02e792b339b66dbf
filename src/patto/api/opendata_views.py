"""The open-data page (/dati/, /en/dati/) and its machine addresses: each dataset's CSV and
XLSX, the whole Data Package, the DCAT-AP_IT catalogue in Turtle and JSON-LD."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import catalogue, opendata

CATALOGUE_TYPES = {"ttl": "text/turtle; charset=utf-8",
                   "jsonld": "application/ld+json; charset=utf-8"}


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    """Every dataset with its description, licence, update time and formats."""
    licence_url, licence_title = opendata.licence()
    return render(request, "api/opendata.html", {
        "datasets": opendata.DATASETS, "formats": opendata.TABLE_FORMATS,
        "licence_url": licence_url, "licence_title": licence_title,
        "publisher": opendata.publisher()["name"],
        "updated": opendata.updated_at()})


@require_safe
def table(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if slug not in opendata.BY_SLUG or fmt not in opendata.TABLE_FORMATS:
        raise Http404
    return opendata.table_response(request, slug, fmt)


@require_safe
def package(request: HttpRequest) -> HttpResponse:
    return opendata.package_response(request)


@require_safe
def catalogue_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CATALOGUE_TYPES:
        raise Http404
    body = catalogue.catalogue_text(catalogue.site_base(request), fmt)
    response = HttpResponse(body, content_type=CATALOGUE_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response
