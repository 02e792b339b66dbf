"""Pages of projects: the public list and sheet (HTML, print, PDF); for staff, reporting and the
pages where referents, coordinators and party reporters change what their role allows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from patto.core.downloads import download_response, query_key
from patto.core.errors import ApplicationError
from patto.pact.models import Cluster, Pact

from . import selectors, services
from .forms import (
    ROW_FORMSETS,
    CompletedFormSet,
    ContributionForm,
    EventFormSet,
    MeetingFormSet,
    PlaceFormSet,
    PlacesVersionForm,
    ProjectCreateForm,
    ProjectSheetForm,
    ReviewForm,
    RoundForm,
    StatusForm,
    UpdateForm,
    payload_from,
)
from .models import Project, ProjectUpdate, ReportingRound
from .rules import is_secretariat, may_record_contributions

PROJECTS_PER_PAGE = 50


def project_list(request: HttpRequest) -> HttpResponse:
    """The public list; its CSV and XLSX hold the same filtered rows."""
    filterset = selectors.project_filter(request.GET)
    projects = selectors.filtered_projects(filterset)
    fmt = request.GET.get("formato")
    if fmt:
        from .exchange import COLUMNS, export_tables

        return download_response(
            request, key=query_key(request, "progetti"), fmt=fmt, filename="progetti",
            build=lambda: (COLUMNS["projects"], export_tables(projects)["projects"]))
    filters = {name: filterset.form.data.get(name, "").strip() for name in filterset.filters}
    # 2,000 projects were one page; the filters ride along in the page links.
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "projects/project_list.html", {
        "projects": page.object_list, "page": page, "query": query.urlencode(),
        "filters": filters, "filter_errors": filterset.errors,
        **selectors.project_list_choices()})


def procedure_steps(request: HttpRequest) -> HttpResponse:
    """The procedural steps of the listed projects (same filters as /progetti/), with their
    CUP, dates and delays: a download of its own, through the one exporter."""
    from patto.core.downloads import FORMATS

    fmt = request.GET.get("formato")
    if fmt is not None and fmt not in FORMATS:
        raise Http404
    filterset = selectors.project_filter(request.GET)
    projects = selectors.filtered_projects(filterset)
    today = timezone.localdate()
    if fmt is None:
        # The same rows as a page, with the list's filters and the downloads.
        rows = [dict(zip(selectors.STEP_COLUMNS, row, strict=True))
                for row in selectors.procedure_step_rows(projects, today=today)]
        query = request.GET.copy()
        query.pop("pagina", None)
        page = Paginator(rows, 100).get_page(request.GET.get("pagina"))
        return render(request, "projects/procedure_steps.html", {
            "page": page, "rows": page.object_list, "today": today,
            "states": selectors.STEP_STATES, "query": query.urlencode(),
            "filters": {name: filterset.form.data.get(name, "").strip()
                        for name in filterset.filters},
            "filter_errors": filterset.errors, **selectors.project_list_choices()})
    # Delays run with the calendar: the file is kept per day as well as per data version.
    return download_response(
        request, key=f"{query_key(request, 'fasi-procedurali')}@{today.isoformat()}"
        f"@{get_language()}", fmt=fmt,
        filename="fasi-procedurali",
        build=lambda: (selectors.STEP_COLUMNS,
                       selectors.procedure_step_rows(projects, today=today)))


def project_map(request: HttpRequest) -> HttpResponse:
    """The list's projects on a map of the pact's territory, with the list's filters: each
    municipality coloured by its number of projects, the points drawn for projects, and a
    table of the same counts (the map's accessible alternative)."""
    from patto.pact.selectors import pact_default

    filterset = selectors.project_filter(request.GET)
    projects = selectors.filtered_projects(filterset)
    filters = {name: filterset.form.data.get(name, "").strip() for name in filterset.filters}
    pact = (Pact.objects.filter(code=filters["pact"]).first() if filters.get("pact")
            else None) or pact_default()
    places = selectors.project_map_data(projects)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "projects/project_map.html", {
        "map": places, "pact": pact, "filters": filters, "filter_errors": filterset.errors,
        "query": query.urlencode(), **selectors.project_list_choices()})


def _sheet_context(pact: str, code: str) -> dict:
    try:
        project = selectors.project_get(pact_code=pact, code=code)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    return {"project": project, "figures": selectors.project_figures(project),
            "panels": selectors.project_panels(project),
            "progress": selectors.project_progress(project),
            "milestones": selectors.milestone_tree(project)}


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
    """The rounds of the pacts in which the person has a role, theirs to report on with where
    each report stands, and recent news of their reports."""
    can_open = request.user.has_perm("projects.add_reportinground")
    rounds = selectors.rounds_for(request.user)
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
    rounds = list(rounds)
    return render(request, "projects/round_list.html", {
        "rounds": rounds, "form": form, "can_open": can_open, "pacts": Pact.objects.all(),
        "mine": selectors.referent_reports(user=request.user, rounds=rounds),
        "notices": selectors.notices_for(user=request.user)})


def _visible_round(request: HttpRequest, pk: int) -> ReportingRound:
    """A round exists for a person only if they have a role in its pact."""
    return get_object_or_404(selectors.rounds_for(request.user), pk=pk)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reporting_round = _visible_round(request, pk)
    rows = selectors.round_dashboard(reporting_round=reporting_round,
                                     today=timezone.localdate())
    # Closing a round is the secretariat's (rule change_reportinground): asked once.
    secretariat = is_secretariat(request.user)
    return render(request, "projects/round_detail.html", {
        "round": reporting_round, "rows": rows, "counts": selectors.round_counts(rows),
        "to_review": selectors.updates_to_review(user=request.user,
                                                 reporting_round=reporting_round,
                                                 secretariat=secretariat),
        "can_close": reporting_round.status == ReportingRound.Status.OPEN and secretariat,
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page saying what closing does, with the round's counts; the post
    closes it."""
    reporting_round = _visible_round(request, pk)
    if not request.user.has_perm("projects.change_reportinground", reporting_round):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.round_close(reporting_round=reporting_round, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Round closed: it accepts no more reports."))
        return redirect("projects:round_detail", pk=pk)
    rows = selectors.round_dashboard(reporting_round=reporting_round,
                                     today=timezone.localdate())
    return render(request, "projects/round_close.html", {
        "round": reporting_round, "counts": selectors.round_counts(rows),
        "unsent": [r for r in rows if r.state not in (ProjectUpdate.Status.SUBMITTED,
                                                      ProjectUpdate.Status.APPROVED)],
        "waiting": sum(r.state == ProjectUpdate.Status.SUBMITTED for r in rows)})


def _with_added_row(data, kind: str | None):
    """The posted data with one more row of ``kind``: "add a row" without JavaScript."""
    if kind not in ROW_FORMSETS:
        return data
    data = data.copy()
    key = f"{kind}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, "0")) + 1)
    except ValueError:
        pass
    return data


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    reporting_round = _visible_round(request, pk)
    project_obj = get_object_or_404(Project, pk=project, pact=reporting_round.pact)
    if not request.user.has_perm("projects.submit_update", project_obj):
        raise PermissionDenied
    update = ProjectUpdate.objects.filter(round=reporting_round, project=project_obj).first()
    initial = {"proposed_status": update.proposed_status if update else project_obj.status,
               "progress": update.progress if update else project_obj.progress,
               "summary": update.summary if update else "",
               "issues": "\n".join(update.payload.get("issues", [])) if update else "",
               "version": update.version if update else None,
               "progress_reason": update.payload.get("progress_reason", "") if update
               else project_obj.progress_reason,
               "milestones": [m["id"] for m in update.payload.get("milestones", [])]
               if update else [],
               "milestones_on": next(iter(update.payload.get("milestones", [])), {})
               .get("done_on") if update else None}
    adding = request.POST.get("add_row")
    data = _with_added_row(request.POST, adding) if request.method == "POST" else None
    form = UpdateForm(data, initial=initial, project=project_obj)
    completed = CompletedFormSet(data, prefix="completed", initial=(
        update.payload.get("completed", []) if update else None))
    meetings = MeetingFormSet(data, prefix="meetings", initial=(
        update.payload.get("meetings", []) if update else None))
    events = EventFormSet(data, prefix="events", initial=(
        update.payload.get("events", []) if update else None))
    if request.method == "POST" and not adding and all(
            f.is_valid() for f in (form, completed, meetings, events)):
        payload = payload_from(completed, meetings, events, form.cleaned_data["issues"])
        payload.update(form.progress_payload())
        submit = "submit" in request.POST
        try:
            # Saving and submitting is one service call: a refused submission keeps nothing.
            services.update_save(
                reporting_round=reporting_round, project=project_obj, user=request.user,
                proposed_status=form.cleaned_data["proposed_status"],
                progress=form.cleaned_data["progress"], summary=form.cleaned_data["summary"],
                payload=payload, expected_version=form.cleaned_data.get("version"),
                submit=submit)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Report submitted to the coordinator.") if submit
                             else _("Draft saved."))
            return redirect("projects:update_edit", pk=pk, project=project)
    unsent = update is None or update.status in (ProjectUpdate.Status.DRAFT,
                                                 ProjectUpdate.Status.RETURNED)
    closed = reporting_round.status != ReportingRound.Status.OPEN
    return render(request, "projects/update_form.html", {
        "round": reporting_round, "project": project_obj, "update": update, "form": form,
        "rowsets": [("completed", completed, _("Activities completed")),
                    ("meetings", meetings, _("Meetings held")),
                    ("events", events, _("Events"))],
        "editable": unsent and not closed, "closed": closed and unsent,
        "planned": project_obj.planned_activities.all(),
    })


@login_required
@require_http_methods(["GET"])
def update_row(request: HttpRequest, kind: str) -> HttpResponse:
    """One new blank row of a report's formset, for htmx: the row, and out of band the
    formset's new row count and the "add" button pointing at the next index."""
    if kind not in ROW_FORMSETS:
        raise Http404
    try:
        index = int(request.GET.get("index", ""))
    except ValueError as exc:
        raise Http404 from exc
    formset = ROW_FORMSETS[kind](prefix=kind)
    if not 0 <= index < formset.absolute_max:
        raise Http404
    form = formset.form(auto_id=formset.auto_id, prefix=formset.add_prefix(index),
                        empty_permitted=True, use_required_attribute=False)
    formset.add_fields(form, index)
    return render(request, "projects/_report_row.html", {
        "kind": kind, "f": form, "next_index": index + 1, "oob": True})


@login_required
@require_http_methods(["GET", "POST"])
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A report read back by its referents, and reviewed by the secretariat or the cluster's
    coordinator: on a resubmission, the earlier comment and what changed since."""
    update = get_object_or_404(ProjectUpdate.objects.select_related("project", "round",
                                                                    "round__pact"), pk=pk)
    reviewer = request.user.has_perm("projects.review_update", update.project)
    if not (reviewer or request.user.has_perm("projects.submit_update", update.project)):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.update_approve(update=update, user=request.user,
                                            comment=form.cleaned_data["comment"])
                    messages.success(request,
                                     _("Report approved: it is now on the public page."))
                else:
                    services.update_return(update=update, user=request.user,
                                           comment=form.cleaned_data["comment"])
                    messages.success(request, _("Report sent back to the referent."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("projects:round_detail", pk=update.round_id)
    previous, changes = selectors.report_history(update)
    return render(request, "projects/update_review.html", {
        "update": update, "form": form, "reviewer": reviewer, "previous": previous,
        "changes": changes})


# Staff pages: each form calls its service -----------------------------------------------

def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


#: Refusals that belong to one field of the form, shown there (and in the summary).
_FIELD_OF = {"reason_required": "progress_reason"}


def _form_error(form, exc: ApplicationError) -> None:
    """A refused write shown on the form: a stale version says to reload."""
    field = _FIELD_OF.get(exc.code)
    form.add_error(field if field in form.fields else None,
                   ValidationError(exc.message, code=exc.code))


def _project_or_404(pk: int) -> Project:
    try:
        return selectors.project_for_edit(pk=pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


def _creatable_clusters(user):
    if is_secretariat(user):
        return Cluster.objects.all()
    return Cluster.objects.filter(coordinators__user=user)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """Each person's starting point: the projects they may change and what else they do."""
    user = request.user
    projects = list(selectors.projects_editable_by(user))
    can_create = _creatable_clusters(user).exists()
    can_record = may_record_contributions(user)
    if not (projects or can_create or can_record):
        raise PermissionDenied
    can_status, can_delete = selectors.project_rights(user, projects)
    states = selectors.report_states(projects)
    for project in projects:
        project.report_states = states.get(project.pk, [])
    return render(request, "projects/manage.html", {
        "projects": projects, "can_create": can_create, "can_record": can_record,
        "can_status": can_status, "can_delete": can_delete})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    clusters = _creatable_clusters(request.user)
    if not clusters.exists():
        raise PermissionDenied
    form = ProjectCreateForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, **form.values())
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Project created as proposed."))
            return redirect("projects:project_edit", pk=project.pk)
    return render(request, "projects/project_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(pk)
    user = request.user
    if not user.has_perm("projects.change_project", project):
        raise PermissionDenied
    manager = user.has_perm("projects.change_project_status", project)
    # Two forms on the page, each posted alone: the sheet, and the places drawn on the map.
    posting_places = request.method == "POST" and "places-TOTAL_FORMS" in request.POST
    places = PlaceFormSet(request.POST if posting_places else None, project=project)
    places_meta = PlacesVersionForm(request.POST if posting_places else None, project=project)
    sheet_data = request.POST if request.method == "POST" and not posting_places else None
    form = ProjectSheetForm(sheet_data, instance=project, manager=manager)
    if posting_places and places.is_valid() and places_meta.is_valid():
        saved, deleted = places.changes()
        try:
            services.project_records_change(
                project=project, user=user, model_name="projectplace", saved=saved,
                deleted=deleted, expected_version=places_meta.cleaned_data["version"])
        except ApplicationError as exc:
            places_meta.add_error(None, ValidationError(exc.message, code=exc.code))
        else:
            messages.success(request, _("Places saved."))
            return redirect(reverse("projects:project_edit", args=[pk]) + "#places-heading")
    if sheet_data is not None and form.is_valid():
        try:
            # A fresh copy: the form has already written its values onto `project`.
            services.project_change(project=Project.objects.get(pk=pk), user=user,
                                    expected_version=form.cleaned_data["version"],
                                    **form.changes())
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Project sheet saved."))
            return redirect("projects:project_edit", pk=pk)
    return render(request, "projects/project_edit.html", {
        "project": project, "form": form,
        "status_form": StatusForm(project=project) if manager else None,
        "places": places, "places_meta": places_meta, "pact": project.pact,
        "can_delete": user.has_perm("projects.delete_project", project)})


@login_required
@require_http_methods(["POST"])
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One status step for the secretariat or the cluster's coordinator (the progress moves
    only with approved reports); with htmx only the status panel and the sheet form's
    version are swapped."""
    project = _project_or_404(pk)
    if not request.user.has_perm("projects.change_project_status", project):
        raise PermissionDenied
    form = StatusForm(request.POST, project=project)
    saved = False
    if form.is_valid():
        try:
            project = services.project_change(
                project=project, user=request.user,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"])
        except ApplicationError as exc:
            _form_error(form, exc)
            project = _project_or_404(pk)
        else:
            saved = True
            form = StatusForm(project=project)
    if not _is_htmx(request):
        if saved:
            messages.success(request, _("Status saved."))
        else:
            for error in form.non_field_errors() + [e for f in form for e in f.errors]:
                messages.error(request, error)
        return redirect("projects:project_edit", pk=pk)
    return render(request, "projects/_status_panel.html", {
        "project": project, "status_form": form, "saved": saved, "oob_version": True})


@login_required
@require_http_methods(["GET", "POST"])
def project_remove(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(pk)
    if not request.user.has_perm("projects.delete_project", project):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.project_delete(project=project, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("projects:project_edit", pk=pk)
        messages.success(request, _("Project deleted."))
        return redirect("projects:manage")
    return render(request, "projects/project_delete.html", {"project": project})


@login_required
@require_http_methods(["GET", "POST"])
def contributions(request: HttpRequest) -> HttpResponse:
    """A party reporter records what their party grants; referents what their projects
    received; the secretariat anything."""
    user = request.user
    if not may_record_contributions(user):
        raise PermissionDenied
    projects, parties, party_required = selectors.contribution_choices(user)
    form = ContributionForm(request.POST or None, projects=projects, parties=parties,
                            party_required=party_required)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contribution_record(
                project=data["project"], user=user, activity=data["activity"],
                amount=data["amount"], granted_by=data["granted_by"], party=data["party"],
                received_on=data["received_on"])
        except (ApplicationError, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "message", None) or _(
                "You may record only contributions your party grants or your projects "
                "receive."))
        else:
            if not _is_htmx(request):
                messages.success(request, _("Contribution recorded."))
                return redirect("projects:contributions")
            form = ContributionForm(projects=projects, parties=parties,
                                    party_required=party_required)
            form.saved = True
    context = {"form": form, "recent": selectors.contributions_for(user)[:30]}
    template = "projects/_contributions.html" if _is_htmx(request) \
        else "projects/contributions.html"
    return render(request, template, context)
