"""Writes to the work instruments: one function per action a person takes.

Each runs in one transaction, checks the role (``patto.instruments.rules``) and the state,
validates the record with the model's own checks, keeps the history (django-simple-history,
with the acting person and a reason) and recomputes the stored figures that the pages read.
``user=None`` is the platform itself (the package loader, commands).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.engine.problems import Problem
from patto.engine.suppression import suppress
from patto.pact.models import Pact, Party
from patto.pact.selectors import municipality_place

from .ateco import section_of
from .models import (
    Agreement,
    ApplicationDocument,
    CaseMeeting,
    CaseWorkers,
    Commitment,
    CommitmentReport,
    CrisisCase,
    CriterionStatement,
    DevelopmentService,
    InstrumentRole,
    Investment,
    Pathway,
    PathwayStep,
    Placement,
    PrizeAward,
    PrizeEdition,
    Protocol,
    ProtocolUpdate,
    RegisterApplication,
    RegisterCriterion,
    SafetyNet,
    ServiceActivity,
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
    place = municipality_place(root=case.pact.territory, municipality_id=case.municipality_id,
                               on=case.reported_on)
    if not place.within:
        raise InstrumentError(
            "municipality",
            _(
                "municipality: %(name)s is not a municipality of the pact's territory on "
                "%(day)s: choose one of its municipalities."
            )
            % {"name": case.municipality, "day": case.reported_on},
        )
    case.area = place.group


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


#: Refreshes put off to the end of a :func:`figures_once` block, by function and pact.
_DEFERRED: ContextVar[dict | None] = ContextVar("instrument_figures_deferred", default=None)


@contextmanager
def figures_once() -> Iterator[dict]:
    """Inside the block the stored figures are recomputed once per pact when it ends well,
    not after every write: an import of a thousand rows costs one refresh, not a thousand.
    Use it inside the transaction of the writes (the figures then commit with them); the
    block gets the refreshes pending, which it empties when its writes will be undone."""
    outer = _DEFERRED.get()
    if outer is not None:
        yield outer
        return
    pending: dict = {}
    token = _DEFERRED.set(pending)
    try:
        yield pending
    finally:
        _DEFERRED.reset(token)
    for (refresh, _pk), pact in pending.items():
        refresh(pact=pact)


def _deferred(refresh: Callable[..., None], pact: Pact) -> bool:
    pending = _DEFERRED.get()
    if pending is None:
        return False
    pending[(refresh, pact.pk)] = pact
    return True


def crisis_figures_refresh(*, pact: Pact) -> None:
    """Recompute the dashboards' figures: public ones without the confidential cases, the
    table's with every case. Called by every service that changes a case."""
    if _deferred(crisis_figures_refresh, pact):
        return
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
    if threshold == SUPPRESSION_THRESHOLD and _deferred(pathway_figures_refresh, pact):
        return
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


# Inclusive-companies register ------------------------------------------------------------------

#: Documents an application may carry, and the formats accepted (checked on their content).
MAX_DOCUMENTS = 5
DOCUMENT_TYPES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
#: How long an entry lasts when the office does not say otherwise.
REGISTRATION_YEARS = 3


def register_criterion_save(
    *, user: Any, pact: Pact, code: str, title: str, description: str = "", position: int = 0
) -> RegisterCriterion:
    """Publish a criterion of the register, or change its wording."""
    _require(user, "instruments.change_register", pact)
    criterion = RegisterCriterion.objects.filter(pact=pact, code=code).first() or RegisterCriterion(
        pact=pact, code=code
    )
    criterion.title, criterion.description, criterion.position = title, description, position
    _validated(criterion, exclude=["pact"])
    with transaction.atomic():
        _history(criterion, user, _("criterion published"))
        criterion.save()
    return criterion


def _check_document(upload: Any, limit: int) -> str:
    """The upload's extension when it is a document we accept, else an error naming it."""
    import os

    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in DOCUMENT_TYPES:
        raise InstrumentError(
            "documents",
            _(
                "documents: “%(name)s” is not a PDF, PNG or JPEG file: save it in one of these "
                "formats."
            )
            % {"name": name},
        )
    if upload.size > limit:
        raise InstrumentError(
            "documents",
            _("documents: “%(name)s” is larger than %(limit)s MB: send a smaller file.")
            % {"name": name, "limit": limit // (1024 * 1024)},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[extension]):
        raise InstrumentError(
            "documents",
            _("documents: “%(name)s” is not really a %(kind)s file: export it again.")
            % {"name": name, "kind": extension[1:].upper()},
        )
    return extension


def register_apply(
    *,
    user: Any,
    pact: Pact,
    data: Mapping[str, Any],
    statements: Mapping[int, str],
    documents: Iterable[Any] = (),
    today: dt.date | None = None,
) -> RegisterApplication:
    """A company applies to the register against the published criteria, with documents.

    Anyone may apply (no account needed); every published criterion needs a statement; the
    documents are bounded in number, size (the upload limit of ``patto.core.importing``)
    and type, and stored under names the platform makes, inside the media folder.
    """
    from django.utils import timezone

    from patto.core.importing import Limits

    criteria = list(pact.register_criteria.all())
    if not criteria:
        raise InstrumentError(
            "",
            _(
                "The register has no published criteria yet: "
                "applications open when they are published."
            ),
        )
    application = RegisterApplication(
        pact=pact,
        submitted_on=today or timezone.localdate(),
        **{
            k: data.get(k, "")
            for k in ("company_name", "company_tax_code", "ateco_code", "contact_email", "website")
        },
        municipality=data.get("municipality"),
    )
    application.company_tax_code = application.company_tax_code.strip().upper()
    application.ateco_section = section_of(application.ateco_code) or ""
    _validated(application)
    if not municipality_place(root=pact.territory, municipality_id=application.municipality_id,
                              on=application.submitted_on).within:
        raise InstrumentError(
            "municipality", _("municipality: choose a municipality of the pact's territory.")
        )
    if RegisterApplication.objects.filter(
        pact=pact,
        company_tax_code=application.company_tax_code,
        status__in=["submitted", "registered"],
    ).exists():
        raise InstrumentError(
            "company_tax_code",
            _(
                "company_tax_code: this company already has an application or an entry in the "
                "register: wait for the decision, or ask for the renewal."
            ),
        )
    for criterion in criteria:
        if not (statements.get(criterion.pk) or "").strip():
            raise InstrumentError(
                f"criterion_{criterion.pk}",
                _("criterion_%(pk)s: say how the company meets “%(title)s”.")
                % {"pk": criterion.pk, "title": criterion.title},
            )
    documents = list(documents)
    if len(documents) > MAX_DOCUMENTS:
        raise InstrumentError(
            "documents", _("documents: attach at most %(n)s files.") % {"n": MAX_DOCUMENTS}
        )
    limit = Limits.from_settings().bytes
    extensions = [_check_document(d, limit) for d in documents]
    with transaction.atomic():
        _history(application, user, _("application submitted"))
        application.save()
        for criterion in criteria:
            statement = CriterionStatement(
                application=application, criterion=criterion, text=statements[criterion.pk].strip()
            )
            _history(statement, user, _("application submitted"))
            statement.save()
        for upload, extension in zip(documents, extensions, strict=True):
            document = ApplicationDocument(
                application=application, original_name=upload.name[-255:], size=upload.size
            )
            # The stored name is ours: nothing of the sender's name reaches the path.
            document.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
            _history(document, user, _("application submitted"))
            document.save()
    return application


def _decided(application: RegisterApplication, user: Any, reason: str) -> None:
    application.decided_by = user if getattr(user, "pk", None) else None
    _history(application, user, reason)
    application.save()


def register_decide(
    *,
    user: Any,
    application: RegisterApplication,
    register: bool,
    on: dt.date,
    valid_until: dt.date | None = None,
    reason: str = "",
) -> RegisterApplication:
    """The office's decision: register with a validity date, or reject saying why."""
    _require(user, "instruments.change_register", application)
    if application.status != RegisterApplication.Status.SUBMITTED:
        raise InstrumentError("status", _("status: the application has already been decided."))
    if register:
        valid_until = valid_until or on.replace(year=on.year + REGISTRATION_YEARS)
        if valid_until <= on:
            raise InstrumentError(
                "valid_until",
                _("valid_until: the entry must be valid after the day it is registered."),
            )
        application.status = RegisterApplication.Status.REGISTERED
        application.registered_on, application.valid_until = on, valid_until
        application.reason = reason.strip()
    else:
        if not reason.strip():
            raise InstrumentError("reason", _("reason: say why the application is rejected."))
        application.status, application.reason = RegisterApplication.Status.REJECTED, reason.strip()
    with transaction.atomic():
        _decided(application, user, _("registered") if register else _("rejected"))
    return application


def register_renew(
    *, user: Any, application: RegisterApplication, valid_until: dt.date
) -> RegisterApplication:
    """Extend a registered (or just expired) entry to a new validity date."""
    _require(user, "instruments.change_register", application)
    if application.status not in (
        RegisterApplication.Status.REGISTERED,
        RegisterApplication.Status.EXPIRED,
    ):
        raise InstrumentError(
            "status", _("status: only a registered or expired entry can be renewed.")
        )
    if valid_until <= application.valid_until:
        raise InstrumentError(
            "valid_until",
            _("valid_until: the new date must come after %(day)s.")
            % {"day": application.valid_until},
        )
    application.status = RegisterApplication.Status.REGISTERED
    application.valid_until, application.reminded_on = valid_until, None
    with transaction.atomic():
        _decided(application, user, _("renewed"))
    return application


def register_revoke(
    *, user: Any, application: RegisterApplication, reason: str
) -> RegisterApplication:
    """Take a company off the register, saying why."""
    _require(user, "instruments.change_register", application)
    if application.status != RegisterApplication.Status.REGISTERED:
        raise InstrumentError("status", _("status: only a registered entry can be revoked."))
    if not reason.strip():
        raise InstrumentError("reason", _("reason: say why the entry is revoked."))
    application.status, application.reason = RegisterApplication.Status.REVOKED, reason.strip()
    with transaction.atomic():
        _decided(application, user, _("revoked"))
    return application


@dataclass
class RegisterRound:
    """What a daily run of the register did (or would do, in a dry run)."""

    expired: list[RegisterApplication]
    reminded: list[RegisterApplication]


def register_daily(
    *, today: dt.date, days_before: int = 60, dry_run: bool = False
) -> RegisterRound:
    """Expire the entries past their date and remind, once, those due within
    ``days_before`` days. Run by the ``register_reminders`` command every day."""
    from django.conf import settings
    from django.core.mail import send_mail

    live = RegisterApplication.objects.filter(status=RegisterApplication.Status.REGISTERED)
    expired = list(live.filter(valid_until__lt=today).select_related("pact"))
    due = list(
        live.filter(
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=days_before),
            reminded_on__isnull=True,
        ).select_related("pact")
    )
    if dry_run:
        return RegisterRound(expired, due)
    with transaction.atomic():
        for entry in expired:
            entry.status = RegisterApplication.Status.EXPIRED
            _history(entry, None, _("validity ended"))
            entry.save(update_fields=["status", "updated_at"])
        for entry in due:
            entry.reminded_on = today
            if not entry.contact_email:
                # An entry loaded from a package has no address (a public package carries
                # none): its history tells the office to remind the company itself.
                _history(entry, None, _("renewal due: no e-mail address, the office reminds "
                                        "the company"))
                entry.save(update_fields=["reminded_on", "updated_at"])
                continue
            _history(entry, None, _("renewal reminder sent"))
            entry.save(update_fields=["reminded_on", "updated_at"])
            # Sent only once the reminder is recorded for good.
            transaction.on_commit(
                lambda e=entry: send_mail(
                    subject=_("Inclusive-companies register: renewal of %(company)s")
                    % {"company": e.company_name},
                    message=_(
                        "The entry of %(company)s in the register of the %(pact)s is valid "
                        "until %(day)s. To stay in the register, ask the office for the "
                        "renewal before that day."
                    )
                    % {
                        "company": e.company_name,
                        "pact": e.pact.short_title,
                        "day": e.valid_until.strftime("%d/%m/%Y"),
                    },
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[e.contact_email],
                )
            )
    return RegisterRound(expired, due)


# Good-employment agreements --------------------------------------------------------------------

AGREEMENT_FIELDS = (
    "code",
    "company_name",
    "company_tax_code",
    "site",
    "municipality",
    "signed_on",
    "ends_on",
    "summary",
    "is_example",
)


def agreement_create(
    *, user: Any, pact: Pact, data: Mapping[str, Any], commitments: Iterable[Mapping[str, Any]] = ()
) -> Agreement:
    """Record a signed agreement with its commitments (hires, training hours, safety)."""
    _require(user, "instruments.change_agreement", pact)
    agreement = Agreement(pact=pact, **{k: v for k, v in data.items() if k in AGREEMENT_FIELDS})
    agreement.company_tax_code = (agreement.company_tax_code or "").strip().upper()
    _validated(agreement)
    if agreement.ends_on is not None and agreement.ends_on <= agreement.signed_on:
        raise InstrumentError("ends_on", _("ends_on: the agreement must end after it is signed."))
    if Agreement.objects.filter(pact=pact, code=agreement.code).exists():
        raise InstrumentError(
            "code",
            _("code: another agreement already uses “%(code)s”: choose another code.")
            % {"code": agreement.code},
        )
    if not municipality_place(root=pact.territory, municipality_id=agreement.municipality_id,
                              on=agreement.signed_on).within:
        raise InstrumentError(
            "municipality", _("municipality: choose a municipality of the pact's territory.")
        )
    made = []
    for item in commitments:
        commitment = Commitment(agreement=agreement, **item)
        _validated(commitment, exclude=["agreement"])
        if commitment.target <= 0:
            raise InstrumentError("target", _("target: write a number above zero."))
        made.append(commitment)
    with transaction.atomic():
        _history(agreement, user, _("agreement signed"))
        agreement.save()
        for commitment in made:
            commitment.agreement = agreement
            _history(commitment, user, _("agreement signed"))
            commitment.save()
    return agreement


def commitment_report(
    *, user: Any, commitment: Commitment, reported_on: dt.date, value: int, note: str = ""
) -> CommitmentReport:
    """Record how much of a commitment was achieved by a day; the commitment keeps the
    latest figure, which the pages show against the target."""
    _require(user, "instruments.change_agreement", commitment.agreement)
    if reported_on < commitment.agreement.signed_on:
        raise InstrumentError(
            "reported_on",
            _("reported_on: the report is before the agreement was signed (%(day)s).")
            % {"day": commitment.agreement.signed_on},
        )
    if commitment.reports.filter(reported_on=reported_on).exists():
        raise InstrumentError(
            "reported_on",
            _("reported_on: there is already a report on this day: correct that one."),
        )
    report = CommitmentReport(
        commitment=commitment, reported_on=reported_on, value=value, note=note
    )
    _validated(report)
    with transaction.atomic():
        _history(report, user, _("monitoring report"))
        report.save()
        latest = commitment.reports.order_by("-reported_on").first()
        commitment.achieved, commitment.reported_on = latest.value, latest.reported_on
        _history(commitment, user, _("monitoring report"))
        commitment.save(update_fields=["achieved", "reported_on"])
    return report


# Economic development: services, activities, investors, prizes, protocols ----------------------


def development_service_save(
    *,
    user: Any,
    pact: Pact,
    code: str,
    name: str,
    kind: str,
    description: str = "",
    started_on: dt.date | None = None,
    position: int = 0,
    is_example: bool = False,
) -> DevelopmentService:
    """Record a service or table of the pact under its local name, or change it."""
    _require(user, "instruments.change_development", pact)
    service = DevelopmentService.objects.filter(pact=pact, code=code).first() or DevelopmentService(
        pact=pact, code=code
    )
    service.name, service.kind, service.description = name, kind, description
    service.started_on, service.position, service.is_example = started_on, position, is_example
    _validated(service, exclude=["pact"])
    with transaction.atomic():
        _history(service, user, _("service recorded"))
        service.save()
        development_figures_refresh(pact=pact)
    return service


def _in_territory(pact: Pact, municipality: Any, on: dt.date) -> None:
    if municipality is None:
        return
    if not municipality_place(root=pact.territory, municipality_id=municipality.pk,
                              on=on).within:
        raise InstrumentError(
            "municipality", _("municipality: choose a municipality of the pact's territory.")
        )


def service_activity_record(
    *,
    user: Any,
    service: DevelopmentService,
    kind: str,
    held_on: dt.date,
    count: int = 1,
    title: str = "",
    participants: int | None = None,
    municipality: Any = None,
    note: str = "",
    is_example: bool = False,
) -> ServiceActivity:
    """Record consultations (counted, by topic), an event or a meeting of a service."""
    _require(user, "instruments.change_development", service.pact)
    activity = ServiceActivity(
        service=service,
        kind=kind,
        held_on=held_on,
        count=count,
        title=title.strip(),
        participants=participants,
        municipality=municipality,
        note=note.strip(),
        is_example=is_example,
    )
    _validated(activity)
    if kind != ServiceActivity.Kind.CONSULTATION and not activity.title:
        raise InstrumentError("title", _("title: say what the event or meeting was about."))
    if count < 1:
        raise InstrumentError("count", _("count: write how many, one or more."))
    if service.started_on and held_on < service.started_on:
        raise InstrumentError(
            "held_on",
            _("held_on: the service started on %(day)s: check the date.")
            % {"day": service.started_on},
        )
    _in_territory(service.pact, municipality, held_on)
    with transaction.atomic():
        _history(activity, user, _("activity recorded"))
        activity.save()
        development_figures_refresh(pact=service.pact)
    return activity


def service_activity_delete(*, user: Any, activity: ServiceActivity, reason: str) -> None:
    """Take out an activity recorded by mistake, saying why (the history keeps it)."""
    _require(user, "instruments.change_development", activity.service.pact)
    if not reason.strip():
        raise InstrumentError("reason", _("reason: say why the activity is taken out."))
    with transaction.atomic():
        _history(activity, user, reason.strip())
        activity.delete()
        development_figures_refresh(pact=activity.service.pact)


INVESTMENT_FIELDS = (
    "company_name",
    "country",
    "ateco_code",
    "municipality",
    "assisted_on",
    "status",
    "amount",
    "jobs",
    "confidential",
    "summary",
    "is_example",
)


def investment_save(
    *, user: Any, service: DevelopmentService, code: str, data: Mapping[str, Any]
) -> Investment:
    """Record an investor the service assists, or what changed (status, amount, jobs)."""
    _require(user, "instruments.change_development", service.pact)
    if service.kind != DevelopmentService.Kind.INVESTOR_SERVICE:
        raise InstrumentError(
            "service", _("service: investments are recorded under the service for investors.")
        )
    investment = Investment.objects.filter(service=service, code=code).first() or Investment(
        service=service, code=code
    )
    created = investment.pk is None
    for name, value in data.items():
        if name in INVESTMENT_FIELDS:
            setattr(investment, name, value)
    investment.country = (investment.country or "").strip().upper()
    _validated(investment)
    if investment.amount is not None and investment.amount < 0:
        raise InstrumentError("amount", _("amount: write the investment in euro, zero or more."))
    _in_territory(service.pact, investment.municipality, investment.assisted_on)
    with transaction.atomic():
        _history(investment, user, _("investor assisted") if created else _("investment changed"))
        investment.save()
        development_figures_refresh(pact=service.pact)
    return investment


def prize_edition_save(
    *,
    user: Any,
    pact: Pact,
    prize: str,
    year: int,
    awards: Iterable[Mapping[str, Any]] = (),
    awarded_on: dt.date | None = None,
    applications: int | None = None,
    summary: str = "",
    is_example: bool = False,
) -> PrizeEdition:
    """Record an edition of a prize with its awards (which replace those recorded before)."""
    _require(user, "instruments.change_development", pact)
    edition = PrizeEdition.objects.filter(
        pact=pact, prize=prize.strip(), year=year
    ).first() or PrizeEdition(pact=pact, prize=prize.strip(), year=year)
    edition.awarded_on, edition.applications = awarded_on, applications
    edition.summary, edition.is_example = summary, is_example
    _validated(edition, exclude=["pact"])
    if awarded_on is not None and awarded_on.year not in (year, year + 1):
        raise InstrumentError(
            "awarded_on",
            _("awarded_on: an edition of %(year)s is awarded in that year or the next.")
            % {"year": year},
        )
    made = []
    for position, item in enumerate(awards):
        award = PrizeAward(edition=edition, position=position, **item)
        _validated(award, exclude=["edition"])
        made.append(award)
    with transaction.atomic():
        _history(edition, user, _("prize edition recorded"))
        edition.save()
        edition.awards.all().delete()
        for award in made:
            award.edition = edition
            _history(award, user, _("prize edition recorded"))
            award.save()
    return edition


PROTOCOL_FIELDS = (
    "kind",
    "title",
    "site",
    "signed_on",
    "summary",
    "other_signatories",
    "is_example",
)


def protocol_save(
    *,
    user: Any,
    pact: Pact,
    code: str,
    data: Mapping[str, Any],
    signatories: Iterable[Party] = (),
) -> Protocol:
    """Record a protocol with its signatories (parties of the pact, and others by name)."""
    _require(user, "instruments.change_development", pact)
    protocol = Protocol.objects.filter(pact=pact, code=code).first() or Protocol(
        pact=pact, code=code
    )
    created = protocol.pk is None
    for name, value in data.items():
        if name in PROTOCOL_FIELDS:
            setattr(protocol, name, value)
    _validated(protocol, exclude=["pact"])
    signatories = list(signatories)
    members = set(
        pact.parties.filter(pk__in=[p.pk for p in signatories]).values_list("pk", flat=True)
    )
    for party in signatories:
        if party.pk not in members:
            raise InstrumentError(
                "signatories",
                _(
                    "signatories: %(name)s is not a party of the pact: write it among the "
                    "other signatories."
                )
                % {"name": party},
            )
    with transaction.atomic():
        _history(protocol, user, _("protocol signed") if created else _("protocol changed"))
        protocol.save()
        protocol.signatories.set(signatories)
    return protocol


def protocol_add_update(
    *, user: Any, protocol: Protocol, kind: str, on: dt.date, note: str
) -> ProtocolUpdate:
    """Record a renewal, an amendment, an extension or a monitoring report of a protocol."""
    _require(user, "instruments.change_development", protocol.pact)
    update = ProtocolUpdate(protocol=protocol, kind=kind, on=on, note=note.strip())
    _validated(update)
    if on < protocol.signed_on:
        raise InstrumentError(
            "on",
            _("on: the update is before the protocol was signed (%(day)s).")
            % {"day": protocol.signed_on},
        )
    with transaction.atomic():
        _history(update, user, _("protocol updated"))
        update.save()
    return update


def development_figures_refresh(*, pact: Pact) -> None:
    """Recompute the public counts of the services and of the investors assisted.

    Consultations are summed (a row may count many), events and meetings counted with their
    participants. Every investor assisted is counted; amounts and jobs only of those that
    are not confidential and were decided or realised, so that no undisclosed figure can be
    read from a total.
    """
    if _deferred(development_figures_refresh, pact):
        return
    services = list(
        DevelopmentService.objects.filter(pact=pact)
        .order_by("position", "code")
        .values("pk", "code", "name", "kind", "is_example")
    )
    per_service: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for service_id, kind, day, count, participants in ServiceActivity.objects.filter(
        service__pact=pact
    ).values_list("service_id", "kind", "held_on", "count", "participants"):
        year = per_service[service_id][str(day.year)]
        year[kind] += count
        year["participants"] += participants or 0
    investments: dict[str, Counter] = defaultdict(Counter)
    for day, status, amount, jobs, confidential in Investment.objects.filter(
        service__pact=pact
    ).values_list("assisted_on", "status", "amount", "jobs", "confidential"):
        year = investments[str(day.year)]
        year["assisted"] += 1
        if status in (Investment.Status.DECIDED, Investment.Status.REALISED):
            year["decided"] += 1
            if not confidential:
                year["amount_cents"] += int((amount or 0) * 100)
                year["jobs"] += jobs or 0
    keys = ("consultation", "event", "meeting", "participants")
    data = {
        "services": [
            {
                **{k: s[k] for k in ("code", "name", "kind", "is_example")},
                "years": {
                    y: {k: c[k] for k in keys} for y, c in sorted(per_service[s["pk"]].items())
                },
                "totals": {k: sum(c[k] for c in per_service[s["pk"]].values()) for k in keys},
            }
            for s in services
        ],
        "investments": {
            y: {k: c[k] for k in ("assisted", "decided", "amount_cents", "jobs")}
            for y, c in sorted(investments.items())
        },
    }
    # A package loaded again gives the same figures: nothing is written then.
    current = (
        StoredFigures.objects.filter(pact=pact, kind="development-public")
        .values_list("data", flat=True)
        .first()
    )
    if current != data:
        StoredFigures.objects.update_or_create(
            pact=pact, kind="development-public", defaults={"data": data}
        )


def agreement_add_commitment(
    *, user: Any, agreement: Agreement, kind: str, description: str, target: int, due_on: dt.date
) -> Commitment:
    """Add a commitment to a signed agreement (an addendum)."""
    _require(user, "instruments.change_agreement", agreement)
    commitment = Commitment(
        agreement=agreement,
        kind=kind,
        description=description.strip(),
        target=target,
        due_on=due_on,
    )
    _validated(commitment)
    if target <= 0:
        raise InstrumentError("target", _("target: write a number above zero."))
    if due_on < agreement.signed_on:
        raise InstrumentError(
            "due_on",
            _("due_on: a commitment falls due after the agreement is signed (%(day)s).")
            % {"day": agreement.signed_on},
        )
    with transaction.atomic():
        _history(commitment, user, _("commitment added"))
        commitment.save()
    return commitment


# Roles -----------------------------------------------------------------------------------------


def instrument_role_grant(*, user: Any, pact: Pact, person: Any, role: str) -> InstrumentRole:
    """Give a person a role in a pact's work instruments (the secretariat only); giving a role
    the person already holds changes nothing. For the people page of the site."""
    _require(user, "instruments.change_instrumentrole", pact)
    if role not in InstrumentRole.Role.values:
        raise InstrumentError("role", _("role: choose one of the instruments' roles."))
    if not getattr(person, "is_active", False):
        raise InstrumentError("person", _("person: the account is not active: invite them first."))
    found = InstrumentRole.objects.filter(pact=pact, user=person, role=role).first()
    if found is not None:
        return found
    granted = InstrumentRole(pact=pact, user=person, role=role)
    with transaction.atomic():
        _history(granted, user, _("role granted"))
        granted.save()
    return granted


def instrument_role_revoke(*, user: Any, role: InstrumentRole) -> None:
    """Take a role away; the history keeps who held it and who took it away."""
    _require(user, "instruments.change_instrumentrole", role.pact)
    with transaction.atomic():
        _history(role, user, _("role revoked"))
        role.delete()


# Records of a public data package --------------------------------------------------------------

REGISTER_ENTRY_FIELDS = (
    "company_name",
    "ateco_code",
    "municipality",
    "website",
    "registered_on",
    "valid_until",
    "is_example",
)


def register_entry_record(
    *, user: Any, pact: Pact, company_tax_code: str, data: Mapping[str, Any]
) -> RegisterApplication:
    """Record an entry of the register as a public package publishes it (the company, its
    sector and place, its validity), or bring the live entry of that company in line.

    A package is public: it carries neither the contact e-mail nor the statements and
    documents of the application, so the entry is recorded without them (the e-mail stays
    empty, and the office's own applications keep theirs)."""
    _require(user, "instruments.change_register", pact)
    tax_code = (company_tax_code or "").strip().upper()
    live = [RegisterApplication.Status.SUBMITTED, RegisterApplication.Status.REGISTERED]
    entry = RegisterApplication.objects.filter(
        pact=pact, company_tax_code=tax_code, status__in=live
    ).first()
    created = entry is None
    if created:
        entry = RegisterApplication(
            pact=pact,
            company_tax_code=tax_code,
            status=RegisterApplication.Status.REGISTERED,
            submitted_on=data.get("registered_on"),
        )
    elif entry.status != RegisterApplication.Status.REGISTERED:
        raise InstrumentError(
            "company_tax_code",
            _("company_tax_code: the company's application is not decided yet: decide it first."),
        )
    for name, value in data.items():
        if name in REGISTER_ENTRY_FIELDS:
            setattr(entry, name, "" if value is None and name == "website" else value)
    entry.ateco_section = section_of(entry.ateco_code) or ""
    _validated(entry, exclude=["contact_email", "ateco_section"])
    if entry.registered_on is None or entry.valid_until is None:
        raise InstrumentError("valid_until", _("valid_until: an entry has both its dates."))
    if entry.valid_until <= entry.registered_on:
        raise InstrumentError(
            "valid_until",
            _("valid_until: the entry must be valid after the day it is registered."),
        )
    _in_territory(pact, entry.municipality, entry.registered_on)
    with transaction.atomic():
        _history(entry, user, _("registered") if created else _("entry changed"))
        entry.save()
    return entry


def agreement_update(*, user: Any, agreement: Agreement, data: Mapping[str, Any]) -> Agreement:
    """Change what an agreement says of the company, its site and its dates (its code and
    commitments stay: a commitment is added as an addendum)."""
    _require(user, "instruments.change_agreement", agreement)
    for name, value in data.items():
        if name in AGREEMENT_FIELDS and name != "code":
            setattr(agreement, name, value)
    agreement.company_tax_code = (agreement.company_tax_code or "").strip().upper()
    _validated(agreement)
    if agreement.ends_on is not None and agreement.ends_on <= agreement.signed_on:
        raise InstrumentError("ends_on", _("ends_on: the agreement must end after it is signed."))
    _in_territory(agreement.pact, agreement.municipality, agreement.signed_on)
    with transaction.atomic():
        _history(agreement, user, _("agreement changed"))
        agreement.save()
    return agreement
