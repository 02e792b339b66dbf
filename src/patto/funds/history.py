"""A fund movement's public history: when it was recorded and by which role, then what
followed it in the books (receipts honouring a pledge, payments settling a commitment, the
reversal that cancelled it).

Movements are never changed (a ledger): their history is the movements that refer to them,
read in one query, with the roles of the people who recorded them in a fixed number more
(see :mod:`patto.pact.history`). Include ``funds/_movement_history.html`` with
``history=movement_history(movement)`` on a movement's page.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from patto.pact.history import (
    HISTORY_LIMIT,
    ROLE_LABELS,
    Change,
    History,
    HistoryEntry,
    _roles,
)

from .models import Movement


def movement_history(movement: Movement, *, limit: int = HISTORY_LIMIT) -> History:
    """The movement's recording and the latest movements that followed it, oldest first."""
    followers = list(
        Movement.objects.filter(
            Q(reverses=movement) | Q(pledge=movement) | Q(commitment=movement)
        ).order_by("recorded_at", "id")[: limit + 1]
    )
    more, followers = len(followers) > limit, followers[:limit]
    rows = [movement, *followers]
    roles = _roles({m.recorded_by_id for m in rows if m.recorded_by_id})
    entries = []
    for m in rows:
        role, person = roles.get(m.recorded_by_id, (ROLE_LABELS["package"], ""))
        if m.pk == movement.pk:
            kind, changes = (
                "+",
                [Change(str(Movement._meta.get_field("kind").verbose_name), m.get_kind_display())],
            )
        else:
            what = (
                _("reversed by")
                if m.reverses_id == movement.pk
                else _("honoured by")
                if m.pledge_id == movement.pk
                else _("settled by")
            )
            kind, changes = (
                "~",
                [Change(what, f"{m.ref} ({m.get_kind_display()}, {m.booked_on:%Y-%m-%d})")],
            )
        entries.append(
            HistoryEntry(when=m.recorded_at, kind=kind, role=role, person=person, changes=changes)
        )
    return History(entries, more)
