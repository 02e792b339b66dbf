"""Reads of the funds: totals, flows, the journal and trial balance, statements, allocations.

Every figure is derived from the ledger's entries or movements in a few grouped queries; the
balances kept on accounts are only trusted after `ledger_verify` has re-derived them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from patto.pact.models import Pact

from .models import (
    CENT,
    Account,
    AllocationRule,
    Donor,
    Entry,
    Fund,
    Medium,
    Movement,
    Transformation,
)

ZERO = Decimal("0.00")


def cents_sum(field: str, **extra) -> Sum:
    """A sum of euro amounts, exact on every database: each amount is summed as whole cents
    (SQLite would otherwise add them as floating-point numbers)."""
    return Sum(Cast(Round(F(field) * 100), output_field=BigIntegerField()), **extra)


def euro(cents) -> Decimal:
    """Cents from `cents_sum` back to euro."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def fund_list(*, pact: Pact) -> QuerySet[Fund]:
    return Fund.objects.filter(pact=pact).select_related("instrument", "pact")


def funds_kept(*, user) -> QuerySet[Fund]:
    """The funds a person keeps: all for the secretariat, a clerk's own, else none."""
    from patto.projects.rules import is_secretariat

    if is_secretariat(user):
        return Fund.objects.all()
    if not (user and user.is_authenticated):
        return Fund.objects.none()
    return Fund.objects.filter(clerks__user=user)


def donors_visible(*, user, pact: Pact | None = None) -> QuerySet[Donor]:
    """Donors whose personal data (tax code, e-mail, a name without consent) a person may see.

    The secretariat sees every donor. A fund clerk sees the donors of the pacts of the funds
    he keeps, except those who gave only to funds he does not keep: the donors he records
    gifts from, and new donors not yet in any book. Everybody else sees none.
    """
    from django.db.models import Exists, OuterRef

    from patto.projects.rules import is_secretariat

    found = Donor.objects.all() if pact is None else Donor.objects.filter(pact=pact)
    if is_secretariat(user):
        return found
    if not (user and user.is_authenticated):
        return found.none()
    kept = Fund.objects.filter(clerks__user=user)
    gave_here = Exists(Movement.objects.filter(donor=OuterRef("pk"), fund__in=kept))
    gave_elsewhere = Exists(Movement.objects.filter(donor=OuterRef("pk")).exclude(
        fund__in=kept))
    return found.filter(pact__in=kept.values("pact")).filter(gave_here | ~gave_elsewhere)


def fund_get(*, pact_code: str, code: str) -> Fund:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Fund.objects.select_related("instrument", "pact"),
                             pact__code=pact_code, code=code)


@dataclass
class Totals:
    """A fund's position in one medium (money, or goods and services at declared value)."""

    received: Decimal = ZERO
    pledged_open: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO
    held: Decimal = ZERO
    available: Decimal = ZERO

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid - self.released


def _net_by_kind(fund: Fund) -> tuple[dict[tuple[str, str], Decimal], bool]:
    """Amounts per (kind, medium), a reversal subtracting from the kind it reverses, and
    whether any movement is example data (read in the same grouped query)."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    example = False
    for row in (Movement.objects.filter(fund=fund)
                .values("kind", "medium", "reverses__kind", "is_example")
                .annotate(total=cents_sum("amount")).order_by()):
        example = example or row["is_example"]
        if row["kind"] == Movement.Kind.REVERSAL:
            sums[(row["reverses__kind"], row["medium"])] -= euro(row["total"])
        else:
            sums[(row["kind"], row["medium"])] += euro(row["total"])
    return sums, example


class FundTotals(dict):
    """A fund's totals per medium (a dict: ``money``, ``kind``), and whether any of the
    movements they add up is example data (``example``)."""

    example = False


def _fund_totals(fund: Fund) -> FundTotals:
    sums, example = _net_by_kind(fund)
    result = FundTotals()
    result.example = example or fund.is_example
    balances = defaultdict(lambda: ZERO)
    for row in (Account.objects.filter(fund=fund).values("kind", "medium")
                .annotate(total=Sum("balance_cents")).order_by()):
        balances[(row["kind"], row["medium"])] = (Decimal(row["total"]) / 100).quantize(CENT)
    for medium in Medium.values:
        totals = Totals(
            received=sums[(Movement.Kind.RECEIPT, medium)],
            committed=sums[(Movement.Kind.COMMITMENT, medium)],
            paid=sums[(Movement.Kind.PAYMENT, medium)],
            released=sums[(Movement.Kind.RELEASE, medium)],
            held=balances[(Account.Kind.CASH if medium == Medium.MONEY else Account.Kind.GOODS,
                           medium)],
            available=-balances[(Account.Kind.AVAILABLE, medium)],
            pledged_open=balances[(Account.Kind.PLEDGES, medium)])
        result[medium] = totals
    return result


def fund_totals(fund: Fund) -> FundTotals:
    """Money and kind apart: received, committed, paid, released; held and available from
    the accounts (verified against the entries by `ledger_verify`). Summed once per data
    version (patto.core.cache.versioned), not on every page."""
    from patto.core.cache import versioned

    return versioned(f"funds:totals:{fund.pk}", lambda: _fund_totals(fund))


def fund_totals_combined(totals: dict[str, Totals]) -> Totals:
    both = Totals()
    for part in totals.values():
        for name in ("received", "pledged_open", "committed", "paid", "released", "held",
                     "available"):
            setattr(both, name, getattr(both, name) + getattr(part, name))
    return both


def movement_list(*, fund: Fund) -> QuerySet[Movement]:
    """A fund's movements with what they point to, and whether each was reversed (an
    EXISTS per row, not a GROUP BY over the whole book, so a page of them and their count
    stay cheap at 100,000 movements)."""
    from django.db.models import Exists, OuterRef

    return (Movement.objects.filter(fund=fund)
            .select_related("donor__party", "donor__territory", "purpose", "project",
                            "beneficiary_territory", "reverses", "pledge", "commitment",
                            "recorded_by")
            .annotate(reversed_count=Exists(Movement.objects.filter(reverses=OuterRef("pk"))))
            .order_by("booked_on", "id"))


def money_over_time(fund: Fund) -> dict:
    """Money and kind in (receipts) and out (payments) per year, reversals netted; once per
    data version."""
    from patto.core.cache import versioned

    return versioned(f"funds:time:{fund.pk}", lambda: _money_over_time(fund))


def _money_over_time(fund: Fund) -> dict:
    rows = (Movement.objects.filter(fund=fund, kind__in=[Movement.Kind.RECEIPT,
                                                          Movement.Kind.PAYMENT,
                                                          Movement.Kind.REVERSAL])
            .values("booked_on__year", "kind", "medium", "reverses__kind")
            .annotate(total=cents_sum("amount")).order_by("booked_on__year"))
    years: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        kind, sign = row["kind"], Decimal(1)
        if kind == Movement.Kind.REVERSAL:
            kind, sign = row["reverses__kind"], Decimal(-1)
        if kind not in (Movement.Kind.RECEIPT, Movement.Kind.PAYMENT):
            continue
        years[row["booked_on__year"]][f"{kind}-{row['medium']}"] += sign * euro(row["total"])
    ordered = sorted(years)
    return {"years": [str(y) for y in ordered], **{
        key: [float(years[y][key]) for y in ordered]
        for key in ("receipt-money", "receipt-kind", "payment-money", "payment-kind")}}


def _net_movements(fund: Fund, kind: str) -> list[tuple[Movement, Decimal]]:
    """Movements of a kind with what is left of each after reversals (zero when reversed)."""
    found = list(movement_list(fund=fund).filter(kind=kind))
    return [(m, ZERO if m.reversed_count else m.amount) for m in found]


def _not_reversed(fund: Fund, *kinds: str) -> QuerySet[Movement]:
    """A fund's movements of some kinds that no reversal cancelled (a reversal cancels the
    whole movement, so what is left of each is its amount, or nothing)."""
    return (Movement.objects.filter(fund=fund, kind__in=kinds, reversed_by__isnull=True)
            .order_by())


_DONOR_FIELDS = ("donor__kind", "donor__consent_public", "donor__name", "donor__party__name",
                 "donor__territory__name")


def _public_group(row: dict) -> str:
    """Donor.public_group from a grouped row's donor fields."""
    kind = row["donor__kind"]
    if kind == Donor.Kind.PERSON and not row["donor__consent_public"]:
        return str(_("Anonymous donors"))
    if kind == Donor.Kind.PARTY and row["donor__party__name"]:
        return row["donor__party__name"]
    if kind == Donor.Kind.MUNICIPALITY and row["donor__territory__name"]:
        return row["donor__territory__name"]
    return row["donor__name"]


def public_donor_name(row: dict) -> str:
    """Donor.public_name from a row's donor fields (see _DONOR_FIELDS)."""
    if row["donor__kind"] == Donor.Kind.PERSON and not row["donor__consent_public"]:
        return str(_("Anonymous donor"))
    return _full_name(row)


def _full_name(row: dict) -> str:
    """Donor.full_name from a row's donor fields."""
    if row["donor__kind"] == Donor.Kind.PARTY and row["donor__party__name"]:
        return row["donor__party__name"]
    if row["donor__kind"] == Donor.Kind.MUNICIPALITY and row["donor__territory__name"]:
        return row["donor__territory__name"]
    return row["donor__name"]


def _destination_name(row: dict) -> str:
    """Movement.destination from a grouped row."""
    return (row["project__title"] or row["beneficiary_territory__name"]
            or row["beneficiary"] or "")


def _flows(fund: Fund) -> dict:
    purpose_names = {p.pk: str(p) for p in fund.purposes.all()}
    links: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in (_not_reversed(fund, Movement.Kind.RECEIPT)
                .values("purpose_id", *_DONOR_FIELDS).annotate(total=cents_sum("amount"))):
        if row["total"]:
            links[(_public_group(row), purpose_names.get(row["purpose_id"], "None"))] += \
                euro(row["total"])
    for row in (_not_reversed(fund, Movement.Kind.COMMITMENT)
                .values("purpose_id", "project__title", "beneficiary_territory__name",
                        "beneficiary").annotate(total=cents_sum("amount"))):
        if row["total"]:
            links[(purpose_names.get(row["purpose_id"], "None"), _destination_name(row))] += \
                euro(row["total"])
    purposes = set(purpose_names.values())
    links = _pool_smaller(links, purposes)
    # Sankey columns: donors (depth 0), purposes (1), destinations (2).
    donors = {a for a, _b in links} - purposes
    nodes, seen = [], set()
    for pair in links:
        for name in pair:
            if name not in seen:
                seen.add(name)
                nodes.append({"name": name, "depth": 1 if name in purposes else (
                    0 if name in donors else 2)})
    return {"nodes": nodes, "links": [{"source": a, "target": b, "value": float(v)}
                                      for (a, b), v in links.items() if a != b]}


#: Donors and destinations the flow diagram names; the smaller ones are pooled (a fund
#: with thousands of them would draw an unreadable diagram of a megabyte).
FLOW_NODES = 15


def _pool_smaller(links: dict[tuple[str, str], Decimal], purposes: set[str]
                  ) -> dict[tuple[str, str], Decimal]:
    """The links with all but the FLOW_NODES largest donors and destinations pooled."""
    given: dict[str, Decimal] = defaultdict(lambda: ZERO)
    got: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (a, b), value in links.items():
        if a in purposes:
            got[b] += value
        else:
            given[a] += value
    keep_donors = set(sorted(given, key=lambda n: (-given[n], n))[:FLOW_NODES])
    keep_places = set(sorted(got, key=lambda n: (-got[n], n))[:FLOW_NODES])
    other_donors, other_places = str(_("Other donors")), str(_("Other destinations"))
    pooled: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for (a, b), value in links.items():
        if a in purposes:
            pooled[(a, b if b in keep_places else other_places)] += value
        else:
            pooled[(a if a in keep_donors else other_donors, b)] += value
    return dict(pooled)


def flows(fund: Fund) -> dict:
    """The flow diagram: donors (people without consent pooled) to purposes to destinations,
    with links sized by euro (money and kind together, at declared value); grouped sums,
    computed once per data version and language."""
    from django.utils.translation import get_language

    from patto.core.cache import versioned

    return versioned(f"funds:flows:{fund.pk}:{get_language()}", lambda: _flows(fund))


@dataclass
class Destination:
    name: str
    project: object | None
    territory: object | None
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid - self.released


def _destinations(fund: Fund) -> list[Destination]:
    from patto.pact.models import Territory
    from patto.projects.models import Project

    attrs = {Movement.Kind.COMMITMENT: "committed", Movement.Kind.PAYMENT: "paid",
             Movement.Kind.RELEASE: "released"}
    rows = list(_not_reversed(fund, *attrs)
                .values("kind", "project_id", "beneficiary_territory_id", "beneficiary")
                .annotate(total=cents_sum("amount")))
    projects = Project.objects.filter(pk__in={r["project_id"] for r in rows
                                              if r["project_id"]})
    projects = {p.pk: p for p in projects.select_related("pact").only(
        "title", "code", "status", "pact__code")}
    places = {t.pk: t for t in Territory.objects.filter(
        pk__in={r["beneficiary_territory_id"] for r in rows
                if r["beneficiary_territory_id"]}).only("name", "code", "kind")}
    by_key: dict[tuple, Destination] = {}
    for row in rows:
        key = (row["project_id"], row["beneficiary_territory_id"], row["beneficiary"])
        project = projects.get(row["project_id"])
        place = places.get(row["beneficiary_territory_id"])
        found = by_key.get(key)
        if found is None:
            name = project.title if project else (place.name if place else row["beneficiary"])
            found = by_key[key] = Destination(name, project, place)
        attr = attrs[row["kind"]]
        setattr(found, attr, getattr(found, attr) + euro(row["total"]))
    return sorted(by_key.values(), key=lambda d: (-d.committed, d.name))


def destinations(fund: Fund) -> list[Destination]:
    """Projects, municipalities and programmes financed, with what was committed, paid and
    released: one grouped query (and the projects and places named), once per data
    version."""
    from patto.core.cache import versioned

    return versioned(f"funds:destinations:{fund.pk}", lambda: _destinations(fund))


def _equalisation_by_municipality(fund: Fund) -> dict[int, dict[str, Decimal]]:
    result: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in (fund.transformations.order_by().values("municipality_id")
                .annotate(total=cents_sum("due"))):
        result[row["municipality_id"]]["due"] += euro(row["total"])
    for row in (_not_reversed(fund, Movement.Kind.RECEIPT)
                .filter(donor__territory_id__isnull=False)
                .values("donor__territory_id").annotate(total=cents_sum("amount"))):
        result[row["donor__territory_id"]]["contributed"] += euro(row["total"])
    for row in (_not_reversed(fund, Movement.Kind.COMMITMENT, Movement.Kind.PAYMENT)
                .filter(beneficiary_territory_id__isnull=False)
                .values("kind", "beneficiary_territory_id").annotate(total=cents_sum("amount"))):
        what = "allocated" if row["kind"] == Movement.Kind.COMMITMENT else "paid"
        result[row["beneficiary_territory_id"]][what] += euro(row["total"])
    # Plain dicts: the result is kept in the cache (defaultdict's lambdas do not pickle).
    return {k: dict(v) for k, v in result.items()}


def equalisation_by_municipality(fund: Fund) -> dict[int, dict[str, Decimal]]:
    """Contributions due and paid in, and allocations committed and paid, per municipality;
    grouped sums, once per data version."""
    from patto.core.cache import versioned

    return versioned(f"funds:equalisation:{fund.pk}",
                     lambda: _equalisation_by_municipality(fund))


# ---------------------------------------------------------------------------------------------
# Accountants' exports


JOURNAL_HEADER = ["date", "movement", "kind", "recorded_at", "recorded_by", "reverses",
                  "account", "account_name", "debit", "credit", "medium", "purpose",
                  "donor", "destination", "description"]


def journal_rows(fund: Fund, *, staff: bool = False) -> list[list[str]]:
    """Every entry, in posting order: one row per account line, debit and credit apart."""
    return list(journal_lines(fund, staff=staff))


def journal_lines(fund: Fund, *, staff: bool = False):
    """The journal's rows one by one, read as plain values in one query (a quarter of a
    million entries as model instances with eight joins each took minutes); what the
    downloads write."""
    from django.contrib.auth import get_user_model

    kinds = dict(Account.Kind.choices)
    username = f"movement__recorded_by__{get_user_model().USERNAME_FIELD}"
    fields = ("amount", "account__code", "account__kind", "movement__booked_on",
              "movement__ref", "movement__kind", "movement__recorded_at",
              "movement__reverses__ref", "movement__medium", "movement__purpose__code",
              "movement__donor_id", "movement__project__title",
              "movement__beneficiary_territory__name", "movement__beneficiary",
              "movement__description", username,
              *(f"movement__{name}" for name in _DONOR_FIELDS))
    entries = (Entry.objects.filter(movement__fund=fund)
               .order_by("movement__booked_on", "movement_id", "id")
               .values(*fields).iterator(chunk_size=5000))
    for e in entries:
        donor = ""
        if e["movement__donor_id"]:
            row = {name: e[f"movement__{name}"] for name in _DONOR_FIELDS}
            donor = _full_name(row) if staff else public_donor_name(row)
        amount = e["amount"]
        yield [
            e["movement__booked_on"].isoformat(), e["movement__ref"], e["movement__kind"],
            e["movement__recorded_at"].isoformat(timespec="seconds"),
            (e[username] or "") if staff else "", e["movement__reverses__ref"] or "",
            e["account__code"], str(kinds.get(e["account__kind"], e["account__kind"])),
            f"{amount:.2f}" if amount > 0 else "", f"{-amount:.2f}" if amount < 0 else "",
            e["movement__medium"], e["movement__purpose__code"] or "", donor,
            e["movement__project__title"] or e["movement__beneficiary_territory__name"]
            or e["movement__beneficiary"], e["movement__description"]]


TRIAL_HEADER = ["account", "name", "medium", "purpose", "debits", "credits", "balance",
                "side"]


def trial_balance(fund: Fund) -> tuple[list[list[str]], Decimal, Decimal]:
    """Each account's debits, credits and balance from its entries; totals must be equal."""
    sums = {row["account"]: row for row in (
        Entry.objects.filter(movement__fund=fund).values("account")
        .annotate(debits=cents_sum("amount", filter=Q(amount__gt=0)),
                  credits=cents_sum("amount", filter=Q(amount__lt=0))))}
    rows, total_debits, total_credits = [], ZERO, ZERO
    for account in Account.objects.filter(fund=fund).select_related("purpose"):
        found = sums.get(account.pk, {})
        debits = euro(found.get("debits"))
        credits = -euro(found.get("credits"))
        total_debits += debits
        total_credits += credits
        balance = debits - credits
        rows.append([account.code, account.get_kind_display(), account.medium,
                     account.purpose.code if account.purpose_id else "", f"{debits:.2f}",
                     f"{credits:.2f}", f"{abs(balance):.2f}",
                     "" if balance == 0 else ("D" if balance > 0 else "C")])
    return rows, total_debits, total_credits


@dataclass
class Violation:
    what: str
    detail: str


def ledger_verify(*, funds: QuerySet[Fund] | None = None) -> list[Violation]:
    """Re-derive every invariant from the entries: each movement balances, each account's
    kept balance equals the sum of its entries, no guarded account is overdrawn."""
    funds = funds if funds is not None else Fund.objects.all()
    problems = []
    unbalanced = (Entry.objects.filter(movement__fund__in=funds).values("movement")
                  .annotate(total=cents_sum("amount")).exclude(total=0))
    for row in unbalanced:
        problems.append(Violation("unbalanced", f"movement {row['movement']}: {row['total']}"))
    empty = Movement.objects.filter(fund__in=funds, entries__isnull=True)
    for movement in empty:
        problems.append(Violation("no-entries", f"movement {movement.ref}"))
    sums = dict(Entry.objects.filter(movement__fund__in=funds).values("account")
                .annotate(total=cents_sum("amount")).values_list("account", "total"))
    for account in Account.objects.filter(fund__in=funds):
        derived = euro(sums.get(account.pk))
        if derived * 100 != account.balance_cents:
            problems.append(Violation("balance", f"account {account.pk} {account.code}: kept "
                                      f"{account.balance}, entries {derived}"))
        if account.guarded and derived * account.sign < 0:
            problems.append(Violation("overdraft", f"account {account.pk} {account.code}: "
                                      f"{derived}"))
    return problems


# ---------------------------------------------------------------------------------------------
# Donors' statements


@dataclass
class StatementLine:
    movement: Movement
    amount: Decimal


@dataclass
class Attribution:
    purpose: str
    medium: str
    share: float
    destination: str
    committed: Decimal
    paid: Decimal


def donor_statement(donor: Donor) -> dict:
    """A donor's pledges and gifts, and where they went.

    Money is fungible within a purpose: a donor's part of each commitment made for that purpose
    is their share of everything received for it (a proportional attribution, stated on the
    statement).
    """
    own = list(Movement.objects.filter(donor=donor, kind__in=[Movement.Kind.PLEDGE,
                                                              Movement.Kind.RECEIPT])
               .select_related("fund__instrument", "purpose")
               .annotate(reversed_count=Count("reversed_by")).order_by("booked_on", "id"))
    lines = [StatementLine(m, ZERO if m.reversed_count else m.amount) for m in own]
    given: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.movement.kind == Movement.Kind.RECEIPT:
            given[(line.movement.fund_id, line.movement.purpose_id,
                   line.movement.medium)] += line.amount
    attributions = []
    for (fund_id, purpose_id, medium), amount in given.items():
        if not amount:
            continue
        received = _net_sum(fund_id, purpose_id, medium, Movement.Kind.RECEIPT)
        share = float(amount / received) if received else 0.0
        spent = defaultdict(lambda: [ZERO, ZERO])
        fund = Fund.objects.get(pk=fund_id)
        for kind, slot in ((Movement.Kind.COMMITMENT, 0), (Movement.Kind.PAYMENT, 1)):
            for movement, net in _net_movements(fund, kind):
                if movement.purpose_id == purpose_id and movement.medium == medium and net:
                    spent[movement.destination][slot] += net
        purpose = str(fund.purposes.get(pk=purpose_id))
        for destination, (committed, paid) in sorted(spent.items()):
            attributions.append(Attribution(
                purpose, medium, share, destination,
                (committed * Decimal(share)).quantize(CENT),
                (paid * Decimal(share)).quantize(CENT)))
    return {"donor": donor, "lines": lines, "attributions": attributions,
            "given": sum((line.amount for line in lines
                          if line.movement.kind == Movement.Kind.RECEIPT), ZERO)}


def _net_sum(fund_id: int, purpose_id: int, medium: str, kind: str) -> Decimal:
    base = Movement.objects.filter(fund_id=fund_id, purpose_id=purpose_id, medium=medium)
    direct = euro(base.filter(kind=kind).aggregate(s=cents_sum("amount"))["s"])
    undone = euro(base.filter(kind=Movement.Kind.REVERSAL, reverses__kind=kind).aggregate(
        s=cents_sum("amount"))["s"])
    return direct - undone


# ---------------------------------------------------------------------------------------------
# Equalisation: the fragility index and the allocation


def fragility_inputs(rule: AllocationRule) -> tuple[list, list[str], object]:
    """The municipalities of the pact's territory, the rule's indicators and their values in
    the rule's year, as a (units, indicators) array with NaN where missing."""
    import numpy as np

    from patto.monitoring.models import Observation
    from patto.pact.selectors import territory_tree

    pact = rule.fund.pact
    tree = territory_tree(root=pact.territory, on=pact.signed_on)
    places = [node.territory for node in tree.municipalities]
    indicators = list(rule.indicators.select_related("indicator"))
    position = {p.pk: i for i, p in enumerate(places)}
    values = np.full((len(places), len(indicators)), np.nan)
    column = {ri.indicator_id: j for j, ri in enumerate(indicators)}
    observations = (Observation.objects.filter(
        indicator_id__in=column, year=rule.year, is_current=True, series="",
        territory_id__in=position).filter(disaggregation={})
        .values_list("indicator_id", "territory_id", "value"))
    for indicator_id, territory_id, value in observations:
        values[position[territory_id], column[indicator_id]] = float(value)
    return places, indicators, values


def allocation_compute(*, rule: AllocationRule) -> dict:
    """Run a rule: the index per municipality, eligibility, shares, floors and caps, amounts.

    Returns the parameters and one line per municipality (JSON-ready), so that a simulation
    keeps exactly what was computed.
    """
    import numpy as np

    from patto.engine.equalisation import AllocationRule as EngineRule
    from patto.engine.equalisation import allocate, composite_index, weighted_index

    from .services import FundError

    places, indicators, values = fragility_inputs(rule)
    if not indicators:
        raise FundError("indicators", _("indicators: choose at least one indicator of the "
                                        "monitoring part for the fragility index."))
    polarity = np.array([1 if ri.fragile_when_high else -1 for ri in indicators])
    missing = [ri.indicator.code for j, ri in enumerate(indicators)
               if np.all(np.isnan(values[:, j]))]
    if missing:
        raise FundError("year", _("year: %(codes)s have no value per municipality in "
                                  "%(year)s: choose another year or other indicators.") % {
            "codes": ", ".join(missing), "year": rule.year})
    if rule.method == AllocationRule.Method.COMPOSITE:
        complete = ~np.isnan(values).any(axis=1)
        index = np.full(len(places), np.nan)
        if complete.sum() >= 2:
            # The AMPI's reference is the territory's median municipality on each indicator,
            # added as a last row so that 100 means "as fragile as the median".
            subset = values[complete]
            reference = np.nanmedian(subset, axis=0, keepdims=True)
            computed = composite_index(np.vstack([subset, reference]), polarity,
                                       reference_unit=len(subset))
            index[complete] = computed[:-1]
    else:
        index = weighted_index(values, np.array([ri.weight for ri in indicators]), polarity)
    population = [p.population or 0 for p in places]
    try:
        result = allocate(index, population, EngineRule(
            total=rule.total, threshold=rule.threshold,
            population_weight=rule.population_weight, floor=rule.floor, cap=rule.cap))
    except ValueError as exc:
        raise FundError("total", _("the rule cannot be applied: %(reason)s") % {
            "reason": exc}) from None
    lines = []
    for place, line, row in zip(places, result.lines, values, strict=True):
        lines.append({
            "territory": place.pk, "code": place.code, "istat_code": place.istat_code,
            "name": place.name, "population": line.population,
            "values": [None if np.isnan(v) else round(float(v), 6) for v in row],
            "index": None if line.index is None else round(line.index, 4),
            "eligible": line.eligible, "reason": line.reason,
            "share": round(line.share, 8), "amount": f"{line.amount:.2f}",
            "floored": line.floored, "capped": line.capped})
    parameters = {
        "method": rule.method, "year": rule.year, "threshold": rule.threshold,
        "population_weight": rule.population_weight, "floor": f"{rule.floor:.2f}",
        "cap": None if rule.cap is None else f"{rule.cap:.2f}", "total": f"{rule.total:.2f}",
        "purpose": rule.purpose.code,
        "indicators": [{"code": ri.indicator.code, "name": ri.indicator.name,
                        "weight": ri.weight, "fragile_when_high": ri.fragile_when_high}
                       for ri in indicators]}
    return {"parameters": parameters, "lines": lines, "allocated": result.allocated,
            "unallocated": result.unallocated}


def purpose_available(purpose, medium: str = Medium.MONEY) -> Decimal:
    """What is available to commit for one purpose: its account's balance (credit-normal),
    the figure the ledger's guard checks a commitment against."""
    code = "-".join((Account.Kind.AVAILABLE, medium, purpose.code))
    cents = (Account.objects.filter(fund_id=purpose.fund_id, code=code)
             .values_list("balance_cents", flat=True).first())
    return euro(-(cents or 0))


def simulation_blocker(simulation):
    """The adopted simulation that stops this one: one of the same fund, purpose and year
    (the period its indicators describe), or None when it may be adopted."""
    from .models import Simulation

    rule = simulation.rule
    return (Simulation.objects.filter(rule__fund_id=rule.fund_id,
                                      rule__purpose_id=rule.purpose_id, rule__year=rule.year,
                                      adopted_at__isnull=False)
            .exclude(pk=simulation.pk).select_related("rule").first())


def adoption_summary(simulation) -> dict:
    """What adopting a simulation would do, and the figures it rests on: the commitments it
    posts, what is available for its purpose now and after, and what stops it, if anything."""
    lines = [line for line in simulation.lines if Decimal(line["amount"]) > 0]
    total = sum((Decimal(line["amount"]) for line in lines), ZERO)
    available = purpose_available(simulation.rule.purpose)
    return {"commitments": len(lines), "total": total, "available": available,
            "after": available - total, "fits": total <= available,
            "blocker": simulation_blocker(simulation),
            "adopted": simulation.adopted_at is not None,
            "largest": sorted(lines, key=lambda line: -Decimal(line["amount"]))[:5]}


def simulation_compare(a, b) -> list[dict]:
    """Two simulations side by side, municipality by municipality, with the difference."""
    right = {line["territory"]: line for line in b.lines}
    rows = []
    for line in a.lines:
        other = right.get(line["territory"], {})
        amount_a, amount_b = Decimal(line["amount"]), Decimal(other.get("amount", "0"))
        rows.append({"name": line["name"], "a": line, "b": other,
                     "difference": amount_b - amount_a})
    return rows


def simulation_compare_totals(rows: list[dict]) -> dict:
    """The comparison's totals: each side's sum over the municipalities, and the difference."""
    a = sum((Decimal(r["a"]["amount"]) for r in rows), ZERO)
    b = sum((Decimal(r["b"].get("amount", "0")) for r in rows), ZERO)
    return {"a": a, "b": b, "difference": b - a,
            "eligible_a": sum(1 for r in rows if r["a"].get("eligible")),
            "eligible_b": sum(1 for r in rows if r["b"].get("eligible"))}


def movement_entries(movement: Movement) -> list[Entry]:
    """A movement's lines with their accounts, for its staff page."""
    return list(movement.entries.select_related("account__purpose").order_by("id"))


def reversal_summary(movement: Movement) -> dict:
    """What reversing a movement would post: each line mirrored, each account's balance now
    and after, and whether it can be reversed at all (and why not)."""
    import hashlib

    lines = []
    for entry in movement_entries(movement):
        account = entry.account
        now = account.normal_balance
        after = (account.balance - entry.amount) * account.sign
        lines.append({"account": account, "amount": -entry.amount, "now": now,
                      "after": after, "short": account.guarded and after < 0})
    reason = None
    if movement.kind == Movement.Kind.REVERSAL:
        reason = _("A reversal is not reversed; post the movement again instead.")
    elif Movement.objects.filter(reverses=movement).exists():
        reason = _("This movement has already been reversed.")
    elif any(line["short"] for line in lines):
        reason = _("An account would be overdrawn (marked below): what this movement brought "
                   "has already been committed or paid; release or reverse that first.")
    figures = ";".join(f"{line['account'].pk}:{line['now']}" for line in lines)
    fingerprint = hashlib.sha256(f"{movement.pk};{figures}".encode()).hexdigest()[:16]
    return {"lines": lines, "reason": reason, "fingerprint": fingerprint}


def fund_counts(pact: Pact, *, full: bool = False) -> dict[str, int]:
    """A pact's fund counts (:func:`patto.pact.selectors.register_count`): no public page
    shows them, so only ``full`` (for `patto load-pact`) counts."""
    if not full:
        return {}
    return {
        "funds": Fund.objects.filter(pact=pact).count(),
        "donors": Donor.objects.filter(pact=pact).count(),
        "fund_movements": Movement.objects.filter(fund__pact=pact).count(),
        "transformations": Transformation.objects.filter(fund__pact=pact).count(),
        "allocation_rules": AllocationRule.objects.filter(fund__pact=pact).count(),
    }


def funds_of_clerk(*, user) -> QuerySet[Fund]:
    """The funds a person keeps as their clerk (not the secretariat's all), with the date of
    their latest movement and what is left to record: pledges not yet received in full and
    commitments not yet paid or released in full (their own accounts' balances), in one
    query for a back-office home."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    if not (user and user.is_authenticated):
        return Fund.objects.none()

    def still_open(kind: str) -> Coalesce:
        counted = (Account.objects.filter(fund=OuterRef("pk"), kind=kind,
                                          movement__isnull=False).exclude(balance_cents=0)
                   .order_by().values("fund").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    latest = (Movement.objects.filter(fund=OuterRef("pk")).order_by("-booked_on")
              .values("booked_on")[:1])
    return (Fund.objects.filter(clerks__user=user).select_related("pact", "instrument")
            .annotate(last_booked=Subquery(latest),
                      open_pledges=still_open(Account.Kind.PLEDGES),
                      open_commitments=still_open(Account.Kind.COMMITTED))
            .order_by("pact", "instrument__position"))
