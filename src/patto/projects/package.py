"""Loads the project tables of a pact data package (projects and their sheets), by code.

Sub-projects (``parent``, ``weight``), milestones and the points of projects are loaded
here too. The rule for milestones done: a package load is the secretariat's initial
record, so a package may mark a milestone done (``done_on``, with no report behind it);
once an approved progress report has marked a milestone done, reports alone change it, and
a package that gives another date, or leaves the milestone out, is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from patto.engine.datapackage import PackageData
from patto.engine.pact_package import split_list
from patto.engine.problems import InputError, Problem
from patto.pact.models import Pact, SdgGoal, SdgTarget, Territory
from patto.pact.services import PackageWriter, basis_values

from .models import (
    CompletedActivity,
    Contribution,
    CriticalIssue,
    Event,
    Funding,
    Meeting,
    Milestone,
    PlannedActivity,
    ProcedureStep,
    Project,
    ProjectLink,
    ProjectParty,
    ProjectPlace,
    ProjectReferent,
    SuccessFactor,
)

# Importing the services also connects the rule that stores a point's municipality.
from .services import (
    groups_refresh,
    municipality_areas,
    place_municipality,
    progress_refresh,
)

# Sheet tables: model, resource, the columns that identify a row, the other columns.
SHEET_TABLES = [
    (ProcedureStep, "procedure_steps", ["step"],
     ["planned_start_on", "planned_end_on", "actual_start_on", "actual_end_on", "note"]),
    (PlannedActivity, "planned_activities", ["position"], ["title", "due_on", "status"]),
    (CompletedActivity, "completed_activities", ["done_on", "text"], []),
    (CriticalIssue, "critical_issues", ["text"], ["noted_on"]),
    (SuccessFactor, "success_factors", ["text"], []),
    (Meeting, "meetings", ["held_on", "title"], ["participants"]),
    (Event, "events", ["title", "held_on"], ["place", "organiser", "participants"]),
]


def _text(value: Any) -> Any:
    return "" if value is None else value


def _money(value: Any) -> Decimal | None:
    # Frictionless reads numbers as Decimal already; str() keeps every cent of a float too.
    return None if value is None else Decimal(str(value))


def _refuse(resource: str, row: dict, field: str, detail: str) -> InputError:
    return InputError([Problem(file=f"{resource}.csv", row=row["_row"], field=field,
                               code="unknown-reference", detail=detail)])


def _weight(value: Any) -> Decimal:
    return Decimal("1") if value is None else Decimal(str(value))


def _degrees(value: Any) -> Decimal:
    # The model keeps 5 decimals (about 1 m): a map tool's longer figures are rounded.
    return Decimal(str(value)).quantize(Decimal("0.00001"), rounding=ROUND_HALF_EVEN)


def parents_first(rows: list[dict], *, resource: str, key: Callable[[dict], Hashable],
                  parent: Callable[[dict], Hashable | None], what: str,
                  where: str) -> list[dict]:
    """The rows in an order where each row's parent comes before it (the file's order
    otherwise); refuses a parent missing from the rows and a row inside itself."""
    by_key = {key(r): r for r in rows}
    for r in rows:
        up = parent(r)
        if up is not None and up not in by_key:
            raise _refuse(resource, r, "parent", f"{what} {r['parent']!r} is not in "
                          f"{resource}.csv {where}: write one that is, or empty the cell")
    ordered: list[dict] = []
    state: dict[Hashable, str] = {}
    for start in rows:
        chain, node = [], start
        # Walk up to a row already placed, then place the chain from the top down.
        while node is not None and state.get(key(node)) != "done":
            if state.get(key(node)) == "open":
                raise _refuse(resource, node, "parent", f"{what} {node['parent']!r} is "
                              "part of this row, directly or through others: a row cannot "
                              "be part of itself; empty the cell or choose another")
            state[key(node)] = "open"
            chain.append(node)
            up = parent(node)
            node = by_key[up] if up is not None else None
        for r in reversed(chain):
            state[key(r)] = "done"
            ordered.append(r)
    return ordered


def sdg_target(code: str, resource: str, row: dict) -> SdgTarget:
    goal_number = int(code.split(".")[0])
    goal = SdgGoal.objects.filter(number=goal_number).first()
    if goal is None:
        raise _refuse(resource, row, "sdg_targets",
                      f"{code} is not a target of one of the 17 SDGs; use e.g. 8.5")
    target, _ = SdgTarget.objects.get_or_create(code=code, defaults={"goal": goal})
    return target


def load_projects_section(*, data: PackageData, writer: PackageWriter, pact: Pact,
                          parties: dict) -> None:
    """Make the pact's projects match the package's project tables exactly."""
    rows = [r for r in data.tables.get("projects", []) if r["pact"] == pact.code]
    if "projects" not in data.tables:
        return
    clusters = {c.code: c for c in pact.clusters.all()}
    actions = {a.code: a for a in pact.emergency_actions.all()}
    challenges = {c.code: c for c in pact.challenges.all()}

    def party(code: str, resource: str, row: dict, field: str):
        found = parties.get(code)
        if found is None:
            from patto.pact.models import Party

            found = Party.objects.filter(code=code).first()
        if found is None:
            raise _refuse(resource, row, field, f"party {code!r} is not in parties.csv")
        return found

    rows = parents_first(rows, resource="projects", key=lambda r: r["code"],
                         parent=lambda r: r.get("parent") or None, what="project",
                         where="for this pact")
    projects: dict[str, Project] = {}
    for row in rows:
        cluster, action = row.get("cluster"), row.get("emergency_action")
        if bool(cluster) == bool(action):
            raise _refuse("projects", row, "cluster",
                          "a project belongs to a cluster or carries out an emergency action: "
                          "fill exactly one of cluster and emergency_action")
        if cluster and cluster not in clusters:
            raise _refuse("projects", row, "cluster", f"cluster {cluster!r} is not in "
                          "clusters.csv for this pact")
        if action and action not in actions:
            raise _refuse("projects", row, "emergency_action", f"emergency action {action!r} "
                          "is not in emergency_actions.csv for this pact")
        method = row.get("progress_method") or Project.ProgressMethod.MANUAL
        # Progress from milestones or indicators is the roll-up's, computed after the load.
        progress = {"progress": row["progress"]} if method == Project.ProgressMethod.MANUAL \
            else {}
        project = writer.sync(Project, {"pact": pact, "code": row["code"]}, {
            "title": row["title"], "cluster": clusters.get(cluster or ""),
            "emergency_action": actions.get(action or ""), "horizon": row["horizon"],
            "lead_party": party(row["lead_party"], "projects", row, "lead_party"),
            "status": row["status"], **progress,
            "parent": projects.get(row.get("parent") or ""), "weight": _weight(row.get("weight")),
            "progress_method": method, "progress_reason": _text(row.get("progress_reason")),
            "start_on": row.get("start_on"), "end_on": row.get("end_on"),
            "cup": _text(row.get("cup")), "budget": _money(row.get("budget")),
            "summary": row["summary"], "expected_results": _text(row.get("expected_results")),
            "description": _text(row.get("description"))
            or data.text(row.get("text_file"), resource="projects", row=row),
            "is_example": bool(row.get("example")), "source": _text(row.get("source")),
            "sheet_updated_on": row.get("sheet_updated_on"),
            "working_method": _text(row.get("working_method")),
            **basis_values(row, "status_basis", "projects", example=bool(row.get("example")),
                           prefix="status_"),
            **basis_values(row, "lead_party_basis", "projects",
                           example=bool(row.get("example")), prefix="lead_party_"),
        }, src=("projects", row))
        projects[row["code"]] = project
        for code in split_list(row.get("challenges")):
            if code not in challenges:
                raise _refuse("projects", row, "challenges",
                              f"challenge {code!r} is not in challenges.csv for this pact")
        writer.set_m2m(project.challenges, [challenges[c] for c in
                                            split_list(row.get("challenges"))])
        writer.set_m2m(project.sdg_targets, [sdg_target(c, "projects", row)
                                             for c in split_list(row.get("sdg_targets"))])
        places = []
        for code in split_list(row.get("territories")):
            place = Territory.objects.filter(code=code).first()
            if place is None:
                raise _refuse("projects", row, "territories",
                              f"territory {code!r} is not in territories.csv")
            places.append(place)
        writer.set_m2m(project.territories, places)
    _prune_projects(writer, pact, {p.pk for p in projects.values()})

    def of_pact(resource: str) -> list[dict]:
        found = [r for r in data.tables.get(resource, []) if r["pact"] == pact.code]
        for r in found:
            if r["project"] not in projects:
                raise _refuse(resource, r, "project", f"project {r['project']!r} is not in "
                              "projects.csv for this pact")
        return found

    # Each link is held both ways, with the same note (the sheet says it once).
    keep = set()
    for r in of_pact("project_links"):
        other = projects.get(r["linked_project"])
        if other is None:
            raise _refuse("project_links", r, "linked_project",
                          f"project {r['linked_project']!r} is not in projects.csv")
        one = projects[r["project"]]
        for a, b in ((one, other), (other, one)):
            keep.add(writer.sync(ProjectLink, {"from_project": a, "to_project": b},
                                 {"note": _text(r.get("note"))}, src=("project_links", r)).pk)
    writer.prune(ProjectLink.objects.filter(from_project__pact=pact), keep)

    keep = {writer.sync(ProjectParty, {
        "project": projects[r["project"]],
        "party": party(r["party"], "project_parties", r, "party")},
        {"role": r["role"], **basis_values(r, "basis", "project_parties")},
        src=("project_parties", r)).pk for r in of_pact("project_parties")}
    writer.prune(ProjectParty.objects.filter(project__pact=pact), keep)

    keep = {writer.sync(ProjectReferent, {
        "project": projects[r["project"]],
        "party": party(r["party"], "project_referents", r, "party"), "person": r["person"]},
        {}, src=("project_referents", r)).pk for r in of_pact("project_referents")}
    writer.prune(ProjectReferent.objects.filter(project__pact=pact), keep)

    keep = {writer.sync(Funding, {"project": projects[r["project"]], "source": r["source"]}, {
        "party": party(r["party"], "project_funding", r, "party") if r.get("party") else None,
        "kind": r["kind"], "amount": _money(r["amount"])}, src=("project_funding", r)).pk
        for r in of_pact("project_funding")}
    writer.prune(Funding.objects.filter(project__pact=pact), keep)

    keep = {writer.sync(Contribution, {
        "project": projects[r["project"]], "activity": r["activity"],
        "granted_by": r["granted_by"]}, {
        "kind": r.get("kind") or Contribution.Kind.MONEY, "resource": _text(r.get("resource")),
        "amount": _money(r.get("amount")), "received_on": r.get("received_on"),
        "party": party(r["party"], "contributions", r, "party") if r.get("party") else None},
        src=("contributions", r)).pk for r in of_pact("contributions")}
    writer.prune(Contribution.objects.filter(project__pact=pact), keep)

    for model, resource, key, other in SHEET_TABLES:
        keep = set()
        for r in of_pact(resource):
            lookup = {"project": projects[r["project"]], **{k: _text(r.get(k)) if k in (
                "title", "text") else r.get(k) for k in key}}
            values = {k: _text(r.get(k)) if k in ("title", "place", "organiser", "note")
                      else r.get(k)
                      for k in other}
            keep.add(writer.sync(model, lookup, values, src=(resource, r)).pk)
        writer.prune(model.objects.filter(project__pact=pact), keep)

    _load_milestones(of_pact("milestones"), writer, pact, projects)
    _load_places(of_pact("project_places"), writer, pact, projects)

    # The stored roll-ups follow the projects just loaded: those made of parts (milestones,
    # sub-projects, indicators) and the projects above them, then every cluster and
    # challenge (the other projects' figures are the package's, set by hand).
    parts = [p.pk for p in projects.values()
             if p.parent_id or p.progress_method != Project.ProgressMethod.MANUAL]
    if parts:
        progress_refresh(projects=parts)
    groups_refresh(groups={("cluster", c.pk) for c in clusters.values()}
                   | {("challenge", c.pk) for c in challenges.values()})


def _prune_projects(writer: PackageWriter, pact: Pact, keep: set[int]) -> None:
    """Remove the projects the package left out, sub-projects before their projects (a
    project keeps its sub-projects from being deleted under them)."""
    stale = dict(pact.projects.exclude(pk__in=keep).values_list("pk", "parent_id"))

    def depth(pk: int) -> int:
        found, node = 0, stale[pk]
        while node in stale and found <= len(stale):
            found, node = found + 1, stale[node]
        return found

    levels: dict[int, list[int]] = {}
    for pk in stale:
        levels.setdefault(depth(pk), []).append(pk)
    for level in sorted(levels, reverse=True):
        writer.prune(Project.objects.filter(pk__in=levels[level]), set())


def _load_milestones(rows: list[dict], writer: PackageWriter, pact: Pact,
                     projects: dict[str, Project]) -> None:
    """Milestones by project and title, parents first; done dates as the rule in the
    module's docstring says."""
    rows = parents_first(rows, resource="milestones", key=lambda r: (r["project"], r["title"]),
                         parent=lambda r: (r["project"], r["parent"]) if r.get("parent")
                         else None, what="milestone", where="for the same project")
    stored = {(m.project_id, m.title): m for m in Milestone.objects.filter(
        project__pact=pact).select_related("update__round")}
    order: dict[str, int] = {}
    made: dict[tuple[str, str], Milestone] = {}
    for r in sorted(rows, key=lambda r: r["_row"]):
        order[r["project"]] = order.get(r["project"], 0) + 1
        r["_order"] = order[r["project"]]
    for r in rows:
        project = projects[r["project"]]
        before = stored.get((project.pk, r["title"]))
        if before is not None and before.update_id and before.done_on != r.get("done_on"):
            raise _refuse("milestones", r, "done_on", (
                f"milestone {r['title']!r} was marked done on {before.done_on} by an approved "
                f"progress report ({before.update.round}): only reports change it; write "
                f"{before.done_on} in done_on"))
        made[(r["project"], r["title"])] = writer.sync(
            Milestone, {"project": project, "title": r["title"]}, {
                "parent": made[(r["project"], r["parent"])] if r.get("parent") else None,
                "position": r["_order"] if r.get("position") is None else r["position"],
                "weight": _weight(r.get("weight")), "due_on": r.get("due_on"),
                "done_on": r.get("done_on")}, src=("milestones", r))
    keep = {m.pk for m in made.values()}
    stale = {m.pk: m for m in stored.values() if m.pk not in keep}
    reported = [m for m in stale.values() if m.update_id]
    if reported:
        m = reported[0]
        raise InputError([Problem(
            file="milestones.csv", field="title", code="still-referenced",
            detail=f"milestone {m.title!r} of project {m.project.code!r} is missing from the "
                   f"file but an approved progress report ({m.update.round}) marked it done "
                   f"on {m.done_on}: keep it in the file",
            params={"value": m.title})])
    # Deleting a milestone deletes its parts: remove only the stale ones at the top.
    writer.prune(Milestone.objects.filter(
        pk__in=[pk for pk, m in stale.items() if m.parent_id not in stale]), set())


def _load_places(rows: list[dict], writer: PackageWriter, pact: Pact,
                 projects: dict[str, Project]) -> None:
    """Points of projects by project and name; a point without a municipality gets the one
    whose boundary holds it, found here with the boundaries read once."""
    areas = None
    keep = set()
    for r in rows:
        latitude, longitude = _degrees(r["latitude"]), _degrees(r["longitude"])
        code = r.get("municipality")
        if code:
            territory = Territory.objects.filter(code=code).first()
            if territory is None:
                raise _refuse("project_places", r, "municipality",
                              f"territory {code!r} is not in territories.csv: write the code "
                              "of a municipality (e.g. 037006), or empty the cell to find it "
                              "from the boundaries")
            if territory.kind != Territory.Kind.MUNICIPALITY:
                raise _refuse("project_places", r, "municipality",
                              f"territory {code!r} is a {territory.kind}, not a municipality: "
                              "write the code of the municipality the point lies in (e.g. "
                              "037006), or empty the cell to find it from the boundaries")
        else:
            areas = municipality_areas() if areas is None else areas
            found = place_municipality(latitude=latitude, longitude=longitude, areas=areas)
            territory = Territory.objects.filter(pk=found).first() if found else None
        keep.add(writer.sync(ProjectPlace, {"project": projects[r["project"]], "name": r["name"]},
                             {"latitude": latitude, "longitude": longitude,
                              "territory": territory}, src=("project_places", r)).pk)
    writer.prune(ProjectPlace.objects.filter(project__pact=pact), keep)
