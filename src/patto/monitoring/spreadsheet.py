"""The spreadsheet template for referents: download it pre-filled, add values, upload it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.core.importing import load_dataset
from patto.engine.problems import Problem
from patto.pact.models import Territory

from .models import Indicator
from .services import NewValue, observations_record

COLUMNS = ["indicator", "year", "territory", "series", "units", "value"]


def template_rows(indicators: list[Indicator]) -> list[list[str]]:
    """Current values of the indicators' totals, one per row, to copy and extend."""
    rows = []
    for indicator in indicators:
        for o in indicator.observations.filter(is_current=True, disaggregation={}) \
                .select_related("territory").order_by("key", "year"):
            # The area as the value was recorded: empty means the pact's whole territory.
            rows.append([indicator.code, str(o.year), o.geocode, o.series, o.units,
                         o.value_text])
    return rows


def allowed(user: Any, indicator: Indicator) -> bool:
    if indicator.project_id:
        return user.has_perm("projects.change_project", indicator.project)
    return user.has_perm("projects.delete_project")  # the agenda belongs to the secretariat


def import_template(*, path: Path, name: str, pact: Any, user: Any) -> dict[str, int]:
    """Check every row, then record the values; any problem refuses the whole file."""
    dataset = load_dataset(path, name)
    header = [str(h).strip() for h in (dataset.headers or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ApplicationError(_("%(name)s: nothing was imported.") % {"name": name},
                               problems=[Problem(file=name, row=1, field=", ".join(missing),
                                                 code="missing-column",
                                                 detail="download the template again: these "
                                                        "columns are missing")])
    indicators = {i.code: i for i in pact.indicators.select_related("project")}
    places = {}
    for t in Territory.objects.defer("boundary"):
        places[t.code] = t
        places.setdefault(t.istat_code, t)
    problems, by_indicator = [], {}
    for number, raw in enumerate(dataset.dict, start=2):
        row = {k: ("" if raw.get(k) is None else str(raw.get(k)).strip()) for k in COLUMNS}
        if not any(row.values()):
            continue
        def bad(field: str, detail: str, number: int = number) -> None:
            problems.append(Problem(file=name, row=number, field=field, code="invalid-value",
                                    detail=detail))
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            bad("indicator", f"{row['indicator']!r} is not an indicator of {pact.code}")
            continue
        if not allowed(user, indicator):
            bad("indicator", f"you may not enter values for {indicator.code}")
            continue
        try:
            year = int(float(row["year"]))
        except ValueError:
            bad("year", f"{row['year']!r} is not a year; write it as 2024")
            continue
        place = places.get(row["territory"]) if row["territory"] else pact.territory
        if place is None:
            bad("territory", f"{row['territory']!r} is not a territory code")
            continue
        text = row["value"].replace(",", ".") if row["value"].count(",") == 1 and \
            "." not in row["value"] else row["value"]
        try:
            from decimal import Decimal, InvalidOperation

            if not Decimal(text).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            bad("value", f"{row['value']!r} is not a number")
            continue
        geocode = row["territory"]
        by_indicator.setdefault(indicator, []).append(NewValue(
            year=year, value_text=text, series=row["series"], units=row["units"],
            geocode=geocode, territory=place))
    if problems:
        raise ApplicationError(_("%(name)s: nothing was imported.") % {"name": name},
                               problems=problems)
    totals = {"created": 0, "revised": 0, "unchanged": 0}
    for indicator, values in by_indicator.items():
        changes = observations_record(indicator=indicator, values=values, user=user,
                                      is_example=indicator.is_example)
        totals["created"] += changes.created
        totals["revised"] += changes.revised
        totals["unchanged"] += changes.unchanged
    return totals


def import_job_runner(job: Any, progress: Any) -> dict:
    """Runs a staff upload of the template in the background (see patto.core.importing)."""
    from patto.pact.selectors import pact_default

    progress.at(10)
    return import_template(path=Path(job.file.path), name=job.original_name,
                           pact=pact_default(), user=job.created_by)
