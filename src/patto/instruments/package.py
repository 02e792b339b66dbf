"""The work instruments' part of a pact data package: the economic-development services and
tables with their counted activities, the investors assisted, the protocols and the prizes.

Rows are created or updated by their keys, so that a second load changes nothing; nothing
the office recorded from its pages is removed. The stored figures are recomputed once at the
end. Rows marked ``example`` are illustrative and say so on
every page and download.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from patto.engine.pact_package import split_list
from patto.engine.problems import InputError, Problem

from .models import (
    DevelopmentService,
    Investment,
    PrizeAward,
    PrizeEdition,
    Protocol,
    ProtocolUpdate,
    ServiceActivity,
)

RESOURCES = (
    "development_services",
    "service_activities",
    "investments",
    "protocols",
    "protocol_updates",
    "prize_editions",
)


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


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def load_instruments_section(*, data: Any, writer: Any, pact: Any, parties: dict) -> None:
    """Make the pact's economic-development records match the package."""
    from patto.pact.models import Party, Territory

    from .services import development_figures_refresh

    if not any(name in data.tables for name in RESOURCES):
        return
    services: dict[str, DevelopmentService] = {}
    for row in _rows(data, "development_services", pact):
        services[row["code"]] = writer.sync(
            DevelopmentService,
            {"pact": pact, "code": row["code"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "description": _s(row.get("description")),
                "started_on": row.get("started_on"),
                "position": row.get("position") or 0,
                "is_example": bool(row.get("example")),
            },
            src=("development_services", row),
        )

    def service_of(resource: str, row: dict) -> DevelopmentService:
        if row["service"] not in services:
            raise _refuse(
                resource,
                row,
                "service",
                f"service {row['service']!r} is not in development_services.csv for this pact",
            )
        return services[row["service"]]

    # Activities are records, like a ledger's movements: the package's rows are made to say
    # what the package says, and those the office recorded from its pages stay.
    for row in _rows(data, "service_activities", pact):
        writer.sync(
            ServiceActivity,
            {
                "service": service_of("service_activities", row),
                "kind": row["kind"],
                "held_on": row["held_on"],
                "title": _s(row.get("title")),
            },
            {
                "count": row["count"],
                "participants": row.get("participants"),
                "is_example": bool(row.get("example")),
            },
            src=("service_activities", row),
        )

    for row in _rows(data, "investments", pact):
        place = None
        if row.get("municipality"):
            place = Territory.objects.filter(code=row["municipality"]).defer("boundary").first()
            if place is None:
                raise _refuse(
                    "investments",
                    row,
                    "municipality",
                    f"territory {row['municipality']!r} is not in territories.csv",
                )
        writer.sync(
            Investment,
            {"service": service_of("investments", row), "code": row["code"]},
            {
                "company_name": row["company_name"],
                "country": _s(row.get("country")),
                "ateco_code": _s(row.get("ateco_code")),
                "municipality": place,
                "assisted_on": row["assisted_on"],
                "status": row["status"],
                "amount": Decimal(str(row["amount"])) if row.get("amount") is not None else None,
                "jobs": row.get("jobs"),
                "confidential": bool(row.get("confidential")),
                "is_example": bool(row.get("example")),
            },
            src=("investments", row),
        )

    protocols: dict[str, Protocol] = {}
    for row in _rows(data, "protocols", pact):
        protocol = writer.sync(
            Protocol,
            {"pact": pact, "code": row["code"]},
            {
                "kind": row["kind"],
                "title": row["title"],
                "site": _s(row.get("site")),
                "signed_on": row["signed_on"],
                "summary": _s(row.get("summary")),
                "other_signatories": "\n".join(split_list(row.get("other_signatories"))),
                "is_example": bool(row.get("example")),
            },
            src=("protocols", row),
        )
        signatories = []
        for code in split_list(row.get("signatories")):
            party = parties.get(code) or Party.objects.filter(code=code).first()
            if party is None:
                raise _refuse(
                    "protocols", row, "signatories", f"party {code!r} is not in parties.csv"
                )
            signatories.append(party)
        writer.set_m2m(protocol.signatories, signatories)
        protocols[row["code"]] = protocol
    for row in _rows(data, "protocol_updates", pact):
        if row["protocol"] not in protocols:
            raise _refuse(
                "protocol_updates",
                row,
                "protocol",
                f"protocol {row['protocol']!r} is not in protocols.csv for this pact",
            )
        writer.sync(
            ProtocolUpdate,
            {"protocol": protocols[row["protocol"]], "kind": row["kind"], "on": row["on"]},
            {"note": row["note"]},
            src=("protocol_updates", row),
        )

    for row in _rows(data, "prize_editions", pact):
        edition = writer.sync(
            PrizeEdition,
            {"pact": pact, "prize": row["prize"], "year": row["year"]},
            {
                "awarded_on": row.get("awarded_on"),
                "applications": row.get("applications"),
                "summary": _s(row.get("summary")),
                "is_example": bool(row.get("example")),
            },
            src=("prize_editions", row),
        )
        kept = set()
        for position, winner in enumerate(split_list(row.get("winners"))):
            kept.add(
                writer.sync(
                    PrizeAward,
                    {"edition": edition, "winner": winner},
                    {"position": position},
                    src=("prize_editions", row),
                ).pk
            )
        writer.prune(edition.awards.all(), kept)
    development_figures_refresh(pact=pact)
