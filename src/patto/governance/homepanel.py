"""Governance's panel on a person's home: for the members of a body, their next meetings and
the follow-up actions due from them or their parties; for the secretariat, the office."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from patto.core.homepanels import HomePanel

from . import selectors


def governance_panel(user, *, secretariat: bool) -> HomePanel | None:
    # One query for a person without a seat in a body (the home counts its queries).
    meetings, actions = selectors.member_home(user=user)
    if not (secretariat or meetings or actions):
        return None
    links = []
    for m in meetings:
        when = formats.date_format(timezone.localtime(m.starts_at), "SHORT_DATETIME_FORMAT")
        links.append((m.get_absolute_url(), _("%(body)s, %(when)s: %(title)s")
                      % {"body": m.body.name, "when": when, "title": m.title}))
    for a in actions:
        links.append((reverse("governance:member_area"), _("Due on %(date)s: %(action)s")
                      % {"date": formats.date_format(a.due_on, "SHORT_DATE_FORMAT"),
                         "action": a.title}))
    if meetings or actions:
        links.append((reverse("governance:member_area"), _("Your meetings and actions")))
    if secretariat:
        links.append((reverse("governance:office_index"),
                      _("Table and bodies: meetings, decisions, follow-ups")))
    return HomePanel(key="governance", title=_("Governance"), links=links,
                     from_role=bool(meetings or actions or secretariat))
