"""Every write to participation: roles, calls and their documents, proposals and their
amendments, contributions gathered, evaluation, the ranking and the funding of programmes.

Each service takes the acting user, checks the role (see ``rules``) and the state first, runs
in one transaction and keeps history (django-simple-history, with the reason of the change).
Times are the server's: a proposal is refused once ``timezone.now()`` reaches the deadline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.core.importing import MIB, Limits
from patto.core.text import validate_text
from patto.engine import ranking as engine
from patto.pact.models import Party, Territory

from .models import (
    Call,
    CallDocument,
    CallManager,
    ConflictDeclaration,
    Criterion,
    Evaluator,
    Proposal,
    ProposalContribution,
    ProposalPoint,
    ProposerAgent,
    RankingLine,
    Score,
)

#: What a call's documents may be: office and open formats, never executables or archives.
DOCUMENT_EXTENSIONS = (".pdf", ".odt", ".ods", ".docx", ".xlsx", ".csv", ".txt")
#: The territories that may propose, by the call's switches.
UNION_KINDS = (Territory.Kind.UNION, Territory.Kind.DISTRICT)


class ParticipationError(ApplicationError):
    """A refused write, naming the field at fault (as the funds' errors do)."""

    def __init__(self, field: str | None, message: str, *, code: str = "invalid"):
        super().__init__(message, code=code)
        self.field = field


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _status(call: Call) -> str:
    """The call's status as stored now (the object in hand may be older than a publication)."""
    return Call.objects.filter(pk=call.pk).values_list("status", flat=True).first()


def _check_text(**values: Any) -> None:
    for field, value in values.items():
        try:
            validate_text(value or "")
        except ValidationError as exc:
            raise ParticipationError(field, exc.messages[0], code="control-character") from None


def _save(obj: Any, *, user: Any, reason: str) -> Any:
    """Validate and save ``obj`` with its history row naming who and why."""
    try:
        obj.full_clean(validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        field = None if field == "__all__" else field
        raise ParticipationError(field, "; ".join(messages)) from None
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    return obj


# --- Roles -----------------------------------------------------------------------------------


def _grant(model, *, user: Any, **fields: Any):
    """Give a role once (a second grant returns the first), its history naming who gave it."""
    with transaction.atomic():
        role = model.objects.filter(**fields).first()
        if role is None:
            role = model(**fields)
            role._history_user = user
            role._change_reason = _("role granted")
            role.save()
    return role


def call_manager_grant(*, pact, person: Any, user: Any) -> CallManager:
    _require(user, "participation.grant_roles")
    return _grant(CallManager, user=user, pact=pact, user_id=person.pk)


def role_revoke(*, role: Any, user: Any) -> None:
    """Take back a role of participation (call manager, proposer, moderator): what the
    person did stays; the history row names who revoked it."""
    from .models import Moderator

    if not isinstance(role, (CallManager, ProposerAgent, Moderator)):
        raise TypeError(f"not a participation role: {role!r}")
    _require(user, "participation.grant_roles")
    with transaction.atomic():
        role._history_user = user
        role._change_reason = _("role revoked")
        role.delete()


def proposer_grant(*, territory: Territory, person: Any, user: Any) -> ProposerAgent:
    _require(user, "participation.grant_roles")
    if territory.kind not in (*UNION_KINDS, Territory.Kind.MUNICIPALITY):
        raise ParticipationError(
            "territory",
            _(
                "%(territory)s is not a union, district or municipality: only these propose "
                "programmes."
            )
            % {"territory": territory},
        )
    return _grant(ProposerAgent, user=user, territory=territory, user_id=person.pk)


def evaluator_assign(*, call: Call, person: Any, user: Any) -> Evaluator:
    _require(user, "participation.assign_evaluator", call)
    if call.status == Call.Status.RANKED:
        raise ParticipationError(
            None, _("The ranking is published: no evaluator can be added."), code="ranked"
        )
    if ProposerAgent.objects.filter(
        user=person, territory__regeneration_proposals__call=call
    ).exists():
        raise ParticipationError(
            "person",
            _("%(person)s writes proposals to this call and cannot evaluate it.")
            % {"person": person.get_full_name() or person.get_username()},
            code="conflict",
        )
    with transaction.atomic():
        evaluator, _created = Evaluator.objects.get_or_create(call=call, user=person)
    return evaluator


def evaluator_remove(*, evaluator: Evaluator, user: Any) -> None:
    _require(user, "participation.assign_evaluator", evaluator.call)
    if evaluator.scores.exists():
        raise ParticipationError(
            None,
            _(
                "This evaluator has already scored proposals: the "
                "scores stay, and so does the assignment."
            ),
            code="has-scores",
        )
    evaluator._history_user = user
    evaluator.delete()


# --- Calls -----------------------------------------------------------------------------------

#: What may change once a call is published: the deadline (extended only), documents apart.
PUBLISHED_FIELDS = ("deadline",)
CALL_FIELDS = (
    "code",
    "title",
    "summary",
    "unions_may_propose",
    "municipalities_may_propose",
    "fragility",
    "opens_at",
    "deadline",
    "money_available",
    "max_request",
    "minimum_cofinancing",
    "tie_rule",
    "minimum_total",
    "skip_unaffordable",
    "fund_purpose",
    "cluster",
    "is_example",
)


def _check_call(call: Call) -> None:
    _check_text(title=call.title, summary=call.summary)
    if call.opens_at and call.deadline and call.deadline <= call.opens_at:
        raise ParticipationError(
            "deadline", _("The deadline must come after the opening: move it later.")
        )
    if call.money_available is not None and call.money_available <= 0:
        raise ParticipationError(
            "money_available", _("Write the money available, greater than zero.")
        )
    if not (call.unions_may_propose or call.municipalities_may_propose):
        raise ParticipationError(
            "unions_may_propose", _("Nobody could propose: allow unions, municipalities or both.")
        )
    if call.fragility_id is not None:
        simulation = call.fragility
        if simulation.adopted_at is None:
            raise ParticipationError(
                "fragility",
                _("Choose an adopted allocation: its fragility threshold is the published one."),
            )
        if simulation.rule.fund.pact_id != call.pact_id:
            raise ParticipationError(
                "fragility", _("The allocation belongs to another pact's fund.")
            )
    if call.fund_purpose_id is not None and call.fund_purpose.fund.pact_id != call.pact_id:
        raise ParticipationError("fund_purpose", _("The purpose belongs to another pact's fund."))
    if call.cluster_id is not None and call.cluster.pact_id != call.pact_id:
        raise ParticipationError("cluster", _("The cluster belongs to another pact."))


def call_create(*, pact, user: Any, **fields: Any) -> Call:
    """A new call, as a draft: nobody sees it before it is published."""
    _require(user, "participation.manage_call", pact)
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"unknown call fields: {sorted(unknown)}")
    call = Call(pact=pact, **fields)
    _check_call(call)
    if Call.objects.filter(pact=pact, code=call.code).exists():
        raise ParticipationError(
            "code",
            _("Another call of this pact has the code “%(code)s”: choose another.")
            % {"code": call.code},
        )
    with transaction.atomic():
        return _save(call, user=user, reason=_("call drafted"))


def call_change(*, call: Call, user: Any, **fields: Any) -> Call:
    """Change a draft; once published, only extend the deadline (proposers relied on it)."""
    _require(user, "participation.manage_call", call)
    if call.status == Call.Status.RANKED:
        raise ParticipationError(
            None, _("The ranking is published: the call is closed to changes."), code="ranked"
        )
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status == Call.Status.PUBLISHED:
            changed = {k for k, v in fields.items() if getattr(call, k) != v}
            if changed - set(PUBLISHED_FIELDS):
                raise ParticipationError(
                    sorted(changed - set(PUBLISHED_FIELDS))[0],
                    _("The call is published: only its deadline may change, and only later."),
                    code="published",
                )
            if "deadline" in changed and fields["deadline"] < call.deadline:
                raise ParticipationError(
                    "deadline",
                    _("A published deadline can be extended, never brought forward."),
                    code="published",
                )
        for name, value in fields.items():
            if name not in CALL_FIELDS:
                raise TypeError(f"unknown call field: {name}")
            setattr(call, name, value)
        _check_call(call)
        return _save(call, user=user, reason=_("call changed"))


def criterion_save(
    *,
    call: Call,
    user: Any,
    title: str,
    weight: Any,
    max_score: int = 10,
    description: str = "",
    criterion: Criterion | None = None,
) -> Criterion:
    """Add or change a criterion of a draft call (published criteria never change)."""
    _require(user, "participation.manage_call", call)
    if _status(call) != Call.Status.DRAFT:
        raise ParticipationError(
            None, _("The criteria are published with the call and cannot change."), code="published"
        )
    _check_text(title=title, description=description)
    try:
        weight = Decimal(str(weight).replace(",", "."))
    except ArithmeticError:
        weight = None
    if weight is None or not weight.is_finite() or weight <= 0:
        raise ParticipationError(
            "weight", _("Write a weight greater than zero, such as 30 or 2,5.")
        )
    if not (0 < int(max_score) <= 1000):
        raise ParticipationError("max_score", _("Write a maximum score from 1 to 1000."))
    with transaction.atomic():
        if criterion is None:
            last = call.criteria.order_by("-position").values_list("position", flat=True)
            criterion = Criterion(call=call, position=(last.first() or 0) + 1)
        elif criterion.call_id != call.pk:
            raise ParticipationError(None, _("This criterion belongs to another call."))
        criterion.title, criterion.description = title.strip(), description
        criterion.weight, criterion.max_score = weight, int(max_score)
        if call.criteria.filter(title=criterion.title).exclude(pk=criterion.pk).exists():
            raise ParticipationError(
                "title", _("The call already has a criterion with this title.")
            )
        return _save(criterion, user=user, reason=_("criterion saved"))


def criterion_delete(*, criterion: Criterion, user: Any) -> None:
    _require(user, "participation.manage_call", criterion.call)
    if _status(criterion.call) != Call.Status.DRAFT:
        raise ParticipationError(
            None, _("The criteria are published with the call and cannot change."), code="published"
        )
    criterion._history_user = user
    criterion.delete()


def call_document_add(*, call: Call, title: str, uploaded_file: Any, user: Any) -> CallDocument:
    """Store a document of the call in the media folder, within the platform's upload limit.

    The name is reduced to its last part and cleaned by the storage, which refuses any path
    that would lead outside the media folder.
    """
    _require(user, "participation.manage_call", call)
    _check_text(title=title)
    if not (title or "").strip():
        raise ParticipationError("title", _("Give the document a title."))
    name = Path(str(uploaded_file.name)).name
    if Path(name).suffix.lower() not in DOCUMENT_EXTENSIONS:
        raise ParticipationError(
            "file",
            _("%(name)s: this kind of file is not accepted; upload one of %(kinds)s.")
            % {"name": name, "kinds": ", ".join(DOCUMENT_EXTENSIONS)},
            code="bad-format",
        )
    limit = Limits.from_settings().bytes
    if uploaded_file.size > limit:
        raise ParticipationError(
            "file",
            _(
                "%(name)s: the file is %(size)s MB, over the limit of %(limit)s MB: upload a "
                "smaller file."
            )
            % {
                "name": name,
                "size": round(uploaded_file.size / MIB, 1),
                "limit": round(limit / MIB, 1),
            },
            code="too-large",
        )
    if uploaded_file.size == 0:
        raise ParticipationError("file", _("%(name)s: the file is empty.") % {"name": name})
    if call.documents.filter(title=title.strip()).exists():
        raise ParticipationError("title", _("The call already has a document with this title."))
    uploaded_file.name = name
    document = CallDocument(
        call=call, title=title.strip(), size=uploaded_file.size, uploaded_by=user
    )
    # The storage writes under MEDIA_ROOT and refuses a name that would lead outside it.
    document.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            return _save(document, user=user, reason=_("document added"))
    except Exception:
        document.file.delete(save=False)  # nothing half-written: no file without its row
        raise


def call_document_delete(*, document: CallDocument, user: Any) -> None:
    _require(user, "participation.manage_call", document.call)
    if _status(document.call) != Call.Status.DRAFT:
        raise ParticipationError(
            None,
            _("A published call's documents stay: add a new version instead."),
            code="published",
        )
    stored = document.file.name
    storage = document.file.storage
    with transaction.atomic():
        document._history_user = user
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


def call_publish(*, call: Call, user: Any) -> Call:
    """Publish a draft: criteria, deadline and money become public and fixed."""
    _require(user, "participation.manage_call", call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status != Call.Status.DRAFT:
            raise ParticipationError(None, _("The call is already published."), code="published")
        if not call.criteria.exists():
            raise ParticipationError(
                None,
                _("Add at least one criterion with its weight before publishing."),
                code="no-criteria",
            )
        if call.deadline <= timezone.now():
            raise ParticipationError(
                "deadline",
                _("The deadline has passed: move it later before publishing."),
                code="past",
            )
        call.status, call.published_at = Call.Status.PUBLISHED, timezone.now()
        return _save(call, user=user, reason=_("call published"))


# --- Eligibility -----------------------------------------------------------------------------


def fragile_municipalities(call: Call) -> set[int] | None:
    """The municipalities at or above the call's fragility threshold, or None (no threshold).

    Read from the adopted allocation's stored lines, as computed when it was run.
    """
    if call.fragility_id is None:
        return None
    return {line["territory"] for line in call.fragility.lines if line.get("eligible")}


def proposer_places(territory: Territory, *, on: dt.date | None = None) -> list[Territory]:
    """Where a proposer may place a programme: itself (a municipality) or its members."""
    from patto.pact.selectors import territory_members

    if territory.kind == Territory.Kind.MUNICIPALITY:
        return [territory]
    return list(territory_members(territory=territory, on=on or timezone.localdate()))


def eligibility_problem(call: Call, territory: Territory) -> str | None:
    """Why ``territory`` may not propose to ``call``, or None when it may."""
    if territory.kind in UNION_KINDS:
        if not call.unions_may_propose:
            return _("This call is open to municipalities only.")
    elif territory.kind == Territory.Kind.MUNICIPALITY:
        if not call.municipalities_may_propose:
            return _("This call is open to unions and districts only.")
    else:
        return _("Only unions, districts and municipalities propose programmes.")
    fragile = fragile_municipalities(call)
    if fragile is not None and not fragile & {p.pk for p in proposer_places(territory)}:
        return _(
            "%(territory)s has no municipality at or above the call's fragility threshold."
        ) % {"territory": territory}
    return None


# --- Proposals -------------------------------------------------------------------------------

PROPOSAL_FIELDS = (
    "title",
    "objectives",
    "content",
    "budget",
    "cofinancing",
    "places",
    "partners",
    "points",
)
#: The longest name of a drawn point (a short name: the map shows it).
POINT_NAME_MAX = 120


def _point_areas(proposal: Proposal) -> list:
    """The proposer's municipalities that have a boundary, as areas to search (engine.geo)."""
    from patto.engine.geo import area

    ids = [p.pk for p in proposer_places(proposal.proposer)]
    found = []
    for pk, boundary in (
        Territory.objects.filter(pk__in=ids, boundary__isnull=False)
        .order_by("code")
        .values_list("pk", "boundary")
    ):
        made = area(pk, boundary) if isinstance(boundary, dict) else None
        if made is not None:
            found.append(made)
    return found


def _check_points(proposal: Proposal, points: list[dict]) -> list[ProposalPoint]:
    """The drawn points as unsaved rows, each in a municipality of the proposer (found from
    the boundaries now, so pages read it and never compute it); refused otherwise.

    ``points`` are dicts of ``name``, ``latitude``, ``longitude`` and, for a point already
    saved, its ``id``: the list is the whole set, so a saved point left out is removed.
    """
    from patto.engine.geo import locate

    if not points:
        return []
    areas = _point_areas(proposal)
    fragile = fragile_municipalities(proposal.call)
    saved = {p.pk: p for p in proposal.points.all()} if proposal.pk else {}
    names = dict(Territory.objects.filter(pk__in=[a.key for a in areas]).values_list("pk", "name"))
    rows = []
    for point in points:
        name = (point.get("name") or "").strip()
        _check_text(points=name)
        if not name or len(name) > POINT_NAME_MAX:
            raise ParticipationError(
                "points",
                _("Give each point drawn a short name (at most %(max)s characters).")
                % {"max": POINT_NAME_MAX},
            )
        try:
            latitude = Decimal(str(point["latitude"])).quantize(Decimal("0.00001"))
            longitude = Decimal(str(point["longitude"])).quantize(Decimal("0.00001"))
        except (KeyError, ArithmeticError, ValueError):
            raise ParticipationError(
                "points",
                _("The point “%(name)s” needs a latitude and a longitude.") % {"name": name},
            ) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ParticipationError(
                "points",
                _("The point “%(name)s” has a latitude or longitude out of range.")
                % {"name": name},
            )
        territory = locate(areas, float(longitude), float(latitude))
        if territory is None:
            raise ParticipationError(
                "points",
                _(
                    "The point “%(name)s” is outside the territory of %(proposer)s: draw it "
                    "inside one of its municipalities."
                )
                % {"name": name, "proposer": proposal.proposer},
                code="outside",
            )
        if fragile is not None and territory not in fragile:
            raise ParticipationError(
                "points",
                _(
                    "The point “%(name)s” is in %(place)s, below the call's fragility "
                    "threshold: draw it in a municipality above it."
                )
                % {"name": name, "place": names.get(territory, "")},
                code="outside",
            )
        row = saved.get(point.get("id")) if point.get("id") else None
        if point.get("id") and row is None:
            raise ParticipationError("points", _("A point drawn is not of this proposal."))
        row = row or ProposalPoint(proposal=proposal)
        row.name, row.latitude, row.longitude, row.territory_id = (
            name,
            latitude,
            longitude,
            territory,
        )
        rows.append(row)
    return rows


def _save_points(proposal: Proposal, rows: list[ProposalPoint], *, user: Any, reason: str) -> None:
    """Make the proposal's drawn points those in ``rows``: each change a history row with
    who and why, as the proposal's own (call inside the proposal's transaction)."""
    keep = {r.pk for r in rows if r.pk}
    for gone in proposal.points.exclude(pk__in=keep):
        gone._history_user, gone._change_reason = user, reason
        gone.delete()
    stored = {p.pk: (p.name, p.latitude, p.longitude) for p in proposal.points.filter(pk__in=keep)}
    for row in rows:
        if row.pk and stored.get(row.pk) == (row.name, row.latitude, row.longitude):
            continue  # unchanged: no history row
        row.proposal = proposal
        _save(row, user=user, reason=reason)


def _apply(proposal: Proposal, fields: dict) -> dict:
    """Set the plain fields on ``proposal``; return the many-to-many ones to set after."""
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    many = {k: list(fields.pop(k)) for k in ("places", "partners") if k in fields}
    points = fields.pop("points", None)
    for name, value in fields.items():
        setattr(proposal, name, value)
    _check_text(title=proposal.title, objectives=proposal.objectives, content=proposal.content)
    if proposal.budget is not None and proposal.budget <= 0:
        raise ParticipationError(
            "budget", _("Write the programme's total budget, greater than zero.")
        )
    if (
        proposal.cofinancing is not None
        and proposal.budget is not None
        and (proposal.cofinancing < 0 or proposal.cofinancing >= proposal.budget)
    ):
        raise ParticipationError(
            "cofinancing", _("The co-financing must be at least zero and less than the budget.")
        )
    if "places" in many:
        allowed = {p.pk for p in proposer_places(proposal.proposer)}
        fragile = fragile_municipalities(proposal.call)
        for place in many["places"]:
            if place.pk not in allowed:
                raise ParticipationError(
                    "places",
                    _("%(place)s is not a municipality of %(proposer)s.")
                    % {"place": place, "proposer": proposal.proposer},
                )
            if fragile is not None and place.pk not in fragile:
                raise ParticipationError(
                    "places",
                    _(
                        "%(place)s is below the call's fragility threshold: choose the "
                        "municipalities above it."
                    )
                    % {"place": place},
                )
    if "partners" in many:
        pact_parties = set(
            Party.objects.filter(pacts=proposal.call.pact).values_list("pk", flat=True)
        )
        for party in many["partners"]:
            if party.pk not in pact_parties:
                raise ParticipationError(
                    "partners", _("%(party)s is not a party of the pact.") % {"party": party}
                )
    if points is not None:
        many["points"] = _check_points(proposal, list(points))
    return many


def _set_many(proposal: Proposal, many: dict, *, user: Any, reason: str) -> None:
    """Set the many-to-many fields and the drawn points checked by ``_apply``."""
    for name, values in many.items():
        if name == "points":
            _save_points(proposal, values, user=user, reason=reason)
        else:
            getattr(proposal, name).set(values)


def proposal_create(*, call: Call, proposer: Territory, user: Any, **fields: Any) -> Proposal:
    """A draft proposal of ``proposer`` to an open call."""
    _require(user, "participation.propose", proposer)
    call = _fresh(call)
    if not call.is_open():
        raise ParticipationError(None, _("The call is not open for proposals."), code="closed")
    problem = eligibility_problem(call, proposer)
    if problem:
        raise ParticipationError(None, problem, code="not-eligible")
    proposal = Proposal(call=call, proposer=proposer)
    many = _apply(proposal, fields)
    try:
        with transaction.atomic():
            _save(proposal, user=user, reason=_("proposal drafted"))
            _set_many(proposal, many, user=user, reason=_("proposal drafted"))
    except IntegrityError:
        raise ParticipationError(
            None,
            _("%(proposer)s already has a proposal to this call: open it and change it.")
            % {"proposer": proposer},
            code="duplicate",
        ) from None
    return proposal


def _fresh(call: Call) -> Call:
    """The call as stored now: states and deadlines are read afresh, never from an object
    loaded before a publication or an extension."""
    return Call.objects.get(pk=call.pk)


def _require_before_deadline(call: Call) -> None:
    call = _fresh(call)
    if timezone.now() >= call.deadline:
        raise ParticipationError(
            None,
            _(
                "The deadline (%(deadline)s) has passed: proposals can no longer be submitted "
                "or amended."
            )
            % {"deadline": timezone.localtime(call.deadline).strftime("%d/%m/%Y %H:%M")},
            code="deadline",
        )


def proposal_change(
    *, proposal: Proposal, user: Any, expected_version: int, reason: str = "", **fields: Any
) -> Proposal:
    """Change a draft, or amend a submitted proposal before the deadline (kept in history)."""
    _require(user, "participation.propose", proposal)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED):
        raise ParticipationError(None, _("This proposal can no longer change."), code="closed")
    _require_before_deadline(proposal.call)
    _check_text(reason=reason)
    amending = proposal.status == Proposal.Status.SUBMITTED
    if amending and not reason.strip():
        raise ParticipationError(
            "reason", _("Say what the amendment changes: it is kept with the proposal's history.")
        )
    many = _apply(proposal, fields)
    with transaction.atomic():
        bumped = Proposal.objects.filter(pk=proposal.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not bumped:
            raise ParticipationError(
                None,
                _(
                    "Someone else changed this proposal while you were editing it: nothing was "
                    "saved. Reload the page and make your changes again."
                ),
                code="stale",
            )
        proposal.version = expected_version + 1
        why = (_("amendment: %(reason)s") % {"reason": reason}) if amending else _("draft changed")
        _save(proposal, user=user, reason=why)
        _set_many(proposal, many, user=user, reason=why)
    return proposal


def proposal_submit(*, proposal: Proposal, user: Any) -> Proposal:
    """Submit a complete draft, before the deadline (server time)."""
    _require(user, "participation.propose", proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
        call = proposal.call
        if proposal.status != Proposal.Status.DRAFT:
            raise ParticipationError(
                None, _("The proposal is already submitted."), code="submitted"
            )
        if call.status != Call.Status.PUBLISHED or timezone.now() < call.opens_at:
            raise ParticipationError(None, _("The call is not open for proposals."), code="closed")
        _require_before_deadline(call)
        problem = eligibility_problem(call, proposal.proposer)
        if problem:
            raise ParticipationError(None, problem, code="not-eligible")
        if not proposal.places.exists():
            raise ParticipationError(
                "places", _("Choose at least one place of the programme."), code="incomplete"
            )
        share = proposal.cofinancing * 100 / proposal.budget
        if share < call.minimum_cofinancing:
            raise ParticipationError(
                "cofinancing",
                _(
                    "The co-financing is %(share)s%% of the budget; the call asks for at least "
                    "%(minimum)s%%."
                )
                % {"share": round(share, 2), "minimum": call.minimum_cofinancing},
                code="cofinancing",
            )
        if call.max_request is not None and proposal.requested > call.max_request:
            raise ParticipationError(
                "budget",
                _(
                    "The grant requested (€ %(requested)s) is over the call's maximum "
                    "(€ %(maximum)s)."
                )
                % {"requested": proposal.requested, "maximum": call.max_request},
                code="max-request",
            )
        proposal.status, proposal.submitted_at = Proposal.Status.SUBMITTED, timezone.now()
        return _save(proposal, user=user, reason=_("proposal submitted"))


def proposal_withdraw(*, proposal: Proposal, user: Any) -> Proposal:
    _require(user, "participation.propose", proposal)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED):
        raise ParticipationError(
            None, _("This proposal can no longer be withdrawn."), code="closed"
        )
    _require_before_deadline(proposal.call)
    if proposal.status == Proposal.Status.DRAFT:
        with transaction.atomic():
            proposal._history_user = user
            proposal.delete()
        return proposal
    proposal.status = Proposal.Status.WITHDRAWN
    with transaction.atomic():
        return _save(proposal, user=user, reason=_("proposal withdrawn"))


def contribution_add(
    *,
    proposal: Proposal,
    user: Any,
    kind: str,
    author_name: str,
    text: str,
    author_email: str = "",
    public_name: str = "",
    consent_public: bool = False,
) -> ProposalContribution:
    """Record a contribution that the proposer gathered, with the author's choice to publish."""
    _require(user, "participation.propose", proposal)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED):
        raise ParticipationError(None, _("This proposal can no longer change."), code="closed")
    _require_before_deadline(proposal.call)
    contribution = ProposalContribution(
        proposal=proposal,
        kind=kind,
        author_name=author_name.strip(),
        author_email=author_email.strip(),
        public_name=public_name.strip(),
        text=text,
        consent_public=consent_public,
        consent_on=timezone.localdate() if consent_public else None,
    )
    _check_text(author_name=author_name, public_name=public_name, text=text)
    with transaction.atomic():
        return _save(contribution, user=user, reason=_("contribution recorded"))


def contribution_delete(*, contribution: ProposalContribution, user: Any) -> None:
    """Remove a contribution (an author who withdraws it, a mistake)."""
    _require(user, "participation.propose", contribution.proposal)
    _require_before_deadline(contribution.proposal.call)
    with transaction.atomic():
        contribution._history_user = user
        contribution.delete()


# --- Evaluation ------------------------------------------------------------------------------


def _evaluator(call: Call, user: Any) -> Evaluator:
    _require(user, "participation.evaluate", call)
    return Evaluator.objects.get(call=call, user=user)


def _require_evaluation_phase(call: Call) -> None:
    call = _fresh(call)
    if call.status != Call.Status.PUBLISHED or timezone.now() < call.deadline:
        raise ParticipationError(
            None,
            _("Proposals are evaluated after the deadline and before the ranking is published."),
            code="phase",
        )


def declaration_make(
    *, proposal: Proposal, user: Any, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """An evaluator declares, once per proposal, whether they have a conflict of interest."""
    evaluator = _evaluator(proposal.call, user)
    _require_evaluation_phase(proposal.call)
    _check_text(note=note)
    if has_conflict and not note.strip():
        raise ParticipationError(
            "note", _("Say what the conflict is: the call's manager reads it.")
        )
    declaration = ConflictDeclaration(
        evaluator=evaluator, proposal=proposal, has_conflict=has_conflict, note=note
    )
    try:
        with transaction.atomic():
            return _save(declaration, user=user, reason=_("conflict of interest declared"))
    except IntegrityError:
        raise ParticipationError(
            None, _("You already declared for this proposal."), code="declared"
        ) from None


def score_save(
    *, proposal: Proposal, criterion: Criterion, user: Any, value: int, comment: str
) -> Score:
    """Score one criterion of a proposal, with a comment; only after declaring no conflict."""
    evaluator = _evaluator(proposal.call, user)
    _require_evaluation_phase(proposal.call)
    if proposal.status != Proposal.Status.SUBMITTED:
        raise ParticipationError(None, _("Only submitted proposals are scored."))
    if criterion.call_id != proposal.call_id:
        raise ParticipationError("criterion", _("This criterion belongs to another call."))
    declaration = ConflictDeclaration.objects.filter(evaluator=evaluator, proposal=proposal).first()
    if declaration is None:
        raise ParticipationError(
            None,
            _("Declare whether you have a conflict of interest before scoring."),
            code="no-declaration",
        )
    if declaration.has_conflict:
        raise ParticipationError(
            None,
            _("You declared a conflict of interest with this proposal: you cannot score it."),
            code="conflict",
        )
    _check_text(comment=comment)
    if not (comment or "").strip():
        raise ParticipationError("comment", _("Explain the score in a comment."))
    if value is None or not (0 <= int(value) <= criterion.max_score):
        raise ParticipationError(
            "value", _("Give a score from 0 to %(max)s.") % {"max": criterion.max_score}
        )
    with transaction.atomic():
        score = Score.objects.select_for_update().filter(
            evaluator=evaluator, proposal=proposal, criterion=criterion
        ).first() or Score(evaluator=evaluator, proposal=proposal, criterion=criterion)
        score.value, score.comment = int(value), comment.strip()
        return _save(score, user=user, reason=_("scored"))


def ranking_compute(call: Call) -> engine.Ranking:
    """The ranking the submitted proposals' scores give now (nothing is stored)."""
    criteria = list(call.criteria.all())
    proposals = list(
        call.proposals.filter(
            status__in=(
                Proposal.Status.SUBMITTED,
                Proposal.Status.FUNDED,
                Proposal.Status.NOT_FUNDED,
            )
        )
    )
    scores: dict[tuple[int, int], list[int]] = {}
    for proposal_id, criterion_id, value in Score.objects.filter(
        proposal__in=proposals
    ).values_list("proposal_id", "criterion_id", "value"):
        scores.setdefault((proposal_id, criterion_id), []).append(value)
    return engine.rank(
        [engine.Criterion(c.pk, c.weight, c.max_score) for c in criteria],
        [engine.Candidate(p.pk, p.submitted_at, p.requested) for p in proposals],
        scores,
        engine.RankingOptions(
            tie_rule=call.tie_rule,
            money=call.money_available,
            minimum_total=call.minimum_total,
            skip_unaffordable=call.skip_unaffordable,
        ),
    )


def ranking_publish(*, call: Call, user: Any, booked_on: dt.date | None = None) -> list:
    """Publish the ranking, all or nothing: its lines are stored; each funded programme
    becomes a project of the call's cluster (projects' services) and its grant a commitment
    of the equalisation fund (funds' services).

    The acting person needs the rights those services check too: creating projects in the
    cluster, recording the fund's movements (the secretariat has both).
    """
    from patto.funds.services import movement_commit
    from patto.projects.models import ProjectPlace
    from patto.projects.services import project_create, project_records_change

    _require(user, "participation.manage_call", call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        _require_evaluation_phase(call)
        if call.fund_purpose_id is None or call.cluster_id is None:
            raise ParticipationError(
                "fund_purpose",
                _(
                    "Set the fund purpose charged and the cluster of funded projects on the call "
                    "before publishing its ranking."
                ),
                code="incomplete-call",
            )
        if Evaluator.objects.filter(call=call).count() == 0:
            raise ParticipationError(None, _("Assign evaluators first."), code="no-evaluators")
        result = ranking_compute(call)
        incomplete = [line for line in result.lines if line.reason == engine.INCOMPLETE]
        if incomplete:
            titles = Proposal.objects.filter(pk__in=[line.key for line in incomplete])
            raise ParticipationError(
                None,
                _(
                    "Some proposals miss a score on a criterion: %(titles)s. Complete the "
                    "evaluation first."
                )
                % {"titles": "; ".join(p.title for p in titles)},
                code="incomplete",
            )
        proposals = Proposal.objects.select_related("proposer").in_bulk(
            [line.key for line in result.lines]
        )
        made = []
        for line in result.lines:
            proposal = proposals[line.key]
            RankingLine.objects.create(
                call=call,
                proposal=proposal,
                position=line.position,
                total=line.total,
                marks={str(k): str(v) for k, v in line.marks.items()},
                grant=line.grant,
                reason=line.reason,
            )
            if line.reason != engine.FUNDED:
                proposal.status = Proposal.Status.NOT_FUNDED
                _save(proposal, user=user, reason=_("ranking published"))
                continue
            lead = Party.objects.filter(territory=proposal.proposer).order_by("pk").first()
            if lead is None:
                raise ParticipationError(
                    None,
                    _(
                        "%(proposer)s is not recorded as a party of the pact: add it to the "
                        "parties (with its territory) before publishing, so that its project has "
                        "a lead party."
                    )
                    % {"proposer": proposal.proposer},
                    code="no-party",
                )
            project = project_create(
                user=user,
                pact=call.pact,
                code=f"{call.code}-{proposal.pk}"[:80],
                title=proposal.title[:300],
                cluster=call.cluster,
                horizon="medium_long",
                lead_party=lead,
                summary=proposal.objectives,
                description=proposal.content,
                budget=proposal.budget,
                territories=list(proposal.places.all()),
                is_example=call.is_example,
                source=_("Regeneration programme funded by the call “%(call)s”")
                % {"call": call.title},
            )
            # The points drawn on the proposal become the project's places.
            points = [ProjectPlace(project=project, name=point.name[:300],
                                   latitude=point.latitude, longitude=point.longitude,
                                   territory_id=point.territory_id)
                      for point in proposal.points.order_by("pk")]
            if points:
                project_records_change(project=project, user=user,
                                       model_name="projectplace", saved=points)
            commitment = movement_commit(
                fund=call.fund_purpose.fund,
                amount=line.grant,
                purpose=call.fund_purpose,
                project=project,
                user=user,
                booked_on=booked_on,
                ref=f"{call.code}-{proposal.pk}"[:40],
                description=_("Grant of the call “%(call)s”") % {"call": call.title},
                is_example=call.is_example,
            )
            proposal.status = Proposal.Status.FUNDED
            proposal.project, proposal.commitment = project, commitment
            _save(proposal, user=user, reason=_("ranking published: funded"))
            made.append(proposal)
        call.status, call.ranked_at = Call.Status.RANKED, timezone.now()
        _save(call, user=user, reason=_("ranking published"))
    return made


# --- Challenges and solutions ----------------------------------------------------------------

#: How many of each action one person may take per window (seconds); settings override with
#: PATTO_PARTICIPATION_RATES = {"solution": (5, 3600), ...}.
RATES = {"solution": (5, 3600), "comment": (30, 3600), "vote": (120, 3600), "report": (20, 3600)}


class RateLimited(ParticipationError):
    def __init__(self):
        super().__init__(
            None,
            _("You did this too many times in a short while: wait a little and try again."),
            code="rate-limited",
        )


def _rate_limit(user: Any, action: str) -> None:
    """Count one ``action`` of ``user`` in the cache; refuse past the limit of its window.

    The window is fixed (it starts with the first action): enough to stop a script, simple
    enough to hold in any Django cache.
    """
    from django.conf import settings
    from django.core.cache import cache

    limit, window = {**RATES, **getattr(settings, "PATTO_PARTICIPATION_RATES", {})}[action]
    key = f"patto:rate:{action}:{user.pk}"
    if cache.add(key, 1, timeout=window):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return
    if count > limit:
        raise RateLimited


def moderator_grant(*, pact, person: Any, user: Any):
    from .models import Moderator

    _require(user, "participation.grant_moderator")
    return _grant(Moderator, user=user, pact=pact, user_id=person.pk)


def public_name_set(*, user: Any, public_name: str):
    """The name a person appears with on public pages (their account's name never does)."""
    from .models import PublicProfile

    _require(user, "participation.take_part")
    _check_text(public_name=public_name)
    name = (public_name or "").strip()
    if not 2 <= len(name) <= 80:
        raise ParticipationError("public_name", _("Choose a public name of 2 to 80 characters."))
    profile = PublicProfile.objects.filter(user=user).first() or PublicProfile(user=user)
    profile.public_name = name
    with transaction.atomic():
        return _save(profile, user=user, reason=_("public name chosen"))


def challenge_publish(
    *,
    pact,
    user: Any,
    title: str,
    description: str,
    publisher: Territory | None = None,
    is_example: bool = False,
):
    """Publish a challenge for the Table (no publisher) or for a municipality or union."""
    from .models import OpenChallenge

    _require(user, "participation.publish_challenge", pact)
    if publisher is None:
        _require(user, "participation.manage_call", pact)
    else:
        _require(user, "participation.propose", publisher)
    _check_text(title=title, description=description)
    if not title.strip() or not description.strip():
        raise ParticipationError("title", _("Give the challenge a title and a description."))
    challenge = OpenChallenge(
        pact=pact,
        title=title.strip(),
        description=description,
        publisher=publisher,
        created_by=user,
        is_example=is_example,
    )
    with transaction.atomic():
        return _save(challenge, user=user, reason=_("challenge published"))


def challenge_close(*, challenge, user: Any):
    from .models import OpenChallenge

    if challenge.publisher_id is None:
        _require(user, "participation.manage_call", challenge.pact)
    else:
        _require(user, "participation.propose", challenge.publisher)
    challenge.status = OpenChallenge.Status.CLOSED
    with transaction.atomic():
        return _save(challenge, user=user, reason=_("challenge closed"))


def _require_open(challenge) -> None:
    from .models import OpenChallenge

    if (
        OpenChallenge.objects.filter(pk=challenge.pk).values_list("status", flat=True).first()
        != OpenChallenge.Status.OPEN
    ):
        raise ParticipationError(None, _("The challenge is closed."), code="closed")


def solution_submit(
    *, challenge, user: Any, title: str, text: str, administration: Territory | None = None
):
    """A registered person submits a solution, for themselves or for their administration."""
    from .models import Solution

    _require(user, "participation.take_part")
    _require_open(challenge)
    if administration is not None:
        _require(user, "participation.propose", administration)
    _check_text(title=title, text=text)
    if not title.strip() or not text.strip():
        raise ParticipationError("title", _("Give the solution a title and explain it."))
    _rate_limit(user, "solution")
    solution = Solution(
        challenge=challenge,
        author=user,
        administration=administration,
        title=title.strip()[:200],
        text=text,
    )
    with transaction.atomic():
        return _save(solution, user=user, reason=_("solution submitted"))


def vote_cast(*, solution, user: Any) -> bool:
    """Support a solution; a second vote of the same person is refused by the database.

    Returns True when the vote counted, False when the person had already voted.
    """
    from .models import Vote

    _require(user, "participation.take_part")
    if solution.hidden:
        raise ParticipationError(None, _("This solution is hidden."), code="hidden")
    _require_open(solution.challenge)
    _rate_limit(user, "vote")
    try:
        with transaction.atomic():
            Vote.objects.create(solution=solution, user=user)
    except IntegrityError:
        return False
    return True


def vote_withdraw(*, solution, user: Any) -> bool:
    from .models import Vote

    _require(user, "participation.take_part")
    _require_open(solution.challenge)
    deleted, _kinds = Vote.objects.filter(solution=solution, user=user).delete()
    return bool(deleted)


def comment_add(*, solution, user: Any, text: str):
    from .models import Comment

    _require(user, "participation.take_part")
    if solution.hidden:
        raise ParticipationError(None, _("This solution is hidden."), code="hidden")
    _require_open(solution.challenge)
    _check_text(text=text)
    if not (text or "").strip():
        raise ParticipationError("text", _("Write the comment."))
    _rate_limit(user, "comment")
    comment = Comment(solution=solution, author=user, text=text.strip())
    with transaction.atomic():
        return _save(comment, user=user, reason=_("comment posted"))


def content_report(*, target, user: Any, reason: str):
    """Anyone registered reports a solution or a comment to the moderators (once each)."""
    from .models import Comment, ContentReport, Solution

    _require(user, "participation.take_part")
    _check_text(reason=reason)
    if not (reason or "").strip():
        raise ParticipationError("reason", _("Say why you report it."))
    _rate_limit(user, "report")
    report = ContentReport(
        reporter=user,
        reason=reason.strip(),
        solution=target if isinstance(target, Solution) else None,
        comment=target if isinstance(target, Comment) else None,
    )
    try:
        with transaction.atomic():
            return _save(report, user=user, reason="")
    except IntegrityError:
        raise ParticipationError(
            None, _("You already reported it: the moderators will look at it."), code="reported"
        ) from None


def content_hide(*, target, user: Any, reason: str):
    """Hide a solution or comment with a reason that its author sees; reports are closed."""
    _require(user, "participation.moderate", target)
    _check_text(reason=reason)
    if not (reason or "").strip():
        raise ParticipationError("reason", _("Say why it is hidden: its author reads it."))
    with transaction.atomic():
        target.hidden, target.hidden_reason = True, reason.strip()
        target.hidden_at, target.hidden_by = timezone.now(), user
        _save(target, user=user, reason=_("hidden by a moderator"))
        target.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    return target


def content_restore(*, target, user: Any):
    _require(user, "participation.moderate", target)
    with transaction.atomic():
        target.hidden, target.hidden_reason, target.hidden_at, target.hidden_by = (
            False,
            "",
            None,
            None,
        )
        _save(target, user=user, reason=_("restored by a moderator"))
        target.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    return target


def report_dismiss(*, report, user: Any):
    _require(user, "participation.moderate", report)
    report.resolved_at = timezone.now()
    report.save(update_fields=["resolved_at"])
    return report


def follow(*, challenge, user: Any, on: bool = True) -> None:
    from .models import Follow

    _require(user, "participation.take_part")
    if on:
        Follow.objects.get_or_create(challenge=challenge, user=user)
    else:
        Follow.objects.filter(challenge=challenge, user=user).delete()


def digest_send(*, now=None, dry_run: bool = False) -> dict:
    """E-mail each follower what is new on their challenges since their last digest: visible
    solutions and comments only. Returns the counts (followers, e-mails, items)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from .models import Comment, Follow, Solution

    now = now or timezone.now()
    sent = items = 0
    follows = list(
        Follow.objects.select_related("challenge", "user")
        .filter(user__is_active=True)
        .exclude(user__email="")
    )
    for row in follows:
        solutions = list(
            Solution.objects.filter(
                challenge=row.challenge, hidden=False, created_at__gt=row.since, created_at__lte=now
            )
        )
        comments = list(
            Comment.objects.filter(
                solution__challenge=row.challenge,
                hidden=False,
                solution__hidden=False,
                created_at__gt=row.since,
                created_at__lte=now,
            ).select_related("solution")
        )
        if not solutions and not comments:
            continue
        items += len(solutions) + len(comments)
        sent += 1
        if dry_run:
            continue
        body = render_to_string(
            "participation/emails/digest.txt",
            {"challenge": row.challenge, "solutions": solutions, "comments": comments},
        )
        send_mail(
            subject=_("What is new on “%(challenge)s”") % {"challenge": row.challenge.title},
            message=body,
            from_email=None,
            recipient_list=[row.user.email],
        )
        Follow.objects.filter(pk=row.pk).update(since=now)
    return {"followers": len(follows), "emails": sent, "items": items}


# --- Co-design networks ----------------------------------------------------------------------


def network_save(
    *,
    pact,
    user: Any,
    code: str,
    name: str,
    description: str,
    themes: str = "",
    sdgs=(),
    territories=(),
    coordinator: Party | None = None,
    network=None,
    is_example: bool = False,
):
    """Create or change a network (the Table's people: the secretariat and call managers)."""
    from .models import Network

    _require(user, "participation.manage_call", pact)
    _check_text(code=code, name=name, description=description, themes=themes)
    if not name.strip() or not description.strip():
        raise ParticipationError("name", _("Give the network a name and a description."))
    if coordinator is not None and not coordinator.pacts.filter(pk=pact.pk).exists():
        raise ParticipationError(
            "coordinator", _("%(party)s is not a party of the pact.") % {"party": coordinator}
        )
    network = network or Network(pact=pact)
    if network.pact_id != pact.pk:
        raise ParticipationError(None, _("The network belongs to another pact."))
    if Network.objects.filter(pact=pact, code=code).exclude(pk=network.pk).exists():
        raise ParticipationError(
            "code",
            _("Another network of this pact has the code “%(code)s”: choose another.")
            % {"code": code},
        )
    network.code, network.name, network.description = code, name.strip(), description
    network.themes, network.coordinator, network.is_example = themes, coordinator, is_example
    with transaction.atomic():
        _save(network, user=user, reason=_("network saved"))
        network.sdgs.set(list(sdgs))
        network.territories.set(list(territories))
    return network


def network_partner_add(
    *, network, user: Any, party: Party | None = None, name: str = "", role: str = ""
):
    from .models import NetworkPartner

    _require(user, "participation.manage_call", network.pact)
    _check_text(name=name, role=role)
    if party is None and not name.strip():
        raise ParticipationError(
            "name", _("Choose a party of the pact or write the organisation's name.")
        )
    partner = NetworkPartner(network=network, party=party, name=name.strip(), role=role)
    try:
        with transaction.atomic():
            return _save(partner, user=user, reason=_("partner added"))
    except IntegrityError:
        raise ParticipationError(
            "party", _("%(party)s is already a partner.") % {"party": party}
        ) from None


def network_activity_add(*, network, user: Any, title: str, held_on: dt.date, output: str = ""):
    from .models import NetworkActivity

    _require(user, "participation.manage_call", network.pact)
    _check_text(title=title, output=output)
    if not title.strip():
        raise ParticipationError("title", _("Name the activity."))
    if not 1900 <= held_on.year <= 2100:
        raise ParticipationError("held_on", _("Write a date between 1900 and 2100."))
    activity = NetworkActivity(network=network, title=title.strip(), held_on=held_on, output=output)
    with transaction.atomic():
        return _save(activity, user=user, reason=_("activity recorded"))


def network_partner_remove(*, partner, user: Any) -> None:
    """A partner leaves the network; its history row keeps who removed it and when."""
    _require(user, "participation.manage_call", partner.network.pact)
    with transaction.atomic():
        partner._history_user = user
        partner._change_reason = _("partner removed")
        partner.delete()


def network_activity_remove(*, activity, user: Any) -> None:
    """Remove an activity recorded by mistake (its history keeps it)."""
    _require(user, "participation.manage_call", activity.network.pact)
    with transaction.atomic():
        activity._history_user = user
        activity._change_reason = _("activity removed")
        activity.delete()


# --- Personal data ---------------------------------------------------------------------------


def participant_close(*, user: Any, confirm: str) -> None:
    """Close a participant's account at their request: what they wrote stays (a challenge's
    debate would not make sense without it) but is no longer tied to anyone.

    The public name and its history are deleted, so pages show "a participant"; follows end
    (no more e-mails); then ``core.people.person_close`` empties and disables the account, so
    that nobody can sign in with it and nothing left identifies the person. Votes stay
    counted. ``confirm`` must repeat the username, as the page asks.
    """
    from patto.core.people import person_close

    from .models import Follow, PublicProfile

    _require(user, "participation.take_part")
    if (confirm or "").strip() != user.get_username():
        raise ParticipationError(
            "confirm", _("Write your username exactly to confirm."), code="not-confirmed"
        )
    if user.is_staff or user.is_superuser:
        raise ParticipationError(
            None,
            _("Staff accounts are closed by the secretariat, which hands over their work."),
            code="staff",
        )
    with transaction.atomic():
        PublicProfile.history.filter(user_id=user.pk).delete()
        PublicProfile.objects.filter(user=user).delete()
        PublicProfile.history.filter(user_id=user.pk).delete()  # the deletion's own row
        Follow.objects.filter(user=user).delete()
        person_close(person=user, user=user)
