"""Every read of projects: lists with filters, the full sheet, its figures, round dashboards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from patto.pact.history import register_role_provider
from patto.pact.models import Pact

from .models import (
    ClusterCoordinator,
    CompletedActivity,
    Contribution,
    Event,
    GroupProgress,
    Meeting,
    Milestone,
    PlannedActivity,
    Project,
    ProjectLink,
    ProjectParty,
    ProjectPlace,
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


def project_counts(pact: Pact, *, full: bool = False) -> dict[str, int]:
    """A pact's project counts (:func:`patto.pact.selectors.register_count`): its projects,
    and with ``full`` their activities."""
    counts = {"projects": Project.objects.filter(pact=pact).count()}
    if full:
        counts["activities"] = (PlannedActivity.objects.filter(project__pact=pact).count()
                                + CompletedActivity.objects.filter(project__pact=pact).count())
    return counts


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
    from patto.pact.models import Challenge, Cluster, Party

    return {
        "clusters": Cluster.objects.select_related("pact"),
        "challenges": Challenge.objects.select_related("pact"),
        # Every party with a part in a project, leading it or involved in it.
        "parties": Party.objects.filter(
            Q(pk__in=Project.objects.values("lead_party_id"))
            | Q(pk__in=ProjectParty.objects.values("party_id"))).order_by("name"),
        **_territory_menu(),
        "statuses": Project.Status.choices, "horizons": Project.Horizon.choices,
    }


#: Above this many places with projects the territory filter is a text box (a municipality's
#: name) with the larger areas suggested, not a menu of thousands of options.
TERRITORY_MENU_MAX = 200


def _territory_menu() -> dict:
    from patto.pact.models import Territory

    named = list(Territory.objects.filter(
        Q(pk__in=Project.territories.through.objects.values("territory_id"))
        | Q(pk__in=ProjectPlace.objects.values("territory_id")))
        .only("code", "name").order_by("name")[:TERRITORY_MENU_MAX + 1])
    if len(named) <= TERRITORY_MENU_MAX:
        return {"territories": named, "territory_search": False}
    areas = list(Territory.objects.exclude(kind=Territory.Kind.MUNICIPALITY)
                 .only("code", "name").order_by("name")[:TERRITORY_MENU_MAX])
    return {"territories": areas, "territory_search": True}


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
    # Only money adds up: goods and resources keep their declared value beside them.
    money = Contribution.objects.filter(project=project, kind=Contribution.Kind.MONEY) \
        .aggregate(total=Sum("amount"))
    funding = project.funding.aggregate(total=Sum("amount"))
    return SheetFigures(
        meetings=meetings["n"], meeting_participants_avg=meetings["avg"],
        events=events["n"], event_participants_avg=events["avg"],
        contributions_total=money["total"] or Decimal("0"),
        funding_total=funding["total"] or Decimal("0"))


def project_get(*, pact_code: str, code: str) -> Project:
    """A project with its whole sheet, in a fixed number of queries."""
    return (Project.objects.select_related("pact", "cluster", "emergency_action", "lead_party",
                                           "lead_party__category", "parent__pact", "rollup")
            .prefetch_related(
                "involved__party", "challenges", "sdg_targets__goal", "territories",
                "milestones", "places",
                Prefetch("subprojects", queryset=Project.objects.select_related("pact")
                         .order_by("code")),
                Prefetch("outgoing_links", queryset=ProjectLink.objects.select_related(
                    "to_project__pact").order_by("to_project__title")),
                Prefetch("referents", queryset=ProjectReferent.objects.select_related("party")),
                "funding__party", "planned_activities", "completed_activities",
                "procedure_steps",
                "critical_issues", "success_factors", "meetings", "events",
                "contributions__party",
                Prefetch("updates", queryset=ProjectUpdate.objects.filter(
                    status=ProjectUpdate.Status.APPROVED).select_related("round")
                    .order_by("-reviewed_at"), to_attr="approved_updates"))
            .get(pact__code=pact_code, code=code))


@dataclass(frozen=True)
class PlaceCount:
    code: str
    name: str
    kind: str
    count: int


@dataclass(frozen=True)
class ProjectMap:
    """What the projects' map shows: projects per territory, the points drawn for them and
    how many have no place at all (said beside the map, so nobody reads absence as none)."""

    territories: list[PlaceCount]
    points: list[dict]
    total: int
    without_place: int

    def data(self) -> dict:
        """For the map script: counts by territory code, points with their project."""
        return {"counts": {t.code: t.count for t in self.territories},
                "max": max((t.count for t in self.territories), default=0),
                "points": self.points}


def project_map_data(projects: QuerySet[Project]) -> ProjectMap:
    """The filtered projects' places in four queries, whatever the number of projects."""
    from django.db.models import Exists, OuterRef

    from patto.pact.models import Territory

    ids = projects.order_by().values("pk")
    through = Project.territories.through
    counts = (Territory.objects.filter(pk__in=through.objects.filter(project__in=ids)
                                       .values("territory_id"))
              .annotate(n=Count("projects", filter=Q(projects__in=ids), distinct=True))
              .order_by("-n", "name").values_list("code", "name", "kind", "n"))
    territories = [PlaceCount(code, name, kind, n) for code, name, kind, n in counts]
    from django.urls import reverse

    points = [{"name": name, "lat": float(lat), "lon": float(lon), "title": title,
               "url": reverse("projects:project_detail", args=[pact, code])}
              for name, lat, lon, title, pact, code in ProjectPlace.objects.filter(
                  project__in=ids).order_by("project__title", "name").values_list(
                  "name", "latitude", "longitude", "project__title", "project__pact__code",
                  "project__code")]
    located = Q(Exists(through.objects.filter(project=OuterRef("pk")))) | Q(
        Exists(ProjectPlace.objects.filter(project=OuterRef("pk"))))
    figures = Project.objects.filter(pk__in=ids).aggregate(
        total=Count("pk"), without=Count("pk", filter=~located))
    return ProjectMap(territories, points, figures["total"], figures["without"])


#: The columns of the procedural steps' download, ready to be matched with national data
#: (OpenCoesione, BDAP-MOP) by CUP.
STEP_COLUMNS = ["pact", "project", "project_title", "cup", "step", "step_label",
                "planned_start_on", "planned_end_on", "actual_start_on", "actual_end_on",
                "delay_days", "state", "note", "example"]


#: Where a step stands, as the page words the download's codes.
STEP_STATES = {"done": gettext_lazy("ended"), "running": gettext_lazy("under way"),
               "late_to_start": gettext_lazy("late to start"),
               "not_started": gettext_lazy("not started")}


def procedure_step_rows(projects: QuerySet[Project], *, today: dt.date) -> list[list]:
    """Every procedural step of these projects, one query: planned against actual, the
    delay at ``today`` (days late at the end, or so far while running; negative when early)
    and where the step stands (done, running, late to start, not started)."""
    from patto.engine.pact_package import step_delay

    from .models import ProcedureStep

    labels = dict(ProcedureStep.Step.choices)
    order = list(labels)
    rows = []
    for (pact, code, title, cup, example, step, ps, pe, as_, ae, note) in (
            ProcedureStep.objects.filter(project__in=projects.order_by().values("pk"))
            .values_list("project__pact__code", "project__code", "project__title",
                         "project__cup", "project__is_example", "step", "planned_start_on",
                         "planned_end_on", "actual_start_on", "actual_end_on", "note")):
        if ae is not None:
            state = "done"
        elif as_ is not None:
            state = "running"
        elif ps is not None and today > ps:
            state = "late_to_start"
        else:
            state = "not_started"
        rows.append([pact, code, title, cup, step, str(labels[step]), ps, pe, as_, ae,
                     step_delay(pe, ae, today), state, note, example])
    rows.sort(key=lambda r: (r[0], r[1], order.index(r[4])))
    return rows


@dataclass(frozen=True)
class ProgressPart:
    """One part of a stored roll-up as a page words it."""

    label: str
    kind: str
    share: float  # percent of the weight
    progress: float | None
    done: int
    total: int
    pact: str = ""
    code: str = ""


@dataclass(frozen=True)
class ProgressView:
    """A project's (or group's) stored progress and what it is made of, for its page."""

    value: float | None
    method: str
    method_label: str
    reason: str
    note: str
    parts: list[ProgressPart]
    computed_at: dt.datetime | None

    def chart(self) -> dict:
        """The parts for the page's bar chart (the table beside it has the same figures)."""
        return {"labels": [p.label for p in self.parts],
                "progress": [p.progress for p in self.parts],
                "share": [round(p.share, 1) for p in self.parts]}


def _parts(raw: list[dict]) -> list[ProgressPart]:
    return [ProgressPart(label=p["label"], kind=p["kind"], share=p["share"] * 100,
                         progress=p["progress"], done=p["done"], total=p["total"],
                         pact=p.get("pact", ""), code=p.get("code", "")) for p in raw]


def project_progress(project: Project) -> ProgressView:
    """The stored roll-up of a project fetched by :func:`project_get` (no query); a project
    never rolled up shows its figure as set by hand."""
    try:
        stored = project.rollup
    except Project.rollup.RelatedObjectDoesNotExist:
        stored = None
    method = stored.method if stored else project.progress_method
    return ProgressView(
        value=stored.value if stored else float(project.progress), method=method,
        method_label=Project.ProgressMethod(method).label,
        reason=stored.reason if stored else "",
        note=stored.note if stored else project.progress_reason,
        parts=_parts(stored.parts) if stored else [],
        computed_at=stored.computed_at if stored else None)


def group_progress(*, cluster=None, challenge=None) -> ProgressView | None:
    """A cluster's or challenge's stored roll-up, one query; None before any roll-up."""
    found = GroupProgress.objects.filter(
        **({"cluster": cluster} if cluster is not None else {"challenge": challenge})).first()
    if found is None:
        return None
    return ProgressView(value=found.value, method="projects", method_label="",
                        reason=found.reason, note="", parts=_parts(found.parts),
                        computed_at=found.computed_at)


@dataclass
class MilestoneNode:
    milestone: Milestone
    children: list[MilestoneNode]


def milestone_tree(project: Project) -> list[MilestoneNode]:
    """The project's milestones (prefetched) as a tree, in their order."""
    items = list(project.milestones.all())
    nodes = {m.pk: MilestoneNode(m, []) for m in items}
    roots = []
    for m in items:
        (nodes[m.parent_id].children if m.parent_id in nodes else roots).append(nodes[m.pk])
    return roots


@dataclass
class RoundRow:
    project: Project
    update: ProjectUpdate | None
    late: bool

    @property
    def state(self) -> str:
        return self.update.status if self.update else "missing"


@dataclass(frozen=True)
class RoundCounts:
    """A round at a glance: reports due, sent (submitted or approved), approved, late."""

    due: int
    sent: int
    approved: int
    late: int


def round_counts(rows: list[RoundRow]) -> RoundCounts:
    """The counts of a dashboard's rows, so a page never asks the database twice."""
    sent = [r for r in rows if r.state in (ProjectUpdate.Status.SUBMITTED,
                                           ProjectUpdate.Status.APPROVED)]
    return RoundCounts(due=len(rows), sent=len(sent),
                       approved=sum(r.state == ProjectUpdate.Status.APPROVED for r in rows),
                       late=sum(r.late for r in rows))


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


def updates_to_review(*, user, reporting_round: ReportingRound,
                      secretariat: bool | None = None) -> QuerySet[ProjectUpdate]:
    """Submitted reports of a round that ``user`` reviews; ``secretariat`` saves the role
    query when the caller already knows it."""
    from .rules import is_secretariat

    updates = reporting_round.updates.filter(status=ProjectUpdate.Status.SUBMITTED) \
        .select_related("project", "project__cluster")
    if secretariat if secretariat is not None else is_secretariat(user):
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


def referent_reports(*, user, rounds: QuerySet[ReportingRound]) -> list[tuple]:
    """Each open round's projects that ``user`` refers for, with their report in it (or None),
    in two queries: the list shows where each report stands."""
    from .services import ACTIVE

    rounds = [r for r in rounds if r.status == ReportingRound.Status.OPEN]
    if not rounds:
        return []
    projects = list(Project.objects.filter(referents__user=user, status__in=ACTIVE,
                                           pact__in={r.pact_id for r in rounds})
                    .distinct().order_by("title"))
    updates = {(u.round_id, u.project_id): u for u in ProjectUpdate.objects.filter(
        round__in=rounds, project__in=projects)}
    return [(r, p, updates.get((r.pk, p.pk))) for r in rounds for p in projects
            if p.pact_id == r.pact_id]


@dataclass(frozen=True)
class Change:
    """One field of a report that differs between two submissions."""

    field: str
    label: str
    before: list[str]
    after: list[str]

    @property
    def removed(self) -> list[str]:
        return [x for x in self.before if x not in self.after]

    @property
    def added(self) -> list[str]:
        return [x for x in self.after if x not in self.before]


def _report_lines(content: dict) -> dict[str, tuple[str, list[str]]]:
    """A report's content as (label, lines) per field, the way a person compares two
    versions."""
    from django.utils.translation import gettext as _

    p = content.get("payload") or {}
    status = content.get("proposed_status", "")
    try:
        status = Project.Status(status).label
    except ValueError:
        pass
    return {
        "proposed_status": (_("Project status"), [str(status)]),
        "progress": (_("Progress (%)"), [str(content.get("progress", ""))]),
        "summary": (_("What happened in this period"), [content.get("summary", "")]),
        "completed": (_("Activities completed"), [f"{r['done_on']}: {r['text']}"
                                                  for r in p.get("completed", [])]),
        "issues": (_("Critical issues"), list(p.get("issues", []))),
        "meetings": (_("Meetings held"), [
            " ".join(filter(None, [r["held_on"], r.get("title") or "", _participants(r)]))
            for r in p.get("meetings", [])]),
        "events": (_("Events"), [
            " ".join(filter(None, [r["held_on"], r["title"], r.get("place") or "",
                                   _participants(r)]))
            for r in p.get("events", [])]),
        "milestones": (_("Milestones reached"), [f"{r['done_on']}: {r.get('title') or r['id']}"
                                                 for r in p.get("milestones", [])]),
        "progress_reason": (_("Why the progress is this figure"),
                            [p["progress_reason"]] if p.get("progress_reason") else []),
    }


def _participants(record: dict) -> str:
    from django.utils.translation import gettext as _

    n = record.get("participants")
    return "" if n is None else _("(%(n)s participants)") % {"n": n}


def report_changes(*, before: dict, after: dict) -> list[Change]:
    """Field by field, what changed between two contents of a report (see
    ``services.report_content``); unchanged fields are left out."""
    old, new = _report_lines(before), _report_lines(after)
    return [Change(field, label, old[field][1], lines)
            for field, (label, lines) in new.items() if old[field][1] != lines]


def report_history(update: ProjectUpdate) -> tuple:
    """For a report's review: the submission that was sent back before this one (with the
    coordinator's comment) and what changed since, or (None, []) for a first submission."""
    from .services import report_content

    submissions = list(update.submissions.order_by("-number")[:2])
    if len(submissions) < 2:
        return None, []
    previous = submissions[1]
    return previous, report_changes(before=previous.content, after=report_content(update))


@dataclass(frozen=True)
class Notice:
    """A recent workflow event for a person: a report to review, sent back or approved."""

    kind: str
    when: dt.datetime
    text: str
    url: str
    update: ProjectUpdate


def notices_for(*, user, limit: int = 10) -> list[Notice]:
    """Recent reporting events that concern ``user``, the latest first, in one query (two for
    the secretariat check): reports waiting for their review (a coordinator's cluster, or any
    for the secretariat) and their own projects' reports sent back or approved."""
    from django.db.models import Case, F, When
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .rules import is_secretariat

    if not (user and user.is_authenticated):
        return []
    status = ProjectUpdate.Status
    to_review = Q(status=status.SUBMITTED)
    if not is_secretariat(user):
        to_review &= Q(project__cluster__coordinators__user=user)
    mine = Q(status__in=[status.RETURNED, status.APPROVED], project__referents__user=user)
    updates = (ProjectUpdate.objects.filter(pk__in=ProjectUpdate.objects.filter(
        to_review | mine).values("pk"))
        .select_related("project", "round")
        .annotate(when=Case(When(status=status.SUBMITTED, then=F("submitted_at")),
                            default=F("reviewed_at")))
        .order_by(F("when").desc(nulls_last=True), "-pk")[:limit])
    texts = {
        status.SUBMITTED: _("“%(project)s” (%(round)s) was submitted: it waits for your "
                            "review."),
        status.RETURNED: _("“%(project)s” (%(round)s) was sent back: read the comment and "
                           "submit it again."),
        status.APPROVED: _("“%(project)s” (%(round)s) was approved and published."),
    }
    notices = []
    for u in updates:
        url = (reverse("projects:update_edit", args=[u.round_id, u.project_id])
               if u.status == status.RETURNED else reverse("projects:update_review",
                                                           args=[u.pk]))
        notices.append(Notice(kind=u.status, when=u.when, update=u, url=url,
                              text=texts[u.status] % {"project": u.project.title,
                                                      "round": u.round.title}))
    return notices


def report_states(projects: list[Project]) -> dict[int, list[tuple]]:
    """For each active project, its report in each open round of its pact ((round, update or
    None)), in two queries whatever the number of projects: where every list of projects
    shows where its reports stand."""
    from .services import ACTIVE

    active = [p for p in projects if p.status in ACTIVE]
    if not active:
        return {}
    rounds = list(ReportingRound.objects.filter(
        status=ReportingRound.Status.OPEN, pact_id__in={p.pact_id for p in active})
        .order_by("deadline"))
    if not rounds:
        return {}
    updates = {(u.round_id, u.project_id): u for u in ProjectUpdate.objects.filter(
        round__in=rounds, project__in=active).only("pk", "round_id", "project_id", "status")}
    return {p.pk: [(r, updates.get((r.pk, p.pk))) for r in rounds if r.pact_id == p.pact_id]
            for p in active}


def project_roles(user_ids: set[int]) -> dict[int, Any]:
    """The project roles of these accounts, for public history (two queries)."""
    from django.utils.translation import gettext_lazy as _

    roles: dict[int, Any] = {}
    for uid in ClusterCoordinator.objects.filter(user_id__in=user_ids).values_list(
            "user_id", flat=True):
        roles[uid] = _("cluster coordinator")
    for uid in ProjectReferent.objects.filter(user_id__in=user_ids).values_list(
            "user_id", flat=True):
        roles.setdefault(uid, _("project referent"))
    return roles


# Public history names the project roles of the people behind each change.
register_role_provider(project_roles)
