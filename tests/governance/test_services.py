"""Governance's services: roles, states, numbering, versions, invitations, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from icalendar import Calendar

from patto.governance import selectors, services
from patto.governance.models import Decision, FollowUp, Minutes, Reminder

from .conftest import at


def test_only_the_secretariat_convenes(cast, table):
    for who in (cast.rep, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.meeting_convene(user=who, body=table, title="x", starts_at=at(3),
                                     place="Bologna")


def test_a_meeting_needs_a_place_or_a_link(cast, table):
    with pytest.raises(services.GovernanceError, match="Say where"):
        services.meeting_convene(user=cast.staff, body=table, title="x", starts_at=at(3))
    meeting = services.meeting_convene(user=cast.staff, body=table, title="x", starts_at=at(3),
                                       link="https://meet.example.org/tavolo")
    assert meeting.status == "convened"
    assert meeting.history.first().history_change_reason == "meeting convened"


def test_create_body_for_any_pact(cast, bologna):
    body = services.create_body(user=cast.staff, pact=bologna, code="tavolo-sicurezza",
                                name="Tavolo sicurezza sul lavoro", kind="other")
    member = services.member_add(user=cast.staff, body=body, party=cast.cgil,
                                 start_on=dt.date(2026, 1, 1))
    with pytest.raises(services.GovernanceError, match="already sits"):
        services.member_add(user=cast.staff, body=body, party=cast.cgil,
                            start_on=dt.date(2026, 6, 1))
    services.member_end(user=cast.staff, member=member, end_on=dt.date(2026, 3, 31))
    services.member_add(user=cast.staff, body=body, party=cast.cgil,
                        start_on=dt.date(2026, 6, 1))
    assert body.members.count() == 2
    with pytest.raises(PermissionDenied):
        services.create_body(user=cast.rep, pact=bologna, code="x", name="x", kind="other")


def test_invitations_carry_a_valid_icalendar_file(cast, meeting,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.invitations_send(user=cast.staff, meeting=meeting,
                                         site_url="https://patto.example.org")
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["rappresentante@example.org",
                                                    "supplente@example.org"]
    message = mail.outbox[0]
    assert "Stato delle azioni" in message.body
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["method"]) == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event["location"]) == "Palazzo Malvezzi, Bologna"
    assert str(event["uid"]).startswith(str(meeting.uid))
    assert "Stato delle azioni" in str(event["description"])
    meeting.refresh_from_db()
    assert meeting.invited_at is not None


def test_no_invitation_without_an_agenda(cast, table):
    bare = services.meeting_convene(user=cast.staff, body=table, title="x", starts_at=at(3),
                                    place="Bologna")
    with pytest.raises(services.GovernanceError, match="agenda"):
        services.invitations_send(user=cast.staff, meeting=bare, site_url="https://x.org")


def test_moving_a_meeting_raises_its_calendar_revision(cast, meeting):
    services.meeting_change(user=cast.staff, meeting=meeting, title=meeting.title,
                            starts_at=at(11), place=meeting.place)
    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_attendance_per_party_and_person(cast, meeting):
    services.attendance_record(user=cast.staff, meeting=meeting, rows=[
        {"party": cast.city, "status": "present", "person": cast.rep},
        {"party": cast.cgil, "status": "delegated", "delegate": cast.city},
    ])
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert {(a.party.code, a.status, a.delegate_id) for a in meeting.attendance.all()} == {
        ("citta-metropolitana-bologna", "present", None),
        ("cgil-bologna", "delegated", cast.city.pk)}
    with pytest.raises(services.GovernanceError, match="not named"):
        services.attendance_record(user=cast.staff, meeting=meeting, rows=[
            {"party": cast.cgil, "status": "present", "person": cast.rep}])


def test_approved_minutes_never_change_a_correction_is_a_new_version(cast, meeting, table):
    first = services.minutes_draft(user=cast.staff, meeting=meeting, text="Bozza")
    again = services.minutes_draft(user=cast.staff, meeting=meeting, text="Bozza rivista")
    assert again.pk == first.pk and again.version == 1
    with pytest.raises(services.GovernanceError, match="later meeting"):
        services.minutes_approve(user=cast.staff, minutes=first, at=meeting)
    following = services.meeting_convene(user=cast.staff, body=table, title="Seduta seguente",
                                         starts_at=at(40), place="Bologna")
    approved = services.minutes_approve(user=cast.staff, minutes=first, at=following)
    assert approved.status == "approved" and approved.approved_at == following
    with pytest.raises(services.GovernanceError, match="approved already"):
        services.minutes_approve(user=cast.staff, minutes=approved, at=following)
    correction = services.minutes_draft(user=cast.staff, meeting=meeting, text="Corretto")
    assert correction.version == 2 and correction.status == "draft"
    assert Minutes.objects.get(pk=first.pk).text == "Bozza rivista"
    public = selectors.meeting_page(meeting=meeting).minutes
    assert [m.version for m in public] == [1]
    services.minutes_approve(user=cast.staff, minutes=correction, at=following)
    assert [m.version for m in selectors.meeting_page(meeting=meeting).minutes] == [2, 1]
    assert Minutes.objects.get(pk=first.pk).text == "Bozza rivista"


def test_decisions_are_numbered_per_body_and_year(cast, meeting, table, bologna):
    other = services.create_body(user=cast.staff, pact=bologna, code="altro", name="Altro",
                                 kind="other")

    def record(body, day, **kw):
        return services.decision_record(user=cast.staff, body=body, decided_on=day,
                                        title="t", text="testo", **kw)

    labels = [record(table, dt.date(2026, 2, 1)).label, record(table, dt.date(2026, 3, 1)).label,
              record(other, dt.date(2026, 3, 1)).label, record(table, dt.date(2027, 1, 5)).label,
              record(table, dt.date(2026, 12, 1)).label]
    assert labels == ["1/2026", "2/2026", "1/2026", "1/2027", "3/2026"]
    with pytest.raises(services.GovernanceError, match="all three"):
        record(table, dt.date(2026, 5, 1), votes_for=3)
    voted = record(table, dt.date(2026, 5, 1), meeting=meeting, votes_for=30, votes_against=2,
                   abstained=1)
    assert voted.has_vote and voted.label == "4/2026"
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert Decision.objects.filter(body=table, year=2026).count() == 4


def _decision(cast, table):
    return services.decision_record(user=cast.staff, body=table, decided_on=dt.date(2026, 1, 20),
                                    title="Monitoraggio", text="Il Tavolo decide.")


def test_reminders_go_once_per_action_and_due_date(cast, table,
                                                   django_capture_on_commit_callbacks):
    decision = _decision(cast, table)
    today = dt.date(2026, 3, 1)
    action = services.follow_up_add(user=cast.staff, decision=decision, title="Relazione",
                                    owner_party=cast.city, due_on=dt.date(2026, 3, 5))
    services.follow_up_add(user=cast.staff, decision=decision, title="Lontana",
                           owner_party=cast.city, due_on=dt.date(2026, 6, 5))
    dry = services.reminders_send(days=7, today=today, dry_run=True)
    assert dry["sent"] == 1 and not Reminder.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(days=7, today=today)
        second = services.reminders_send(days=7, today=today)
    assert (first["sent"], second["sent"]) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rappresentante@example.org"]
    services.follow_up_update(user=cast.staff, follow_up=action, status="open",
                              due_on=dt.date(2026, 3, 7))
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reminders_send(days=7, today=today)
    assert moved["sent"] == 1 and len(mail.outbox) == 2


def test_reminders_command_once_and_dry_run(cast, table, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    decision = _decision(cast, table)
    services.follow_up_add(user=cast.staff, decision=decision, title="Relazione",
                           owner_party=cast.cgil,
                           due_on=timezone.localdate() + dt.timedelta(days=2))
    out = StringIO()
    call_command("governance-reminders", "--days", "3", "--dry-run", stdout=out)
    assert "would send: 1" in out.getvalue() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        call_command("governance-reminders", "--days", "3", stdout=out)
        call_command("governance-reminders", "--days", "3", stdout=out)
    assert [m.to for m in mail.outbox] == [["supplente@example.org"]]


def test_late_list(cast, table, bologna):
    decision = _decision(cast, table)
    late = services.follow_up_add(user=cast.staff, decision=decision, title="In ritardo",
                                  owner_party=cast.city, due_on=dt.date(2026, 2, 1))
    services.follow_up_add(user=cast.staff, decision=decision, title="In tempo",
                           owner_party=cast.city, due_on=dt.date(2026, 4, 1))
    done = services.follow_up_add(user=cast.staff, decision=decision, title="Fatta",
                                  owner_party=cast.city, due_on=dt.date(2026, 1, 25))
    services.follow_up_update(user=cast.staff, follow_up=done, status="done",
                              today=dt.date(2026, 1, 24))
    listed = list(selectors.follow_ups_late(pact=bologna, today=dt.date(2026, 3, 1)))
    assert listed == [late]
    assert FollowUp.objects.get(pk=done.pk).done_on == dt.date(2026, 1, 24)


def test_member_home_shows_next_meetings_and_actions(cast, meeting, table):
    decision = _decision(cast, table)
    services.follow_up_add(user=cast.staff, decision=decision, title="Per la CGIL",
                           owner_party=cast.cgil, due_on=dt.date(2026, 3, 5))
    meetings, actions = selectors.member_home(user=cast.sub)
    assert meetings == [meeting] and [a.title for a in actions] == ["Per la CGIL"]
    assert selectors.member_home(user=cast.rep)[1] == []
    assert selectors.member_home(user=cast.outsider) == ([], [])


def test_documents_are_bounded(cast, meeting, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(services.GovernanceError, match="not accepted"):
        services.meeting_document_add(user=cast.staff, meeting=meeting, title="x",
                                      uploaded_file=SimpleUploadedFile("x.exe", b"MZ"))
    settings.PATTO_UPLOAD_MAX_BYTES = 10
    with pytest.raises(services.GovernanceError, match="over the limit"):
        services.meeting_document_add(user=cast.staff, meeting=meeting, title="x",
                                      uploaded_file=SimpleUploadedFile("x.pdf", b"%PDF-" * 10))
    settings.PATTO_UPLOAD_MAX_BYTES = 1000
    doc = services.meeting_document_add(
        user=cast.staff, meeting=meeting, title="Relazione",
        uploaded_file=SimpleUploadedFile("../../relazione.pdf", b"%PDF-1.4"))
    assert doc.file.name.startswith(f"governance/meetings/{meeting.pk}/relazione")
