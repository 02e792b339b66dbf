"""Pages of governance: public pages under /governance/ (bodies with their member parties,
meetings, decisions, each body's calendar feed; never a person's name), and the secretariat's
office under /gestione/governance/, which the page cache never stores (see
``patto.core.cache``). Members of a body and staff see the names of its people."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.core.downloads import kind_response, register
from patto.core.errors import ApplicationError
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact, Party

from . import calendar as ical
from . import selectors, services
from .filters import DecisionFilter
from .forms import (
    AgendaItemForm,
    ApproveForm,
    AttendanceForm,
    DecisionForm,
    DocumentForm,
    FollowUpForm,
    FollowUpStatusForm,
    MeetingForm,
    MinutesForm,
)
from .models import (
    AgendaItem,
    Attendance,
    Body,
    BodyMember,
    FollowUp,
    Meeting,
    Minutes,
    Representative,
)

DECISIONS_PER_PAGE = 50


def _pact(code: str) -> Pact:
    return get_object_or_404(
        Pact.objects.select_related("territory").defer("territory__boundary"), code=code)


def _show(form, exc: ApplicationError) -> None:
    field = getattr(exc, "field", None)
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def _staff(request: HttpRequest) -> bool:
    return request.user.has_perm("governance.manage")


# --- Public ----------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    pact = pact_selectors.pact_default()
    if pact is None:
        raise Http404
    return redirect("governance:bodies", pact=pact.code)


def body_list(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _pact(pact)
    return render(request, "governance/body_list.html",
                  {"pact": pact, "bodies": list(selectors.body_list(pact=pact))})


def body_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact = _pact(pact)
    body = selectors.body_get(pact=pact, code=code)
    names = request.user.has_perm("governance.view_names", body)
    return render(request, "governance/body_detail.html", {
        "pact": pact, "body": body, "names": names,
        "members": selectors.body_members(body=body, with_people=names),
        "meetings": selectors.body_meetings(body=body),
        "decisions": list(selectors.decision_list(pact=pact).filter(body=body)[:20]),
        "now": timezone.now()})


def body_calendar(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    """The body's meetings as an iCalendar feed to subscribe to (public: no names)."""
    pact = _pact(pact)
    body = selectors.body_get(pact=pact, code=code)
    site = request.build_absolute_uri("/").rstrip("/")
    events = [ical.meeting_event(m, url=site + m.get_absolute_url(), agenda=m.items.all())
              for m in selectors.calendar_meetings(body=body)]
    response = HttpResponse(ical.calendar_bytes(events, name=body.name),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{pact.code}-{body.code}.ics"'
    return response


def meeting_detail(request: HttpRequest, pact: str, code: str, pk: int) -> HttpResponse:
    pact = _pact(pact)
    meeting = selectors.meeting_get(pact=pact, body=code, pk=pk)
    names = request.user.has_perm("governance.view_names", meeting.body)
    page = selectors.meeting_page(meeting=meeting, with_people=names)
    return render(request, "governance/meeting_detail.html",
                  {"pact": pact, "body": meeting.body, "page": page, "meeting": meeting,
                   "names": names})


def meeting_document(request: HttpRequest, pact: str, code: str, pk: int,
                     doc: int) -> HttpResponse:
    """A meeting's document, for the body's members and staff (documents may name people)."""
    pact = _pact(pact)
    meeting = selectors.meeting_get(pact=pact, body=code, pk=pk,
                                    staff=_staff(request))
    if not request.user.has_perm("governance.view_names", meeting.body):
        raise PermissionDenied
    document = get_object_or_404(meeting.documents, pk=doc)
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


def decision_list(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _pact(pact)
    found = DecisionFilter(request.GET or None, queryset=selectors.decision_list(pact=pact),
                           bodies=Body.objects.filter(pact=pact).order_by("position"))
    page = Paginator(found.qs, DECISIONS_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "governance/decision_list.html",
                  {"pact": pact, "filter": found, "page": page, "query": query.urlencode()})


def _filters(request: HttpRequest) -> str:
    """The list's filters as a plain, ordered query string (the same filters in any order
    give the same file; the page number is not a filter)."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for k, v in sorted((k, v) for k, values in request.GET.lists() if k != "pagina"
                       for v in values if v.strip()):
        query.appendlist(k, v)
    return query.urlencode()


def _public_decisions(pact: str, filters: str = ""):
    """The decisions as the public list shows them, built by patto.core.downloads."""
    from django.http import QueryDict

    found = Pact.objects.get(code=pact)
    listed = DecisionFilter(QueryDict(filters) or None,
                            queryset=selectors.decision_list(pact=found),
                            bodies=Body.objects.filter(pact=found))
    return selectors.DECISION_COLUMNS, selectors.decision_rows(listed.qs)


DECISIONS_DOWNLOAD = register("governance-decisions", _public_decisions, sheet="decisions")


def decision_download(request: HttpRequest, pact: str, fmt: str) -> HttpResponse:
    pact = _pact(pact)
    return kind_response(request, DECISIONS_DOWNLOAD, fmt, filename=f"{pact.code}-decisions",
                         pact=pact.code, filters=_filters(request))


def decision_detail(request: HttpRequest, pact: str, body: str, year: int,
                    number: int) -> HttpResponse:
    pact = _pact(pact)
    decision = selectors.decision_get(pact=pact, body=body, year=year, number=number)
    return render(request, "governance/decision_detail.html",
                  {"pact": pact, "decision": decision, "staff": _staff(request)})


# --- Office ----------------------------------------------------------------------------------


def _office_pact(request: HttpRequest, pact: str) -> Pact:
    pact = _pact(pact)
    if not request.user.has_perm("governance.manage", pact):
        raise PermissionDenied
    return pact


@login_required
def office_index(request: HttpRequest) -> HttpResponse:
    pact = pact_selectors.pact_default()
    if pact is None:
        raise Http404
    return redirect("governance:office", pact=pact.code)


@login_required
def office(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _office_pact(request, pact)
    today = timezone.localdate()
    return render(request, "governance/office.html", {
        "pact": pact, "bodies": list(selectors.body_list(pact=pact)),
        "meetings": list(Meeting.objects.filter(body__pact=pact, starts_at__date__gte=today)
                         .exclude(status=Meeting.Status.CANCELLED)
                         .select_related("body").order_by("starts_at")[:20]),
        "late": list(selectors.follow_ups_late(pact=pact, today=today))})


@login_required
def office_body(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact = _office_pact(request, pact)
    body = selectors.body_get(pact=pact, code=code)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "member":
                party = get_object_or_404(Party, code=request.POST.get("party", ""))
                services.member_add(user=request.user, body=body, party=party,
                                    start_on=dt.date.fromisoformat(request.POST["start_on"]))
            elif action == "person":
                member = get_object_or_404(BodyMember, body=body, pk=request.POST.get("member"))
                person = get_user_model().objects.filter(
                    email__iexact=request.POST.get("email", "").strip()).first()
                if person is None:
                    raise services.GovernanceError("email", _(
                        "Nobody has an account with this e-mail address: invite them from "
                        "the people's page first."))
                services.representative_add(
                    user=request.user, member=member, person=person,
                    kind=request.POST.get("kind") or Representative.Kind.REPRESENTATIVE,
                    start_on=dt.date.fromisoformat(request.POST["start_on"]))
            elif action == "end_person":
                seat = get_object_or_404(Representative, member__body=body,
                                         pk=request.POST.get("seat"))
                services.representative_end(user=request.user, seat=seat,
                                            end_on=timezone.localdate())
            messages.success(request, _("Saved."))
            return redirect("governance:office_body", pact=pact.code, code=body.code)
        except (ApplicationError, ValueError, KeyError) as exc:
            error = getattr(exc, "message", _("Check the dates (YYYY-MM-DD)."))
    return render(request, "governance/office_body.html", {
        "pact": pact, "body": body, "error": error,
        "members": selectors.body_members(body=body, with_people=True),
        "meetings": selectors.body_meetings(body=body, staff=True),
        "decisions": list(selectors.decision_list(pact=pact).filter(body=body)[:50]),
        "parties": Party.objects.filter(pacts=pact).order_by("name"),
        "kinds": Representative.Kind.choices, "today": timezone.localdate()})


@login_required
def meeting_convene(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact = _office_pact(request, pact)
    body = selectors.body_get(pact=pact, code=code)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_convene(user=request.user, body=body, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Meeting convened: now write its agenda."))
            return redirect("governance:office_meeting", pact=pact.code, pk=meeting.pk)
    return render(request, "governance/meeting_form.html",
                  {"pact": pact, "body": body, "form": form})


def _office_meeting(request: HttpRequest, pact: str, pk: int) -> tuple[Pact, Meeting]:
    pact = _office_pact(request, pact)
    meeting = get_object_or_404(Meeting.objects.select_related("body__pact"), pk=pk,
                                body__pact=pact)
    return pact, meeting


def _attendance_form(meeting: Meeting, data=None) -> AttendanceForm:
    on = timezone.localdate(meeting.starts_at)
    members = selectors.body_members(body=meeting.body, on=on, with_people=True)
    people = {m.party_id: [s.person for s in m.seats] for m in members}
    recorded = {a.party_id: a for a in meeting.attendance.all()}
    return AttendanceForm(data, members=members, recorded=recorded, people=people,
                          prefix="att")


def _item_form(request: HttpRequest, meeting: Meeting, data) -> AgendaItemForm:
    """The agenda's form: a new item, or the one named by ``?punto=`` (or the posted
    ``item``) to change, filled with its title and links."""
    pk = request.POST.get("item") if data is not None else request.GET.get("punto")
    item = None
    if pk and str(pk).isdigit():
        item = get_object_or_404(AgendaItem, meeting=meeting, pk=int(pk))
    initial = {}
    if item is not None:
        initial = {"title": item.title, "description": item.description,
                   "projects": list(item.projects.all()),
                   "indicators": list(item.indicators.all()),
                   "funds": list(item.funds.all()), "decisions": list(item.decisions.all())}
    form = AgendaItemForm(data, meeting=meeting, prefix="item", initial=initial)
    form.item = item
    return form


@login_required
def office_meeting(request: HttpRequest, pact: str, pk: int,
                   action: str = "") -> HttpResponse:
    pact, meeting = _office_meeting(request, pact, pk)
    body = meeting.body
    data = request.POST if request.method == "POST" else None
    forms = {
        "meeting": MeetingForm(data if action == "change" else None, initial={
            "title": meeting.title,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": meeting.ends_at and timezone.localtime(meeting.ends_at),
            "place": meeting.place, "link": meeting.link}, prefix="m"),
        "item": _item_form(request, meeting, data if action == "item" else None),
        "document": DocumentForm(data if action == "document" else None,
                                 request.FILES if action == "document" else None, prefix="doc"),
        "attendance": _attendance_form(meeting, data if action == "attendance" else None),
        "minutes": MinutesForm(data if action == "minutes" else None, prefix="min"),
        "approve": ApproveForm(data if action == "approve" else None, meeting=meeting,
                               prefix="ap"),
        "decision": DecisionForm(data if action == "decision" else None, body=body,
                                 prefix="dec", initial={"decided_on": timezone.localdate(
                                     meeting.starts_at)}),
    }
    if request.method == "POST":
        user = request.user
        form = forms.get(action)
        try:
            if action == "invite":
                count = services.invitations_send(user=user, meeting=meeting,
                                                  site_url=request.build_absolute_uri("/"))
                messages.success(request, _("Invitations sent: %(n)s.") % {"n": count})
            elif action == "cancel":
                services.meeting_cancel(user=user, meeting=meeting)
                messages.success(request, _("Meeting cancelled."))
            elif action == "item_delete":
                item = get_object_or_404(AgendaItem, meeting=meeting, pk=request.POST.get("item"))
                services.agenda_item_delete(user=user, item=item)
                messages.success(request, _("Item removed."))
            elif form is None:
                raise Http404
            elif not form.is_valid():
                raise services.GovernanceError(None, _("Correct the fields marked below."))
            elif action == "change":
                services.meeting_change(user=user, meeting=meeting, **form.cleaned_data)
            elif action == "item":
                services.agenda_item_save(user=user, meeting=meeting, item=form.item,
                                          **form.cleaned_data)
            elif action == "document":
                services.meeting_document_add(user=user, meeting=meeting,
                                              title=form.cleaned_data["title"],
                                              uploaded_file=form.cleaned_data["file"])
            elif action == "attendance":
                people = {p.pk: p for m in form.members for p in
                          (s.person for s in m.seats)}
                parties = {m.party_id: m.party for m in form.members}
                services.attendance_record(user=user, meeting=meeting, rows=[
                    {"party": m.party, "status": status, "person": people.get(person),
                     "delegate": parties.get(delegate)}
                    for m, status, person, delegate in form.rows()])
            elif action == "minutes":
                services.minutes_draft(user=user, meeting=meeting, text=form.cleaned_data["text"])
            elif action == "approve":
                draft = meeting.minutes.filter(status=Minutes.Status.DRAFT).first()
                if draft is None:
                    raise services.GovernanceError(None, _("There is no draft to approve."))
                services.minutes_approve(user=user, minutes=draft, at=form.cleaned_data["at"])
            elif action == "decision":
                decision = services.decision_record(user=user, body=body, meeting=meeting,
                                                    **form.cleaned_data)
                messages.success(request, _("Decision %(label)s recorded.")
                                 % {"label": decision.label})
                return redirect("governance:office_decision", pact=pact.code, pk=decision.pk)
            if action not in ("invite", "cancel", "item_delete"):
                messages.success(request, _("Saved."))
            return redirect("governance:office_meeting", pact=pact.code, pk=meeting.pk)
        except ApplicationError as exc:
            if form is not None:
                _show(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("governance:office_meeting", pact=pact.code, pk=meeting.pk)
    page = selectors.meeting_page(meeting=meeting, staff=True, with_people=True)
    draft = next((m for m in page.minutes if m.status == Minutes.Status.DRAFT), None)
    if draft is not None and not forms["minutes"].is_bound:
        forms["minutes"] = MinutesForm(initial={"text": draft.text}, prefix="min")
    elif draft is None and page.minutes and not forms["minutes"].is_bound:
        forms["minutes"] = MinutesForm(initial={"text": page.minutes[0].text}, prefix="min")
    return render(request, "governance/office_meeting.html", {
        "pact": pact, "body": body, "meeting": meeting, "page": page, "forms": forms,
        "draft": draft, "statuses": Attendance.Status})


@login_required
def office_decision(request: HttpRequest, pact: str, pk: int) -> HttpResponse:
    pact = _office_pact(request, pact)
    from .models import Decision

    decision = get_object_or_404(Decision.objects.select_related("body__pact", "meeting"),
                                 pk=pk, body__pact=pact)
    form = FollowUpForm(request.POST or None, body=decision.body, prefix="fu")
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_add(user=request.user, decision=decision, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Follow-up assigned."))
            return redirect("governance:office_decision", pact=pact.code, pk=decision.pk)
    actions = decision.follow_ups.select_related("owner_party", "owner_person")
    return render(request, "governance/office_decision.html",
                  {"pact": pact, "decision": decision, "form": form, "actions": actions})


@login_required
def office_follow_ups(request: HttpRequest, pact: str) -> HttpResponse:
    pact = _office_pact(request, pact)
    late = request.GET.get("ritardo") == "1"
    today = timezone.localdate()
    actions = (selectors.follow_ups_late(pact=pact, today=today) if late
               else selectors.follow_ups(pact=pact))
    return render(request, "governance/office_follow_ups.html",
                  {"pact": pact, "actions": list(actions), "late": late, "today": today,
                   "statuses": FollowUp.Status.choices})


@login_required
@require_POST
def office_follow_up(request: HttpRequest, pact: str, pk: int) -> HttpResponse:
    pact = _office_pact(request, pact)
    action = get_object_or_404(FollowUp.objects.select_related("decision__body"), pk=pk,
                               decision__body__pact=pact)
    form = FollowUpStatusForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_update(user=request.user, follow_up=action, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a status and a due date."))
    return redirect(_safe_next(request, pact))


def _safe_next(request: HttpRequest, pact: Pact) -> str:
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("governance:office_follow_ups", kwargs={"pact": pact.code})


@login_required
def member_area(request: HttpRequest) -> HttpResponse:
    """A member's meetings and actions (the home panel's page)."""
    if not request.user.has_perm("governance.member_area"):
        raise PermissionDenied
    meetings, actions = selectors.member_home(user=request.user, limit=50)
    return render(request, "governance/member_area.html",
                  {"meetings": meetings, "actions": actions, "today": timezone.localdate()})
