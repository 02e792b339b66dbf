"""Participation's part of a pact data package: co-design networks, their partners and their
activities (the region's territorial labs), registered with ``register_package_section``.

Rows are made to match the package (created or updated by their keys); networks written from
the web and absent from the package stay, as the funds keep movements posted from the web.
A package without these resources loads as before. Rows flagged ``example`` are shown as
example data on the pages and in the downloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from patto.engine.pact_package import split_list
from patto.engine.problems import InputError, Problem

from .models import Network, NetworkActivity, NetworkPartner

#: The resources this loader reads, in the order it reads them.
RESOURCES = ("networks", "network_partners", "network_activities")


def _refuse(resource: str, row: dict, field: str, detail: str) -> InputError:
    return InputError(
        [
            Problem(
                file=f"{resource}.csv",
                row=row.get("_row"),
                field=field,
                code="unknown-reference",
                detail=detail,
            )
        ]
    )


def _rows(data: Any, resource: str, pact: Any) -> list[dict]:
    return [r for r in data.tables.get(resource, []) if r["pact"] == pact.code]


def load_participation_section(*, data: Any, writer: Any, pact: Any, parties: dict) -> None:
    """Make the pact's networks, partners and activities match the package."""
    from patto.pact.models import SdgGoal, Territory

    if "networks" not in data.tables:
        return
    goals = {g.number: g for g in SdgGoal.objects.all()}
    networks: dict[str, Network] = {}
    for row in _rows(data, "networks", pact):
        coordinator = None
        if row.get("coordinator"):
            coordinator = parties.get(row["coordinator"])
            if coordinator is None:
                raise _refuse(
                    "networks",
                    row,
                    "coordinator",
                    f"party {row['coordinator']!r} is not in parties.csv",
                )
        network = writer.sync(
            Network,
            {"pact": pact, "code": row["code"]},
            {
                "name": row["name"],
                "description": row["description"],
                "themes": row.get("themes") or "",
                "coordinator": coordinator,
                "is_example": bool(row.get("example")),
            },
            src=("networks", row),
        )
        codes = split_list(row.get("territories"))
        places = {t.code: t for t in Territory.objects.filter(code__in=codes).defer("boundary")}
        missing = [c for c in codes if c not in places]
        if missing:
            raise _refuse("networks", row, "territories", f"territory {missing[0]!r} is not known")
        numbers = [int(n) for n in split_list(row.get("sdgs"))]
        if any(n not in goals for n in numbers):
            raise _refuse("networks", row, "sdgs", f"SDGs {numbers} are not all goals 1-17")
        writer.set_m2m(network.sdgs, [goals[n] for n in numbers])
        writer.set_m2m(network.territories, [places[c] for c in codes])
        networks[row["code"]] = network

    def network_of(resource: str, row: dict) -> Network:
        if row["network"] not in networks:
            raise _refuse(
                resource, row, "network", f"network {row['network']!r} is not in networks.csv"
            )
        return networks[row["network"]]

    for row in _rows(data, "network_partners", pact):
        network = network_of("network_partners", row)
        party = None
        if row.get("party"):
            party = parties.get(row["party"])
            if party is None:
                raise _refuse(
                    "network_partners",
                    row,
                    "party",
                    f"party {row['party']!r} is not in parties.csv",
                )
            lookup = {"network": network, "party": party}
        else:
            lookup = {"network": network, "party": None, "name": row.get("name") or ""}
        values = {"role": row.get("role") or ""}
        if party is not None:
            values["name"] = ""
        writer.sync(NetworkPartner, lookup, values, src=("network_partners", row))

    for row in _rows(data, "network_activities", pact):
        held_on = row["held_on"]
        if isinstance(held_on, str):
            held_on = dt.date.fromisoformat(held_on)
        writer.sync(
            NetworkActivity,
            {
                "network": network_of("network_activities", row),
                "title": row["title"],
                "held_on": held_on,
            },
            {"output": row.get("output") or ""},
            src=("network_activities", row),
        )
