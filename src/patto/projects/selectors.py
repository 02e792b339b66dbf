"""Every read of projects: lists with filters, the full sheet, its figures, round dashboards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum

from patto.pact.models import Pact

from .models import (
    CompletedActivity,
    Contribution,
    Event,
    Meeting,
    PlannedActivity,
    Project,
    ProjectParty,
    ProjectReferent,
    ProjectUpdate,
    ReportingRound,
)

#: Panels that apps above this one add to a project's sheet (e.g. its indicators):
#: each provider takes the project and returns (template name, context) or None.
_SHEET_PANELS: list[Callable[[Project], tuple[str, dict] | None]] = []


def register_sheet_panel(provider: Callable[[Project], tuple[str, dict] | None]) -> None:
    if provider not in _SHEET_PANELS:
        _SHEET_PANELS.append(provider)


def project_panels(project: Project) -> list[tuple[str, dict]]:
    return [panel for provider in _SHEET_PANELS if (panel := provider(project))]


def project_counts(pact: Pact) -> dict[str, int]:
    """The counts `patto load-pact` prints for a pact's projects."""
    projects = Project.objects.filter(pact=pact)
    return {
        "projects": projects.count(),
        "activities": PlannedActivity.objects.filter(project__pact=pact).count()
        + CompletedActivity.objects.filter(project__pact=pact).count(),
    }


def project_list(*, filters: dict | None = None) -> QuerySet[Project]:
    """Projects with what a list row shows, filtered by the list page's criteria
    (:class:`~patto.projects.filters.ProjectFilter`); bad criteria give no rows."""
    return filtered_projects(project_filter(filters))


def filtered_projects(filterset) -> QuerySet[Project]:
    """The filter set's rows; none when a criterion is invalid (an unknown status, say),
    rather than silently ignoring it and showing everything."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def project_filter(filters: dict | None = None):
    """The list's filter set, bound to ``filters`` (a request's GET or a plain dict)."""
    from .filters import ProjectFilter

    projects = (Project.objects.select_related("pact", "cluster", "emergency_action",
                                               "lead_party")
                .order_by("pact", "cluster__position", "emergency_action__position", "title"))
    return ProjectFilter(filters or {}, queryset=projects)


def project_list_choices() -> dict:
    """What the list's filter menus offer, one query each."""
    from patto.pact.models import Challenge, Cluster, Party, Territory

    return {
        "clusters": Cluster.objects.select_related("pact"),
        "challenges": Challenge.objects.select_related("pact"),
        # Every party with a part in a project, leading it or involved in it.
        "parties": Party.objects.filter(
            Q(pk__in=Project.objects.values("lead_party_id"))
            | Q(pk__in=ProjectParty.objects.values("party_id"))).order_by("name"),
        "territories": Territory.objects.filter(
            pk__in=Project.territories.through.objects.values("territory_id"))
        .defer("boundary").order_by("name"),
        "statuses": Project.Status.choices, "horizons": Project.Horizon.choices,
    }


@dataclass(frozen=True)
class SheetFigures:
    """The sheet's summary figures, computed from its records, never typed."""

    meetings: int
    meeting_participants_avg: float | None
    events: int
    event_participants_avg: float | None
    contributions_total: Decimal
    funding_total: Decimal


def project_figures(project: Project) -> SheetFigures:
    meetings = Meeting.objects.filter(project=project).aggregate(
        n=Count("id"), avg=Avg("participants"))
    events = Event.objects.filter(project=project).aggregate(n=Count("id"),
                                                             avg=Avg("participants"))
    money = Contribution.objects.filter(project=project).aggregate(total=Sum("amount"))
    funding = project.funding.aggregate(total=Sum("amount"))
    return SheetFigures(
        meetings=meetings["n"], meeting_participants_avg=meetings["avg"],
        events=events["n"], event_participants_avg=events["avg"],
        contributions_total=money["total"] or Decimal("0"),
        funding_total=funding["total"] or Decimal("0"))


def project_get(*, pact_code: str, code: str) -> Project:
    """A project with its whole sheet, in a fixed number of queries."""
    return (Project.objects.select_related("pact", "cluster", "emergency_action", "lead_party",
                                           "lead_party__category")
            .prefetch_related(
                "involved__party", "challenges", "sdg_targets__goal", "territories",
                Prefetch("links", queryset=Project.objects.select_related("pact")),
                Prefetch("referents", queryset=ProjectReferent.objects.select_related("party")),
                "funding__party", "planned_activities", "completed_activities",
                "critical_issues", "success_factors", "meetings", "events",
                "contributions__party",
                Prefetch("updates", queryset=ProjectUpdate.objects.filter(
                    status=ProjectUpdate.Status.APPROVED).select_related("round")
                    .order_by("-reviewed_at"), to_attr="approved_updates"))
            .get(pact__code=pact_code, code=code))


@dataclass
class RoundRow:
    project: Project
    update: ProjectUpdate | None
    late: bool

    @property
    def state(self) -> str:
        return self.update.status if self.update else "missing"


def round_dashboard(*, reporting_round: ReportingRound, today: dt.date) -> list[RoundRow]:
    """Who reported in a round, who has not, and who is late, one row per active project."""
    from .services import ACTIVE

    updates = {u.project_id: u for u in reporting_round.updates.all()}
    projects = (reporting_round.pact.projects.filter(status__in=ACTIVE)
                .select_related("cluster", "emergency_action", "lead_party")
                .prefetch_related(Prefetch("referents",
                                           queryset=ProjectReferent.objects.select_related(
                                               "party", "user")))
                .order_by("cluster__position", "emergency_action__position", "title"))
    rows = []
    for project in projects:
        update = updates.get(project.pk)
        submitted = update is not None and update.status in (
            ProjectUpdate.Status.SUBMITTED, ProjectUpdate.Status.APPROVED)
        late = not submitted and today > reporting_round.deadline
        rows.append(RoundRow(project, update, late=late))
    return rows


def rounds_for(user) -> QuerySet[ReportingRound]:
    """The rounds of the pacts in which ``user`` has a role; all of them for the
    secretariat, none for anybody else."""
    from .rules import is_secretariat

    rounds = ReportingRound.objects.select_related("pact").order_by("-deadline")
    if is_secretariat(user):
        return rounds
    if not (user and user.is_authenticated):
        return rounds.none()
    return rounds.filter(pact__in=pacts_with_role(user))


def pacts_with_role(user) -> QuerySet[Pact]:
    """Pacts in which ``user`` coordinates a cluster, refers for a project or reports for a
    party."""
    return Pact.objects.filter(
        Q(clusters__coordinators__user=user) | Q(projects__referents__user=user)
        | Q(parties__reporters__user=user)).distinct()


def projects_editable_by(user) -> QuerySet[Project]:
    """The projects whose sheet ``user`` may change: all for the secretariat, a coordinator's
    cluster, a referent's own projects."""
    from .rules import is_secretariat

    projects = (Project.objects.select_related("pact", "cluster", "emergency_action",
                                               "lead_party")
                .order_by("pact", "cluster__position", "emergency_action__position", "title"))
    if is_secretariat(user):
        return projects
    if not (user and user.is_authenticated):
        return projects.none()
    return projects.filter(pk__in=Project.objects.filter(
        Q(cluster__coordinators__user=user) | Q(referents__user=user)).values("pk"))


def project_rights(user, projects: list[Project]) -> tuple[set[int], set[int]]:
    """Which of ``projects`` ``user`` may move in status and which delete, in one query:
    the bulk form of the rules ``change_project_status`` and ``delete_project`` (a test
    holds the two equal)."""
    from .rules import is_secretariat

    if is_secretariat(user):
        every = {p.pk for p in projects}
        return every, every
    clusters = set(user.coordinated_clusters.values_list("cluster_id", flat=True))
    status = {p.pk for p in projects if p.cluster_id in clusters}
    delete = {p.pk for p in projects if p.pk in status and p.status == Project.Status.PROPOSED}
    return status, delete


def project_for_edit(*, pk: int) -> Project:
    """A project with what its edit page shows."""
    return (Project.objects.select_related("pact", "cluster", "emergency_action", "lead_party")
            .prefetch_related("challenges", "territories").get(pk=pk))


def contribution_choices(user) -> tuple[QuerySet[Project], QuerySet, bool]:
    """Projects and granting parties a contribution form offers ``user``, and whether the
    party must be named: a reporter records only what their own party grants (to any project
    of a pact the party signed), a referent what their projects receive."""
    from patto.pact.models import Party

    from .rules import is_secretariat

    projects = Project.objects.order_by("pact", "title")
    if is_secretariat(user):
        return projects, Party.objects.all(), False
    if user.referent_of.exists():
        mine = Q(referents__user=user) | Q(pact__parties__reporters__user=user)
        return (projects.filter(pk__in=Project.objects.filter(mine).values("pk")),
                Party.objects.all(), False)
    return (projects.filter(pact__parties__reporters__user=user).distinct(),
            Party.objects.filter(reporters__user=user), True)


def contributions_for(user) -> QuerySet[Contribution]:
    """Contributions ``user`` recorded or may record: a reporter's parties, a referent's
    projects, everything for the secretariat (the latest first)."""
    from .rules import is_secretariat

    contributions = (Contribution.objects.select_related("project", "project__pact", "party")
                     .order_by("-received_on", "-pk"))
    if is_secretariat(user):
        return contributions
    return contributions.filter(Q(party__reporters__user=user)
                                | Q(project__referents__user=user)).distinct()


def updates_to_review(*, user, reporting_round: ReportingRound) -> QuerySet[ProjectUpdate]:
    updates = reporting_round.updates.filter(status=ProjectUpdate.Status.SUBMITTED) \
        .select_related("project", "project__cluster")
    if user.is_superuser or user.groups.filter(name="secretariat").exists():
        return updates
    return updates.filter(project__cluster__coordinators__user=user)


def projects_for_referent(*, user, pact: Pact) -> QuerySet[Project]:
    from .services import ACTIVE

    return pact.projects.filter(referents__user=user, status__in=ACTIVE).distinct()


# Home pages of the back office ---------------------------------------------------------------

@dataclass
class ReferentReport:
    """One report a referent owes or has made in an open round."""

    reporting_round: ReportingRound
    project: Project
    update: ProjectUpdate | None
    late: bool

    @property
    def state(self) -> str:
        return self.update.status if self.update else "missing"

    @property
    def due(self) -> bool:
        """Still theirs to act on: not written, a draft, or sent back with a comment."""
        return self.state in ("missing", ProjectUpdate.Status.DRAFT,
                              ProjectUpdate.Status.RETURNED)


def referent_home(*, user, today: dt.date) -> tuple[list[Project], list[ReferentReport]]:
    """A referent's projects and their reports in the open rounds of their pacts, in three
    queries whatever the number of projects (one when they refer for none)."""
    from .services import ACTIVE

    projects = list(Project.objects.filter(pk__in=ProjectReferent.objects.filter(user=user)
                                           .values("project_id"))
                    .select_related("pact", "cluster").order_by("pact", "title"))
    if not projects:
        return [], []
    rounds = list(ReportingRound.objects.filter(
        status=ReportingRound.Status.OPEN, pact_id__in={p.pact_id for p in projects})
        .order_by("deadline", "pk"))
    updates = {(u.round_id, u.project_id): u for u in ProjectUpdate.objects.filter(
        round__in=[r.pk for r in rounds], project__in=[p.pk for p in projects])} \
        if rounds else {}
    reports = []
    for reporting_round in rounds:
        for project in projects:
            if project.pact_id != reporting_round.pact_id or project.status not in ACTIVE:
                continue
            update = updates.get((reporting_round.pk, project.pk))
            submitted = update is not None and update.status in (
                ProjectUpdate.Status.SUBMITTED, ProjectUpdate.Status.APPROVED)
            reports.append(ReferentReport(reporting_round, project, update,
                                          late=not submitted and today > reporting_round.deadline))
    return projects, reports


def coordinator_home(*, user) -> tuple[list, list[ProjectUpdate]]:
    """The clusters a person coordinates with their projects, and the reports waiting for their
    review in open rounds: three queries whatever the number of projects."""
    from patto.pact.models import Cluster

    clusters = list(Cluster.objects.filter(coordinators__user=user).select_related("pact")
                    .prefetch_related(Prefetch("projects", queryset=Project.objects
                                               .select_related("pact").order_by("title")))
                    .order_by("pact", "position"))
    if not clusters:
        return [], []
    to_review = list(ProjectUpdate.objects.filter(
        status=ProjectUpdate.Status.SUBMITTED, round__status=ReportingRound.Status.OPEN,
        project__cluster__in=[c.pk for c in clusters])
        .select_related("project", "project__cluster", "round").order_by("round__deadline",
                                                                          "project__title"))
    return clusters, to_review
