"""Every read of governance that a page, a feed or the home needs, with its joins decided: a
fixed number of queries whatever the number of rows.

Public reads return parties only; the names of people come from the ``*_people`` reads, which
the views call only for the body's members and the staff (``governance.view_names``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import (
    AgendaItem,
    Attendance,
    Body,
    BodyMember,
    Decision,
    FollowUp,
    Meeting,
    MeetingDocument,
    Minutes,
    Representative,
)

PUBLIC_MEETINGS = (Meeting.Status.CONVENED, Meeting.Status.HELD, Meeting.Status.CANCELLED)


def _current(prefix: str, on: dt.date) -> Q:
    return (Q(**{f"{prefix}start_on__lte": on})
            & (Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gte": on})))


def body_list(*, pact: Any, on: dt.date | None = None) -> QuerySet[Body]:
    """The pact's bodies with the count of their member parties today (one query)."""
    on = on or timezone.localdate()
    return (Body.objects.filter(pact=pact)
            .annotate(member_count=Count("members", filter=_current("members__", on),
                                         distinct=True),
                      meeting_count=Count("meetings", filter=Q(
                          meetings__status__in=PUBLIC_MEETINGS), distinct=True))
            .order_by("position", "code"))


def body_get(*, pact: Any, code: str) -> Body:
    body = (Body.objects.select_related("pact", "working_group")
            .filter(pact=pact, code=code).first())
    if body is None:
        raise Http404
    return body


def body_members(*, body: Body, on: dt.date | None = None,
                 with_people: bool = False) -> list[BodyMember]:
    """The parties sitting in the body on ``on``; with their people for members and staff
    (one query, two with the people)."""
    on = on or timezone.localdate()
    members = (BodyMember.objects.filter(_current("", on), body=body)
               .select_related("party").order_by("role", "party__name"))
    if with_people:
        members = members.prefetch_related(Prefetch(
            "representatives",
            queryset=Representative.objects.filter(_current("", on)).select_related("person")
            .order_by("kind", "person__last_name"),
            to_attr="seats"))
    return list(members)


def body_meetings(*, body: Body, staff: bool = False) -> list[Meeting]:
    meetings = Meeting.objects.filter(body=body)
    if not staff:
        meetings = meetings.filter(status__in=PUBLIC_MEETINGS)
    return list(meetings.order_by("-starts_at"))


def decision_list(*, pact: Any) -> QuerySet[Decision]:
    """The pact's decisions, newest first, with their body and meeting (one query)."""
    return (Decision.objects.filter(body__pact=pact)
            .select_related("body", "body__pact", "meeting")
            .order_by("-decided_on", "-number"))


DECISION_COLUMNS = ["body", "number", "year", "label", "decided_on", "title", "text",
                    "votes_for", "votes_against", "abstained", "meeting_on"]


def decision_rows(decisions: QuerySet[Decision]):
    """The rows of the decisions' download (no person's name: the text never holds one)."""
    for d in decisions.iterator(chunk_size=500):
        yield [d.body.code, d.number, d.year, d.label, d.decided_on, d.title, d.text,
               d.votes_for, d.votes_against, d.abstained,
               timezone.localdate(d.meeting.starts_at) if d.meeting_id else None]


def decision_get(*, pact: Any, body: str, year: int, number: int) -> Decision:
    decision = (Decision.objects.select_related("body", "body__pact", "meeting")
                .prefetch_related("projects__pact", "indicators__pact", "funds__pact",
                                  Prefetch("follow_ups", queryset=FollowUp.objects
                                           .select_related("owner_party")))
                .filter(body__pact=pact, body__code=body, year=year, number=number).first())
    if decision is None:
        raise Http404
    return decision


@dataclass
class MeetingPage:
    meeting: Meeting
    items: list[AgendaItem]
    documents: list[MeetingDocument]
    minutes: list[Minutes]
    decisions: list[Decision]
    attendance: list[Attendance] = field(default_factory=list)


def meeting_get(*, pact: Any, body: str, pk: int, staff: bool = False) -> Meeting:
    meetings = Meeting.objects.select_related("body", "body__pact").filter(
        body__pact=pact, body__code=body, pk=pk)
    if not staff:
        meetings = meetings.filter(status__in=PUBLIC_MEETINGS)
    meeting = meetings.first()
    if meeting is None:
        raise Http404
    return meeting


def meeting_page(*, meeting: Meeting, staff: bool = False,
                 with_people: bool = False) -> MeetingPage:
    """The agenda with what each item concerns, the documents, the minutes (only approved
    ones for the public), the decisions and the attendance: a fixed count of queries."""
    items = list(AgendaItem.objects.filter(meeting=meeting).prefetch_related(
        "projects__pact", "indicators__pact", "funds__pact", "decisions__body"))
    documents = list(MeetingDocument.objects.filter(meeting=meeting).order_by("title"))
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_at")
    if not staff:
        minutes = minutes.filter(status=Minutes.Status.APPROVED)
    decisions = list(Decision.objects.filter(meeting=meeting).select_related("body__pact")
                     .order_by("number"))
    attendance = Attendance.objects.filter(meeting=meeting).select_related("party", "delegate")
    if with_people:
        attendance = attendance.select_related("person")
    return MeetingPage(meeting=meeting, items=items, documents=documents,
                       minutes=list(minutes.order_by("-version")), decisions=decisions,
                       attendance=list(attendance.order_by("party__name")))


def calendar_meetings(*, body: Body) -> list[Meeting]:
    """The meetings a body's public calendar lists (convened, held or cancelled)."""
    return list(Meeting.objects.filter(body=body, status__in=PUBLIC_MEETINGS)
                .select_related("body").prefetch_related("items").order_by("starts_at"))


def follow_ups_late(*, pact: Any, today: dt.date | None = None) -> QuerySet[FollowUp]:
    """The open actions whose due date has passed, oldest first."""
    today = today or timezone.localdate()
    return (FollowUp.objects.filter(decision__body__pact=pact, status=FollowUp.Status.OPEN,
                                    due_on__lt=today)
            .select_related("decision__body__pact", "owner_party", "owner_person")
            .order_by("due_on", "pk"))


def follow_ups(*, pact: Any) -> QuerySet[FollowUp]:
    return (FollowUp.objects.filter(decision__body__pact=pact)
            .select_related("decision__body__pact", "owner_party", "owner_person")
            .order_by("status", "due_on", "pk"))


def member_home(*, user: Any, today: dt.date | None = None, limit: int = 5) -> tuple[list, list]:
    """A member's next meetings (of the bodies they sit in) and the open actions that are
    theirs or their parties': one query for a person without a seat, three with one."""
    today = today or timezone.localdate()
    seats = list(Representative.objects.filter(_current("", today), _current("member__", today),
                                               person=user)
                 .values_list("member__body_id", "member__party_id"))
    if not seats:
        return [], []
    bodies = {b for b, _p in seats}
    meetings = list(Meeting.objects.filter(
        body__in=bodies, status=Meeting.Status.CONVENED,
        starts_at__date__gte=today).select_related("body__pact").order_by("starts_at")[:limit])
    mine = Q(owner_person=user)
    for body, party in set(seats):
        mine |= Q(owner_person__isnull=True, owner_party_id=party, decision__body_id=body)
    actions = list(FollowUp.objects.filter(mine, status=FollowUp.Status.OPEN)
                   .select_related("decision__body__pact").order_by("due_on")[:limit])
    return meetings, actions
