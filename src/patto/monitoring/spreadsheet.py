"""The spreadsheet template for referents: download it pre-filled, add values, upload it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from patto.core.importing import CellError, ImportContext, Importer, parse_decimal, parse_year
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


def import_values(context: ImportContext) -> dict[str, int]:
    """The template importer: check every row, then record every value in one transaction."""
    from patto.pact.selectors import pact_default

    pact, user = pact_default(), context.user
    table = context.table(required=COLUMNS)
    indicators = {i.code: i for i in pact.indicators.select_related("project")}
    places = {}
    for t in Territory.objects.defer("boundary"):
        places[t.code] = t
        places.setdefault(t.istat_code, t)
    by_indicator: dict[Indicator, list[NewValue]] = {}
    for row in table.rows:
        def bad(field: str, detail: str, row=row) -> None:
            context.problems.add(row.problem(field, detail))

        indicator = indicators.get(row.get("indicator"))
        if indicator is None:
            bad("indicator", _("“%(code)s” is not an indicator of %(pact)s: use a code from "
                               "the template") % {"code": row.get("indicator"),
                                                  "pact": pact.code})
            continue
        if not allowed(user, indicator):
            bad("indicator", _("you may not enter values for %(code)s: remove the row") % {
                "code": indicator.code})
            continue
        try:
            year = parse_year(row.get("year"))
        except CellError as exc:
            bad("year", str(exc))
            continue
        territory = row.get("territory")
        place = places.get(territory) if territory else pact.territory
        if place is None:
            bad("territory", _("“%(code)s” is not a territory code: use an ISTAT code or "
                               "leave the cell empty for the whole territory") % {
                "code": territory})
            continue
        try:
            value = parse_decimal(row.get("value"))
        except CellError as exc:
            bad("value", str(exc))
            continue
        by_indicator.setdefault(indicator, []).append(NewValue(
            year=year, value_text=format(value, "f"), series=row.get("series"),
            units=row.get("units"), geocode=territory, territory=place))
    context.progress(50)
    totals = {"created": 0, "revised": 0, "unchanged": 0}
    if context.problems:
        return totals
    for indicator, values in by_indicator.items():
        changes = observations_record(indicator=indicator, values=values, user=user,
                                      is_example=indicator.is_example)
        totals["created"] += changes.created
        totals["revised"] += changes.revised
        totals["unchanged"] += changes.unchanged
    context.progress(100)
    return totals


IMPORTER = Importer("values", _("Indicator values (template)"), "monitoring.add_observation",
                    import_values)
