"""Every read of participation that a page needs, with its joins decided (no query per row).

Public reads never show drafts, nor the personal data of the people who gave contributions
(their name and e-mail): only the public name of those who consented.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from patto.pact.models import Territory

from .models import (
    Call,
    CallDocument,
    ConflictDeclaration,
    Criterion,
    Evaluator,
    Proposal,
    ProposalContribution,
    RankingLine,
    Score,
)

#: Proposals the public sees: everything submitted, never a draft or a withdrawn one.
PUBLIC_PROPOSALS = (Proposal.Status.SUBMITTED, Proposal.Status.FUNDED, Proposal.Status.NOT_FUNDED)
_TERRITORY = Territory.objects.defer("boundary")


def call_list(*, pact) -> QuerySet[Call]:
    """The published calls of a pact, newest deadline first, with their proposals counted."""
    return (
        Call.objects.filter(pact=pact)
        .exclude(status=Call.Status.DRAFT)
        .select_related("pact")
        .annotate(
            proposal_count=Count("proposals", filter=Q(proposals__status__in=PUBLIC_PROPOSALS))
        )
        .order_by("-deadline", "code")
    )


def call_get_public(*, pact_code: str, code: str) -> Call:
    return get_object_or_404(
        Call.objects.exclude(status=Call.Status.DRAFT)
        .select_related(
            "pact", "fund_purpose__fund__pact", "fund_purpose__fund__instrument", "fragility__rule"
        )
        .prefetch_related("criteria", "documents"),
        pact__code=pact_code,
        code=code,
    )


def changes_with_time(calls, now=None) -> bool:
    """Whether the state of any of these calls (open, closed) will change by the clock alone:
    such a page must not be kept in the page cache, which only a data change renews."""
    now = now or timezone.now()
    return any(
        c.status == Call.Status.PUBLISHED and (c.opens_at > now or c.deadline > now) for c in calls
    )


def public_proposals(call: Call) -> QuerySet[Proposal]:
    return (
        call.proposals.filter(status__in=PUBLIC_PROPOSALS)
        .select_related("proposer", "ranking_line")
        .defer("proposer__boundary")
        .prefetch_related(Prefetch("places", queryset=_TERRITORY))
        .order_by("proposer__name", "title")
    )


def ranking_lines(call: Call) -> QuerySet[RankingLine]:
    return (
        call.ranking.select_related("proposal__proposer")
        .defer("proposal__proposer__boundary")
        .order_by("position", "proposal__title")
    )


def proposal_get_public(*, call: Call, pk: int) -> Proposal:
    return get_object_or_404(
        public_proposals(call).prefetch_related(
            "partners",
            Prefetch(
                "contributions",
                queryset=ProposalContribution.objects.filter(consent_public=True).only(
                    "id", "proposal_id", "kind", "public_name", "text", "created_at"
                ),
                to_attr="public_contributions",
            ),
        ),
        pk=pk,
    )


# --- Staff -----------------------------------------------------------------------------------


def calls_managed(*, user) -> QuerySet[Call]:
    """The calls a person runs: all for the secretariat, those of their pacts otherwise."""
    from patto.projects.rules import is_secretariat

    calls = Call.objects.select_related("pact").order_by("-deadline", "code")
    if is_secretariat(user):
        return calls
    return calls.filter(pact__call_managers__user=user)


def call_for_staff(*, pk: int) -> Call:
    return get_object_or_404(
        Call.objects.select_related(
            "pact", "fund_purpose__fund", "fragility__rule", "cluster"
        ).prefetch_related(
            "criteria",
            "documents",
            Prefetch("evaluators", queryset=Evaluator.objects.select_related("user")),
        ),
        pk=pk,
    )


def staff_proposals(call: Call) -> QuerySet[Proposal]:
    """Every proposal of a call but drafts, with its scores counted."""
    return (
        call.proposals.exclude(status=Proposal.Status.DRAFT)
        .select_related("proposer")
        .defer("proposer__boundary")
        .annotate(score_count=Count("scores"))
        .order_by("proposer__name")
    )


def proposer_territories(*, user) -> QuerySet[Territory]:
    return _TERRITORY.filter(proposer_agents__user=user).order_by("name")


def proposals_of(*, user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(proposer__proposer_agents__user=user)
        .select_related("call__pact", "proposer")
        .defer("proposer__boundary")
        .order_by("-call__deadline", "title")
    )


def open_calls_for(*, user) -> list[Call]:
    """Published calls open now, to which one of the person's territories may propose."""
    now = timezone.now()
    return list(
        Call.objects.filter(status=Call.Status.PUBLISHED, opens_at__lte=now, deadline__gt=now)
        .select_related("pact")
        .order_by("deadline")
    )


def proposal_for_staff(*, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("call__pact", "proposer", "project", "commitment")
        .defer("proposer__boundary")
        .prefetch_related(Prefetch("places", queryset=_TERRITORY), "partners", "contributions"),
        pk=pk,
    )


def proposal_history(proposal: Proposal) -> list:
    """The proposal's saved versions, newest first, with who saved them and why."""
    return list(proposal.history.select_related("history_user").order_by("-history_date")[:50])


def evaluations_for(*, user) -> QuerySet[Evaluator]:
    return (
        Evaluator.objects.filter(user=user).select_related("call__pact").order_by("-call__deadline")
    )


def evaluation_sheet(*, evaluator: Evaluator, proposal: Proposal) -> dict:
    """What an evaluator sees on a proposal: their declaration, the criteria, their scores."""
    criteria = list(Criterion.objects.filter(call_id=proposal.call_id))
    scores = {
        s.criterion_id: s for s in Score.objects.filter(evaluator=evaluator, proposal=proposal)
    }
    return {
        "declaration": ConflictDeclaration.objects.filter(
            evaluator=evaluator, proposal=proposal
        ).first(),
        "rows": [(c, scores.get(c.pk)) for c in criteria],
    }


def document_get(*, call: Call, pk: int) -> CallDocument:
    return get_object_or_404(CallDocument, call=call, pk=pk)
