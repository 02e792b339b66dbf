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
from django.core.paginator import Paginator
from django.forms import CharField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from patto.core.downloads import download_response, kind_response, register
from patto.core.errors import ApplicationError
from patto.core.exports import table_response
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact

from . import selectors, services
from .exchange import MOVEMENT_COLUMNS, movements_export_rows, quantity_text
from .filters import MovementFilter
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
from .history import movement_history
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
    funds = []
    for fund in selectors.fund_list(pact=pact):
        totals = selectors.fund_totals(fund)
        # A total with any example movement in it says so, whatever PATTO_DEMO says.
        funds.append((fund, selectors.fund_totals_combined(totals), totals.example))
    return render(request, "funds/fund_index.html", {"pact": pact, "funds": funds})


def _chart_data(fund: Fund) -> dict:
    return {"time": selectors.money_over_time(fund), "flows": selectors.flows(fund),
            "labels": {"receipt-money": _("Money received"),
                       "receipt-kind": _("Goods and services received"),
                       "payment-money": _("Money paid"),
                       "payment-kind": _("Goods and services delivered")}}


def _map_data(fund: Fund, show: str) -> tuple[dict, list]:
    from patto.pact.selectors import territory_places

    figures = selectors.equalisation_by_municipality(fund)
    # Plain values, as the territory page reads them: the tree's model instances cost a page
    # a large read from the cache at national scale.
    places = territory_places(root_id=fund.pact.territory_id, on=fund.pact.signed_on)
    rows, values = [], {}
    for place in places:
        found = figures.get(place.pk, {})
        row = {"territory": place, **{k: found.get(k, Decimal("0.00")) for k in (
            "due", "contributed", "allocated", "paid")}}
        rows.append(row)
        value = row["allocated"] if show == "assegnazioni" else row["contributed"]
        values[place.code] = float(value) if value else None
    present = [v for v in values.values() if v is not None]
    return {"values": values, "min": 0, "max": max(present) if present else 1,
            "unit": "€", "negative": False}, rows


#: Destinations listed per page of a fund (a fund may finance thousands; the downloads
#: carry them all).
DESTINATIONS_PER_PAGE = 50


def fund_detail(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    totals = selectors.fund_totals(fund)
    destinations = Paginator(selectors.destinations(fund), DESTINATIONS_PER_PAGE).get_page(
        request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "pact": fund.pact, "fund": fund, "totals": totals, "example": totals.example,
        "combined": selectors.fund_totals_combined(totals),
        "destinations": destinations, "query": query.urlencode(),
        "charts": _chart_data(fund),
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


def _public_rows(fund: Fund):
    """Every movement as the public sees it, read as plain values in one query (model
    instances with nine joined rows each made 100,000 movements a minute's work)."""
    from .selectors import public_donor_name

    fields = ("booked_on", "ref", "kind", "medium", "amount", "purpose__code", "donor_id",
              "donor__kind", "donor__consent_public", "donor__name", "donor__party__name",
              "donor__territory__name", "project__title", "beneficiary_territory__name",
              "beneficiary", "item", "quantity", "unit", "valued_by", "reverses__ref",
              "description", "is_example")
    rows = (Movement.objects.filter(fund=fund).order_by("booked_on", "id")
            .values(*fields).iterator(chunk_size=5000))
    for m in rows:
        yield [m["booked_on"].isoformat(), m["ref"], m["kind"], m["medium"],
               f"{m['amount']:.2f}", m["purpose__code"] or "",
               public_donor_name(m) if m["donor_id"] else "",
               m["project__title"] or m["beneficiary_territory__name"] or m["beneficiary"],
               m["item"], quantity_text(m["quantity"]), m["unit"], m["valued_by"],
               m["reverses__ref"] or "", m["description"],
               "true" if m["is_example"] else "false"]


def _download(request: HttpRequest, fund: Fund, what: str, fmt: str, build) -> HttpResponse:
    """A public download of a fund, built once per data version (patto.core.downloads)."""
    from django.utils.translation import get_language

    name = f"{fund.pact.code}-{fund.code}" + (f"-{what}" if what else "")
    # The language is in the key: anonymous donors are named in it.
    return download_response(request, key=f"funds-{name}-{get_language()}", fmt=fmt,
                             build=build, filename=name)


def fund_movements_download(request: HttpRequest, pact: str, fund: str,
                            fmt: str) -> HttpResponse:
    """Every movement with the public's view of donors (people without consent anonymous)."""
    fund = selectors.fund_get(pact_code=pact, code=fund)
    return _download(request, fund, "", fmt, lambda: (PUBLIC_COLUMNS, _public_rows(fund)))


def _public_journal(pact: str, fund: str):
    """The public's journal of a fund (in the active language: anonymous donors are named in
    it), built by patto.core.downloads without the request."""
    found = selectors.fund_get(pact_code=pact, code=fund)
    return selectors.JOURNAL_HEADER, selectors.journal_lines(found, staff=False)


#: A national fund's journal (a quarter of a million entries) is built by a task when the data
#: change, never inside a request.
JOURNAL_DOWNLOAD = register(
    "funds-journal", _public_journal, background=True,
    instances=lambda: ({"pact": p, "fund": f}
                       for p, f in Fund.objects.values_list("pact__code", "code")))


def fund_journal(request: HttpRequest, pact: str, fund: str, fmt: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    if request.user.has_perm("funds.view_ledger", fund):
        # The staff's journal names donors and clerks: computed for them, never kept in a
        # shared file.
        response = table_response(selectors.JOURNAL_HEADER,
                                  selectors.journal_lines(fund, staff=True), fmt,
                                  f"{fund.pact.code}-{fund.code}-journal")
        response["Cache-Control"] = "private, no-store"
        return response
    return kind_response(request, JOURNAL_DOWNLOAD, fmt,
                         filename=f"{fund.pact.code}-{fund.code}-journal",
                         pact=fund.pact.code, fund=fund.code)


def _trial_balance_table(fund: Fund):
    rows, debits, credits = selectors.trial_balance(fund)
    rows.append(["TOTAL", "", "", "", f"{debits:.2f}", f"{credits:.2f}",
                 f"{abs(debits - credits):.2f}", ""])
    return selectors.TRIAL_HEADER, rows


def fund_trial_balance(request: HttpRequest, pact: str, fund: str, fmt: str) -> HttpResponse:
    fund = selectors.fund_get(pact_code=pact, code=fund)
    return _download(request, fund, "trial-balance", fmt, lambda: _trial_balance_table(fund))


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


def _show(form, exc: ApplicationError) -> None:
    """A refusal of a service on the form: on its field when the form has it, the field
    named by its label rather than by the code the service's message starts with."""
    field = getattr(exc, "field", None)
    message = exc.message
    if field in form.fields:
        label = form.fields[field].label or field
        if message.startswith(f"{field}: "):
            message = f"{label}: {message[len(field) + 2:]}"
        form.add_error(field, message)
    else:
        form.add_error(None, message)


#: The kinds of movement a clerk records, each on its own page, with its title.
KIND_TITLES = {
    "receipt": gettext_lazy("Record a donation or contribution received"),
    "pledge": gettext_lazy("Record a pledge"),
    "commitment": gettext_lazy("Commit to a project or beneficiary"),
    "payment": gettext_lazy("Pay or deliver against a commitment"),
    "release": gettext_lazy("Release what a commitment will not spend"),
    "transformation": gettext_lazy("Declare a transformation (pledges the contribution due)"),
}
MOVEMENTS_PER_PAGE = 50


def _kinds(fund: Fund) -> list[str]:
    return [k for k in FORMS if k != "transformation" or fund.kind == Fund.Kind.EQUALISATION]


@login_required
def manage(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    """The clerk's home for a fund: where it stands, the ledger check, and a link to each
    kind of movement's page and to the movement list."""
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    totals = selectors.fund_totals(fund)
    return render(request, "funds/manage.html", {
        "pact": fund.pact, "fund": fund, "totals": totals,
        "combined": selectors.fund_totals_combined(totals),
        "kinds": [(what, KIND_TITLES[what]) for what in _kinds(fund)],
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
def record(request: HttpRequest, pact: str, fund: str, what: str) -> HttpResponse:
    """One kind of movement's page: its form, and on POST the movement recorded."""
    fund_obj = _fund_for(request, pact, fund, "funds.add_movement")
    if what not in _kinds(fund_obj):
        raise Http404
    today = timezone.localdate()
    form = FORMS[what](request.POST if request.method == "POST" else None, fund=fund_obj,
                       user=request.user, prefix=what,
                       initial={"booked_on": today, "declared_on": today})
    if request.method == "POST":
        if form.is_valid():
            data = {k: ("" if v is None and isinstance(form.fields[k], CharField) else v)
                    for k, v in form.cleaned_data.items()}
            try:
                if what == "transformation":
                    made = services.transformation_declare(
                        fund=fund_obj, user=request.user, **data).pledge
                else:
                    call, unused = RECORDERS[what]
                    for name in unused:
                        data.pop(name, None)
                    if what in ("receipt", "pledge", "commitment"):
                        data["fund"] = fund_obj
                    made = call(user=request.user, **data)
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Recorded: %(ref)s.") % {"ref": made.ref})
                return redirect("funds:record", pact=pact, fund=fund, what=what)
        messages.error(request, _("Nothing was recorded: correct the fields marked below."))
    totals = selectors.fund_totals(fund_obj)
    return render(request, "funds/record.html", {
        "pact": fund_obj.pact, "fund": fund_obj, "form": form, "what": what,
        "title": KIND_TITLES[what], "totals": totals,
        "combined": selectors.fund_totals_combined(totals),
        "kinds": [(k, KIND_TITLES[k]) for k in _kinds(fund_obj)],
        "recent": selectors.movement_list(fund=fund_obj).filter(
            kind=Movement.Kind.PLEDGE if what == "transformation" else what)
        .order_by("-booked_on", "-id")[:10],
    })


@login_required
def movement_list(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    """Every movement of the fund, newest first, filtered and paginated."""
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    found = MovementFilter(request.GET or None, fund=fund, user=request.user,
                           queryset=selectors.movement_list(fund=fund)
                           .order_by("-booked_on", "-id"))
    queryset = found.qs if found.is_bound and found.is_valid() else found.queryset
    page = Paginator(queryset, MOVEMENTS_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "funds/movements.html", {
        "pact": fund.pact, "fund": fund, "filter": found, "page": page,
        "kinds": [(k, KIND_TITLES[k]) for k in _kinds(fund)],
        "query": query.urlencode()})


@login_required
def movement_detail(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    """One movement with its entries, what it settles or reverses, and the way to reverse it."""
    fund = _fund_for(request, pact, fund, "funds.add_movement")
    movement = get_object_or_404(selectors.movement_list(fund=fund), pk=pk)
    return render(request, "funds/movement.html", {
        "pact": fund.pact, "fund": fund, "movement": movement,
        "kinds": [(k, KIND_TITLES[k]) for k in _kinds(fund)],
        "entries": selectors.movement_entries(movement),
        "reversed_by": Movement.objects.filter(reverses=movement).first(),
        "history": movement_history(movement),
        "settlements": movement.settlements.order_by("booked_on", "id")
        if movement.kind == Movement.Kind.COMMITMENT else None})


@login_required
def reverse_movement(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    """Confirm, then reverse: GET (or a POST without the confirmation) shows what the
    reversal will post and the balances it moves; the confirmed POST posts it."""
    fund_obj = _fund_for(request, pact, fund, "funds.add_movement")
    movement = get_object_or_404(selectors.movement_list(fund=fund_obj), pk=pk)
    form = ReversalForm(request.POST if request.method == "POST" else None,
                        initial={"booked_on": timezone.localdate()})
    summary = selectors.reversal_summary(movement)
    if request.method == "POST" and request.POST.get("confirmed") == summary["fingerprint"]:
        if form.is_valid():
            try:
                made = services.movement_reverse(
                    movement=movement, reason=form.cleaned_data["reason"],
                    booked_on=form.cleaned_data["booked_on"], user=request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Reversed by %(ref)s.") % {"ref": made.ref})
                return redirect("funds:movement", pact=pact, fund=fund, pk=pk)
    elif request.method == "POST":
        messages.warning(request, _("Nothing was reversed yet: check what will happen, "
                                    "then confirm."))
    return render(request, "funds/reverse_confirm.html", {
        "pact": fund_obj.pact, "fund": fund_obj, "movement": movement, "form": form,
        "summary": summary})


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
    # Which purposes and years already have their allocation: the others' runs say so.
    taken = set(Simulation.objects.filter(rule__fund=fund, adopted_at__isnull=False)
                .values_list("rule__purpose_id", "rule__year"))
    for run in simulations:
        run.blocked = run.adopted_at is None and (run.rule.purpose_id, run.rule.year) in taken
    return render(request, "funds/simulator.html", {
        "pact": fund.pact, "fund": fund, "rules": rules, "rule": rule, "form": form,
        "formset": formset, "locked": locked, "simulations": simulations})


def _bars(rows: list[dict], series: list[tuple[str, str]]) -> dict:
    """A horizontal bar chart's data, municipalities sorted by their largest amount (the
    page's script shows 25 bars at a time and scrolls through the rest)."""
    ordered = sorted(rows, key=lambda r: (-max(r[key] for key, _label in series), r["name"]))
    return {"names": [r["name"] for r in ordered],
            "series": [{"name": label, "data": [float(r[key]) for r in ordered]}
                       for key, label in series]}


def _simulation(fund: Fund, pk: int) -> Simulation:
    return get_object_or_404(Simulation.objects.select_related("rule__purpose", "adopted_by"),
                             pk=pk, rule__fund=fund)


@login_required
@require_GET
def simulation_detail(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    """A simulation, every line explained; adopting it goes through its confirmation page."""
    fund = _fund_for(request, pact, fund, "funds.add_simulation")
    simulation = _simulation(fund, pk)
    rows = [{"name": line["name"], "amount": Decimal(line["amount"])}
            for line in simulation.lines if line["eligible"]]
    return render(request, "funds/simulation.html", {
        "pact": fund.pact, "fund": fund, "simulation": simulation,
        "chart": _bars(rows, [("amount", _("Amount (euro)"))]),
        "summary": selectors.adoption_summary(simulation)})


@login_required
def simulation_adopt(request: HttpRequest, pact: str, fund: str, pk: int) -> HttpResponse:
    """Confirm, then adopt: GET (or a POST without the confirmation, or after the figures
    changed) shows the commitments it will post and what is available for its purpose."""
    fund = _fund_for(request, pact, fund, "funds.adopt_simulation")
    simulation = _simulation(fund, pk)
    summary = selectors.adoption_summary(simulation)
    # The figures shown travel with the confirmation: if the purpose's availability moved
    # in between, the person confirms again on the new figures.
    fingerprint = f"{simulation.pk}:{summary['total']}:{summary['available']}"
    if request.method == "POST":
        if request.POST.get("confirmed") != fingerprint:
            messages.warning(request, _("Nothing was adopted yet: check the figures below, "
                                        "then confirm."))
        else:
            try:
                made = services.simulation_adopt(simulation=simulation, user=request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                summary = selectors.adoption_summary(simulation)
            else:
                messages.success(request, _("Adopted: %(count)s commitments posted.") % {
                    "count": len(made)})
                return redirect("funds:simulation", pact=pact, fund=fund.code, pk=pk)
    return render(request, "funds/adopt_confirm.html", {
        "pact": fund.pact, "fund": fund, "simulation": simulation, "summary": summary,
        "fingerprint": fingerprint})


@login_required
@require_GET
def simulation_compare(request: HttpRequest, pact: str, fund: str) -> HttpResponse:
    fund = _fund_for(request, pact, fund, "funds.add_simulation")
    runs = Simulation.objects.filter(rule__fund=fund).select_related("rule__purpose")
    try:
        a = runs.get(pk=int(request.GET.get("a", "0")))
        b = runs.get(pk=int(request.GET.get("b", "0")))
    except (Simulation.DoesNotExist, ValueError):
        messages.error(request, _("Choose two simulations to compare."))
        return redirect("funds:simulator", pact=pact, fund=fund.code)
    rows = selectors.simulation_compare(a, b)
    totals = selectors.simulation_compare_totals(rows)
    bars = [{"name": r["name"], "a": Decimal(r["a"]["amount"]),
             "b": Decimal(r["b"].get("amount", "0"))} for r in rows]
    chart = _bars(bars, [("a", f"A #{a.pk} {a.rule.name}"), ("b", f"B #{b.pk} {b.rule.name}")])
    return render(request, "funds/compare.html", {
        "pact": fund.pact, "fund": fund, "a": a, "b": b, "rows": rows, "totals": totals,
        "chart": chart,
        "sides": [(side, {"simulation": run, "summary": selectors.adoption_summary(run)})
                  for side, run in (("a", a), ("b", b))],
        "can_adopt": request.user.has_perm("funds.adopt_simulation", fund)})
