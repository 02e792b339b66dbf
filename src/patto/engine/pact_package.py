"""Checks a pact data package beyond its schema: references between tables, dates, checksums.

The schema in ``datapackage.json`` checks each cell and simple keys; what it cannot say
(a cluster code named inside a list, overlapping memberships, one promoter per pact, a tax
code's check digit) is checked here, on the plain records that
:func:`patto.engine.datapackage.read_package` returns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable

from stdnum.it import codicefiscale, iva

from .datapackage import PackageData
from .problems import Problem

#: Which kinds of territory may contain which.
PARENT_KINDS = {
    "municipality": {"union", "district", "metropolitan_city"},
    "union": {"metropolitan_city"},
    "district": {"metropolitan_city"},
    "metropolitan_city": set(),
}

SDG_GOALS = range(1, 18)

#: Where a value comes from: read in a source, inferred by whoever built the package, or
#: illustrative. A cell reads ``kind`` or ``kind: citation or reasoning``.
BASIS_KINDS = ("source", "inferred", "example")

#: The columns that carry a basis, by resource; a package without them still loads.
BASIS_COLUMNS = {
    "pact_parties": ["basis"],
    "challenges": ["links_basis"],
    "working_group_members": ["basis"],
    "projects": ["status_basis", "lead_party_basis"],
    "project_parties": ["basis"],
}


def parse_basis(value: str | None, *, example: bool = False) -> tuple[str, str]:
    """A basis cell as (kind, note); an empty cell is ``example`` for rows flagged as
    example data and ``source`` otherwise (packages older than the column).

    Raises ValueError with the fix when the kind is unknown or an inference has no
    reasoning.
    """
    text = (value or "").strip()
    if not text:
        return ("example" if example else "source"), ""
    kind, _sep, note = text.partition(":")
    kind, note = kind.strip().lower(), note.strip()
    if kind not in BASIS_KINDS:
        raise ValueError(f"{kind!r} is not a basis; start the cell with one of "
                         f"{', '.join(BASIS_KINDS)}, then ': ' and the citation or reasoning")
    if kind == "inferred" and not note:
        raise ValueError("an inferred value needs its reasoning: write 'inferred: ' and why")
    return kind, note


#: A CUP (Codice Unico di Progetto, DIPE): a letter, two digits, a letter, the last two
#: digits of the year the project was decided, then nine digits (e.g. J31B21000440001).
CUP_PATTERN = re.compile(r"[A-Z][0-9]{2}[A-Z]([0-9]{2})[0-9]{9}")


def cup_problem(value: str, *, this_year: int) -> str | None:
    """Why ``value`` is not a CUP, or None when it is one."""
    found = CUP_PATTERN.fullmatch(value or "")
    if found is None:
        return ("a CUP has 15 characters: a letter, two digits, a letter, two digits for the "
                "year, nine digits (e.g. J31B21000440001)")
    year = int(found.group(1))
    # Codes exist since 2003; projects decided before then carry their own year (19xx).
    full = 2000 + year if year <= this_year % 100 else 1900 + year
    if full < 1990:
        return (f"the year in positions 5-6 ({found.group(1)}) is not a year of a project "
                f"decision (1990 to {this_year}); check the code")
    return None


def step_delay(planned_end: dt.date | None, actual_end: dt.date | None,
               today: dt.date) -> int | None:
    """Days a procedural step ended (or is running) after its planned end; negative when it
    ended early, None without a planned end or while still on time."""
    if planned_end is None:
        return None
    if actual_end is not None:
        return (actual_end - planned_end).days
    return (today - planned_end).days if today > planned_end else None


def format_basis(kind: str, note: str) -> str:
    """A basis as a package cell: the inverse of :func:`parse_basis`."""
    return f"{kind}: {note}" if note else kind


def split_list(value: str | None) -> list[str]:
    """A semicolon-separated cell as a list of stripped items."""
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def tax_code_is_valid(value: str) -> bool:
    """An Italian tax code: 11 digits for organisations, 16 characters for people."""
    value = value.strip().upper()
    if len(value) == 11:
        return iva.is_valid(value)
    return codicefiscale.is_valid(value)


def _overlaps(periods: list[tuple[dt.date | None, dt.date | None, int]]) -> Iterable[int]:
    """Rows whose period starts before an earlier-starting period ends; open ends are infinite."""
    lo, hi = dt.date.min, dt.date.max
    latest_end = None
    for start, end, row in sorted(periods, key=lambda p: (p[0] or lo)):
        if latest_end is not None and (start or lo) <= latest_end:
            yield row
        latest_end = max(latest_end or lo, end or hi)


def check_pact_package(data: PackageData) -> list[Problem]:
    """Every cross-table problem of a pact package; an empty list when it is sound."""
    t = data.tables
    problems: list[Problem] = []

    def add(resource: str, row: dict, field: str | None, code: str, detail: str,
            **params) -> None:
        # params carry the values a translated message needs (see patto.core.errors).
        params.setdefault("value", row.get(field) if field else None)
        problems.append(Problem(file=f"{resource}.csv", row=row["_row"], field=field,
                                code=code, detail=detail, params=params))

    for resource, rows in t.items():
        for row in rows:
            rel = row.get("text_file")
            if not rel:
                continue
            path = data.contained(rel)
            if path is None:
                add(resource, row, "text_file", "outside-package",
                    f"{rel!r} points outside the package; use a path inside it")
            elif not path.is_file():
                add(resource, row, "text_file", "missing-text",
                    f"the file {rel!r} is not in the package; add it or empty the cell")

    for resource, columns in BASIS_COLUMNS.items():
        for row in t.get(resource, []):
            for column in columns:
                try:
                    parse_basis(row.get(column))
                except ValueError as exc:
                    add(resource, row, column, "bad-basis", str(exc))

    territories = {r["id"]: r for r in t.get("territories", [])}
    by_territory: dict[str, list] = defaultdict(list)
    for row in t.get("territory_memberships", []):
        start, end = row.get("start_on"), row.get("end_on")
        if start and end and end < start:
            add("territory_memberships", row, "end_on", "end-before-start",
                f"ends on {end} before it starts on {start}; swap or correct the dates")
        child, parent = territories.get(row["territory"]), territories.get(row["parent"])
        if child and parent and parent["kind"] not in PARENT_KINDS[child["kind"]]:
            add("territory_memberships", row, "parent", "bad-parent-kind",
                f"a {child['kind']} cannot belong to a {parent['kind']}; "
                f"use one of: {', '.join(sorted(PARENT_KINDS[child['kind']])) or 'none'}",
                child=child["kind"], parent=parent["kind"])
        if row["territory"] == row["parent"]:
            add("territory_memberships", row, "parent", "self-parent",
                "a territory cannot contain itself; name another parent")
        by_territory[row["territory"]].append((start, end, row["_row"]))
    for territory, periods in by_territory.items():
        for row_number in _overlaps(periods):
            problems.append(Problem(
                file="territory_memberships.csv", row=row_number, field="start_on",
                code="overlapping-membership", params={"value": territory},
                detail=f"{territory} would belong to two parents at once; end the earlier "
                       "membership the day before this one starts"))

    for row in t.get("parties", []):
        if row.get("tax_code") and not tax_code_is_valid(row["tax_code"]):
            add("parties", row, "tax_code", "bad-tax-code",
                f"{row['tax_code']!r} fails the tax code check digit; copy it again from the "
                "registry or leave the cell empty")

    promoters: dict[str, int] = defaultdict(int)
    for row in t.get("pact_parties", []):
        promoters[row["pact"]] += row["role"] == "promoter"
    for pact in t.get("pacts", []):
        if promoters[pact["id"]] != 1:
            add("pacts", pact, "id", "promoter-count",
                f"pact {pact['id']!r} has {promoters[pact['id']]} promoters in pact_parties.csv; "
                "mark exactly one party with role 'promoter'", count=promoters[pact["id"]])

    clusters = {(r["pact"], r["code"]) for r in t.get("clusters", [])}
    for row in t.get("challenges", []):
        for code in split_list(row.get("clusters")):
            if (row["pact"], code) not in clusters:
                add("challenges", row, "clusters", "unknown-cluster",
                    f"cluster {code!r} is not in clusters.csv for pact {row['pact']!r}; "
                    "use an existing cluster code", value=code)
        for goal in split_list(row.get("sdgs")):
            if int(goal) not in SDG_GOALS:
                add("challenges", row, "sdgs", "unknown-sdg",
                    f"{goal} is not one of the 17 SDGs; use numbers from 1 to 17", value=goal)
    groups = set()
    for row in t.get("working_groups", []):
        groups.add((row["pact"], row["code"]))
        if row.get("cluster") and (row["pact"], row["cluster"]) not in clusters:
            add("working_groups", row, "cluster", "unknown-cluster",
                f"cluster {row['cluster']!r} is not in clusters.csv for pact {row['pact']!r}; "
                "use an existing cluster code or leave the cell empty")
    for row in t.get("working_group_members", []):
        if (row["pact"], row["working_group"]) not in groups:
            add("working_group_members", row, "working_group", "unknown-working-group",
                f"working group {row['working_group']!r} is not in working_groups.csv; "
                "use an existing code")
    return problems
