"""Object permissions of governance: the secretariat runs the bodies, their meetings, minutes,
decisions and follow-ups; the members of a body (the people named for its parties) read the
names of its representatives and its follow-ups; the public reads parties, never names.
The services check these rules again."""

from __future__ import annotations

import datetime as dt

import rules
from django.utils import timezone

from patto.core.permissions import is_secretariat as _is_secretariat


@rules.predicate
def is_secretariat(user) -> bool:
    return _is_secretariat(user)


def _body_id(obj) -> int | None:
    """The body of a body, of a meeting, of a decision or of what belongs to one."""
    from .models import Body

    if isinstance(obj, Body):
        return obj.pk
    for attr in ("meeting", "decision"):
        inner = getattr(obj, attr, None)
        if inner is not None and hasattr(inner, "body_id"):
            return inner.body_id
    return getattr(obj, "body_id", None)


def current_seats(user, *, on: dt.date | None = None):
    """The representative seats a person holds on ``on`` (today by default)."""
    from django.db.models import Q

    from .models import Representative

    on = on or timezone.localdate()
    return Representative.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on), person=user, start_on__lte=on,
    ).filter(Q(member__end_on__isnull=True) | Q(member__end_on__gte=on),
             member__start_on__lte=on)


@rules.predicate
def is_body_member(user, obj) -> bool:
    """For a body (or its meetings, decisions...): one named for one of its parties today."""
    if not (user and user.is_authenticated) or obj is None:
        return False
    body_id = _body_id(obj)
    return body_id is not None and current_seats(user).filter(member__body_id=body_id).exists()


@rules.predicate
def is_any_member(user) -> bool:
    return bool(user and user.is_authenticated and current_seats(user).exists())


rules.add_perm("governance.manage", is_secretariat)
rules.add_perm("governance.view_names", is_secretariat | is_body_member)
rules.add_perm("governance.member_area", is_secretariat | is_any_member)
