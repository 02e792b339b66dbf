"""Pages of the work instruments: public pages under /strumenti/ (cases that are not
confidential, figures without the confidential ones) and staff pages under
/gestione/strumenti/, which the page cache never stores (see ``patto.core.cache``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from patto.core.downloads import kind_response, register
from patto.core.errors import ApplicationError
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact

from . import selectors, services
from .filters import CrisisCaseFilter, RegisterFilter
from .forms import (
    ActivityForm,
    AgreementForm,
    AwardFormSet,
    CommitmentForm,
    CommitmentFormSet,
    CommitmentReportForm,
    CrisisCaseForm,
    CriterionForm,
    DecisionForm,
    DevelopmentServiceForm,
    FollowUpForm,
    InstrumentRoleForm,
    InvestmentForm,
    MeetingForm,
    PathwayForm,
    PlacementForm,
    PrizeEditionForm,
    ProtocolForm,
    ProtocolUpdateForm,
    RegisterApplicationForm,
    RenewForm,
    RevokeForm,
    SafetyNetForm,
    StageForm,
    TransitionForm,
    WorkersForm,
)
from .models import CrisisCase, RegisterApplication

CASES_PER_PAGE = 50


def _pact(code: str) -> Pact:
    return get_object_or_404(
        Pact.objects.select_related("territory").defer("territory__boundary"), code=code
    )


def _chart_labels() -> dict[str, str]:
    return {
        "sectors": _("Cases reported per year, by ATECO section"),
        "areas": _("Workers involved per year, by area"),
    }


def index(request: HttpRequest) -> HttpResponse:
    pact = pact_selectors.pact_default()
    if pact is None:
        raise Http404
    return redirect("instruments:pact_index", pact=pact.code)


def pact_index(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _pact(pact)
    figures = selectors.crisis_figures(pact=pact)
    return render(request, "instruments/index.html", {"pact": pact, "figures": figures})


def _show(form, exc: ApplicationError) -> None:
    field = getattr(exc, "field", "")
    message = exc.message
    if field in form.fields:
        label = form.fields[field].label or field
        if message.startswith(f"{field}: "):
            message = f"{label}: {message[len(field) + 2 :]}"
        form.add_error(field, message)
    else:
        form.add_error(None, message)


# Safeguard table: public -----------------------------------------------------------------------


def case_list(request: HttpRequest, pact: str) -> HttpResponse:
    """The cases that are not confidential, filtered, and the dashboard by sector and area."""
    pact = _pact(pact)
    found = CrisisCaseFilter(request.GET or None, queryset=selectors.crisis_case_list(pact=pact))
    page = Paginator(found.qs, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    figures = selectors.crisis_figures(pact=pact)
    return render(
        request,
        "instruments/case_list.html",
        {
            "pact": pact,
            "filter": found,
            "page": page,
            "figures": figures,
            "charts": selectors.crisis_chart_data(figures, _chart_labels()),
            "query": request.GET.urlencode(),
        },
    )


def _filters(request: HttpRequest) -> str:
    """The list's filters as a plain, ordered query string: a download's parameter (the same
    filters in any order give the same file; the page number is not a filter)."""
    pairs = sorted(
        (k, v)
        for k, values in request.GET.lists()
        if k not in ("pagina", "formato")
        for v in values
        if v.strip()
    )
    query = QueryDict(mutable=True)
    for k, v in pairs:
        query.appendlist(k, v)
    return query.urlencode()


def _public_cases(pact: str, filters: str = ""):
    """The cases that are not confidential, filtered as the public list: built by
    patto.core.downloads without the request (so never with a person's confidential view)."""
    found = Pact.objects.get(code=pact)
    listed = CrisisCaseFilter(
        QueryDict(filters) or None, queryset=selectors.crisis_case_list(pact=found)
    )
    return selectors.CASE_COLUMNS, selectors.crisis_case_rows(listed.qs)


CASES_DOWNLOAD = register("instruments-cases", _public_cases, sheet="cases")


def case_download(request: HttpRequest, pact: str, fmt: str) -> HttpResponse:
    pact = _pact(pact)
    return kind_response(
        request,
        CASES_DOWNLOAD,
        fmt,
        filename=f"{pact.code}-crisis-cases",
        pact=pact.code,
        filters=_filters(request),
    )


def case_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact = _pact(pact)
    case = selectors.crisis_case_get(pact=pact, code=code)
    return render(
        request,
        "instruments/case_detail.html",
        {"pact": pact, "case": case, "workers": selectors.workers_table(case), "staff": False},
    )


# Safeguard table: staff ------------------------------------------------------------------------


def _staff_pact(request: HttpRequest, pact: str, perm: str) -> Pact:
    pact = _pact(pact)
    if not request.user.has_perm(perm, pact):
        raise PermissionDenied
    return pact


@login_required
def manage_cases(request: HttpRequest, pact: str) -> HttpResponse:
    """The table's list: every case the person may see, and the dashboard with them all."""
    pact = _pact(pact)
    may_read = selectors.may_see_confidential(request.user, pact)
    may_write = request.user.has_perm("instruments.change_crisiscase", pact)
    if not (may_read or may_write):
        raise PermissionDenied
    found = CrisisCaseFilter(
        request.GET or None, queryset=selectors.crisis_case_list(pact=pact, user=request.user)
    )
    page = Paginator(found.qs, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    figures = selectors.crisis_figures(pact=pact, user=request.user, everything=True)
    return render(
        request,
        "instruments/manage_cases.html",
        {
            "pact": pact,
            "filter": found,
            "page": page,
            "figures": figures,
            "charts": selectors.crisis_chart_data(figures, _chart_labels()),
            "may_write": may_write,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def case_new(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _staff_pact(request, pact, "instruments.change_crisiscase")
    form = CrisisCaseForm(request.POST or None, pact=pact)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unions = data.pop("unions")
        try:
            case = services.crisis_case_create(
                user=request.user, pact=pact, data=data, unions=unions
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Case recorded."))
            return redirect("instruments:manage_case", pact=pact.code, code=case.code)
    return render(request, "instruments/case_form.html", {"pact": pact, "form": form})


def _staff_case(request: HttpRequest, pact: str, code: str) -> tuple[Pact, CrisisCase, bool]:
    pact = _pact(pact)
    may_write = request.user.has_perm("instruments.change_crisiscase", pact)
    if not (may_write or selectors.may_see_confidential(request.user, pact)):
        raise PermissionDenied
    return pact, selectors.crisis_case_get(pact=pact, code=code, user=request.user), may_write


@login_required
def manage_case(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact, case, may_write = _staff_case(request, pact, code)
    return render(
        request,
        "instruments/case_detail.html",
        {
            "pact": pact,
            "case": case,
            "workers": selectors.workers_table(case),
            "staff": True,
            "may_write": may_write,
            "transition_form": TransitionForm(),
            "meeting_form": MeetingForm(),
            "net_form": SafetyNetForm(),
        },
    )


@login_required
def case_edit(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact, case, may_write = _staff_case(request, pact, code)
    if not may_write:
        raise PermissionDenied
    form = CrisisCaseForm(
        request.POST or None, instance=case, pact=pact, initial={"unions": list(case.unions.all())}
    )
    workers = WorkersForm(request.POST or None, case=case, prefix="w")
    if request.method == "POST" and form.is_valid() and workers.is_valid():
        data = dict(form.cleaned_data)
        unions = data.pop("unions")
        try:
            services.crisis_case_update(user=request.user, case=case, data=data, unions=unions)
            services.crisis_case_set_workers(user=request.user, case=case, workers=workers.counts())
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Case changed."))
            return redirect("instruments:manage_case", pact=pact.code, code=case.code)
    return render(
        request,
        "instruments/case_form.html",
        {"pact": pact, "form": form, "workers": workers, "case": case},
    )


ACTIONS = {"stato": TransitionForm, "incontro": MeetingForm, "ammortizzatore": SafetyNetForm}


@login_required
@require_POST
def case_action(request: HttpRequest, pact: str, code: str, action: str) -> HttpResponse:
    """A status change, a meeting or a safety net, posted from the case's staff page."""
    if action not in ACTIONS:
        raise Http404
    pact, case, may_write = _staff_case(request, pact, code)
    if not may_write:
        raise PermissionDenied
    form = ACTIONS[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "stato":
                services.crisis_case_transition(user=request.user, case=case, **data)
            elif action == "incontro":
                services.crisis_case_add_meeting(user=request.user, case=case, **data)
            else:
                services.crisis_case_add_safety_net(user=request.user, case=case, **data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("instruments:manage_case", pact=pact.code, code=case.code)
    case = selectors.crisis_case_get(pact=pact, code=code, user=request.user)
    context = {
        "pact": pact,
        "case": case,
        "workers": selectors.workers_table(case),
        "staff": True,
        "may_write": True,
        "transition_form": TransitionForm(),
        "meeting_form": MeetingForm(),
        "net_form": SafetyNetForm(),
    }
    context[
        {"stato": "transition_form", "incontro": "meeting_form", "ammortizzatore": "net_form"}[
            action
        ]
    ] = form
    return render(request, "instruments/case_detail.html", context, status=400)


# Job-inclusion pathways ------------------------------------------------------------------------


def pathways_public(request: HttpRequest, pact: str) -> HttpResponse:
    """Aggregates only, small cells suppressed: no pathway is ever shown to the public."""
    pact = _pact(pact)
    return render(
        request,
        "instruments/pathways_public.html",
        {"pact": pact, "figures": selectors.pathway_figures(pact=pact)},
    )


@login_required
def pathways(request: HttpRequest, pact: str) -> HttpResponse:
    """An operator's pathways (all of them for the secretariat), and a pathway to open."""
    pact = _pact(pact)
    may_add = request.user.has_perm("instruments.add_pathway", pact)
    found = selectors.pathway_list(pact=pact, user=request.user)
    if not may_add:
        raise PermissionDenied
    form = PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.pathway_open(user=request.user, pact=pact, data=form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Pathway opened."))
            return redirect("instruments:pathway", pact=pact.code, pk=made.pk)
    page = Paginator(found, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "instruments/pathways.html", {"pact": pact, "page": page, "form": form})


PATHWAY_ACTIONS = {"fase": StageForm, "inserimento": PlacementForm, "verifica": FollowUpForm}


@login_required
def pathway(request: HttpRequest, pact: str, pk: int, action: str = "") -> HttpResponse:
    """One pathway for its operator: its stages, its job, and the next step to record."""
    pact = _pact(pact)
    item = selectors.pathway_get(pact=pact, pk=pk, user=request.user)
    forms_ = {name: form() for name, form in PATHWAY_ACTIONS.items()}
    status = 200
    if action:
        if request.method != "POST" or action not in PATHWAY_ACTIONS:
            raise Http404
        form = forms_[action] = PATHWAY_ACTIONS[action](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "fase":
                    services.pathway_advance(user=request.user, pathway=item, **data)
                elif action == "inserimento":
                    services.pathway_place(user=request.user, pathway=item, **data)
                else:
                    services.pathway_follow_up(user=request.user, pathway=item, **data)
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("instruments:pathway", pact=pact.code, pk=item.pk)
        status = 400
        item = selectors.pathway_get(pact=pact, pk=pk, user=request.user)
    return render(
        request,
        "instruments/pathway.html",
        {
            "pact": pact,
            "pathway": item,
            "stage_form": forms_["fase"],
            "placement_form": forms_["inserimento"],
            "follow_up_form": forms_["verifica"],
        },
        status=status,
    )


# Inclusive-companies register ------------------------------------------------------------------


def _municipalities(pact: Pact):
    from patto.pact.models import Territory

    return (
        Territory.objects.filter(kind=Territory.Kind.MUNICIPALITY)
        .defer("boundary")
        .order_by("name")
    )


def register_public(request: HttpRequest, pact: str) -> HttpResponse:
    """The companies in the register today, filtered, with the published criteria."""
    pact = _pact(pact)
    found = RegisterFilter(
        request.GET or None,
        municipalities=_municipalities(pact),
        queryset=selectors.register_entries(pact=pact, today=timezone.localdate()),
    )
    page = Paginator(found.qs, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "instruments/register.html",
        {
            "pact": pact,
            "filter": found,
            "page": page,
            "criteria": pact.register_criteria.all(),
            "query": request.GET.urlencode(),
        },
    )


def _public_register(pact: str, today: str, filters: str = ""):
    """The companies in the register on a day, filtered as the public page: the day is a
    parameter, so that a registration that lapses overnight leaves tomorrow's file."""
    import datetime as dt

    found = Pact.objects.get(code=pact)
    listed = RegisterFilter(
        QueryDict(filters) or None,
        municipalities=_municipalities(found),
        queryset=selectors.register_entries(pact=found, today=dt.date.fromisoformat(today)),
    )
    return selectors.REGISTER_COLUMNS, selectors.register_rows(listed.qs)


REGISTER_DOWNLOAD = register("instruments-register", _public_register, sheet="register")


def register_download(request: HttpRequest, pact: str, fmt: str) -> HttpResponse:
    pact = _pact(pact)
    return kind_response(
        request,
        REGISTER_DOWNLOAD,
        fmt,
        filename=f"{pact.code}-inclusive-companies",
        pact=pact.code,
        today=timezone.localdate().isoformat(),
        filters=_filters(request),
    )


def _private(response: HttpResponse) -> HttpResponse:
    """A page with a form a visitor fills in: never stored by the page cache or a proxy."""
    response["Cache-Control"] = "private, no-store"
    return response


def register_apply(request: HttpRequest, pact: str) -> HttpResponse:
    """A company applies online, against the published criteria, with its documents."""
    pact = _pact(pact)
    criteria = list(pact.register_criteria.all())
    form = RegisterApplicationForm(
        request.POST or None,
        request.FILES or None,
        criteria=criteria,
        municipalities=_municipalities(pact),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.register_apply(
                user=request.user if request.user.is_authenticated else None,
                pact=pact,
                data=data,
                statements=form.statements(),
                documents=data["documents"],
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            return _private(render(request, "instruments/register_applied.html", {"pact": pact}))
    return _private(
        render(
            request,
            "instruments/register_apply.html",
            {"pact": pact, "form": form, "criteria": criteria},
            status=400 if request.method == "POST" else 200,
        )
    )


@login_required
def register_manage(request: HttpRequest, pact: str) -> HttpResponse:
    """The office's list of applications and entries, and the criteria it publishes."""
    pact = _staff_pact(request, pact, "instruments.change_register")
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_criterion_save(user=request.user, pact=pact, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Criterion published."))
            return redirect("instruments:register_manage", pact=pact.code)
    items = selectors.register_applications(pact=pact)
    status = request.GET.get("stato")
    if status in RegisterApplication.Status.values:
        items = items.filter(status=status)
    page = Paginator(items, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "instruments/register_manage.html",
        {
            "pact": pact,
            "page": page,
            "form": form,
            "criteria": pact.register_criteria.all(),
            "statuses": RegisterApplication.Status.choices,
            "status": status,
        },
    )


REGISTER_ACTIONS = {"decisione": DecisionForm, "rinnovo": RenewForm, "revoca": RevokeForm}


@login_required
def register_application(
    request: HttpRequest, pact: str, pk: int, action: str = ""
) -> HttpResponse:
    pact = _staff_pact(request, pact, "instruments.change_register")
    item = selectors.register_application_get(pact=pact, pk=pk)
    forms_ = {name: form() for name, form in REGISTER_ACTIONS.items()}
    status = 200
    if action:
        if request.method != "POST" or action not in REGISTER_ACTIONS:
            raise Http404
        form = forms_[action] = REGISTER_ACTIONS[action](request.POST)
        if form.is_valid():
            try:
                if action == "decisione":
                    services.register_decide(
                        user=request.user, application=item, **form.cleaned_data
                    )
                elif action == "rinnovo":
                    services.register_renew(
                        user=request.user, application=item, **form.cleaned_data
                    )
                else:
                    services.register_revoke(
                        user=request.user, application=item, **form.cleaned_data
                    )
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("instruments:register_application", pact=pact.code, pk=item.pk)
        status = 400
        item = selectors.register_application_get(pact=pact, pk=pk)
    return render(
        request,
        "instruments/register_application.html",
        {
            "pact": pact,
            "item": item,
            "decision_form": forms_["decisione"],
            "renew_form": forms_["rinnovo"],
            "revoke_form": forms_["revoca"],
        },
        status=status,
    )


@login_required
def register_document(request: HttpRequest, pact: str, pk: int, doc: int) -> HttpResponse:
    """A document of an application, for the office only, always as a download."""
    from django.http import FileResponse

    pact = _staff_pact(request, pact, "instruments.change_register")
    item = selectors.register_application_get(pact=pact, pk=pk)
    document = next((d for d in item.documents.all() if d.pk == doc), None)
    if document is None:
        raise Http404
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Good-employment agreements --------------------------------------------------------------------


def agreements_public(request: HttpRequest, pact: str) -> HttpResponse:
    """Each agreement with its commitments and what was achieved against them."""
    pact = _pact(pact)
    return render(
        request,
        "instruments/agreements.html",
        {"pact": pact, "agreements": selectors.agreement_list(pact=pact)},
    )


# Economic development --------------------------------------------------------------------------


def development_public(request: HttpRequest, pact: str) -> HttpResponse:
    """The services' counts (never a consultation), prizes, protocols and investors."""
    pact = _pact(pact)
    return render(
        request,
        "instruments/development.html",
        {
            "pact": pact,
            "figures": selectors.development_figures(pact=pact),
            "editions": selectors.prize_editions(pact=pact),
            "protocols": selectors.protocol_list(pact=pact),
            "investments": selectors.investment_list(pact=pact),
        },
    )


def _public_development(pact: str):
    """The services' public counts (the stored figures: never a consultation)."""
    found = Pact.objects.get(code=pact)
    return (
        selectors.DEVELOPMENT_COLUMNS,
        selectors.development_rows(selectors.development_figures(pact=found)),
    )


DEVELOPMENT_DOWNLOAD = register(
    "instruments-development",
    _public_development,
    sheet="activities",
    instances=lambda: ({"pact": code} for code in Pact.objects.values_list("code", flat=True)),
)


def development_download(request: HttpRequest, pact: str, fmt: str) -> HttpResponse:
    pact = _pact(pact)
    return kind_response(
        request,
        DEVELOPMENT_DOWNLOAD,
        fmt,
        filename=f"{pact.code}-economic-development",
        pact=pact.code,
    )


def _development_forms(pact: Pact, data=None, action: str = "") -> dict:
    from .models import DevelopmentService

    municipalities = _municipalities(pact)

    def bound(name: str):
        return data if action == name else None

    return {
        "attivita": ActivityForm(
            bound("attivita"),
            services=DevelopmentService.objects.filter(pact=pact).order_by("position", "code"),
            municipalities=municipalities,
        ),
        "investimento": InvestmentForm(bound("investimento"), municipalities=municipalities),
        "protocollo": ProtocolUpdateForm(
            bound("protocollo"), protocols=pact.protocols.order_by("title")
        ),
    }


@login_required
def development_manage(request: HttpRequest, pact: str, action: str = "") -> HttpResponse:
    """The office's page: record consultations, events, investors and protocol updates."""
    from .models import DevelopmentService

    pact = _staff_pact(request, pact, "instruments.change_development")
    forms_ = _development_forms(pact, request.POST or None, action)
    status = 200
    if action:
        if request.method != "POST" or action not in forms_:
            raise Http404
        form = forms_[action]
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if action == "attivita":
                    services.service_activity_record(user=request.user, **data)
                elif action == "investimento":
                    service = (
                        DevelopmentService.objects.filter(
                            pact=pact, kind=DevelopmentService.Kind.INVESTOR_SERVICE
                        )
                        .order_by("position", "code")
                        .first()
                    )
                    if service is None:
                        raise services.InstrumentError(
                            "",
                            _("The pact has no service for investors: record it first."),
                        )
                    code = data.pop("code")
                    services.investment_save(
                        user=request.user, service=service, code=code, data=data
                    )
                else:
                    services.protocol_add_update(user=request.user, **data)
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("instruments:development_manage", pact=pact.code)
        status = 400
    return render(
        request,
        "instruments/development_manage.html",
        {
            "pact": pact,
            "figures": selectors.development_figures(pact=pact),
            "activities": selectors.service_activities(pact=pact),
            "investments": selectors.investment_list(pact=pact, user=request.user)[:50],
            "services": DevelopmentService.objects.filter(pact=pact).order_by("position", "code"),
            "protocols": selectors.protocol_list(pact=pact),
            "editions": selectors.prize_editions(pact=pact),
            "activity_form": forms_["attivita"],
            "investment_form": forms_["investimento"],
            "update_form": forms_["protocollo"],
        },
        status=status,
    )


# Good-employment agreements: the office --------------------------------------------------------


@login_required
def agreements_manage(request: HttpRequest, pact: str) -> HttpResponse:
    """The office's agreements, and a new one with its commitments."""
    pact = _staff_pact(request, pact, "instruments.change_agreement")
    form = AgreementForm(request.POST or None, municipalities=_municipalities(pact))
    commitments = CommitmentFormSet(request.POST or None, prefix="impegni")
    status = 200
    if request.method == "POST":
        if form.is_valid() and commitments.is_valid():
            try:
                made = services.agreement_create(
                    user=request.user,
                    pact=pact,
                    data=form.cleaned_data,
                    commitments=commitments.commitments(),
                )
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Agreement recorded."))
                return redirect("instruments:manage_agreement", pact=pact.code, code=made.code)
        status = 400
    page = Paginator(selectors.agreement_list(pact=pact), CASES_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "instruments/agreements_manage.html",
        {"pact": pact, "page": page, "form": form, "commitments": commitments},
        status=status,
    )


AGREEMENT_ACTIONS = {"monitoraggio", "impegno"}


@login_required
def manage_agreement(request: HttpRequest, pact: str, code: str, action: str = "") -> HttpResponse:
    """One agreement: its commitments against what was reported, a report, an addendum."""
    pact = _staff_pact(request, pact, "instruments.change_agreement")
    agreement = selectors.agreement_get(pact=pact, code=code)
    data = request.POST if request.method == "POST" else None
    report_form = CommitmentReportForm(
        data if action == "monitoraggio" else None, commitments=agreement.commitments.all()
    )
    commitment_form = CommitmentForm(data if action == "impegno" else None)
    status = 200
    if action:
        if request.method != "POST" or action not in AGREEMENT_ACTIONS:
            raise Http404
        form = report_form if action == "monitoraggio" else commitment_form
        if form.is_valid():
            try:
                if action == "monitoraggio":
                    services.commitment_report(user=request.user, **form.cleaned_data)
                else:
                    services.agreement_add_commitment(
                        user=request.user, agreement=agreement, **form.cleaned_data
                    )
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("instruments:manage_agreement", pact=pact.code, code=code)
        status = 400
    return render(
        request,
        "instruments/agreement_manage.html",
        {
            "pact": pact,
            "agreement": agreement,
            "report_form": report_form,
            "commitment_form": commitment_form,
        },
        status=status,
    )


# Import layouts ---------------------------------------------------------------------------------


@login_required
def import_layout(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The columns an import reads, with an example row: what the office fills in."""
    from patto.core.importing import importer_for

    from .exchange import LAYOUTS

    importer = importer_for(kind)
    if kind not in LAYOUTS or importer is None:
        raise Http404
    if not request.user.has_perm(importer.permission):
        raise PermissionDenied
    response = kind_response(request, LAYOUT_DOWNLOAD, fmt, filename=f"{kind}-layout", layout=kind)
    # For the office only: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def _layout(layout: str):
    """The columns an import of ``layout`` reads, with an example row (no data of the pact)."""
    from .exchange import layout_rows

    return layout_rows(layout)


LAYOUT_DOWNLOAD = register("instruments-layout", _layout)


# Economic development: the office's records of services, protocols and prize editions ---------

#: What the office records from its own form: the word in the address, the page's title.
RECORDS = {
    "servizio": (_lazy("A service, desk or table"), _lazy("Service recorded.")),
    "protocollo": (_lazy("A protocol"), _lazy("Protocol recorded.")),
    "premio": (_lazy("An edition of a prize"), _lazy("Prize edition recorded.")),
}


def _record_initial(pact: Pact, what: str, key: str):
    """The record to change (with the form's initial values), or (None, {}) for a new one."""
    from .models import DevelopmentService, PrizeEdition, Protocol

    if not key:
        return None, {}
    if what == "servizio":
        found = get_object_or_404(DevelopmentService, pact=pact, code=key)
        names = ("code", "name", "kind", "description", "started_on", "position")
        return found, {n: getattr(found, n) for n in names}
    if what == "protocollo":
        found = get_object_or_404(
            Protocol.objects.prefetch_related("signatories"), pact=pact, code=key
        )
        names = ("code", "kind", "title", "site", "signed_on", "summary", "other_signatories")
        initial = {n: getattr(found, n) for n in names}
        initial["signatories"] = list(found.signatories.all())
        return found, initial
    if not key.isdigit():
        raise Http404
    found = get_object_or_404(
        PrizeEdition.objects.prefetch_related("awards"), pact=pact, pk=int(key)
    )
    names = ("prize", "year", "awarded_on", "applications", "summary")
    return found, {n: getattr(found, n) for n in names}


@login_required
def development_record(request: HttpRequest, pact: str, what: str, key: str = "") -> HttpResponse:
    """Record or change a service, a protocol or a prize edition (with its awards): the
    office's form, written through the services, which check the role again."""
    if what not in RECORDS:
        raise Http404
    pact = _staff_pact(request, pact, "instruments.change_development")
    found, initial = _record_initial(pact, what, key)
    data = request.POST if request.method == "POST" else None
    awards = None
    if what == "servizio":
        form = DevelopmentServiceForm(data, initial=initial)
    elif what == "protocollo":
        form = ProtocolForm(data, initial=initial, parties=pact.parties.order_by("name"))
    else:
        form = PrizeEditionForm(data, initial=initial)
        rows = [
            {"winner": a.winner, "category": a.category, "amount": a.amount}
            for a in (found.awards.all() if found is not None else [])
        ]
        awards = AwardFormSet(data, initial=rows, prefix="premiati")
    if found is not None:
        # The code (or the prize and year) names the record: changing it would make another.
        for name in ("code", "prize", "year"):
            if name in form.fields:
                form.fields[name].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid() and (awards is None or awards.is_valid()):
            values = dict(form.cleaned_data)
            try:
                if what == "servizio":
                    services.development_service_save(
                        user=request.user,
                        pact=pact,
                        is_example=getattr(found, "is_example", False),
                        **values,
                    )
                elif what == "protocollo":
                    signatories = values.pop("signatories")
                    code = values.pop("code")
                    services.protocol_save(
                        user=request.user,
                        pact=pact,
                        code=code,
                        data=values,
                        signatories=signatories,
                    )
                else:
                    services.prize_edition_save(
                        user=request.user,
                        pact=pact,
                        awards=awards.awards(),
                        is_example=getattr(found, "is_example", False),
                        **values,
                    )
            except ApplicationError as exc:
                _show(form, exc)
            else:
                messages.success(request, str(RECORDS[what][1]))
                return redirect("instruments:development_manage", pact=pact.code)
        status = 400
    return render(
        request,
        "instruments/development_record.html",
        {
            "pact": pact,
            "title": RECORDS[what][0],
            "form": form,
            "awards": awards,
            "found": found,
        },
        status=status,
    )


# Roles, from the secretariat's people page -----------------------------------------------------


def person_roles_context(person) -> dict:
    """What the people page shows of a person's instrument roles, and the form to give one
    (the site's page includes ``instruments/_person_roles.html`` with it)."""
    pacts = Pact.objects.only("pk", "code", "short_title").order_by("code")
    return {
        "instrument_roles": list(selectors.instrument_roles_of(person)),
        "instrument_role_form": InstrumentRoleForm(pacts=pacts, prefix="strumenti"),
    }


def _person(pk: int):
    from django.contrib.auth import get_user_model

    return get_object_or_404(get_user_model(), pk=pk)


@login_required
@require_POST
def person_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person a role in a pact's instruments: the service checks it is the
    secretariat; the page it came from shows the outcome."""
    person = _person(pk)
    pacts = Pact.objects.only("pk", "code", "short_title").order_by("code")
    form = InstrumentRoleForm(request.POST, pacts=pacts, prefix="strumenti")
    if not request.user.has_perm("instruments.change_instrumentrole", None):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose from the list."))
    else:
        try:
            granted = services.instrument_role_grant(
                user=request.user,
                pact=form.cleaned_data["pact"],
                person=person,
                role=form.cleaned_data["role"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Role given: %(role)s.") % {"role": granted.get_role_display()}
            )
    return redirect("site:person_detail", pk=person.pk)


@login_required
@require_POST
def person_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Take an instrument role away from a person (the secretariat only)."""
    from .models import InstrumentRole

    person = _person(pk)
    if not request.user.has_perm("instruments.change_instrumentrole", None):
        raise PermissionDenied
    role_pk = request.POST.get("role", "")
    if not role_pk.isdigit():
        raise Http404
    role = get_object_or_404(
        InstrumentRole.objects.select_related("pact"), pk=int(role_pk), user=person
    )
    try:
        services.instrument_role_revoke(user=request.user, role=role)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Role taken away: %(role)s.") % {"role": role.get_role_display()}
        )
    return redirect("site:person_detail", pk=person.pk)
