"""The open data: every public dataset of the platform as a table (CSV and XLSX through
:mod:`patto.core.downloads`, built once per data version by registered kinds), and the whole
as a Frictionless Data Package (a ZIP holding ``datapackage.json`` and one CSV per dataset).

Every table is made of what the REST API serves to anybody (its serializers): no column that
the API keeps to itself (people's names, e-mails, who recorded what) can reach a file.
Nested values (a donor, an assessment) are written as JSON in their cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

from patto.core import downloads, exports
from patto.core.cache import current_version, versioned

from . import selectors, serializers

#: CC BY 4.0 unless the site says otherwise.
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_LICENCE_TITLE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"


def licence() -> tuple[str, str]:
    """The licence's address and title (PATTO_OPEN_DATA_LICENCE, PATTO_OPEN_DATA_LICENCE_TITLE)."""
    url = getattr(settings, "PATTO_OPEN_DATA_LICENCE", "") or DEFAULT_LICENCE
    title = getattr(settings, "PATTO_OPEN_DATA_LICENCE_TITLE", "") or (
        DEFAULT_LICENCE_TITLE if url == DEFAULT_LICENCE else url)
    return url, title


def publisher() -> dict[str, str]:
    """Who publishes the data: name, IPA code, contact (settings, with the demo's defaults)."""
    return {
        "name": getattr(settings, "PATTO_OPEN_DATA_PUBLISHER",
                        "Città metropolitana di Bologna"),
        "ipa": getattr(settings, "PATTO_OPEN_DATA_IPA", "cm_bo"),
        "email": getattr(settings, "PATTO_OPEN_DATA_CONTACT", "") or settings.DEFAULT_FROM_EMAIL,
    }


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    return value


def _serialized(serializer_class, items, extra: dict[str, Any] | None = None
                ) -> Iterator[list[Any]]:
    names = list(serializer_class().fields)
    for item in items:
        record = serializer_class(item).data
        yield [*(extra or {}).values(), *(_cell(record[n]) for n in names)]


def _header(serializer_class, extra: tuple[str, ...] = ()) -> list[str]:
    return [*extra, *serializer_class().fields]


# Tables --------------------------------------------------------------------------------------


def parties_table() -> exports.Table:
    def rows():
        for pact in selectors.pact_list():
            yield from _serialized(serializers.PartyRoleSerializer,
                                   selectors.pact_parties(pact=pact), {"pact": pact.code})
    return _header(serializers.PartyRoleSerializer, ("pact",)), rows()


def territory_table() -> exports.Table:
    return (_header(serializers.TerritorySerializer),
            _serialized(serializers.TerritorySerializer, selectors.territory_list()))


def projects_table() -> exports.Table:
    return (_header(serializers.ProjectSerializer),
            _serialized(serializers.ProjectSerializer, selectors.project_list()))


#: The tables of a project's sheet (list-valued fields of the API's sheet).
SHEET_HEADER = ["pact", "project", "table", "position", "record"]


def project_sheets_table() -> exports.Table:
    """Every row of every project's sheet tables (activities, issues, meetings, money...), one
    line each, the row itself as JSON."""
    def rows():
        for project in selectors.project_list().order_by("pact__code", "code"):
            sheet = selectors.project_get(pact_code=project.pact.code, code=project.code)
            data = serializers.ProjectSheetSerializer(sheet).data
            for name, value in data.items():
                if isinstance(value, list):
                    for position, record in enumerate(value, start=1):
                        yield [project.pact.code, project.code, name, position, _cell(record)]
    return SHEET_HEADER, rows()


def indicators_table() -> exports.Table:
    def rows():
        for pact in selectors.pact_list():
            yield from _serialized(serializers.IndicatorSerializer,
                                   selectors.indicator_list(pact=pact))
    return _header(serializers.IndicatorSerializer), rows()


def observations_table() -> exports.Table:
    def rows():
        for pact in selectors.pact_list():
            for indicator in selectors.indicator_list(pact=pact):
                yield from _serialized(serializers.ObservationSerializer,
                                       selectors.observation_list(indicator=indicator),
                                       {"pact": pact.code, "indicator": indicator.code})
    return _header(serializers.ObservationSerializer, ("pact", "indicator")), rows()


def assessments_table() -> exports.Table:
    def rows():
        for pact in selectors.pact_list():
            yield from _serialized(serializers.GoalResultSerializer,
                                   selectors.goal_results(pact=pact), {"pact": pact.code})
    return _header(serializers.GoalResultSerializer, ("pact",)), rows()


def movements_table() -> exports.Table:
    def rows():
        for pact in selectors.pact_list():
            for fund in selectors.fund_list(pact=pact):
                yield from _serialized(serializers.MovementSerializer,
                                       selectors.movement_list(fund=fund),
                                       {"pact": pact.code, "fund": fund.code})
    return _header(serializers.MovementSerializer, ("pact", "fund")), rows()


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    #: EU data themes (http://publications.europa.eu/resource/authority/data-theme/...).
    themes: tuple[str, ...]
    build: Callable[[], exports.Table]
    periodicity: str = "IRREG"  # EU frequency vocabulary


DATASETS: tuple[Dataset, ...] = (
    Dataset("parties", _("Pact parties"),
            _("The promoter and the signatories of each pact, with their role."),
            ("GOVE",), parties_table),
    Dataset("territory", _("Territory"),
            _("The metropolitan area, its unions, districts and municipalities, with their "
              "population and statistical codes."), ("REGI", "GOVE"), territory_table),
    Dataset("projects", _("Projects"),
            _("The pact's projects and actions: cluster, lead party, status, progress, dates, "
              "budget."), ("GOVE", "SOCI"), projects_table),
    Dataset("project-sheets", _("Project sheet tables"),
            _("Every row of the projects' sheets (activities, issues, meetings, events, money), "
              "one line each, the row as JSON."), ("GOVE", "SOCI"), project_sheets_table),
    Dataset("indicators", _("Indicators"),
            _("The indicators of the agenda and of the projects, with their stored "
              "assessment."), ("SOCI", "ENVI", "ECON"), indicators_table),
    Dataset("observations", _("Observations"),
            _("The current values of every indicator, per year, series and territory."),
            ("SOCI", "ENVI", "ECON"), observations_table),
    Dataset("assessments", _("Assessments of the SDG goals"),
            _("The stored assessment of each sustainable development goal, per territory."),
            ("SOCI", "ENVI", "ECON"), assessments_table),
    Dataset("movements", _("Funds' movements"),
            _("The public movements of the pact's funds (no donor who is a person is "
              "named)."), ("ECON", "GOVE"), movements_table),
)
BY_SLUG = {d.slug: d for d in DATASETS}
TABLE_FORMATS = ("csv", "xlsx")


def _kind_build(slug: str) -> Callable[[], exports.Table]:
    def build() -> exports.Table:
        return BY_SLUG[slug].build()
    build.__qualname__ = f"opendata_build_{slug.replace('-', '_')}"
    return build


#: One registered kind per dataset: built in the background when the data change.
KINDS = {d.slug: downloads.register(f"opendata-{d.slug}", _kind_build(d.slug),
                                    instances=lambda: [{}], background=True,
                                    prebuild=TABLE_FORMATS, sheet=d.slug[:31])
         for d in DATASETS}


def table_response(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return downloads.kind_response(request, KINDS[slug], fmt, filename=f"patto-{slug}")


# The Data Package ---------------------------------------------------------------------------

_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_type(values: list[str]) -> str:
    """The Table Schema type of a column from the texts written in it."""
    present = [v for v in values if v != ""]
    if not present:
        return "string"
    for name, test in (("integer", _INTEGER.fullmatch), ("number", _NUMBER.fullmatch),
                       ("date", _DATE.fullmatch),
                       ("boolean", lambda v: v in ("true", "false"))):
        if all(test(v) for v in present):
            return name
    return "string"


def _csv_and_schema(table: exports.Table) -> tuple[bytes, dict]:
    import csv
    import io

    header, rows = table
    text = exports.csv_text(header, rows)
    parsed = list(csv.reader(io.StringIO(text)))
    columns = list(zip(*parsed[1:], strict=True)) if len(parsed) > 1 else [()] * len(header)
    fields = [{"name": name, "type": field_type(list(column))}
              for name, column in zip(parsed[0], columns, strict=True)]
    return text.encode(), {"fields": fields}


def package_descriptor(resources: list[dict], modified: str) -> dict:
    url, title = licence()
    who = publisher()
    site = getattr(settings, "PATTO_SITE_URL", "") or ""
    return {
        "profile": "data-package",
        "name": "patto-open-data",
        "title": str(_("Open data of the pact")),
        "licenses": [{"name": "CC-BY-4.0" if url == DEFAULT_LICENCE else "other",
                      "path": url, "title": title}],
        "contributors": [{"title": who["name"], "role": "publisher",
                          **({"path": site} if site else {})}],
        "created": modified,
        "resources": resources,
    }


def build_package(path: Path) -> None:
    """Write the Data Package's ZIP to ``path`` (beside it, then renamed into place)."""
    resources, files = [], []
    for dataset in DATASETS:
        body, schema = _csv_and_schema(dataset.build())
        name = f"data/{dataset.slug}.csv"
        files.append((name, body))
        resources.append({
            "name": dataset.slug, "path": name, "profile": "tabular-data-resource",
            "title": str(dataset.title), "description": str(dataset.description),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "hash": "sha256:" + hashlib.sha256(body).hexdigest(), "bytes": len(body),
            "schema": schema})
    descriptor = package_descriptor(resources, timezone.now().replace(microsecond=0)
                                    .isoformat())
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    try:
        with os.fdopen(handle, "wb") as out, zipfile.ZipFile(out, "w",
                                                             zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(zipfile.ZipInfo("datapackage.json", exports.FIXED_TIME),
                            json.dumps(descriptor, ensure_ascii=False, indent=2))
            for name, body in files:
                info = zipfile.ZipInfo(name, exports.FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, body)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise


PACKAGE_KEY = "opendata-package"


def package_file() -> tuple[Path, str]:
    """The Data Package of the current data version, built once under a lock (beside the
    other downloads of that version)."""
    version = current_version()
    folder = downloads.downloads_dir() / version
    path = folder / f"{PACKAGE_KEY}.zip"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{PACKAGE_KEY}.zip.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not path.is_file():
                    build_package(path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    return path, version


def package_response(request: HttpRequest) -> HttpResponse:
    path, version = package_file()
    etag = '"' + hashlib.sha256(f"{version}:{PACKAGE_KEY}".encode()).hexdigest()[:32] + '"'
    modified = int(path.stat().st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        return not_modified
    response = FileResponse(open(path, "rb"), as_attachment=True,
                            filename="patto-datapackage.zip", content_type="application/zip")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, no-cache"
    return response


def updated_at() -> dt.datetime:
    """When this data version was first read: the datasets' modification time."""
    return versioned("opendata:modified", lambda: timezone.now().replace(microsecond=0))
