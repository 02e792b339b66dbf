"""Meetings as iCalendar (RFC 5545): the invitation's attachment and a body's public feed.

Only what is public goes in: the body, the title, date, place and link, the agenda's titles;
never a person's name or address (the invitation's recipient is in the e-mail, not the file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

PRODID = "-//Patto//Governance//IT"
DEFAULT_LENGTH = dt.timedelta(hours=2)


def _domain() -> str:
    return getattr(settings, "PATTO_CALENDAR_DOMAIN", "patto.local")


def meeting_event(meeting, *, url: str = "", agenda: Iterable = ()) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@{_domain()}")
    event.add("dtstamp", meeting.updated_at or meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    event.add("summary", f"{meeting.body.name}: {meeting.title}")
    event.add("sequence", meeting.sequence)
    if meeting.place:
        event.add("location", meeting.place)
    elif meeting.link:
        event.add("location", meeting.link)
    lines = [f"{n}. {item.title}" for n, item in enumerate(agenda, start=1)]
    if meeting.link:
        lines.append(meeting.link)
    if url:
        lines.append(url)
        event.add("url", url)
    if lines:
        event.add("description", "\n".join(lines))
    status = {"cancelled": "CANCELLED", "draft": "TENTATIVE"}.get(meeting.status, "CONFIRMED")
    event.add("status", status)
    return event


def calendar_bytes(events: Iterable[Event], *, name: str = "", method: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
