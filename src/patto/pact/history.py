"""Public history of a record, from the django-simple-history rows the services already keep.

A public page shows what changed, when and by which role; a person's name only to staff.
The history is read in one query (the latest rows of one record, diffed in memory) and the
roles of the people behind them in a fixed number more, so a page's query count does not
grow with the history. Apps above this one add the roles they know (cluster coordinator,
referent...) with :func:`register_role_provider`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from patto.core.permissions import SECRETARIAT_GROUP

#: How many changes a public page shows; the page says when older ones exist.
HISTORY_LIMIT = 10

#: Fields never shown on a public page: personal data and bookkeeping.
HIDDEN_FIELDS = {
    "person",
    "user",
    "version",
    "updated_at",
    "created_at",
    "boundary",
    "recorded_by",
    "submitted_by",
    "reviewed_by",
    "created_by",
}

ROLE_LABELS = {
    "secretariat": _("secretariat"),
    "package": _("data package load"),
    "system": _("the platform"),
    "staff": _("staff"),
    "user": _("signed-in person"),
}

#: Callables (user ids) -> {user id: role label}, from apps that know more roles.
_ROLE_PROVIDERS: list[Callable[[set[int]], dict[int, Any]]] = []


def register_role_provider(provider: Callable[[set[int]], dict[int, Any]]) -> None:
    if provider not in _ROLE_PROVIDERS:
        _ROLE_PROVIDERS.append(provider)


@dataclass
class Change:
    label: str
    value: str


@dataclass
class HistoryEntry:
    """One recorded change of a record, as a public page shows it."""

    when: Any
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's codes)
    role: Any
    person: str = ""  # shown only to staff
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def kind_label(self) -> Any:
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(self.kind, "")


@dataclass
class History:
    entries: list[HistoryEntry]
    more: bool  # older changes exist beyond the ones shown


def _shown(value: Any) -> str:
    """A changed value as the page's language writes it (sì/no, 13 gennaio 2021, 12.500,5)."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = str(_("yes") if value else _("no"))
    elif isinstance(value, (dt.date, dt.datetime)):
        text = formats.date_format(value, "DATE_FORMAT")
    elif isinstance(value, (float, Decimal)):
        text = formats.number_format(value, force_grouping=True)
    else:
        text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _changes(new: Any, old: Any | None, fields: list) -> list[Change]:
    out = []
    for f in fields:
        # Structured machine settings (an indicator's Open SDG metadata and configuration) are
        # not a sentence a reader can follow: their changes show on the record's own page.
        if (
            f.name in HIDDEN_FIELDS
            or f.name.startswith("history_")
            or f.get_internal_type() == "JSONField"
        ):
            continue
        value = getattr(new, f.attname, None)
        if old is not None and getattr(old, f.attname, None) == value:
            continue
        if old is None and value in (None, ""):
            continue
        # A relation shows as changed without its target (no query per row).
        shown = (
            ""
            if f.is_relation
            else _shown(getattr(new, f"get_{f.name}_display")() if f.choices else value)
        )
        out.append(Change(label=str(f.verbose_name), value=shown))
    return out


def _roles(user_ids: set[int]) -> dict[int, tuple[Any, str]]:
    """Each user's role label and name, in a fixed number of queries."""
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids).prefetch_related("groups")
    found: dict[int, tuple[Any, str]] = {}
    extra: dict[int, Any] = {}
    for provider in _ROLE_PROVIDERS:
        for uid, label in provider(user_ids).items():
            extra.setdefault(uid, label)
    for u in users:
        name = u.get_full_name() or u.get_username()
        if u.is_superuser or any(g.name == SECRETARIAT_GROUP for g in u.groups.all()):
            found[u.pk] = (ROLE_LABELS["secretariat"], name)
        elif u.pk in extra:
            found[u.pk] = (extra[u.pk], name)
        else:
            found[u.pk] = (ROLE_LABELS["staff" if u.is_staff else "user"], name)
    return found


def record_history(obj: Any, *, limit: int = HISTORY_LIMIT) -> History:
    """The latest ``limit`` changes of ``obj`` (a model with ``history``), newest first."""
    rows = list(obj.history.order_by("-history_date", "-history_id")[: limit + 1])
    more = len(rows) > limit
    return history_from_rows(rows, more=more, limit=limit)


def history_from_rows(
    rows: Iterable[Any], *, more: bool = False, limit: int = HISTORY_LIMIT
) -> History:
    """History entries from historical rows of one record, newest first (one extra row, the
    one before the oldest shown, only serves to tell what the oldest changed)."""
    rows = list(rows)
    if not rows:
        return History([], False)
    fields = [f for f in rows[0].instance_type._meta.fields]
    roles = _roles({r.history_user_id for r in rows[:limit] if r.history_user_id})
    entries = []
    for index, row in enumerate(rows[:limit]):
        older = rows[index + 1] if index + 1 < len(rows) else None
        if row.history_user_id in roles:
            role, person = roles[row.history_user_id]
        else:
            reason = row.history_change_reason or ""
            role, person = (
                ROLE_LABELS[
                    "package" if reason.startswith(("load-pact", "import-projects")) else "system"
                ],
                "",
            )
        entries.append(
            HistoryEntry(
                when=row.history_date,
                kind=row.history_type,
                role=role,
                person=person,
                reason=row.history_change_reason or "",
                changes=_changes(row, older if row.history_type == "~" else None, fields),
            )
        )
    return History(entries, more)
