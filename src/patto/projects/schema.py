"""The tables of projects in a pact data package: one schema for packages, imports, exports."""

from __future__ import annotations


def res(name, fields, key, fks=(), description=""):
    schema = {"fields": fields, "primaryKey": key}
    if fks:
        schema["foreignKeys"] = list(fks)
    out = {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
           "format": "csv", "encoding": "utf-8", "schema": schema}
    if description:
        out["description"] = description
    return out


def f(name, type_="string", description="", **constraints):
    out = {"name": name, "type": type_}
    if constraints:
        out["constraints"] = constraints
    if description:
        out["description"] = description
    return out


PROJECT_FK = {"fields": ["pact", "project"],
              "reference": {"resource": "projects", "fields": ["pact", "code"]}}
PARTY_FK = {"fields": ["party"], "reference": {"resource": "parties", "fields": ["id"]}}
PACT = f("pact", required=True)
BASIS_HELP = ("Where {what} comes from: 'source: <citation>', 'inferred: <reasoning>' or "
              "'example'; empty means source (or example on a row marked as example)")


def basis(name: str, what: str) -> dict:
    return f(name, description=BASIS_HELP.format(what=what),
             pattern="(source|inferred|example)(:[\\s\\S]*)?")

MILESTONE_DONE_HELP = (
    "The day the milestone was done; empty while it is not done. A package load is the "
    "secretariat's initial record, so it may mark milestones done (without a report); once "
    "an approved progress report has marked a milestone done, only reports change it: the "
    "package must keep that date and cannot leave the milestone out")

PROJECT = f("project", required=True, description="Code of the project (projects.code)")

RESOURCES = [
    res("projects", [
        PACT,
        f("code", required=True, pattern="[a-z0-9-]+"),
        f("title", required=True),
        f("cluster", description="Code of the cluster; empty for an emergency action"),
        f("emergency_action", description="Code of the emergency action (emergency_actions.code) "
          "this project carries out; empty for a cluster project"),
        f("horizon", required=True, enum=["emergency", "short", "medium_long"]),
        f("lead_party", required=True, description="parties.id of the lead party"),
        basis("lead_party_basis", "the lead party"),
        f("status", required=True,
          enum=["proposed", "approved", "in_progress", "suspended", "completed", "cancelled"]),
        f("progress", "integer", required=True, minimum=0, maximum=100,
          description="Share of the project done, in percent"),
        basis("status_basis", "the status and progress"),
        f("start_on", "date"), f("end_on", "date"),
        f("cup", pattern="[A-Z][0-9]{2}[A-Z][0-9]{11}",
          description="Codice Unico di Progetto (15 characters), when the project has one"),
        f("budget", "number", minimum=0, description="Total budget in euro"),
        f("summary", required=True, description="What the project does, Italian"),
        f("expected_results", description="Expected results, one per line"),
        f("text_file", description="Markdown file with the longer description"),
        f("description", description="The longer description in Markdown, when it is not in "
          "a text_file (exports write it here)"),
        f("challenges", description="Codes of the challenges it serves, separated by ';'"),
        f("sdg_targets", pattern="[0-9]{1,2}\\.[0-9a-z]{1,2}(;[0-9]{1,2}\\.[0-9a-z]{1,2})*",
          description="UN SDG targets it serves, e.g. 8.5;8.6"),
        f("territories", description="territories.id it covers, separated by ';'"),
        f("example", "boolean", description="true when the record is illustrative"),
        f("source", description="Where the information comes from"),
        f("sheet_updated_on", "date",
          description="The update date the sheet itself gives, when it comes from a document"),
        f("working_method", description="The sheet's sentence on the working method, under "
          "the completed activities"),
        f("parent", pattern="[a-z0-9-]+", description="Code of the project (of the same "
          "pact) this one is a sub-project of; empty for a project at the top"),
        f("weight", "number", minimum=0, description="Weight among the other parts of its "
          "project (or the other projects of its cluster): only the proportions count; empty "
          "means 1"),
        f("progress_method", enum=["manual", "milestones", "indicators"],
          description="Where the progress comes from: manual (the progress column, the "
          "default), milestones (its milestones and sub-projects) or indicators (their share "
          "of target); with milestones or indicators the progress column is what the roll-up "
          "gave when exported, and a load computes it again instead of reading it"),
        f("progress_reason", description="Why the progress set by hand is what it is"),
    ], ["pact", "code"], [
        {"fields": ["lead_party"], "reference": {"resource": "parties", "fields": ["id"]}},
        {"fields": ["pact"], "reference": {"resource": "pacts", "fields": ["id"]}},
    ]),
    res("project_parties", [PACT, PROJECT, f("party", required=True),
                            f("role", required=True, description="e.g. partner, funder"),
                            basis("basis", "the party's involvement")],
        ["pact", "project", "party"], [PROJECT_FK, PARTY_FK]),
    res("project_referents", [PACT, PROJECT, f("party", required=True),
                              f("person", required=True,
                                description="Name of the referent: personal data, staff only")],
        ["pact", "project", "party", "person"], [PROJECT_FK, PARTY_FK]),
    res("project_links", [PACT, PROJECT, f("linked_project", required=True),
                          f("note", description="What the sheet says of the link")],
        ["pact", "project", "linked_project"], [PROJECT_FK],
        description="Links between projects; each link holds both ways"),
    res("milestones", [PACT, PROJECT,
                       f("title", required=True,
                         description="The milestone; unique within its project"),
                       f("parent", description="Title of the milestone (of the same project) "
                         "this one is part of; empty for a milestone at the top"),
                       f("position", "integer", minimum=0,
                         description="Order among its siblings; empty means the file's order"),
                       f("weight", "number", minimum=0,
                         description="Weight among its siblings; empty means 1"),
                       f("due_on", "date", description="Planned date"),
                       f("done_on", "date", description=MILESTONE_DONE_HELP)],
        ["pact", "project", "title"], [PROJECT_FK],
        description="Milestones of projects, at any depth, with their weights"),
    res("project_places", [PACT, PROJECT,
                           f("name", required=True,
                             description="A label for the point (a site, a building)"),
                           f("latitude", "number", required=True, minimum=-90, maximum=90,
                             description="WGS84 latitude in degrees; rounded to 5 decimals "
                             "(about 1 m)"),
                           f("longitude", "number", required=True, minimum=-180, maximum=180,
                             description="WGS84 longitude in degrees; rounded to 5 decimals"),
                           f("municipality", description="territories.id of the municipality "
                             "the point lies in; empty: found from the municipalities' "
                             "boundaries when they are loaded")],
        ["pact", "project", "name"], [PROJECT_FK],
        description="Points where projects happen, drawn on the map, beside the territories "
        "of projects.csv"),
    res("project_funding", [PACT, PROJECT, f("source", required=True), f("party"),
                            f("kind", required=True, enum=["eu", "national", "regional", "local",
                                                           "private", "other"]),
                            f("amount", "number", required=True, minimum=0)],
        ["pact", "project", "source"], [PROJECT_FK]),
    res("procedure_steps", [PACT, PROJECT,
                            f("step", required=True,
                              enum=["design", "tender", "award", "works", "testing"],
                              description="design, tender (call for tenders), award, works, "
                              "testing (acceptance), as OpenCoesione records them"),
                            f("planned_start_on", "date"), f("planned_end_on", "date"),
                            f("actual_start_on", "date"), f("actual_end_on", "date"),
                            f("note")],
        ["pact", "project", "step"], [PROJECT_FK],
        description="Procedural steps of public works and funded projects, planned and actual"),
    res("planned_activities", [PACT, PROJECT, f("position", "integer", required=True),
                               f("title", required=True), f("due_on", "date"),
                               f("status", required=True,
                                 enum=["planned", "in_progress", "done", "cancelled"])],
        ["pact", "project", "position"], [PROJECT_FK]),
    res("completed_activities", [PACT, PROJECT, f("done_on", "date", required=True),
                                 f("text", required=True)],
        ["pact", "project", "done_on", "text"], [PROJECT_FK]),
    res("critical_issues", [PACT, PROJECT, f("noted_on", "date"), f("text", required=True)],
        ["pact", "project", "text"], [PROJECT_FK]),
    res("success_factors", [PACT, PROJECT, f("text", required=True)],
        ["pact", "project", "text"], [PROJECT_FK]),
    res("meetings", [PACT, PROJECT, f("held_on", "date", required=True), f("title"),
                     f("participants", "integer", minimum=0)],
        ["pact", "project", "held_on", "title"], [PROJECT_FK]),
    res("events", [PACT, PROJECT, f("title", required=True), f("held_on", "date", required=True),
                   f("place"), f("participants", "integer", minimum=0),
                   f("organiser", description="Who organised the event, as the sheet says")],
        ["pact", "project", "title", "held_on"], [PROJECT_FK]),
    res("contributions", [PACT, PROJECT, f("activity", required=True),
                          f("amount", "number", minimum=0, description="In euro: required "
                            "for money, the declared value (if any) of goods or resources"),
                          f("granted_by", required=True), f("party"), f("received_on", "date"),
                          f("kind", enum=["money", "in_kind", "resources"],
                            description="money (the default), in_kind (goods or services) or "
                            "resources (staff, spaces, time)"),
                          f("resource", description="What was given, when it is not money")],
        ["pact", "project", "activity", "granted_by"], [PROJECT_FK]),
]


#: Resource names in the order they are written and read.
TABLES = [r["name"] for r in RESOURCES]
