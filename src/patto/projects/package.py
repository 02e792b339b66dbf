"""Loads the project tables of a pact data package (projects and their sheets), by code."""

from __future__ import annotations

from decimal import Decimal
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
    PlannedActivity,
    ProcedureStep,
    Project,
    ProjectLink,
    ProjectParty,
    ProjectReferent,
    SuccessFactor,
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
        project = writer.sync(Project, {"pact": pact, "code": row["code"]}, {
            "title": row["title"], "cluster": clusters.get(cluster or ""),
            "emergency_action": actions.get(action or ""), "horizon": row["horizon"],
            "lead_party": party(row["lead_party"], "projects", row, "lead_party"),
            "status": row["status"], "progress": row["progress"],
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
    writer.prune(pact.projects.all(), {p.pk for p in projects.values()})

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

    # The clusters' and challenges' stored roll-ups follow the projects just loaded (the
    # projects' own figures are the package's: set by hand until milestones are recorded).
    from .services import groups_refresh

    groups_refresh(groups={("cluster", c.pk) for c in clusters.values()}
                   | {("challenge", c.pk) for c in challenges.values()})
