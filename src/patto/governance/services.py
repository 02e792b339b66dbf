"""Every write to governance: bodies and their members, meetings (convocation, agenda,
documents, invitations, attendance, minutes), decisions and their follow-up actions.

Each service takes the acting user, checks the role (see ``rules``) and the state first, runs in
one transaction and keeps history (django-simple-history, with the reason of the change).
E-mails leave on commit. The pact's data version changes with every write to these tables
(``patto.core.cache`` watches them), so the public pages cached by version change on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.mime.base import MIMEBase
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.core.importing import MIB, Limits
from patto.core.text import validate_text

from . import calendar as ical
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
    Reminder,
    Representative,
)

#: What a meeting's documents may be: office and open formats, never executables or archives.
DOCUMENT_EXTENSIONS = (".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".csv", ".txt")


class GovernanceError(ApplicationError):
    """A refused write, naming the field at fault."""

    def __init__(self, field: str | None, message: str, *, code: str = "invalid"):
        super().__init__(message, code=code)
        self.field = field


def _require(user: Any, perm: str = "governance.manage", obj: Any = None) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _check_text(**values: Any) -> None:
    for field, value in values.items():
        try:
            validate_text(value or "")
        except ValidationError as exc:
            raise GovernanceError(field, exc.messages[0], code="control-character") from None


def _save(obj: Any, *, user: Any, reason: str, exclude: list[str] | None = None) -> Any:
    """Validate and save ``obj`` with its history row naming who and why."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        field = None if field == "__all__" else field
        raise GovernanceError(field, "; ".join(messages)) from None
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    return obj


def _check_dates(start_on: dt.date, end_on: dt.date | None) -> None:
    if end_on is not None and end_on < start_on:
        raise GovernanceError("end_on", _("The end date comes before the start date: swap or "
                                          "correct the dates."), code="end-before-start")


def _no_names(body: Body, field: str, *texts: str) -> None:
    """Minutes, decisions and agendas are public: they name parties, never the body's people
    (whose names are personal data, shown to members and staff only)."""
    text = " ".join(t or "" for t in texts).casefold()
    if not text.strip():
        return
    people = Representative.objects.filter(member__body__pact_id=body.pact_id).values_list(
        "person__first_name", "person__last_name").distinct()
    for first, last in people:
        name = f"{first} {last}".strip()
        if len(name) > 3 and (name.casefold() in text
                              or f"{last} {first}".strip().casefold() in text):
            raise GovernanceError(field, _(
                "The text names %(name)s: what the body publishes names the parties, not "
                "the people. Write the party instead.") % {"name": name}, code="personal-name")


# --- Bodies and members ----------------------------------------------------------------------


def body_create(*, user: Any, pact: Any, code: str, name: str, kind: str, chair: str = "",
                description: str = "", working_group: Any = None, position: int = 0,
                is_example: bool = False) -> Body:
    """A new body of the pact (the Table, a working group, a table a pact defines)."""
    _require(user)
    _check_text(name=name, chair=chair, description=description)
    if Body.objects.filter(pact=pact, code=code).exists():
        raise GovernanceError("code", _("The pact already has a body with this code."),
                              code="exists")
    body = Body(pact=pact, code=code, name=name.strip(), kind=kind, chair=chair.strip(),
                description=description.strip(), working_group=working_group,
                position=position, is_example=is_example)
    with transaction.atomic():
        return _save(body, user=user, reason=_("body created"))


#: The name the issue gives the service.
create_body = body_create


def member_add(*, user: Any, body: Body, party: Any, start_on: dt.date,
               end_on: dt.date | None = None, role: str = BodyMember.Role.MEMBER) -> BodyMember:
    """A party sits in the body from ``start_on`` (until ``end_on`` when given)."""
    _require(user, obj=body)
    _check_dates(start_on, end_on)
    overlapping = body.members.filter(party=party).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start_on))
    if end_on is not None:
        overlapping = overlapping.filter(start_on__lte=end_on)
    if overlapping.exists():
        raise GovernanceError("party", _("This party already sits in the body in those dates: "
                                         "end its seat first."), code="overlap")
    member = BodyMember(body=body, party=party, start_on=start_on, end_on=end_on, role=role)
    with transaction.atomic():
        return _save(member, user=user, reason=_("member party added"))


def member_end(*, user: Any, member: BodyMember, end_on: dt.date) -> BodyMember:
    """The party leaves the body on ``end_on``; its people's seats end then too."""
    _require(user, obj=member.body)
    _check_dates(member.start_on, end_on)
    with transaction.atomic():
        member.end_on = end_on
        _save(member, user=user, reason=_("member party left"))
        for seat in member.representatives.filter(Q(end_on__isnull=True) | Q(end_on__gt=end_on)):
            seat.end_on = max(end_on, seat.start_on)
            _save(seat, user=user, reason=_("member party left"))
    return member


def representative_add(*, user: Any, member: BodyMember, person: Any, start_on: dt.date,
                       end_on: dt.date | None = None,
                       kind: str = Representative.Kind.REPRESENTATIVE) -> Representative:
    """Name a person (an account of the platform) as the party's representative or substitute."""
    _require(user, obj=member.body)
    _check_dates(start_on, end_on)
    if start_on < member.start_on or (member.end_on and (end_on is None or end_on > member.end_on)):
        raise GovernanceError("start_on", _("The person's seat must fall within the party's "
                                            "membership of the body."), code="outside")
    seat = Representative(member=member, person=person, start_on=start_on, end_on=end_on,
                          kind=kind)
    if Representative.objects.filter(member=member, person=person, kind=kind,
                                     start_on=start_on).exists():
        raise GovernanceError("person", _("This person already has this seat from that day."),
                              code="exists")
    with transaction.atomic():
        return _save(seat, user=user, reason=_("person named"))


def representative_end(*, user: Any, seat: Representative, end_on: dt.date) -> Representative:
    _require(user, obj=seat.member.body)
    _check_dates(seat.start_on, end_on)
    seat.end_on = end_on
    with transaction.atomic():
        return _save(seat, user=user, reason=_("seat ended"))


# --- Meetings --------------------------------------------------------------------------------


def _check_meeting(*, starts_at: dt.datetime, ends_at: dt.datetime | None, place: str,
                   link: str) -> None:
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise GovernanceError("starts_at", _("Give the meeting's time with its time zone."))
    if ends_at is not None and ends_at < starts_at:
        raise GovernanceError("ends_at", _("The meeting ends before it starts: correct the "
                                           "times."), code="end-before-start")
    if not (place or "").strip() and not (link or "").strip():
        raise GovernanceError("place", _("Say where the meeting is held: a place, a link to "
                                         "join, or both."), code="no-place")


def meeting_convene(*, user: Any, body: Body, title: str, starts_at: dt.datetime,
                    ends_at: dt.datetime | None = None, place: str = "",
                    link: str = "") -> Meeting:
    """Convene a meeting of ``body``: its date, its place or link; the agenda comes next."""
    _require(user, obj=body)
    _check_text(title=title, place=place)
    _check_meeting(starts_at=starts_at, ends_at=ends_at, place=place, link=link)
    meeting = Meeting(body=body, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
                      place=place.strip(), link=link.strip(), status=Meeting.Status.CONVENED)
    with transaction.atomic():
        return _save(meeting, user=user, reason=_("meeting convened"))


def _open(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise GovernanceError(None, _("The meeting was cancelled: convene a new one."),
                              code="cancelled")


def meeting_change(*, user: Any, meeting: Meeting, title: str, starts_at: dt.datetime,
                   ends_at: dt.datetime | None = None, place: str = "",
                   link: str = "") -> Meeting:
    """Change the date, place or title; calendars learn of it by the raised revision."""
    _require(user, obj=meeting.body)
    _open(meeting)
    _check_text(title=title, place=place)
    _check_meeting(starts_at=starts_at, ends_at=ends_at, place=place, link=link)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        moved = (meeting.starts_at, meeting.ends_at, meeting.place, meeting.link) != (
            starts_at, ends_at, place.strip(), link.strip())
        meeting.title, meeting.starts_at, meeting.ends_at = title.strip(), starts_at, ends_at
        meeting.place, meeting.link = place.strip(), link.strip()
        if moved:
            meeting.sequence += 1
        return _save(meeting, user=user, reason=_("meeting changed"))


def meeting_cancel(*, user: Any, meeting: Meeting) -> Meeting:
    _require(user, obj=meeting.body)
    _open(meeting)
    if meeting.decisions.exists():
        raise GovernanceError(None, _("The meeting has decisions: it was held and cannot be "
                                      "cancelled."), code="held")
    with transaction.atomic():
        meeting.status = Meeting.Status.CANCELLED
        meeting.sequence += 1
        return _save(meeting, user=user, reason=_("meeting cancelled"))


def _same_pact(meeting: Meeting, field: str, objects: Iterable[Any]) -> list:
    objects = list(objects)
    pact_id = meeting.body.pact_id
    if any(getattr(o, "pact_id", pact_id) != pact_id for o in objects):
        raise GovernanceError(field, _("Link only what belongs to the body's pact."),
                              code="other-pact")
    return objects


def agenda_item_save(*, user: Any, meeting: Meeting, title: str, description: str = "",
                     position: int | None = None, item: AgendaItem | None = None,
                     projects: Iterable = (), indicators: Iterable = (), funds: Iterable = (),
                     decisions: Iterable = ()) -> AgendaItem:
    """Add an item to the agenda, or change one, with the projects, indicators, funds and
    earlier decisions it concerns."""
    _require(user, obj=meeting.body)
    _open(meeting)
    _check_text(title=title, description=description)
    if not (title or "").strip():
        raise GovernanceError("title", _("Give the item a title."))
    _no_names(meeting.body, "description", title, description)
    projects = _same_pact(meeting, "projects", projects)
    indicators = _same_pact(meeting, "indicators", indicators)
    funds = _same_pact(meeting, "funds", funds)
    decisions = list(decisions)
    if any(d.body.pact_id != meeting.body.pact_id or (d.meeting_id == meeting.pk)
           for d in decisions):
        raise GovernanceError("decisions", _("Link earlier decisions of the pact's bodies."),
                              code="not-earlier")
    with transaction.atomic():
        if item is None:
            if position is None:
                position = (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1
            item = AgendaItem(meeting=meeting)
            reason = _("agenda item added")
        else:
            if item.meeting_id != meeting.pk:
                raise GovernanceError(None, _("The item belongs to another meeting."))
            reason = _("agenda item changed")
        item.title, item.description = title.strip(), description.strip()
        if position is not None:
            item.position = position
        _save(item, user=user, reason=reason)
        item.projects.set(projects)
        item.indicators.set(indicators)
        item.funds.set(funds)
        item.decisions.set(decisions)
    return item


def agenda_item_delete(*, user: Any, item: AgendaItem) -> None:
    _require(user, obj=item.meeting.body)
    _open(item.meeting)
    with transaction.atomic():
        item._history_user = user
        item._change_reason = _("agenda item removed")
        item.delete()


def meeting_document_add(*, user: Any, meeting: Meeting, title: str, uploaded_file: Any,
                         item: AgendaItem | None = None) -> MeetingDocument:
    """Store a document of the meeting in the media folder, within the platform's upload
    limit (``patto.core.importing.Limits``); the name is reduced to its last part."""
    _require(user, obj=meeting.body)
    _check_text(title=title)
    if not (title or "").strip():
        raise GovernanceError("title", _("Give the document a title."))
    name = Path(str(uploaded_file.name)).name
    if Path(name).suffix.lower() not in DOCUMENT_EXTENSIONS:
        raise GovernanceError(
            "file", _("%(name)s: this kind of file is not accepted; upload one of %(kinds)s.")
            % {"name": name, "kinds": ", ".join(DOCUMENT_EXTENSIONS)}, code="bad-format")
    limit = Limits.from_settings().bytes
    if uploaded_file.size > limit:
        raise GovernanceError(
            "file", _("%(name)s: the file is %(size)s MB, over the limit of %(limit)s MB: "
                      "upload a smaller file.")
            % {"name": name, "size": round(uploaded_file.size / MIB, 1),
               "limit": round(limit / MIB, 1)}, code="too-large")
    if uploaded_file.size == 0:
        raise GovernanceError("file", _("%(name)s: the file is empty.") % {"name": name})
    if item is not None and item.meeting_id != meeting.pk:
        raise GovernanceError("item", _("The item belongs to another meeting."))
    uploaded_file.name = name
    document = MeetingDocument(meeting=meeting, item=item, title=title.strip(),
                               size=uploaded_file.size, uploaded_by=user)
    document.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            return _save(document, user=user, reason=_("document added"))
    except Exception:
        document.file.delete(save=False)  # no file without its row
        raise


def seats_on(body: Body, on: dt.date):
    """The body's people (representatives and substitutes) on ``on``."""
    return Representative.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on), start_on__lte=on,
        member__body=body, member__start_on__lte=on,
    ).filter(Q(member__end_on__isnull=True) | Q(member__end_on__gte=on)).select_related(
        "person", "member__party")


def invitations_send(*, user: Any, meeting: Meeting, site_url: str) -> int:
    """E-mail the body's representatives and substitutes an invitation with the meeting as an
    iCalendar attachment (sent on commit); returns the number of e-mails."""
    _require(user, obj=meeting.body)
    _open(meeting)
    if not meeting.items.exists():
        raise GovernanceError(None, _("Write the agenda before sending the invitations."),
                              code="no-agenda")
    on = timezone.localdate(meeting.starts_at)
    people = {}
    for seat in seats_on(meeting.body, on):
        if seat.person.email and seat.person.is_active:
            people.setdefault(seat.person.email.lower(), seat)
    if not people:
        raise GovernanceError(None, _("The body has nobody with an e-mail address on the day "
                                      "of the meeting: name its people first."),
                              code="no-recipients")
    agenda = list(meeting.items.all())
    url = site_url.rstrip("/") + meeting.get_absolute_url()
    attachment = ical.calendar_bytes(
        [ical.meeting_event(meeting, url=url, agenda=agenda)], method="REQUEST")
    subject = _("Invitation: %(body)s, %(date)s") % {
        "body": meeting.body.name,
        "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M")}
    messages = []
    for email, seat in people.items():
        body = render_to_string("governance/emails/invitation.txt", {
            "meeting": meeting, "agenda": agenda, "seat": seat, "url": url,
            "starts": timezone.localtime(meeting.starts_at)})
        message = EmailMessage(subject=subject, body=body, to=[email])
        part = MIMEBase("text", "calendar", method="REQUEST", charset="utf-8")
        part.set_payload(attachment.decode("utf-8"), charset="utf-8")
        part.add_header("Content-Disposition", "attachment", filename="invito.ics")
        message.attach(part)
        messages.append(message)
    with transaction.atomic():
        meeting.invited_at = timezone.now()
        _save(meeting, user=user, reason=_("invitations sent"))

        def send() -> None:
            from django.core.mail import get_connection

            get_connection().send_messages(messages)

        transaction.on_commit(send)
    return len(messages)


def attendance_record(*, user: Any, meeting: Meeting, rows: Iterable[dict]) -> list[Attendance]:
    """Record who attended, per party: ``rows`` of ``{"party", "status", "person",
    "delegate"}``. The meeting is then held."""
    _require(user, obj=meeting.body)
    _open(meeting)
    on = timezone.localdate(meeting.starts_at)
    seated = set(meeting.body.members.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on), start_on__lte=on).values_list(
        "party_id", flat=True))
    people = {(s.member.party_id, s.person_id) for s in seats_on(meeting.body, on)}
    saved = []
    with transaction.atomic():
        for row in rows:
            party, status = row["party"], row["status"]
            person, delegate = row.get("person"), row.get("delegate")
            if party.pk not in seated:
                raise GovernanceError("party", _("%(party)s does not sit in the body on the "
                                                 "day of the meeting.") % {"party": party})
            if status not in Attendance.Status.values:
                raise GovernanceError("status", _("Choose present, absent or delegated."))
            if status == Attendance.Status.DELEGATED and delegate is None:
                raise GovernanceError("delegate", _("Say which party the delegation went to."))
            if status != Attendance.Status.DELEGATED:
                delegate = None
            if status == Attendance.Status.ABSENT:
                person = None
            if person is not None and (party.pk, person.pk) not in people:
                raise GovernanceError("person", _("This person is not named for the party in "
                                                  "the body."))
            attendance = Attendance.objects.filter(meeting=meeting, party=party).first() \
                or Attendance(meeting=meeting, party=party)
            attendance.status, attendance.person, attendance.delegate = status, person, delegate
            saved.append(_save(attendance, user=user, reason=_("attendance recorded")))
        if meeting.status != Meeting.Status.HELD:
            meeting.status = Meeting.Status.HELD
            _save(meeting, user=user, reason=_("meeting held"))
    return saved


def minutes_draft(*, user: Any, meeting: Meeting, text: str) -> Minutes:
    """Write the minutes: the open draft changes; after an approved version a draft is a new
    version (a correction), the approved one staying as it was."""
    _require(user, obj=meeting.body)
    _check_text(text=text)
    if not (text or "").strip():
        raise GovernanceError("text", _("Write the minutes."))
    _no_names(meeting.body, "text", text)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        latest = meeting.minutes.order_by("-version").first()
        if latest is not None and latest.status == Minutes.Status.DRAFT:
            latest.text = text.strip()
            return _save(latest, user=user, reason=_("minutes drafted"))
        version = (latest.version + 1) if latest else 1
        minutes = Minutes(meeting=meeting, version=version, text=text.strip())
        reason = _("correction drafted") if latest else _("minutes drafted")
        return _save(minutes, user=user, reason=reason)


def minutes_approve(*, user: Any, minutes: Minutes, at: Meeting) -> Minutes:
    """The body approves the draft at a later meeting (normally the next one): the version is
    then fixed for ever."""
    _require(user, obj=minutes.meeting.body)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().select_related("meeting").get(
            pk=minutes.pk)
        if minutes.status != Minutes.Status.DRAFT:
            raise GovernanceError(None, _("These minutes are approved already: write a "
                                          "correction as a new version."), code="approved")
        if at.body_id != minutes.meeting.body_id or at.starts_at <= minutes.meeting.starts_at:
            raise GovernanceError("at", _("Minutes are approved at a later meeting of the same "
                                          "body."), code="not-later")
        if at.status == Meeting.Status.CANCELLED:
            raise GovernanceError("at", _("The meeting was cancelled: convene a new one."))
        minutes.status = Minutes.Status.APPROVED
        minutes.approved_at = at
        minutes.approved_on = timezone.localdate(at.starts_at)
        return _save(minutes, user=user, reason=_("minutes approved"))


# --- Decisions and follow-ups ----------------------------------------------------------------


def decision_record(*, user: Any, body: Body, decided_on: dt.date, title: str, text: str,
                    meeting: Meeting | None = None, projects: Iterable = (),
                    indicators: Iterable = (), funds: Iterable = (),
                    votes_for: int | None = None, votes_against: int | None = None,
                    abstained: int | None = None) -> Decision:
    """Record a decision; it takes the next number of the body in its year (3/2026)."""
    _require(user, obj=body)
    _check_text(title=title, text=text)
    if not (title or "").strip() or not (text or "").strip():
        raise GovernanceError("text", _("Give the decision a title and its text."))
    _no_names(body, "text", title, text)
    if meeting is not None:
        if meeting.body_id != body.pk:
            raise GovernanceError("meeting", _("The meeting is of another body."))
        _open(meeting)
    votes = (votes_for, votes_against, abstained)
    if any(v is not None for v in votes) and any(v is None for v in votes):
        raise GovernanceError("votes_for", _("Give all three counts of the vote (for, against, "
                                             "abstained), or none."), code="partial-vote")
    if any(v is not None and v < 0 for v in votes):
        raise GovernanceError("votes_for", _("Counts of a vote cannot be negative."))
    for field, objects in (("projects", projects), ("indicators", indicators), ("funds", funds)):
        if any(getattr(o, "pact_id", body.pact_id) != body.pact_id for o in objects):
            raise GovernanceError(field, _("Link only what belongs to the body's pact."))
    with transaction.atomic():
        # The body's row is the lock: two decisions recorded at once get two numbers.
        Body.objects.select_for_update().filter(pk=body.pk).first()
        year = decided_on.year
        number = (Decision.objects.filter(body=body, year=year).aggregate(m=Max("number"))["m"]
                  or 0) + 1
        decision = Decision(body=body, meeting=meeting, year=year, number=number,
                            decided_on=decided_on, title=title.strip(), text=text.strip(),
                            votes_for=votes_for, votes_against=votes_against,
                            abstained=abstained)
        _save(decision, user=user, reason=_("decision recorded"))
        decision.projects.set(list(projects))
        decision.indicators.set(list(indicators))
        decision.funds.set(list(funds))
        if meeting is not None and meeting.status == Meeting.Status.CONVENED:
            meeting.status = Meeting.Status.HELD
            _save(meeting, user=user, reason=_("meeting held"))
    return decision


def follow_up_add(*, user: Any, decision: Decision, title: str, owner_party: Any,
                  due_on: dt.date, owner_person: Any = None, note: str = "") -> FollowUp:
    """An action the decision asks of a party (and maybe one of its people) by a date."""
    _require(user, obj=decision.body)
    _check_text(title=title, note=note)
    if not (title or "").strip():
        raise GovernanceError("title", _("Say what is to be done."))
    _no_names(decision.body, "title", title)
    action = FollowUp(decision=decision, title=title.strip(), owner_party=owner_party,
                      owner_person=owner_person, due_on=due_on, note=note.strip())
    with transaction.atomic():
        return _save(action, user=user, reason=_("follow-up assigned"))


def follow_up_update(*, user: Any, follow_up: FollowUp, status: str,
                     due_on: dt.date | None = None, note: str | None = None,
                     today: dt.date | None = None) -> FollowUp:
    """Move an action's due date, close it as done, or cancel it."""
    _require(user, obj=follow_up.decision.body)
    if status not in FollowUp.Status.values:
        raise GovernanceError("status", _("Choose open, done or cancelled."))
    if note is not None:
        _check_text(note=note)
        follow_up.note = note.strip()
    if follow_up.status != FollowUp.Status.OPEN and status == FollowUp.Status.OPEN:
        follow_up.done_on = None
    follow_up.status = status
    if status == FollowUp.Status.DONE:
        follow_up.done_on = follow_up.done_on or today or timezone.localdate()
    if due_on is not None:
        follow_up.due_on = due_on
    with transaction.atomic():
        return _save(follow_up, user=user, reason=_("follow-up updated"))


def _reminder_recipients(action: FollowUp) -> list[str]:
    """The owner person, or else the party's people in the decision's body today."""
    if action.owner_person_id and action.owner_person.email and action.owner_person.is_active:
        return [action.owner_person.email]
    today = timezone.localdate()
    emails = {s.person.email for s in seats_on(action.decision.body, today)
              if s.member.party_id == action.owner_party_id and s.person.email
              and s.person.is_active}
    return sorted(emails)


def reminders_send(*, days: int = 7, today: dt.date | None = None,
                   dry_run: bool = False) -> dict:
    """E-mail the owners of the open actions due within ``days`` days: once per action and
    due date (a moved due date is reminded again). Returns the counts."""
    today = today or timezone.localdate()
    due = (FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_on__gte=today,
                                   due_on__lte=today + dt.timedelta(days=days))
           .exclude(reminders__due_on=F("due_on"))
           .select_related("decision__body", "owner_party", "owner_person"))
    found = sent = skipped = 0
    for action in due:
        found += 1
        recipients = _reminder_recipients(action)
        if not recipients:
            skipped += 1
            continue
        if dry_run:
            sent += 1
            continue
        with transaction.atomic():
            _reminder, created = Reminder.objects.get_or_create(
                follow_up=action, due_on=action.due_on,
                defaults={"sent_at": timezone.now(), "recipients": len(recipients)})
            if not created:
                continue
            body = render_to_string("governance/emails/reminder.txt",
                                    {"action": action, "decision": action.decision})
            message = EmailMessage(
                subject=_("Reminder: %(action)s, due on %(date)s")
                % {"action": action.title, "date": action.due_on.strftime("%d/%m/%Y")},
                body=body, to=recipients)
            transaction.on_commit(message.send)
        sent += 1
    return {"found": found, "sent": sent, "skipped": skipped, "dry_run": dry_run}

