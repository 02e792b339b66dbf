"""Fund movements as a table: the package's fund_movements.csv, staff imports and exports.

One row format for all three, so that an export re-imports exactly: posted in file order
through the same services as the web forms, all rows or none. A row whose reference is
already posted must say the same thing; the ledger is never changed by an import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from patto.core.importing import CellError, ImportContext, Importer, parse_date, parse_decimal
from patto.engine.problems import InputError, Problem

from . import services
from .models import Donor, Fund, Medium, Movement, Purpose

MOVEMENT_COLUMNS = ["pact", "fund", "ref", "kind", "date", "donor", "purpose", "medium",
                    "amount", "pledge", "commitment", "reverses", "project",
                    "beneficiary_territory", "beneficiary", "item", "quantity", "unit",
                    "valued_by", "description", "example"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def quantity_text(value: Decimal | None) -> str:
    """A quantity as written by a person: no trailing zeros, no exponent."""
    return "" if value is None else format(value.normalize(), "f")


def movement_row(movement: Movement) -> dict[str, str]:
    """A movement as a row of fund_movements.csv (codes, not names)."""
    m = movement
    return {
        "pact": m.fund.pact.code, "fund": m.fund.code, "ref": m.ref, "kind": m.kind,
        "date": m.booked_on.isoformat(), "donor": m.donor.code if m.donor_id else "",
        "purpose": m.purpose.code if m.purpose_id and m.kind in (
            Movement.Kind.PLEDGE, Movement.Kind.RECEIPT, Movement.Kind.COMMITMENT) else "",
        "medium": m.medium if m.kind in (Movement.Kind.RECEIPT,
                                         Movement.Kind.COMMITMENT) else "",
        "amount": f"{m.amount:.2f}", "pledge": m.pledge.ref if m.pledge_id else "",
        "commitment": m.commitment.ref if m.commitment_id else "",
        "reverses": m.reverses.ref if m.reverses_id else "",
        "project": m.project.code if m.project_id and m.kind == Movement.Kind.COMMITMENT
        else "",
        "beneficiary_territory": m.beneficiary_territory.code
        if m.beneficiary_territory_id and m.kind == Movement.Kind.COMMITMENT else "",
        "beneficiary": m.beneficiary if m.kind == Movement.Kind.COMMITMENT else "",
        "item": m.item, "quantity": quantity_text(m.quantity), "unit": m.unit,
        "valued_by": m.valued_by, "description": m.description,
        "example": "true" if m.is_example else "false",
    }


def movements_export_rows(fund: Fund) -> list[list[str]]:
    found = (Movement.objects.filter(fund=fund)
             .select_related("fund__pact", "donor", "purpose", "pledge", "commitment",
                             "reverses", "project", "beneficiary_territory")
             .order_by("id"))
    return [[movement_row(m)[c] for c in MOVEMENT_COLUMNS] for m in found]


class RowPoster:
    """Posts rows of fund_movements.csv for one pact, in order, naming the place of a fault."""

    def __init__(self, *, pact, file: str, user: Any = None,
                 allowed: Any = None):
        self.pact, self.file, self.user = pact, file, user
        self.allowed = allowed  # a fund -> bool check of the acting user's rights
        self.funds = {f.code: f for f in Fund.objects.filter(pact=pact)}
        self.created = 0
        self.unchanged = 0

    def refuse(self, number: int, field: str, detail: str, code: str = "invalid-value"):
        return InputError([Problem(file=self.file, row=number, field=field, code=code,
                                   detail=detail)])

    def _get(self, model, number: int, field: str, what: str, **lookup):
        found = model.objects.filter(**lookup).first() if all(lookup.values()) else None
        if found is None:
            raise self.refuse(number, field, _("%(what)s “%(value)s” does not exist: use a "
                                               "code that does, or add it first.") % {
                "what": what, "value": list(lookup.values())[-1]},
                code="unknown-reference")
        return found

    def post(self, row: dict, number: int) -> Movement:
        row = {key: _text(row.get(key)) for key in MOVEMENT_COLUMNS}
        if row["pact"] and row["pact"] != self.pact.code:
            raise self.refuse(number, "pact", _("the row is for pact %(code)s, not this "
                                                "one.") % {"code": row["pact"]})
        fund = self.funds.get(row["fund"])
        if fund is None:
            raise self.refuse(number, "fund", _("fund “%(code)s” does not exist: use one of "
                                                "%(codes)s.") % {
                "code": row["fund"], "codes": ", ".join(sorted(self.funds))},
                code="unknown-reference")
        if self.allowed is not None and not self.allowed(fund):
            raise self.refuse(number, "fund", _("you may not record movements of this fund."),
                              code="forbidden")
        kinds = Movement.Kind.values
        if row["kind"] not in kinds:
            raise self.refuse(number, "kind", _("“%(value)s” is not a kind of movement: write "
                                                "one of %(codes)s.") % {
                "value": row["kind"], "codes": ", ".join(kinds)})
        try:
            booked_on = parse_date(row["date"])
        except CellError as exc:
            raise self.refuse(number, "date", str(exc)) from None
        try:
            amount = services.money(row["amount"])
        except services.FundError as exc:
            raise self.refuse(number, "amount", exc.message) from None
        existing = Movement.objects.filter(fund=fund, ref=row["ref"]).first() \
            if row["ref"] else None
        if existing is not None:
            if (existing.kind, existing.amount, existing.booked_on) != (
                    row["kind"], amount, booked_on):
                raise self.refuse(number, "ref", _(
                    "movement %(ref)s is already posted with other values (%(kind)s, "
                    "%(amount)s, %(date)s); posted movements are never changed: add a "
                    "reversal and a new movement instead.") % {
                    "ref": existing.ref, "kind": existing.kind, "amount": existing.amount,
                    "date": existing.booked_on}, code="changed-movement")
            self.unchanged += 1
            return existing
        medium = row["medium"] or Medium.MONEY
        if medium not in Medium.values:
            raise self.refuse(number, "medium", _("“%(value)s” is not a medium: write money or "
                                                  "kind.") % {"value": medium})
        common = {"user": self.user, "booked_on": booked_on, "ref": row["ref"] or None,
                  "description": row["description"],
                  "is_example": row["example"].lower() in ("true", "1", "yes")}

        def purpose():
            return self._get(Purpose, number, "purpose", _("purpose"), fund=fund,
                             code=row["purpose"])

        def donor():
            return self._get(Donor, number, "donor", _("donor"), pact=self.pact,
                             code=row["donor"])

        def earlier(field):
            return self._get(Movement, number, field, _("movement"), fund=fund,
                             ref=row[field])

        try:
            kind = row["kind"]
            if kind == Movement.Kind.PLEDGE:
                movement = services.movement_pledge(fund=fund, donor=donor(), amount=amount,
                                                    purpose=purpose(), **common)
            elif kind == Movement.Kind.RECEIPT:
                quantity = None
                if row["quantity"]:
                    try:
                        quantity = parse_decimal(row["quantity"])
                    except CellError as exc:
                        raise self.refuse(number, "quantity", str(exc)) from None
                movement = services.movement_receipt(
                    fund=fund, donor=donor(), amount=amount, purpose=purpose(),
                    medium=medium, pledge=earlier("pledge") if row["pledge"] else None,
                    item=row["item"], quantity=quantity, unit=row["unit"],
                    valued_by=row["valued_by"], **common)
            elif kind == Movement.Kind.COMMITMENT:
                from patto.pact.models import Territory
                from patto.projects.models import Project

                project = self._get(Project, number, "project", _("project"), pact=self.pact,
                                    code=row["project"]) if row["project"] else None
                place = self._get(Territory, number, "beneficiary_territory",
                                  _("municipality"), code=row["beneficiary_territory"]) \
                    if row["beneficiary_territory"] else None
                movement = services.movement_commit(
                    fund=fund, amount=amount, purpose=purpose(), medium=medium,
                    project=project, beneficiary_territory=place,
                    beneficiary=row["beneficiary"], **common)
            elif kind in (Movement.Kind.PAYMENT, Movement.Kind.RELEASE):
                if not row["commitment"]:
                    raise self.refuse(number, "commitment", _(
                        "name the commitment this settles; nothing can be paid that was not "
                        "committed."), code="no-commitment")
                settle = services.movement_pay if kind == Movement.Kind.PAYMENT \
                    else services.movement_release
                movement = settle(commitment=earlier("commitment"), amount=amount, **common)
            else:
                if not row["reverses"]:
                    raise self.refuse(number, "reverses", _("name the movement reversed."))
                original = earlier("reverses")
                if original.amount != amount:
                    raise self.refuse(number, "amount", _(
                        "a reversal cancels the whole movement: write its amount, "
                        "%(amount)s.") % {"amount": original.amount})
                common["reason"] = common.pop("description")
                movement = services.movement_reverse(movement=original, **common)
        except services.FundError as exc:
            raise self.refuse(number, exc.field, exc.message, code=exc.code) from None
        self.created += 1
        return movement


def import_movements(context: ImportContext) -> dict:
    """The movements importer: every row is posted in file order through the services, each
    in its own savepoint so that every faulty row is reported; any fault undoes them all."""
    from patto.pact.models import Pact

    from .rules import is_fund_clerk, is_secretariat

    table = context.table(required=["pact", "fund", "kind", "date", "amount"])
    codes = {row.get("pact") for row in table.rows}
    pact = Pact.objects.filter(code=next(iter(codes))).first() if len(codes) == 1 else None
    if pact is None:
        raise InputError([Problem(file=table.place, row=None, field="pact",
                                  code="invalid-value", detail=_(
                                      "the pact column must name one existing pact on every "
                                      "row."))])
    user = context.user
    poster = RowPoster(pact=pact, file=table.place, user=user,
                       allowed=lambda fund: is_secretariat(user) or is_fund_clerk(user, fund))
    for index, row in enumerate(table.rows, start=1):
        try:
            with transaction.atomic():
                poster.post(row.cells, row.number)
        except InputError as exc:
            context.problems.extend(exc.problems)
        if index % 20 == 0:
            context.progress(round(100 * index / len(table.rows)))
    return {"created": poster.created, "unchanged": poster.unchanged}


IMPORTER = Importer("fund-movements", _("Fund movements"), "funds.import_movements",
                    import_movements)
