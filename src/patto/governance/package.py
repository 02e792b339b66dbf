"""Governance's part of a pact data package: the pact's bodies and their member parties, read
from ``governance/bodies.csv`` inside the package folder and registered with
``register_package_section``.

The file sits beside the package's resources rather than among them (the descriptor belongs to
the pact's registry); a package without it loads as before. Rows are made to match the file
(created or updated by their keys); members added from the web stay. People are never in a
package: their names are personal data, recorded by the secretariat on the platform.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from patto.engine.pact_package import split_list
from patto.engine.problems import InputError, Problem

from .models import Body, BodyMember

FILE = "governance/bodies.csv"
#: A bodies file is a short list: anything larger is not one.
MAX_BYTES = 1024 * 1024
COLUMNS = ("pact", "code", "name", "kind")


def _problem(row: int | None, field: str, code: str, detail: str) -> InputError:
    return InputError([Problem(file=FILE, row=row, field=field, code=code, detail=detail)])


def read_bodies(data: Any) -> list[dict]:
    """The rows of the package's bodies file, each with its spreadsheet row number."""
    path = data.contained(FILE)
    if path is None or not path.is_file():
        return []
    if path.stat().st_size > MAX_BYTES:
        raise _problem(None, "", "too-large", f"{FILE} is larger than {MAX_BYTES} bytes")
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise _problem(1, missing[0], "missing-column", f"column {missing[0]!r} is missing")
    rows = []
    for number, row in enumerate(reader, start=2):
        rows.append({k: (v or "").strip() for k, v in row.items() if k}
                    | {"_row": number})
    return rows


def load_governance_section(*, data: Any, writer: Any, pact: Any, parties: dict) -> None:
    """Make the pact's bodies and their member parties match the package's bodies file."""
    from patto.pact.models import WorkingGroup

    rows = [r for r in read_bodies(data) if r["pact"] == pact.code]
    if not rows:
        return
    groups = {g.code: g for g in WorkingGroup.objects.filter(pact=pact)}
    kinds = set(Body.Kind.values)
    for row in rows:
        if row["kind"] not in kinds:
            raise _problem(row["_row"], "kind", "invalid-value",
                           f"kind {row['kind']!r} is not one of {sorted(kinds)}")
        group = None
        if row.get("working_group"):
            group = groups.get(row["working_group"])
            if group is None:
                raise _problem(row["_row"], "working_group", "unknown-working-group",
                               f"working group {row['working_group']!r} is not in "
                               "working_groups.csv")
        try:
            start_on = dt.date.fromisoformat(row.get("start_on") or pact.signed_on.isoformat())
        except ValueError:
            raise _problem(row["_row"], "start_on", "type-error",
                           f"{row['start_on']!r} is not a date (YYYY-MM-DD)") from None
        body = writer.sync(
            Body, {"pact": pact, "code": row["code"]},
            {"name": row["name"], "kind": row["kind"], "chair": row.get("chair") or "",
             "working_group": group, "description": row.get("description") or "",
             "position": int(row.get("position") or 0),
             "is_example": (row.get("example") or "").lower() in ("true", "1", "yes")},
            src=(FILE[:-4], row))
        codes = split_list(row.get("members"))
        if codes == ["*"]:
            members = [m.party for m in pact.memberships.select_related("party")]
        elif not codes and group is not None:
            members = [m.party for m in group.members.select_related("party")]
        else:
            members = []
            for code in codes:
                if code not in parties:
                    raise _problem(row["_row"], "members", "unknown-reference",
                                   f"party {code!r} is not in parties.csv")
                members.append(parties[code])
        chair = row.get("chair_party") or ""
        if chair and chair not in parties:
            raise _problem(row["_row"], "chair_party", "unknown-reference",
                           f"party {chair!r} is not in parties.csv")
        seen = set()
        for party in members:
            if party.pk in seen:
                continue
            seen.add(party.pk)
            role = BodyMember.Role.CHAIR if party.code == chair else BodyMember.Role.MEMBER
            writer.sync(BodyMember, {"body": body, "party": party, "start_on": start_on},
                        {"role": role}, src=(FILE[:-4], row))
