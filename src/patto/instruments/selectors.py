"""Reads of the work instruments, each with its joins decided: no query per row.

What a person sees depends on the role: confidential crisis cases only for the safeguard
table's members and the secretariat; everybody else reads the other cases and the figures
computed without the confidential ones.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from patto.pact.models import Pact, Party

from .ateco import sections
from .models import (
    Agreement,
    CaseMeeting,
    CaseWorkers,
    Commitment,
    CommitmentReport,
    CrisisCase,
    CriterionStatement,
    DevelopmentService,
    Investment,
    Pathway,
    PathwayStep,
    Placement,
    PrizeAward,
    PrizeEdition,
    Protocol,
    ProtocolUpdate,
    RegisterApplication,
    SafetyNet,
    ServiceActivity,
    StoredFigures,
)


def may_see_confidential(user: Any, pact: Pact) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm("instruments.view_confidential_cases", pact)
    )


def crisis_case_list(*, pact: Pact, user: Any = None) -> QuerySet[CrisisCase]:
    """The cases the person may see, newest first, with place and workers in one query."""
    cases = (
        CrisisCase.objects.filter(pact=pact)
        .select_related("municipality", "area")
        .defer("municipality__boundary", "area__boundary")
        .annotate(workers_count=Sum("workers__count"))
    )
    if not may_see_confidential(user, pact):
        cases = cases.filter(confidential=False)
    return cases.order_by("-reported_on", "code")


def crisis_case_get(*, pact: Pact, code: str, user: Any = None) -> CrisisCase:
    """One case with everything its page shows; 404 when the person may not see it (a
    confidential case does not exist for the public, not even as a refusal)."""
    cases = (
        CrisisCase.objects.filter(pact=pact, code=code)
        .select_related("municipality", "area")
        .defer("municipality__boundary", "area__boundary")
        .prefetch_related(
            Prefetch("workers", queryset=CaseWorkers.objects.order_by("sex", "contract")),
            Prefetch("safety_nets", queryset=SafetyNet.objects.order_by("start_on")),
            Prefetch("meetings", queryset=CaseMeeting.objects.order_by("held_on", "pk")),
            "unions",
        )
    )
    if not may_see_confidential(user, pact):
        cases = cases.filter(confidential=False)
    case = cases.first()
    if case is None:
        raise Http404
    return case


def workers_table(case: CrisisCase) -> dict:
    """The case's workers as a table of sex by contract, with totals (from its prefetch)."""
    contracts = list(CaseWorkers.Contract)
    rows = []
    for sex in CaseWorkers.Sex:
        counts = {w.contract: w.count for w in case.workers.all() if w.sex == sex}
        values = [counts.get(c.value, 0) for c in contracts]
        rows.append({"label": sex.label, "values": values, "total": sum(values)})
    totals = [sum(r["values"][i] for r in rows) for i in range(len(contracts))]
    return {
        "contracts": [c.label for c in contracts],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
    }


def crisis_figures(*, pact: Pact, user: Any = None, everything: bool = False) -> dict:
    """The dashboards' stored figures: with confidential cases only when asked for and
    allowed (the table's own dashboard)."""
    kind = "crisis-all" if everything and may_see_confidential(user, pact) else "crisis-public"
    found = (
        StoredFigures.objects.filter(pact=pact, kind=kind).values_list("data", flat=True).first()
    )
    return found or {
        "years": [],
        "cases": 0,
        "workers": 0,
        "by_sector": {},
        "workers_by_sector": {},
        "by_area": {},
        "workers_by_area": {},
        "status": {},
        "outcome": {},
        "safety_nets": {},
    }


def crisis_chart_data(figures: dict, labels: dict[str, str]) -> dict:
    """What the dashboard's charts draw: years, and one series per sector and per area."""
    titles = {code: f"{code} – {s.title.capitalize()}" for code, s in sections().items()}
    return {
        "years": figures["years"],
        "sectors": [{"name": titles.get(k, k), "data": v} for k, v in figures["by_sector"].items()],
        "areas": [{"name": k, "data": v} for k, v in figures["workers_by_area"].items()],
        "labels": labels,
    }


CASE_COLUMNS = [
    "code",
    "company",
    "company_tax_code",
    "ateco_code",
    "ateco_section",
    "municipality",
    "area",
    "reported_on",
    "status",
    "outcome",
    "closed_on",
    "workers",
    "confidential",
    "example",
]


def crisis_case_rows(cases: QuerySet[CrisisCase]):
    for c in cases.iterator(chunk_size=500):
        yield [
            c.code,
            c.company_name,
            c.company_tax_code,
            c.ateco_code,
            c.ateco_section,
            c.municipality.name,
            c.area.name if c.area_id else "",
            c.reported_on,
            c.status,
            c.outcome,
            c.closed_on,
            c.workers_count or 0,
            c.confidential,
            c.is_example,
        ]


# Job-inclusion pathways ------------------------------------------------------------------------


def pathway_list(*, pact: Pact, user: Any) -> QuerySet[Pathway]:
    """The pathways a person keeps: an operator's own, every one for the secretariat; none
    for anybody else (they read the aggregates)."""
    from patto.projects.rules import is_secretariat

    pathways = (
        Pathway.objects.filter(pact=pact)
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by("-started_on", "person_code")
    )
    if is_secretariat(user):
        return pathways
    if user is None or not user.is_authenticated:
        return pathways.none()
    return pathways.filter(
        operator=user,
        operator__instrument_roles__pact=pact,
        operator__instrument_roles__role="inclusion_operator",
    )


def pathway_get(*, pact: Pact, pk: int, user: Any) -> Pathway:
    pathway = (
        pathway_list(pact=pact, user=user)
        .prefetch_related(
            Prefetch("steps", queryset=PathwayStep.objects.order_by("reached_on", "pk")),
            Prefetch("placements", queryset=Placement.objects.order_by("started_on")),
        )
        .filter(pk=pk)
        .first()
    )
    if pathway is None:
        raise Http404
    return pathway


def _labelled(table: dict, rows: dict[str, str], columns: dict[str, str]) -> dict:
    return {
        "columns": [columns.get(c, c) for c in table["columns"]],
        "rows": [
            {"label": rows.get(r, r), "cells": cells}
            for r, cells in zip(table["rows"], table["cells"], strict=False)
        ],
        "totals": table["cells"][-1] if table["cells"] else [],
        "hidden": table["hidden"],
    }


def pathway_figures(*, pact: Pact) -> dict | None:
    """The public aggregates, labelled for a page: each table has its rows, then the row of
    totals; None is a hidden cell."""
    data = (
        StoredFigures.objects.filter(pact=pact, kind="pathways-public")
        .values_list("data", flat=True)
        .first()
    )
    if not data:
        return None
    sexes = {s.value: s.label for s in Pathway.Sex}
    stages = {s.value: s.label for s in Pathway.Stage}
    targets = {t.value: t.label for t in Pathway.Target}
    contracts = {c.value: c.label for c in Placement.Contract}
    from django.utils.translation import gettext as _

    followed = {"employed": _("still employed"), "not_employed": _("no longer employed")}
    return {
        "threshold": data["threshold"],
        "stages": _labelled(data["stages"], stages, sexes),
        "targets": _labelled(data["targets"], targets, sexes),
        "placements": _labelled(data["placements"], contracts, {}),
        "followed_up": _labelled(data["followed_up"], followed, {"all": _("people")}),
    }


# Inclusive-companies register ------------------------------------------------------------------


def register_entries(*, pact: Pact, today) -> QuerySet[RegisterApplication]:
    """The companies in the register today, without their contact (never public)."""
    return (
        RegisterApplication.objects.filter(
            pact=pact, status=RegisterApplication.Status.REGISTERED, valid_until__gte=today
        )
        .select_related("municipality")
        .only(
            "pk",
            "company_name",
            "company_tax_code",
            "ateco_code",
            "ateco_section",
            "website",
            "registered_on",
            "valid_until",
            "is_example",
            "pact_id",
            "municipality__name",
        )
        .order_by("company_name", "pk")
    )


REGISTER_COLUMNS = [
    "company",
    "company_tax_code",
    "ateco_code",
    "ateco_section",
    "municipality",
    "website",
    "registered_on",
    "valid_until",
    "example",
]


def register_rows(entries: QuerySet[RegisterApplication]):
    for e in entries.iterator(chunk_size=500):
        yield [
            e.company_name,
            e.company_tax_code,
            e.ateco_code,
            e.ateco_section,
            e.municipality.name,
            e.website,
            e.registered_on,
            e.valid_until,
            e.is_example,
        ]


def register_applications(*, pact: Pact) -> QuerySet[RegisterApplication]:
    return (
        RegisterApplication.objects.filter(pact=pact)
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by("-submitted_on", "company_name")
    )


def register_application_get(*, pact: Pact, pk: int) -> RegisterApplication:
    found = (
        register_applications(pact=pact)
        .prefetch_related(
            Prefetch("statements", queryset=CriterionStatement.objects.select_related("criterion")),
            "documents",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


# Good-employment agreements --------------------------------------------------------------------


def agreement_list(*, pact: Pact) -> QuerySet[Agreement]:
    """Agreements with their commitments (two queries whatever their number)."""
    return (
        Agreement.objects.filter(pact=pact)
        .select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("due_on", "pk"))
        )
        .order_by("-signed_on", "code")
    )


# Economic development --------------------------------------------------------------------------


def development_figures(*, pact: Pact) -> dict:
    """The stored counts of the services and investors, labelled for a page; amounts in euro."""
    from decimal import Decimal

    data = (
        StoredFigures.objects.filter(pact=pact, kind="development-public")
        .values_list("data", flat=True)
        .first()
    ) or {"services": [], "investments": {}}
    kinds = dict(DevelopmentService.Kind.choices)
    investments = [
        {
            "year": year,
            **{k: v for k, v in row.items() if k != "amount_cents"},
            "amount": Decimal(row["amount_cents"]) / 100,
        }
        for year, row in data["investments"].items()
    ]
    totals = {k: sum(r[k] for r in investments) for k in ("assisted", "decided", "amount", "jobs")}
    return {
        "services": [
            {**s, "kind_label": kinds.get(s["kind"], s["kind"])} for s in data["services"]
        ],
        "investments": investments,
        "investment_totals": totals,
    }


DEVELOPMENT_COLUMNS = [
    "service",
    "kind",
    "year",
    "consultations",
    "events",
    "meetings",
    "participants",
    "example",
]


def development_rows(figures: dict):
    """The counts per service and year, as the page shows them (for the download)."""
    for s in figures["services"]:
        for year, c in s["years"].items():
            yield [
                s["name"],
                s["kind"],
                year,
                c["consultation"],
                c["event"],
                c["meeting"],
                c["participants"],
                s["is_example"],
            ]


def prize_editions(*, pact: Pact) -> QuerySet[PrizeEdition]:
    return (
        PrizeEdition.objects.filter(pact=pact)
        .prefetch_related(Prefetch("awards", queryset=PrizeAward.objects.order_by("position")))
        .order_by("prize", "-year")
    )


def protocol_list(*, pact: Pact) -> QuerySet[Protocol]:
    return (
        Protocol.objects.filter(pact=pact)
        .prefetch_related(
            Prefetch("signatories", queryset=Party.objects.only("pk", "name").order_by("name")),
            Prefetch("updates", queryset=ProtocolUpdate.objects.order_by("on", "pk")),
        )
        .order_by("kind", "-signed_on", "code")
    )


def investment_list(*, pact: Pact, user: Any = None) -> QuerySet[Investment]:
    """The investments a person may see by name: the public ones for everybody, all of them
    for the office."""
    found = (
        Investment.objects.filter(service__pact=pact)
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by("-assisted_on", "code")
    )
    if not (user is not None and user.has_perm("instruments.change_development", pact)):
        found = found.filter(confidential=False)
    return found


def service_activities(*, pact: Pact, limit: int = 50) -> list[ServiceActivity]:
    """The office's latest activities, newest first."""
    return list(
        ServiceActivity.objects.filter(service__pact=pact)
        .select_related("service", "municipality")
        .defer("municipality__boundary")
        .order_by("-held_on", "-pk")[:limit]
    )


def agreement_get(*, pact: Pact, code: str) -> Agreement:
    """One agreement with its commitments and each one's monitoring reports (3 queries)."""
    found = (
        Agreement.objects.filter(pact=pact, code=code)
        .select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.order_by("due_on", "pk").prefetch_related(
                    Prefetch("reports", queryset=CommitmentReport.objects.order_by("reported_on"))
                ),
            )
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


def instrument_roles_of(person: Any) -> QuerySet:
    """A person's roles in the work instruments, by pact (for the people page)."""
    from .models import InstrumentRole

    return (
        InstrumentRole.objects.filter(user=person)
        .select_related("pact")
        .only("pk", "role", "pact__code", "pact__short_title")
        .order_by("pact__code", "role")
    )
