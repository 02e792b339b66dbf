"""Pages of projects: the public list and sheet (HTML, print, PDF), reporting for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from patto.core.errors import ApplicationError
from patto.core.exports import table_response
from patto.pact.models import Challenge, Cluster, Pact, Party, Territory

from . import selectors, services
from .forms import (
    CompletedFormSet,
    EventFormSet,
    MeetingFormSet,
    ReviewForm,
    RoundForm,
    UpdateForm,
    payload_from,
)
from .models import Project, ProjectUpdate, ReportingRound

FILTERS = ["pact", "cluster", "status", "horizon", "party", "territory", "challenge", "q"]


def project_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    projects = selectors.project_list(filters=filters)
    fmt = request.GET.get("formato")
    if fmt:
        from .exchange import COLUMNS, export_tables

        return table_response(COLUMNS["projects"], export_tables(projects)["projects"], fmt,
                              "progetti")
    return render(request, "projects/project_list.html", {
        "projects": projects, "filters": filters,
        "pacts": Pact.objects.all(),
        "clusters": Cluster.objects.select_related("pact"),
        "challenges": Challenge.objects.select_related("pact"),
        "parties": Party.objects.filter(led_projects__isnull=False).distinct(),
        "territories": Territory.objects.filter(projects__isnull=False).distinct()
        .defer("boundary"),
        "statuses": Project.Status.choices, "horizons": Project.Horizon.choices,
    })


def _sheet_context(pact: str, code: str) -> dict:
    try:
        project = selectors.project_get(pact_code=pact, code=code)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    return {"project": project, "figures": selectors.project_figures(project),
            "panels": selectors.project_panels(project)}


def project_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    context = _sheet_context(pact, code)
    context["can_edit"] = request.user.has_perm("projects.change_project", context["project"])
    return render(request, "projects/project_detail.html", context)


def project_print(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    return render(request, "projects/project_print.html", _sheet_context(pact, code))


def project_pdf(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    context = _sheet_context(pact, code)
    html = render_to_string("projects/project_print.html", {**context, "for_pdf": True},
                            request=request)
    # The stylesheet is read from disk: the PDF never fetches anything over the network.
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(filename=finders.find("patto/sheet.css"))])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="scheda-{code}.pdf"'
    return response


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the project sheet PDF fetches no external resource ({url})")


@login_required
def project_export(request: HttpRequest) -> HttpResponse:
    """The full exchange file (with referents' names): for the secretariat only."""
    import tempfile
    from pathlib import Path

    from .exchange import export_file

    if not request.user.has_perm("projects.delete_project"):
        raise PermissionDenied
    fmt = request.GET.get("formato", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"progetti.{fmt}"
        export_file(Project.objects.all(), path)
        body = path.read_bytes()
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="progetti.{fmt}"'
    return response


# Reporting --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    can_open = request.user.has_perm("projects.add_reportinground")
    rounds = selectors.rounds_for(request.user)
    mine = []
    for reporting_round in rounds.filter(status=ReportingRound.Status.OPEN):
        for project in selectors.projects_for_referent(user=request.user,
                                                       pact=reporting_round.pact):
            mine.append((reporting_round, project))
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        pact = get_object_or_404(Pact, code=request.POST.get("pact"))
        if form.is_valid():
            try:
                reporting_round = services.round_open(pact=pact, user=request.user,
                                                      **form.cleaned_data)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("projects:round_detail", pk=reporting_round.pk)
    return render(request, "projects/round_list.html", {
        "rounds": rounds, "mine": mine, "form": form, "can_open": can_open,
        "pacts": Pact.objects.all()})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reporting_round = get_object_or_404(ReportingRound.objects.select_related("pact"), pk=pk)
    if not request.user.has_perm("projects.view_reportinground", reporting_round):
        raise PermissionDenied
    return render(request, "projects/round_detail.html", {
        "round": reporting_round,
        "rows": selectors.round_dashboard(reporting_round=reporting_round,
                                          today=timezone.localdate()),
        "to_review": selectors.updates_to_review(user=request.user,
                                                 reporting_round=reporting_round),
    })


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    reporting_round = get_object_or_404(ReportingRound.objects.select_related("pact"), pk=pk)
    project_obj = get_object_or_404(Project, pk=project, pact=reporting_round.pact)
    if not request.user.has_perm("projects.submit_update", project_obj):
        raise PermissionDenied
    update = ProjectUpdate.objects.filter(round=reporting_round, project=project_obj).first()
    initial = {"proposed_status": update.proposed_status if update else project_obj.status,
               "progress": update.progress if update else project_obj.progress,
               "summary": update.summary if update else "",
               "issues": "\n".join(update.payload.get("issues", [])) if update else "",
               "version": update.version if update else None}
    data = request.POST or None
    form = UpdateForm(data, initial=initial)
    completed = CompletedFormSet(data, prefix="completed", initial=(
        update.payload.get("completed", []) if update else None))
    meetings = MeetingFormSet(data, prefix="meetings", initial=(
        update.payload.get("meetings", []) if update else None))
    events = EventFormSet(data, prefix="events", initial=(
        update.payload.get("events", []) if update else None))
    if request.method == "POST" and all(f.is_valid() for f in (form, completed, meetings,
                                                              events)):
        payload = payload_from(completed, meetings, events, form.cleaned_data["issues"])
        try:
            saved = services.update_save(
                reporting_round=reporting_round, project=project_obj, user=request.user,
                proposed_status=form.cleaned_data["proposed_status"],
                progress=form.cleaned_data["progress"], summary=form.cleaned_data["summary"],
                payload=payload, expected_version=form.cleaned_data.get("version"))
            if "submit" in request.POST:
                services.update_submit(update=saved, user=request.user,
                                       expected_version=saved.version)
                messages.success(request, _("Report submitted to the coordinator."))
            else:
                messages.success(request, _("Draft saved."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("projects:update_edit", pk=pk, project=project)
    return render(request, "projects/update_form.html", {
        "round": reporting_round, "project": project_obj, "update": update, "form": form,
        "completed": completed, "meetings": meetings, "events": events,
        "editable": update is None or update.status in (ProjectUpdate.Status.DRAFT,
                                                        ProjectUpdate.Status.RETURNED),
    })


@login_required
@require_http_methods(["GET", "POST"])
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(ProjectUpdate.objects.select_related("project", "round"), pk=pk)
    if not request.user.has_perm("projects.review_update", update.project):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.update_approve(update=update, user=request.user,
                                        comment=form.cleaned_data["comment"])
                messages.success(request, _("Report approved: it is now on the public page."))
            else:
                services.update_return(update=update, user=request.user,
                                       comment=form.cleaned_data["comment"])
                messages.success(request, _("Report sent back to the referent."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("projects:round_detail", pk=update.round_id)
    return render(request, "projects/update_review.html", {"update": update, "form": form})
