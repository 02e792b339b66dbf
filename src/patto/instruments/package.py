"""The work instruments' part of a pact data package: the economic-development services and
tables with their counted activities, the investors assisted, the protocols and the prizes;
the crisis cases that are not confidential, the good-employment agreements with their
commitments, and the entries of the inclusive-companies register.

A package is public, so it carries no personal data: no confidential case, no person's
codice fiscale (a company's partita IVA only), no contact e-mail, statement or document of
an application, and no job-inclusion pathway (a pseudonymised person is still a person: the
pathways are published as suppressed aggregates only). The work records are written through
the instruments' services, like a page's form.

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

    load_work_records(data=data, writer=writer, pact=pact, parties=parties)
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


# Crisis cases, agreements and the register ------------------------------------------------------

WORK_RESOURCES = ("crisis_cases", "agreements", "agreement_commitments", "register_entries")
#: Resources a public package must never carry: personal data, even pseudonymised.
PRIVATE_RESOURCES = ("pathways", "pathway_steps", "placements", "register_applications")
#: The steps a package's case takes from *reported* to the status it gives.
STATUS_PATH = {
    "reported": [],
    "open": ["open"],
    "agreement": ["open", "agreement"],
    "closed": ["open", "closed"],
}


def _personal(resource: str, row: dict, field: str, detail: str) -> InputError:
    return InputError(
        [
            Problem(
                file=f"{resource}.csv",
                row=row.get("_row"),
                field=field,
                code="personal-data",
                detail=detail,
            )
        ]
    )


def _service_error(resource: str, row: dict, exc: Exception) -> InputError:
    field = getattr(exc, "field", "") or None
    return InputError(
        [
            Problem(
                file=f"{resource}.csv",
                row=row.get("_row"),
                field=field,
                code="invalid",
                detail=getattr(exc, "message", str(exc)),
            )
        ]
    )


def _company_code(resource: str, row: dict) -> str:
    code = _s(row.get("company_tax_code")).strip().upper()
    if len(code) != 11 or not code.isdigit():
        # A 16-character codice fiscale is a person's (a sole trader): never in public.
        raise _personal(
            resource,
            row,
            "company_tax_code",
            "a public package names a company by its partita IVA (11 digits), never by a "
            "person's codice fiscale",
        )
    return code


def _place_of(resource: str, row: dict, field: str = "municipality"):
    from patto.pact.models import Territory

    code = row.get(field)
    if not code:
        return None
    place = Territory.objects.filter(code=code).defer("boundary").first()
    if place is None:
        raise _refuse(resource, row, field, f"territory {code!r} is not in territories.csv")
    return place


def _workers(row: dict) -> dict[tuple[str, str], int]:
    """``f:permanent=12;m:agency=4`` as the case's counts by sex and contract."""
    counts: dict[tuple[str, str], int] = {}
    for item in split_list(row.get("workers")):
        key, _sep, number = item.partition("=")
        sex, _sep, contract = key.strip().partition(":")
        if not number.strip().isdigit():
            raise _refuse("crisis_cases", row, "workers", f"{item!r}: write sex:contract=number")
        counts[(sex, contract)] = int(number)
    return counts


def _load_cases(data: Any, writer: Any, pact: Any, parties: dict) -> None:
    from patto.pact.models import Party

    from . import services
    from .models import CrisisCase

    label = str(CrisisCase._meta.verbose_name_plural)
    for row in _rows(data, "crisis_cases", pact):
        if row.get("confidential"):
            raise _personal(
                "crisis_cases", row, "confidential", "a confidential case never goes public"
            )
        unions = []
        for code in split_list(row.get("unions")):
            party = parties.get(code) or Party.objects.filter(code=code).first()
            if party is None:
                raise _refuse(
                    "crisis_cases", row, "unions", f"party {code!r} is not in parties.csv"
                )
            unions.append(party)
        values = {
            "company_name": row["company_name"],
            "company_tax_code": _company_code("crisis_cases", row),
            "ateco_code": row["ateco_code"],
            "municipality": _place_of("crisis_cases", row),
            "reported_on": row["reported_on"],
            "summary": _s(row.get("summary")),
            "is_example": bool(row.get("example")),
        }
        workers = _workers(row)
        status = row.get("status") or "reported"
        if status not in STATUS_PATH:
            raise _refuse("crisis_cases", row, "status", f"unknown status {status!r}")
        case = CrisisCase.objects.filter(pact=pact, code=row["code"]).first()
        try:
            if case is None:
                case = services.crisis_case_create(
                    user=writer.user,
                    pact=pact,
                    data={"code": row["code"], **values},
                    unions=unions,
                    workers=workers,
                )
                writer.result.created[label] += 1
            else:
                if case.confidential:
                    # The office keeps it confidential: a public package does not touch it.
                    raise _personal(
                        "crisis_cases", row, "code", "the case is confidential on the site"
                    )
                changed = any(getattr(case, k) != v for k, v in values.items()) or {
                    u.pk for u in case.unions.all()
                } != {u.pk for u in unions}
                if changed:
                    services.crisis_case_update(
                        user=writer.user, case=case, data=values, unions=unions
                    )
                have = {(w.sex, w.contract): w.count for w in case.workers.all()}
                if have != {k: v for k, v in workers.items() if v}:
                    services.crisis_case_set_workers(user=writer.user, case=case, workers=workers)
                    changed = True
                writer.result.updated[label] += int(changed)
            path = STATUS_PATH[status]
            done = STATUS_PATH[case.status]
            if path[: len(done)] != done:
                raise _refuse(
                    "crisis_cases",
                    row,
                    "status",
                    f"the case is {case.status!r} on the site and cannot become {status!r}",
                )
            for step in path[len(done) :]:
                closing = step == "closed"
                services.crisis_case_transition(
                    user=writer.user,
                    case=case,
                    status=step,
                    on=row.get("closed_on") if closing else row["reported_on"],
                    outcome=_s(row.get("outcome")) if closing else "",
                )
        except services.InstrumentError as exc:
            raise _service_error("crisis_cases", row, exc) from None


def _load_agreements(data: Any, writer: Any, pact: Any) -> None:
    from . import services
    from .models import Agreement

    label = str(Agreement._meta.verbose_name_plural)
    commitments: dict[str, list[dict]] = {}
    for row in _rows(data, "agreement_commitments", pact):
        commitments.setdefault(row["agreement"], []).append(row)
    codes = {r["code"] for r in _rows(data, "agreements", pact)}
    for code, rows in commitments.items():
        if code not in codes:
            raise _refuse(
                "agreement_commitments",
                rows[0],
                "agreement",
                f"agreement {code!r} is not in agreements.csv for this pact",
            )
    for row in _rows(data, "agreements", pact):
        values = {
            "company_name": row["company_name"],
            "company_tax_code": _company_code("agreements", row),
            "site": _s(row.get("site")),
            "municipality": _place_of("agreements", row),
            "signed_on": row["signed_on"],
            "ends_on": row.get("ends_on"),
            "summary": _s(row.get("summary")),
            "is_example": bool(row.get("example")),
        }
        wanted = commitments.get(row["code"], [])
        plain = [
            {
                "kind": c["kind"],
                "description": c["description"],
                "target": c["target"],
                "due_on": c["due_on"],
            }
            for c in wanted
        ]
        agreement = Agreement.objects.filter(pact=pact, code=row["code"]).first()
        try:
            if agreement is None:
                agreement = services.agreement_create(
                    user=writer.user,
                    pact=pact,
                    data={"code": row["code"], **values},
                    commitments=plain,
                )
                writer.result.created[label] += 1
            else:
                if any(getattr(agreement, k) != v for k, v in values.items()):
                    services.agreement_update(user=writer.user, agreement=agreement, data=values)
                    writer.result.updated[label] += 1
                have = {(c.kind, c.description) for c in agreement.commitments.all()}
                for item in plain:
                    if (item["kind"], item["description"]) not in have:
                        services.agreement_add_commitment(
                            user=writer.user, agreement=agreement, **item
                        )
            by_key = {(c.kind, c.description): c for c in agreement.commitments.all()}
            for c in wanted:
                found = by_key[(c["kind"], c["description"])]
                if c.get("reported_on") and (found.achieved, found.reported_on) != (
                    c.get("achieved") or 0,
                    c["reported_on"],
                ):
                    services.commitment_report(
                        user=writer.user,
                        commitment=found,
                        reported_on=c["reported_on"],
                        value=c.get("achieved") or 0,
                    )
        except services.InstrumentError as exc:
            raise _service_error("agreements", row, exc) from None


def _load_register(data: Any, writer: Any, pact: Any) -> None:
    from . import services
    from .models import RegisterApplication

    label = str(RegisterApplication._meta.verbose_name_plural)
    names = ("company_name", "ateco_code", "website", "registered_on", "valid_until")
    for row in _rows(data, "register_entries", pact):
        if row.get("contact_email"):
            raise _personal(
                "register_entries", row, "contact_email", "a contact e-mail is never published"
            )
        values = {
            "company_name": row["company_name"],
            "ateco_code": row["ateco_code"],
            "municipality": _place_of("register_entries", row),
            "website": _s(row.get("website")),
            "registered_on": row["registered_on"],
            "valid_until": row["valid_until"],
            "is_example": bool(row.get("example")),
        }
        code = _company_code("register_entries", row)
        found = RegisterApplication.objects.filter(
            pact=pact, company_tax_code=code, status="registered"
        ).first()
        if found is not None and all(
            getattr(found, k) == values[k] for k in (*names, "municipality", "is_example")
        ):
            continue
        try:
            services.register_entry_record(
                user=writer.user, pact=pact, company_tax_code=code, data=values
            )
        except services.InstrumentError as exc:
            raise _service_error("register_entries", row, exc) from None
        (writer.result.created if found is None else writer.result.updated)[label] += 1


def load_work_records(*, data: Any, writer: Any, pact: Any, parties: dict) -> None:
    """Make the pact's public crisis cases, agreements and register entries match the
    package (nothing the office recorded from its pages is removed)."""
    for name in PRIVATE_RESOURCES:
        if data.tables.get(name):
            raise InputError(
                [
                    Problem(
                        file=f"{name}.csv",
                        code="personal-data",
                        detail=f"{name} hold personal data and never go in a public package: "
                        "the pathways are published as aggregates only",
                    )
                ]
            )
    if not any(data.tables.get(name) for name in WORK_RESOURCES):
        return
    _load_cases(data, writer, pact, parties)
    _load_agreements(data, writer, pact)
    _load_register(data, writer, pact)


def export_work_records(*, pact: Any) -> dict[str, list[dict]]:
    """The rows a public package carries of the pact's work records, typed as a load reads
    them: never a confidential case, a contact e-mail, or a pathway."""
    from .models import Agreement, Commitment, CrisisCase, RegisterApplication

    cases = []
    for case in (
        CrisisCase.objects.filter(pact=pact, confidential=False)
        .select_related("municipality")
        .prefetch_related("unions", "workers")
        .order_by("code")
    ):
        cases.append(
            {
                "pact": pact.code,
                "code": case.code,
                "company_name": case.company_name,
                "company_tax_code": case.company_tax_code,
                "ateco_code": case.ateco_code,
                "municipality": case.municipality.code,
                "reported_on": case.reported_on,
                "status": case.status,
                "outcome": case.outcome or None,
                "closed_on": case.closed_on,
                "unions": ";".join(sorted(u.code for u in case.unions.all())) or None,
                "workers": ";".join(
                    f"{w.sex}:{w.contract}={w.count}"
                    for w in sorted(case.workers.all(), key=lambda w: (w.sex, w.contract))
                )
                or None,
                "summary": case.summary or None,
                "example": case.is_example,
            }
        )
    agreements = [
        {
            "pact": pact.code,
            "code": a.code,
            "company_name": a.company_name,
            "company_tax_code": a.company_tax_code,
            "site": a.site or None,
            "municipality": a.municipality.code,
            "signed_on": a.signed_on,
            "ends_on": a.ends_on,
            "summary": a.summary or None,
            "example": a.is_example,
        }
        for a in Agreement.objects.filter(pact=pact).select_related("municipality").order_by("code")
    ]
    commitments = [
        {
            "pact": pact.code,
            "agreement": c.agreement.code,
            "kind": c.kind,
            "description": c.description,
            "target": c.target,
            "due_on": c.due_on,
            "achieved": c.achieved,
            "reported_on": c.reported_on,
        }
        for c in Commitment.objects.filter(agreement__pact=pact)
        .select_related("agreement")
        .order_by("agreement__code", "kind", "description")
    ]
    entries = [
        {
            "pact": pact.code,
            "company_name": e.company_name,
            "company_tax_code": e.company_tax_code,
            "ateco_code": e.ateco_code,
            "municipality": e.municipality.code,
            "website": e.website or None,
            "registered_on": e.registered_on,
            "valid_until": e.valid_until,
            "example": e.is_example,
        }
        for e in RegisterApplication.objects.filter(pact=pact, status="registered")
        .select_related("municipality")
        .order_by("company_tax_code")
    ]
    return {
        "crisis_cases": cases,
        "agreements": agreements,
        "agreement_commitments": commitments,
        "register_entries": entries,
    }
