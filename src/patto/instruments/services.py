"""Writes to the work instruments: one function per action a person takes.

Each runs in one transaction, checks the role (``patto.instruments.rules``) and the state,
validates the record with the model's own checks, keeps the history (django-simple-history,
with the acting person and a reason) and recomputes the stored figures that the pages read.
``user=None`` is the platform itself (the package loader, commands).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.engine.problems import Problem
from patto.engine.suppression import suppress
from patto.pact.models import Pact, Party
from patto.pact.selectors import territory_tree

from .ateco import section_of
from .models import (
    CaseMeeting,
    CaseWorkers,
    CrisisCase,
    Pathway,
    PathwayStep,
    Placement,
    SafetyNet,
    StoredFigures,
)

#: Figures about fewer people than this are not published (nor what would give them away).
SUPPRESSION_THRESHOLD = 5


class InstrumentError(ApplicationError):
    """A refused write, naming the field at fault (empty for the record as a whole)."""

    def __init__(self, field: str, message: str, *, code: str = "invalid"):
        super().__init__(
            message,
            code=code,
            problems=[Problem(file="", code=code, detail=message, field=field or None)],
        )
        self.field = field


def _require(user: Any, perm: str, obj: Any) -> None:
    if user is not None and not user.has_perm(perm, obj):
        raise InstrumentError(
            "",
            _("Your role does not allow this change: ask the secretariat for the role it needs."),
            code="forbidden",
        )


def _validated(obj, *, exclude: Iterable[str] = ()) -> None:
    """The model's own checks, turned into an error naming the first field at fault."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        name = "" if field == "__all__" else field
        raise InstrumentError(name, f"{field}: {messages[0]}" if name else messages[0]) from None


def _history(obj, user: Any, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


# Crisis cases ---------------------------------------------------------------------------------

#: The steps a case may take; a closed case is final (a new crisis is a new case).
TRANSITIONS = {
    CrisisCase.Status.REPORTED: {CrisisCase.Status.OPEN, CrisisCase.Status.CLOSED},
    CrisisCase.Status.OPEN: {CrisisCase.Status.AGREEMENT, CrisisCase.Status.CLOSED},
    CrisisCase.Status.AGREEMENT: {CrisisCase.Status.CLOSED},
    CrisisCase.Status.CLOSED: set(),
}
CASE_FIELDS = (
    "code",
    "company_name",
    "company_tax_code",
    "ateco_code",
    "municipality",
    "reported_on",
    "summary",
    "confidential",
    "is_example",
)


def _place(case: CrisisCase) -> None:
    """Check that the municipality lies in the pact's territory on the day the case was
    reported, and record its union or district (the dashboards' area)."""
    tree = territory_tree(root=case.pact.territory, on=case.reported_on)
    if case.municipality_id not in {n.territory.pk for n in tree.municipalities}:
        raise InstrumentError(
            "municipality",
            _(
                "municipality: %(name)s is not a municipality of the pact's territory on "
                "%(day)s: choose one of its municipalities."
            )
            % {"name": case.municipality, "day": case.reported_on},
        )
    case.area = tree.group_of(case.municipality)


def _check_unions(pact: Pact, unions: Iterable[Party]) -> list[Party]:
    unions = list(unions)
    members = set(pact.parties.filter(pk__in=[u.pk for u in unions]).values_list("pk", flat=True))
    for union in unions:
        if union.pk not in members:
            raise InstrumentError(
                "unions",
                _("unions: %(name)s is not a party of the pact: choose among its signatories.")
                % {"name": union},
            )
    return unions


def crisis_case_create(
    *,
    user: Any,
    pact: Pact,
    data: Mapping[str, Any],
    unions: Iterable[Party] = (),
    workers: Mapping[tuple[str, str], int] | None = None,
) -> CrisisCase:
    """Record a company crisis reported to the table (status *reported*)."""
    _require(user, "instruments.change_crisiscase", pact)
    case = CrisisCase(pact=pact, **{k: v for k, v in data.items() if k in CASE_FIELDS})
    case.company_tax_code = (case.company_tax_code or "").strip().upper()
    case.ateco_section = section_of(case.ateco_code) or ""
    _validated(case, exclude=["area"])
    if CrisisCase.objects.filter(pact=pact, code=case.code).exists():
        raise InstrumentError(
            "code",
            _("code: another case already uses “%(code)s”: choose another code.")
            % {"code": case.code},
        )
    _place(case)
    with transaction.atomic():
        _history(case, user, _("case reported"))
        case.save()
        case.unions.set(_check_unions(pact, unions))
        if workers:
            _set_workers(case, workers)
        crisis_figures_refresh(pact=pact)
    return case


def crisis_case_update(
    *, user: Any, case: CrisisCase, data: Mapping[str, Any], unions: Iterable[Party] | None = None
) -> CrisisCase:
    """Change what a case says about the company, its place and its confidentiality."""
    _require(user, "instruments.change_crisiscase", case)
    for name, value in data.items():
        if name in CASE_FIELDS and name != "code":
            setattr(case, name, value)
    case.company_tax_code = (case.company_tax_code or "").strip().upper()
    case.ateco_section = section_of(case.ateco_code) or ""
    _validated(case, exclude=["area"])
    _place(case)
    with transaction.atomic():
        _history(case, user, _("case changed"))
        case.save()
        if unions is not None:
            case.unions.set(_check_unions(case.pact, unions))
        crisis_figures_refresh(pact=case.pact)
    return case


def _set_workers(case: CrisisCase, workers: Mapping[tuple[str, str], int]) -> None:
    sexes, contracts = set(CaseWorkers.Sex.values), set(CaseWorkers.Contract.values)
    for (sex, contract), count in workers.items():
        if sex not in sexes or contract not in contracts:
            raise InstrumentError(
                "workers",
                _("workers: unknown sex or contract “%(value)s”.") % {"value": f"{sex}/{contract}"},
            )
        if not isinstance(count, int) or count < 0:
            raise InstrumentError("workers", _("workers: write a whole number, zero or more."))
    case.workers.all().delete()
    CaseWorkers.objects.bulk_create(
        CaseWorkers(case=case, sex=sex, contract=contract, count=count)
        for (sex, contract), count in sorted(workers.items())
        if count
    )


def crisis_case_set_workers(
    *, user: Any, case: CrisisCase, workers: Mapping[tuple[str, str], int]
) -> CrisisCase:
    """Replace the count of workers involved, by sex and contract."""
    _require(user, "instruments.change_crisiscase", case)
    with transaction.atomic():
        _set_workers(case, workers)
        # The rows' history is kept by simple-history on each row; the case notes the change.
        _history(case, user, _("workers involved changed"))
        case.save(update_fields=["updated_at"])
        crisis_figures_refresh(pact=case.pact)
    return case


def crisis_case_transition(
    *, user: Any, case: CrisisCase, status: str, on: dt.date, outcome: str = "", note: str = ""
) -> CrisisCase:
    """Move a case to its next state; closing it needs an outcome and a date."""
    _require(user, "instruments.change_crisiscase", case)
    if status not in TRANSITIONS.get(case.status, set()):
        raise InstrumentError(
            "status",
            _("status: a case that is “%(current)s” cannot become “%(next)s”.")
            % {
                "current": case.get_status_display(),
                "next": CrisisCase.Status(status).label
                if status in CrisisCase.Status.values
                else status,
            },
        )
    if status == CrisisCase.Status.CLOSED:
        if outcome not in CrisisCase.Outcome.values:
            raise InstrumentError("outcome", _("outcome: choose how the case ended."))
        if on < case.reported_on:
            raise InstrumentError(
                "on",
                _("on: a case cannot close before it was reported (%(day)s).")
                % {"day": case.reported_on},
            )
        case.outcome, case.closed_on = outcome, on
    elif outcome:
        raise InstrumentError("outcome", _("outcome: only a closed case has an outcome."))
    case.status = status
    with transaction.atomic():
        _history(case, user, note or _("status changed"))
        case.save(update_fields=["status", "outcome", "closed_on", "updated_at"])
        crisis_figures_refresh(pact=case.pact)
    return case


def crisis_case_add_meeting(
    *, user: Any, case: CrisisCase, held_on: dt.date, subject: str, outcome: str = ""
) -> CaseMeeting:
    """Record a meeting of the table on the case and what came of it."""
    _require(user, "instruments.change_crisiscase", case)
    meeting = CaseMeeting(case=case, held_on=held_on, subject=subject, outcome=outcome)
    _validated(meeting)
    if held_on < case.reported_on:
        raise InstrumentError(
            "held_on",
            _("held_on: the meeting is before the case was reported (%(day)s).")
            % {"day": case.reported_on},
        )
    with transaction.atomic():
        _history(meeting, user, _("meeting recorded"))
        meeting.save()
    return meeting


def crisis_case_add_safety_net(
    *,
    user: Any,
    case: CrisisCase,
    kind: str,
    workers: int,
    start_on: dt.date,
    end_on: dt.date | None = None,
) -> SafetyNet:
    """Record a safety net the company used for its workers."""
    _require(user, "instruments.change_crisiscase", case)
    net = SafetyNet(case=case, kind=kind, workers=workers, start_on=start_on, end_on=end_on)
    _validated(net)
    if end_on is not None and end_on < start_on:
        raise InstrumentError("end_on", _("end_on: the safety net ends before it starts."))
    with transaction.atomic():
        _history(net, user, _("safety net recorded"))
        net.save()
        crisis_figures_refresh(pact=case.pact)
    return net


# Stored figures -------------------------------------------------------------------------------


def _crisis_figures(
    cases: list[CrisisCase], workers: dict[int, int], nets: dict[int, Counter]
) -> dict:
    """Cases and workers per year by ATECO section and by area; status and outcome counts."""
    by_sector: dict[str, Counter] = defaultdict(Counter)
    workers_by_sector: dict[str, Counter] = defaultdict(Counter)
    by_area: dict[str, Counter] = defaultdict(Counter)
    workers_by_area: dict[str, Counter] = defaultdict(Counter)
    status, outcome, net_kinds = Counter(), Counter(), Counter()
    years = set()
    for case in cases:
        year = str(case.reported_on.year)
        years.add(year)
        area = case.area.name if case.area_id else case.municipality.name
        by_sector[case.ateco_section][year] += 1
        workers_by_sector[case.ateco_section][year] += workers.get(case.pk, 0)
        by_area[area][year] += 1
        workers_by_area[area][year] += workers.get(case.pk, 0)
        status[case.status] += 1
        if case.outcome:
            outcome[case.outcome] += 1
        net_kinds.update(nets.get(case.pk, Counter()))

    def table(source: dict[str, Counter]) -> dict[str, list[int]]:
        return {key: [source[key][y] for y in sorted(years)] for key in sorted(source)}

    return {
        "years": sorted(years),
        "cases": len(cases),
        "workers": sum(workers.get(c.pk, 0) for c in cases),
        "by_sector": table(by_sector),
        "workers_by_sector": table(workers_by_sector),
        "by_area": table(by_area),
        "workers_by_area": table(workers_by_area),
        "status": dict(status),
        "outcome": dict(outcome),
        "safety_nets": dict(net_kinds),
    }


def crisis_figures_refresh(*, pact: Pact) -> None:
    """Recompute the dashboards' figures: public ones without the confidential cases, the
    table's with every case. Called by every service that changes a case."""
    from django.db.models import Sum

    cases = list(
        CrisisCase.objects.filter(pact=pact)
        .select_related("area", "municipality")
        .only(
            "pk",
            "reported_on",
            "ateco_section",
            "status",
            "outcome",
            "confidential",
            "area__name",
            "municipality__name",
        )
    )
    workers = dict(
        CaseWorkers.objects.filter(case__pact=pact)
        .values("case")
        .annotate(n=Sum("count"))
        .values_list("case", "n")
    )
    nets: dict[int, Counter] = defaultdict(Counter)
    for case_id, kind, n in SafetyNet.objects.filter(case__pact=pact).values_list(
        "case", "kind", "workers"
    ):
        nets[case_id][kind] += n
    for kind, chosen in (
        ("crisis-public", [c for c in cases if not c.confidential]),
        ("crisis-all", cases),
    ):
        StoredFigures.objects.update_or_create(
            pact=pact, kind=kind, defaults={"data": _crisis_figures(chosen, workers, nets)}
        )


# Job-inclusion pathways -----------------------------------------------------------------------

#: The order of the stages; training may be skipped, the others may not.
STAGE_ORDER = ["intake", "orientation", "training", "placement", "follow_up"]
#: The follow-up looks at the job six months after it started.
FOLLOW_UP_DAYS = 182
PATHWAY_FIELDS = (
    "person_code",
    "sex",
    "age_band",
    "target",
    "municipality",
    "started_on",
    "is_example",
)


def pathway_open(
    *, user: Any, pact: Pact, data: Mapping[str, Any], operator: Any = None
) -> Pathway:
    """Open a pathway at intake; the operator is the person opening it (the secretariat and
    the platform name one)."""
    _require(user, "instruments.add_pathway", pact)
    operator = operator or user
    if (
        operator is None
        or not operator.instrument_roles.filter(pact=pact, role="inclusion_operator").exists()
    ):
        raise InstrumentError(
            "operator",
            _("operator: the pathway needs an operator with the job-inclusion role in this pact."),
        )
    pathway = Pathway(
        pact=pact, operator=operator, **{k: v for k, v in data.items() if k in PATHWAY_FIELDS}
    )
    pathway.person_code = (pathway.person_code or "").strip().upper()
    _validated(pathway)
    if Pathway.objects.filter(pact=pact, person_code=pathway.person_code).exists():
        raise InstrumentError(
            "person_code", _("person_code: another pathway already uses this code: choose another.")
        )
    with transaction.atomic():
        _history(pathway, user, _("pathway opened"))
        pathway.save()
        step = PathwayStep(pathway=pathway, stage="intake", reached_on=pathway.started_on)
        _history(step, user, _("pathway opened"))
        step.save()
        pathway_figures_refresh(pact=pact)
    return pathway


def pathway_advance(*, user: Any, pathway: Pathway, stage: str, on: dt.date) -> Pathway:
    """Record that the pathway reached a later stage (orientation or training; placement
    and follow-up have their own services, which carry the job)."""
    _require(user, "instruments.change_pathway", pathway)
    if stage not in ("orientation", "training"):
        raise InstrumentError(
            "stage", _("stage: record a placement or a follow-up with its own form.")
        )
    with transaction.atomic():
        _step(user, pathway, stage, on)
        _history(pathway, user, _("stage reached"))
        pathway.save(update_fields=["stage", "updated_at"])
        pathway_figures_refresh(pact=pathway.pact)
    return pathway


def _step(user: Any, pathway: Pathway, stage: str, on: dt.date) -> None:
    """Check the stage comes after the current one, on or after its day; then record it.
    Runs inside the caller's transaction, which also saves the pathway."""
    if STAGE_ORDER.index(stage) <= STAGE_ORDER.index(pathway.stage):
        raise InstrumentError(
            "stage",
            _("stage: the pathway is already at “%(current)s”: stages only move forward.")
            % {"current": pathway.get_stage_display()},
        )
    if stage == "follow_up" and pathway.stage != "placement":
        raise InstrumentError("stage", _("stage: the follow-up comes after a placement."))
    if stage == "placement" and pathway.stage == "intake":
        raise InstrumentError("stage", _("stage: a placement comes after orientation."))
    last = pathway.steps.order_by("-reached_on").values_list("reached_on", flat=True).first()
    if last is not None and on < last:
        raise InstrumentError(
            "on", _("on: the stage cannot come before the previous one (%(day)s).") % {"day": last}
        )
    step = PathwayStep(pathway=pathway, stage=stage, reached_on=on)
    _validated(step)
    pathway.stage = stage
    _history(step, user, _("stage reached"))
    step.save()


def pathway_place(
    *,
    user: Any,
    pathway: Pathway,
    company_name: str,
    contract: str,
    started_on: dt.date,
    company_tax_code: str = "",
) -> Placement:
    """Record the job the pathway led to; the pathway reaches *placement*."""
    _require(user, "instruments.change_pathway", pathway)
    placement = Placement(
        pathway=pathway,
        company_name=company_name,
        company_tax_code=(company_tax_code or "").strip().upper(),
        contract=contract,
        started_on=started_on,
    )
    _validated(placement)
    with transaction.atomic():
        _step(user, pathway, "placement", started_on)
        _history(placement, user, _("placement recorded"))
        placement.save()
        _history(pathway, user, _("placement recorded"))
        pathway.save(update_fields=["stage", "updated_at"])
        pathway_figures_refresh(pact=pathway.pact)
    return placement


def pathway_follow_up(*, user: Any, pathway: Pathway, on: dt.date, employed: bool) -> Pathway:
    """Record the follow-up six months after the job started: still employed or not."""
    _require(user, "instruments.change_pathway", pathway)
    placement = pathway.placements.order_by("-started_on").first()
    if placement is None:
        raise InstrumentError("stage", _("stage: the follow-up comes after a placement."))
    if (on - placement.started_on).days < FOLLOW_UP_DAYS:
        raise InstrumentError(
            "on",
            _("on: the follow-up is due six months after the job started (%(day)s).")
            % {"day": placement.started_on + dt.timedelta(days=FOLLOW_UP_DAYS)},
        )
    with transaction.atomic():
        _step(user, pathway, "follow_up", on)
        placement.employed_at_follow_up = employed
        _history(placement, user, _("follow-up recorded"))
        placement.save(update_fields=["employed_at_follow_up"])
        _history(pathway, user, _("follow-up recorded"))
        pathway.save(update_fields=["stage", "updated_at"])
        pathway_figures_refresh(pact=pathway.pact)
    return pathway


def _suppressed(rows: list[str], columns: list[str], counts: Counter, threshold: int) -> dict:
    """A table of counts as it may be published: cells under the threshold and those that
    would give them away are None (the raw counts are never stored)."""
    result = suppress([[counts[(r, c)] for c in columns] for r in rows], threshold=threshold)
    return {"rows": rows, "columns": columns, "cells": result.shown(), "hidden": len(result.hidden)}


def pathway_figures_refresh(*, pact: Pact, threshold: int = SUPPRESSION_THRESHOLD) -> None:
    """Recompute the public aggregates of the pathways, small cells suppressed."""
    pathways = list(Pathway.objects.filter(pact=pact).values_list("stage", "sex", "target"))
    placements = list(
        Placement.objects.filter(pathway__pact=pact).values_list(
            "contract", "started_on", "employed_at_follow_up"
        )
    )
    stages = Counter((stage, sex) for stage, sex, _target in pathways)
    targets = Counter((target, sex) for _stage, sex, target in pathways)
    years = sorted({str(day.year) for _c, day, _e in placements})
    by_contract = Counter((contract, str(day.year)) for contract, day, _e in placements)
    sexes = [s.value for s in Pathway.Sex]
    data = {
        "threshold": threshold,
        "stages": _suppressed(STAGE_ORDER, sexes, stages, threshold),
        "targets": _suppressed([t.value for t in Pathway.Target], sexes, targets, threshold),
        "placements": _suppressed(
            [c.value for c in Placement.Contract], years or ["–"], by_contract, threshold
        ),
        "followed_up": _suppressed(
            ["employed", "not_employed"],
            ["all"],
            Counter(
                {
                    ("employed", "all"): sum(1 for *_x, e in placements if e is True),
                    ("not_employed", "all"): sum(1 for *_x, e in placements if e is False),
                }
            ),
            threshold,
        ),
    }
    StoredFigures.objects.update_or_create(
        pact=pact, kind="pathways-public", defaults={"data": data}
    )
