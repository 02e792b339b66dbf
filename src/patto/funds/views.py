"""Pages of the funds: public transparency pages and downloads, and the staff pages that record
movements, keep donors and run the equalisation simulator."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.forms import CharField
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.core.errors import ApplicationError
from patto.core.exports import table_response
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact

from . import selectors, services
from .exchange import MOVEMENT_COLUMNS, movements_export_rows, quantity_text
from .forms import (
    CommitmentForm,
    DonorForm,
    PledgeForm,
    ReceiptForm,
    ReversalForm,
    RuleForm,
    RuleIndicatorFormSet,
    SettlementForm,
    TransformationForm,
)
from .models import AllocationRule, Donor, Fund, Movement, Simulation

STATEMENT_SALT = "patto.funds.statement"
#: How long a statement link works; the fund sends a new one with each statement.
STATEMENT_MAX_AGE = dt.timedelta(days=90)

FORMS = {"receipt": ReceiptForm, "pledge": PledgeForm, "commitment": CommitmentForm,
         "payment": SettlementForm, "release": SettlementForm,
         "transformation": TransformationForm}


def fund_index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("patto")
    pact = Pact.objects.filter(code=code).first() if code else pact_selectors.pact_default()
    if pact is None:
        raise Http404
    funds = [(fund, selectors.fund_totals_combined(selectors.fund_totals(fund)))
             for fund in selectors.fund_list(pact=pact)]
    return render(request, "funds/fund_index.html", {"pact": pact, "funds": funds})


def _chart_data(fund: Fund) -> dict:
    return {"time": selectors.money_over_time(fund), "flows": selectors.flows(fund),
            "labels": {"receipt-money": _("Money received"),
                       "receipt-kind": _("Goods and services received"),
                       "payment-money": _("Money paid"),
                       "payment-kind": _("Goods and services delivered")}}


def _map_data(fund: Fund, show: str) -> tuple[dict, list]:
    from patto.pact.selectors import territory_tree

    figures = selectors.equalisation_by_municipality(fund)
    tree = territory_tree(root=fund.pact.territory, on=fund.pact.signed_on)
    rows, values = [], {}
    for node in tree.municipalities:
        found = figures.get(node.territory.pk, {})
        row = {"territory": node.territory, **{k: found.get(k, Decimal("0.00")) for k in (
            "due", "contributed", "allocated", "paid")}}
        rows.append(row)
        value = row["allocated"] if show == "assegnazioni" else row["contributed"]
        values[node.territory.code] = float(value) if value else None
    present = [v for v in values.values() if v is not None]
    return {"values": values, "min": 0, "max": max(present) if present else 1,
            "unit": "€", "negative": False}, rows


def fund_detail(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    totals = selectors.fund_totals(fund)
    context = {
        "pact": fund.pact, "fund": fund, "totals": totals,
        "combined": selectors.fund_totals_combined(totals),
        "destinations": selectors.destinations(fund), "charts": _chart_data(fund),
        "purposes": fund.purposes.all(),
        "can_record": request.user.has_perm("funds.add_movement", fund),
    }
    if fund.kind == Fund.Kind.EQUALISATION:
        show = "assegnazioni" if request.GET.get("mostra") == "assegnazioni" else "contributi"
        context["map"], context["municipalities"] = _map_data(fund, show)
        context["show"] = show
        context["transformations"] = fund.transformations.select_related(
            "municipality", "rule").defer("municipality__boundary")
        context["charge_rules"] = fund.charge_rules.all()
        context["adopted"] = (Simulation.objects.filter(rule__fund=fund,
                                                        adopted_at__isnull=False)
                              .select_related("rule"))
    return render(request, "funds/fund_detail.html", context)


PUBLIC_COLUMNS = ["date", "ref", "kind", "medium", "amount", "purpose", "donor",
                  "destination", "item", "quantity", "unit", "valued_by", "reverses",
                  "description", "example"]


def _public_rows(fund: Fund) -> list[list[str]]:
    rows = []
    for m in selectors.movement_list(fund=fund):
        rows.append([m.booked_on.isoformat(), m.ref, m.kind, m.medium, f"{m.amount:.2f}",
                     m.purpose.code if m.purpose_id else "",
                     m.donor.public_name if m.donor_id else "", m.destination, m.item,
                     quantity_text(m.quantity),
                     m.unit, m.valued_by, m.reverses.ref if m.reverses_id else "",
                     m.description, "true" if m.is_example else "false"])
    return rows


def _table(header: list[str], rows: list[list[str]], fmt: str, name: str) -> HttpResponse:
    if fmt == "json":
        response = JsonResponse([dict(zip(header, row, strict=True)) for row in rows],
                                safe=False, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return table_response(header, rows, fmt, name)


def fund_movements_download(request: HttpRequest, pact: str, fund: str,
                            fmt: str) -> HttpResponse:
    """Every movement with the public's view of donors (people without consent anonymous)."""
    fund = selectors.fund_get(pact_code=pact, code=fund)
    return _table(PUBLIC_COLUMNS, _public_rows(fund), fmt, f"{fund.pact.code}-{fund.code}")


def fund_journal(request: HttpRequest, pact: str, fund: str, fmt: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    staff = request.user.has_perm("funds.view_ledger", fund)
    return _table(selectors.JOURNAL_HEADER, selectors.journal_rows(fund, staff=staff), fmt,
                  f"{fund.pact.code}-{fund.code}-journal")


def fund_trial_balance(request: HttpRequest, pact: str, fund: str, fmt: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    rows, debits, credits = selectors.trial_balance(fund)
    rows.append(["TOTAL", "", "", "", f"{debits:.2f}", f"{credits:.2f}",
                 f"{abs(debits - credits):.2f}", ""])
    return _table(selectors.TRIAL_HEADER, rows, fmt,
                  f"{fund.pact.code}-{fund.code}-trial-balance")


def statement_token(donor: Donor) -> str:
    """The signed part of a donor's statement link: who, and which version of the links (a
    revocation raises the donor's version, so older links stop working)."""
    return signing.dumps({"donor": donor.pk, "version": donor.statement_version},
                         salt=STATEMENT_SALT)


def _statement_donor(token: str) -> Donor:
    """The donor a link names, or 404 for a link forged, malformed, expired or revoked."""
    try:
        payload = signing.loads(token, salt=STATEMENT_SALT, max_age=STATEMENT_MAX_AGE)
        donor_id, version = payload["donor"], payload["version"]
    except (signing.BadSignature, ValueError, TypeError, KeyError, zlib.error):
        # BadSignature covers forged and expired links; the others a payload signed with
        # our key that is not what statement_token writes (an old format, a bug).
        raise Http404 from None
    if type(donor_id) is not int or type(version) is not int or not 0 < donor_id < 2**63:
        raise Http404
    return get_object_or_404(Donor.objects.select_related("party", "territory", "pact"),
                             pk=donor_id, statement_version=version)


def donor_statement(request: HttpRequest, token: str) -> HttpResponse:
    """A donor's own statement, reached by the signed link the fund sends them."""
    donor = _statement_donor(token)
    response = render(request, "funds/statement.html", selectors.donor_statement(donor))
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Staff pages


def _fund_for(request: HttpRequest, pact: str, fund: str, perm: str) -> Fund:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    if not request.user.has_perm(perm, fund):
        raise PermissionDenied
    return fund


def _forms(fund: Fund, user, bound: str | None = None, data=None) -> dict:
    today = timezone.localdate()
    kinds = list(FORMS) if fund.kind == Fund.Kind.EQUALISATION else \
        [k for k in FORMS if k != "transformation"]
    return {what: FORMS[what](data if what == bound else None, fund=fund, user=user,
                              prefix=what, initial={"booked_on": today, "declared_on": today})
            for what in kinds}


def _show(form, exc: ApplicationError) -> None:
    """A refusal of a service on the form: on its field when the form has it."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def manage(request: HttpRequest, pact: str, fund: str,
           forms: dict | None = None) -> HttpResponse:
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    movements = list(selectors.movement_list(fund=fund).order_by("-booked_on", "-id")[:50])
    totals = selectors.fund_totals(fund)
    return render(request, "funds/manage.html", {
        "pact": fund.pact, "fund": fund, "forms": forms or _forms(fund, request.user),
        "movements": movements, "totals": totals,
        "combined": selectors.fund_totals_combined(totals),
        "reversal_form": ReversalForm(initial={"booked_on": timezone.localdate()}),
        "can_simulate": request.user.has_perm("funds.add_simulation", fund),
        "violations": selectors.ledger_verify(funds=Fund.objects.filter(pk=fund.pk)),
    })


#: The service that records each kind of movement, and the form fields it does not take.
RECORDERS = {
    "receipt": (services.movement_receipt, ()),
    "pledge": (services.movement_pledge, ()),
    "commitment": (services.movement_commit, ()),
    "payment": (services.movement_pay, ("purpose",)),
    "release": (services.movement_release, ("purpose",)),
}


@login_required
@require_POST
def record(request: HttpRequest, pact: str, fund: str, what: str) -> HttpResponse:
    fund_obj = _fund_for(request, pact, fund, "funds.add_movement")
    if what not in FORMS:
        raise Http404
    forms = _forms(fund_obj, request.user, what, request.POST)
    form = forms.get(what)
    if form is None:
        raise Http404
    if form.is_valid():
        data = {k: ("" if v is None and isinstance(form.fields[k], CharField) else v)
                for k, v in form.cleaned_data.items()}
        try:
            if what == "transformation":
                label = services.transformation_declare(
                    fund=fund_obj, user=request.user, **data).pledge.ref
            else:
                call, unused = RECORDERS[what]
                for name in unused:
                    data.pop(name, None)
                if what in ("receipt", "pledge", "commitment"):
                    data["fund"] = fund_obj
                label = call(user=request.user, **data).ref
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Recorded: %(ref)s.") % {"ref": label})
            return redirect("funds:manage", pact=pact, fund=fund)
    messages.error(request, _("Nothing was recorded: correct the fields marked below."))
    return manage(request, pact, fund, forms=forms)


@login_required
@require_POST
def reverse_movement(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    fund_obj = _fund_for(request, pact, fund, "funds.add_movement")
    movement = get_object_or_404(Movement, pk=pk, fund=fund_obj)
    form = ReversalForm(request.POST)
    if form.is_valid():
        try:
            made = services.movement_reverse(movement=movement, reason=form.cleaned_data[
                "reason"], booked_on=form.cleaned_data["booked_on"], user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Reversed by %(ref)s.") % {"ref": made.ref})
    else:
        messages.error(request, _("Write the date and why the movement is reversed."))
    return redirect("funds:manage", pact=pact, fund=fund)


@login_required
def movements_export(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    """The fund's movements in the import format (codes), to re-import exactly."""
    fund = _fund_for(request, pact, fund, "funds.view_ledger")
    return table_response(MOVEMENT_COLUMNS, movements_export_rows(fund), "csv",
                          f"{fund.pact.code}-{fund.code}-fund_movements")


@login_required
def donor_list(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    """The donors a clerk may see, each with the link to their statement; adding a donor."""
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    form = DonorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donor = services.donor_create(pact=fund.pact, user=request.user,
                                          **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Donor %(code)s added.") % {"code": donor.code})
            return redirect("funds:donors", pact=pact, fund=fund.code)
    donors = selectors.donors_visible(user=request.user, pact=fund.pact).select_related(
        "party", "territory")
    rows = [(d, request.build_absolute_uri(reverse("funds:statement",
                                                   args=[statement_token(d)])))
            for d in donors]
    return render(request, "funds/donors.html", {"pact": fund.pact, "fund": fund,
                                                 "rows": rows, "form": form})


@login_required
@require_POST
def donor_statement_revoke(request: HttpRequest, pact: str, fund: str,
                           pk: int) -> HttpResponse:
    """Stop every statement link sent to a donor (a link forwarded to the wrong person)."""
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    donor = get_object_or_404(selectors.donors_visible(user=request.user, pact=fund.pact),
                              pk=pk)
    services.donor_statement_revoke(donor=donor, user=request.user)
    messages.success(request, _("The statement links sent so far to %(code)s no longer "
                                "work; send the new one.") % {"code": donor.code})
    return redirect("funds:donors", pact=pact, fund=fund.code)


def _rule_indicators(rule: AllocationRule) -> list[dict]:
    return [{"indicator": ri.indicator, "weight": ri.weight,
             "fragile_when_high": "high" if ri.fragile_when_high else "low"}
            for ri in rule.indicators.select_related("indicator")]


@login_required
def simulator(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    """Edit a rule's parameters and indicators, run it, and list the runs to compare."""
    fund = _fund_for(request, pact, fund, "funds.add_simulation")
    rules = list(fund.allocation_rules.select_related("purpose"))
    rule = next((r for r in rules if r.code == request.GET.get("regola")), None)
    locked = rule is not None and rule.simulations.filter(adopted_at__isnull=False).exists()
    form = RuleForm(request.POST or None, instance=rule, fund=fund)
    formset = RuleIndicatorFormSet(request.POST or None, prefix="ind",
                                   initial=_rule_indicators(rule) if rule else None,
                                   form_kwargs={"pact": fund.pact})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        chosen = [f.cleaned_data for f in formset
                  if f.cleaned_data and f.cleaned_data.get("indicator")]
        try:
            simulation = services.allocation_rule_simulate(
                fund=fund, rule=rule, fields=form.cleaned_data, indicators=chosen,
                user=request.user)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            return redirect("funds:simulation", pact=pact, fund=fund.code, pk=simulation.pk)
    simulations = Simulation.objects.filter(rule__fund=fund).select_related(
        "rule", "created_by")[:40]
    return render(request, "funds/simulator.html", {
        "pact": fund.pact, "fund": fund, "rules": rules, "rule": rule, "form": form,
        "formset": formset, "locked": locked, "simulations": simulations})


@login_required
def simulation_detail(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    fund = _fund_for(request, pact, fund, "funds.add_simulation")
    simulation = get_object_or_404(Simulation.objects.select_related("rule"), pk=pk,
                                   rule__fund=fund)
    if request.method == "POST":
        if not request.user.has_perm("funds.adopt_simulation", fund):
            raise PermissionDenied
        try:
            made = services.simulation_adopt(simulation=simulation, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Adopted: %(count)s commitments posted.") % {
                "count": len(made)})
            return redirect("funds:simulation", pact=pact, fund=fund.code, pk=pk)
    chart = {"names": [line["name"] for line in simulation.lines if line["eligible"]],
             "amounts": [float(line["amount"]) for line in simulation.lines
                         if line["eligible"]]}
    return render(request, "funds/simulation.html", {
        "pact": fund.pact, "fund": fund, "simulation": simulation, "chart": chart,
        "available": selectors.fund_totals(fund)["money"].available})


@login_required
def simulation_compare(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    fund = _fund_for(request, pact, fund, "funds.add_simulation")
    runs = Simulation.objects.filter(rule__fund=fund).select_related("rule")
    try:
        a = runs.get(pk=int(request.GET.get("a", "0")))
        b = runs.get(pk=int(request.GET.get("b", "0")))
    except (Simulation.DoesNotExist, ValueError):
        messages.error(request, _("Choose two simulations to compare."))
        return redirect("funds:simulator", pact=pact, fund=fund.code)
    rows = selectors.simulation_compare(a, b)
    chart = {"names": [r["name"] for r in rows],
             "a": [float(r["a"]["amount"]) for r in rows],
             "b": [float(r["b"].get("amount", 0)) for r in rows],
             "labels": [f"#{a.pk} {a.rule.name}", f"#{b.pk} {b.rule.name}"]}
    return render(request, "funds/compare.html", {
        "pact": fund.pact, "fund": fund, "a": a, "b": b, "rows": rows,
        "chart": chart})
