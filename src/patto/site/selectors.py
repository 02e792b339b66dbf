"""Reads of the back office's shell: who holds which role, and each role's history.

The site sits on top of every app, so it gathers the roles that each app keeps (coordinators,
referents and reporters in projects, clerks in funds, the secretariat group in core) in a fixed
number of queries, whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from patto.core.permissions import SECRETARIAT_GROUP
from patto.funds.models import Fund, FundClerk
from patto.pact.models import Cluster, Party
from patto.projects.models import ClusterCoordinator, PartyReporter, Project, ProjectReferent

#: Role kinds, in the order a person's page lists them, with their names.
KINDS = {
    "secretariat": _("Secretariat"),
    "coordinator": _("Cluster coordinator"),
    "referent": _("Project referent"),
    "reporter": _("Party reporter"),
    "clerk": _("Fund clerk"),
}


@dataclass(frozen=True)
class Role:
    kind: str
    pk: int | None  # the role's own record (None for the secretariat, a group membership)
    target: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


@dataclass(frozen=True)
class RoleEvent:
    when: dt.datetime
    kind: str
    target: str
    change: str  # "+" given, "-" taken away, "~" changed
    by: str

    @property
    def label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


def _people() -> QuerySet:
    return get_user_model().objects.prefetch_related(
        "groups",
        Prefetch("coordinated_clusters",
                 queryset=ClusterCoordinator.objects.select_related("cluster", "cluster__pact")),
        Prefetch("referent_of", queryset=ProjectReferent.objects.select_related(
            "project", "project__pact", "party")),
        Prefetch("reporter_for", queryset=PartyReporter.objects.select_related("party")),
        Prefetch("fund_roles", queryset=FundClerk.objects.select_related(
            "fund", "fund__instrument", "fund__pact")),
    )


def roles_of(person) -> list[Role]:
    """The roles of a person fetched through :func:`people_list` or :func:`person_get`."""
    roles = []
    if person.is_superuser or any(g.name == SECRETARIAT_GROUP for g in person.groups.all()):
        roles.append(Role("secretariat", None, str(_("every pact"))))
    roles += [Role("coordinator", r.pk, f"{r.cluster} ({r.cluster.pact.code})")
              for r in person.coordinated_clusters.all()]
    roles += [Role("referent", r.pk, f"{r.project.title} ({r.project.pact.code}) – {r.party}")
              for r in person.referent_of.all()]
    roles += [Role("reporter", r.pk, str(r.party)) for r in person.reporter_for.all()]
    roles += [Role("clerk", r.pk, f"{r.fund} ({r.fund.pact.code})")
              for r in person.fund_roles.all()]
    return roles


def people_list(*, search: str = "") -> QuerySet:
    """Every account with its roles prefetched (six queries whatever the number of people)."""
    people = _people().order_by("last_name", "first_name", "username")
    if search:
        people = people.filter(Q(username__icontains=search) | Q(email__icontains=search)
                               | Q(first_name__icontains=search)
                               | Q(last_name__icontains=search))
    return people


def person_get(*, pk: int):
    return _people().get(pk=pk)


def role_history(person) -> list[RoleEvent]:
    """What was given to and taken from ``person``, newest first: the role records' own
    history (simple-history) and the account's log (secretariat, invitation)."""
    events: list[RoleEvent] = []
    signs = {"+": "+", "-": "-", "~": "~"}

    def by(record) -> str:
        return str(record.history_user) if record.history_user_id else ""

    for kind, model, related, describe in (
        ("coordinator", ClusterCoordinator, ["cluster"], lambda r: str(r.cluster or "")),
        ("reporter", PartyReporter, ["party"], lambda r: str(r.party or "")),
        ("clerk", FundClerk, ["fund__instrument"], lambda r: str(r.fund or "")),
    ):
        for record in model.history.filter(user_id=person.pk).select_related(
                "history_user", *related):
            events.append(RoleEvent(record.history_date, kind, describe(record),
                                    signs[record.history_type], by(record)))
    # A referent keeps their record when the account is unlinked: each change of the link.
    referent_rows = list(ProjectReferent.history.filter(
        id__in=ProjectReferent.history.filter(user_id=person.pk).values("id"))
        .select_related("history_user", "project").order_by("id", "history_date"))
    linked: dict[int, bool] = {}
    for record in referent_rows:
        now = record.user_id == person.pk and record.history_type != "-"
        before = linked.get(record.id, False)
        if now != before:
            events.append(RoleEvent(record.history_date, "referent",
                                    record.project.title if record.project else "",
                                    "+" if now else "-", by(record)))
        linked[record.id] = now
    for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(person),
            object_id=str(person.pk)).select_related("user"):
        events.append(RoleEvent(entry.action_time, "account", entry.get_change_message(), "~",
                                str(entry.user)))
    return sorted(events, key=lambda e: e.when, reverse=True)


def role_choices() -> dict:
    """What a role can be given on: clusters, projects, parties, funds (four queries)."""
    return {
        "coordinator": Cluster.objects.select_related("pact").order_by("pact", "position"),
        "referent": Project.objects.select_related("pact").order_by("pact", "title"),
        "reporter": Party.objects.order_by("name"),
        "clerk": Fund.objects.select_related("pact", "instrument")
        .order_by("pact", "instrument__position"),
    }
