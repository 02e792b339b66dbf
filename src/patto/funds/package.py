"""The funds' part of a pact data package: funds, purposes, donors, rules and movements.

Registry rows (funds, purposes, donors, rules) are made to match the package. Movements and
transformations are posted once: a row already posted must say the same thing, because the
ledger is never changed; rows posted from the web and absent from the package stay.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from patto.engine.pact_package import split_list
from patto.engine.problems import InputError, Problem

from . import services
from .exchange import RowPoster
from .models import AllocationRule, ChargeRule, Donor, Fund, Purpose, RuleIndicator, Transformation


def _refuse(resource: str, row: dict, field: str, detail: str,
            code: str = "invalid-value") -> InputError:
    return InputError([Problem(file=f"{resource}.csv", row=row.get("_row"), field=field,
                               code=code, detail=detail)])


def _rows(data: Any, resource: str, pact: Any) -> list[dict]:
    return [r for r in data.tables.get(resource, []) if r["pact"] == pact.code]


def load_funds_section(*, data: Any, writer: Any, pact: Any, parties: dict) -> None:
    """Make the pact's funds match the package; post its movements not yet posted."""
    from patto.monitoring.models import Indicator
    from patto.pact.models import Party, Territory

    if "funds" not in data.tables:
        return
    instruments = {i.code: i for i in pact.instruments.all()}
    funds: dict[str, Fund] = {}
    for row in _rows(data, "funds", pact):
        instrument = instruments.get(row["instrument"])
        if instrument is None:
            raise _refuse("funds", row, "instrument", f"instrument {row['instrument']!r} is "
                          "not in instruments.csv for this pact", code="unknown-reference")
        funds[row["code"]] = writer.sync(Fund, {"pact": pact, "code": row["code"]}, {
            "instrument": instrument, "kind": row["kind"],
            "allow_overcommit": bool(row.get("allow_overcommit")),
            "is_example": bool(row.get("example"))}, src=("funds", row))

    def fund_of(resource: str, row: dict) -> Fund:
        if row["fund"] not in funds:
            raise _refuse(resource, row, "fund", f"fund {row['fund']!r} is not in funds.csv",
                          code="unknown-reference")
        return funds[row["fund"]]

    purposes: dict[tuple[str, str], Purpose] = {}
    for row in _rows(data, "fund_purposes", pact):
        fund = fund_of("fund_purposes", row)
        purposes[(row["fund"], row["code"])] = writer.sync(
            Purpose, {"fund": fund, "code": row["code"]},
            {"name": row["name"], "name_en": row.get("name_en") or "",
             "position": row.get("position") or 0}, src=("fund_purposes", row))
    for fund in funds.values():
        services.fund_chart_ensure(fund=fund)

    for row in _rows(data, "donors", pact):
        party = territory = None
        if row.get("party"):
            party = parties.get(row["party"]) or Party.objects.filter(code=row["party"]).first()
            if party is None:
                raise _refuse("donors", row, "party", f"party {row['party']!r} is not in "
                              "parties.csv", code="unknown-reference")
        if row.get("territory"):
            territory = Territory.objects.filter(code=row["territory"]).first()
            if territory is None:
                raise _refuse("donors", row, "territory", f"territory {row['territory']!r} "
                              "is not in territories.csv", code="unknown-reference")
        writer.sync(Donor, {"pact": pact, "code": row["code"]}, {
            "kind": row["kind"], "party": party, "territory": territory,
            "name": row.get("name") or "", "consent_public": bool(row.get("consent_public")),
            "consent_on": row.get("consent_on"), "is_example": bool(row.get("example"))},
            src=("donors", row))

    for row in _rows(data, "charge_rules", pact):
        writer.sync(ChargeRule, {"fund": fund_of("charge_rules", row),
                                 "valid_from": row["valid_from"]}, {
            "secondary_rate": Decimal(str(row["secondary_rate"])),
            "extraordinary_rate": Decimal(str(row["extraordinary_rate"])),
            "note": row.get("note") or ""}, src=("charge_rules", row))

    for row in _rows(data, "allocation_rules", pact):
        fund = fund_of("allocation_rules", row)
        purpose = purposes.get((row["fund"], row["purpose"]))
        if purpose is None:
            raise _refuse("allocation_rules", row, "purpose", f"purpose {row['purpose']!r} "
                          "is not in fund_purposes.csv for this fund", code="unknown-reference")
        rule = writer.sync(AllocationRule, {"fund": fund, "code": row["code"]}, {
            "name": row["name"], "purpose": purpose, "method": row["method"],
            "year": row["year"], "threshold": float(row["threshold"]),
            "population_weight": float(row["population_weight"]),
            "floor": Decimal(str(row.get("floor") or 0)),
            "cap": Decimal(str(row["cap"])) if row.get("cap") not in (None, "") else None,
            "total": Decimal(str(row["total"])), "is_example": bool(row.get("example"))},
            src=("allocation_rules", row))
        keep = set()
        for item in split_list(row.get("indicators")):
            parts = item.split(":")
            if len(parts) != 3 or parts[2] not in ("high", "low"):
                raise _refuse("allocation_rules", row, "indicators", f"{item!r}: write "
                              "code:weight:high or code:weight:low")
            indicator = Indicator.objects.filter(pact=pact, code=parts[0]).first()
            if indicator is None:
                raise _refuse("allocation_rules", row, "indicators", f"indicator "
                              f"{parts[0]!r} is not in the pact's agenda",
                              code="unknown-reference")
            try:
                weight = float(parts[1])
            except ValueError:
                weight = -1.0
            if not weight > 0:
                raise _refuse("allocation_rules", row, "indicators", f"{item!r}: the weight "
                              "must be a positive number")
            keep.add(writer.sync(RuleIndicator, {"rule": rule, "indicator": indicator}, {
                "weight": weight, "fragile_when_high": parts[2] == "high"},
                src=("allocation_rules", row)).pk)
        writer.prune(rule.indicators.all(), keep)

    for row in _rows(data, "transformations", pact):
        fund = fund_of("transformations", row)
        existing = Transformation.objects.filter(fund=fund, ref=row["ref"]).first()
        declared = {"secondary_charges": Decimal(str(row["secondary_charges"])),
                    "extraordinary_contribution": Decimal(str(row["extraordinary_contribution"]))}
        if existing is not None:
            if any(getattr(existing, k) != v for k, v in declared.items()) or \
                    existing.declared_on != row["declared_on"]:
                raise _refuse("transformations", row, "secondary_charges",
                              f"transformation {row['ref']!r} is already posted with other "
                              "figures; its pledge is in the ledger: correct it from the "
                              "staff pages with a reversal", code="changed-movement")
            writer.result.unchanged["transformations"] += 1
            continue
        place = Territory.objects.filter(code=row["municipality"]).first()
        if place is None:
            raise _refuse("transformations", row, "municipality", f"territory "
                          f"{row['municipality']!r} is not in territories.csv",
                          code="unknown-reference")
        purpose = purposes.get((row["fund"], row["purpose"]))
        if purpose is None:
            raise _refuse("transformations", row, "purpose", f"purpose {row['purpose']!r} is "
                          "not in fund_purposes.csv for this fund", code="unknown-reference")
        try:
            services.transformation_declare(
                fund=fund, ref=row["ref"], municipality=place, area=row["area"],
                declared_on=row["declared_on"], description=row["description"],
                purpose=purpose, user=writer.user, is_example=bool(row.get("example")),
                **declared)
        except services.FundError as exc:
            raise _refuse("transformations", row, exc.field, exc.message, exc.code) from None
        writer.result.created["transformations"] += 1

    rows = _rows(data, "fund_movements", pact)
    if rows:
        poster = RowPoster(pact=pact, file="fund_movements.csv", user=writer.user)
        for row in rows:
            row = {k: (v.isoformat() if isinstance(v, dt.date) else
                       ("true" if v is True else "false" if v is False else v))
                   for k, v in row.items()}
            poster.post(row, row["_row"])
        if poster.created:
            writer.result.created["movements"] += poster.created
        if poster.unchanged:
            writer.result.unchanged["movements"] += poster.unchanged
