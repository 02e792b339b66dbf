"""Every read of participation that a page needs, with its joins decided (no query per row).

Public reads never show drafts, nor the personal data of the people who gave contributions
(their name and e-mail): only the public name of those who consented.
"""

from __future__ import annotations

import datetime as dt

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
    ProposalPoint,
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
    """Whether the state of any of these calls (opens soon, open, closed) will change by the
    clock alone before a page cached now expires: such a page must not be kept in the page
    cache, which only a data change or its lifetime renews.

    The page cache keeps a page ``PATTO_PAGE_CACHE_SECONDS`` at most (a day by default), so a
    call whose opening or deadline is further away than that may be cached: a call open for a
    month is served from the cache for all of it but its last day.
    """
    from django.conf import settings

    now = now or timezone.now()
    horizon = now + dt.timedelta(seconds=getattr(settings, "PATTO_PAGE_CACHE_SECONDS", 86400))
    return any(
        c.status == Call.Status.PUBLISHED
        and any(now < moment <= horizon for moment in (c.opens_at, c.deadline))
        for c in calls
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
    """A public proposal with its places, partners, drawn points (with their municipality,
    stored when drawn) and the contributions whose authors consented."""
    return get_object_or_404(
        public_proposals(call).prefetch_related(
            "partners",
            Prefetch(
                "points",
                queryset=ProposalPoint.objects.select_related("territory")
                .only(
                    "id",
                    "proposal_id",
                    "name",
                    "latitude",
                    "longitude",
                    "territory__name",
                    "territory__code",
                )
                .order_by("name", "pk"),
            ),
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


# --- Challenges and solutions ----------------------------------------------------------------


def challenge_list(*, pact) -> QuerySet:
    from .models import OpenChallenge

    return (
        OpenChallenge.objects.filter(pact=pact)
        .select_related("publisher")
        .defer("publisher__boundary")
        .annotate(solution_count=Count("solutions", filter=Q(solutions__hidden=False)))
    )


def challenge_get(*, pk: int):
    from .models import OpenChallenge

    return get_object_or_404(
        OpenChallenge.objects.select_related("pact", "publisher").defer("publisher__boundary"),
        pk=pk,
    )


def statistics(*, pact=None, challenge=None) -> dict:
    """The portal's figures, overall (a pact) or for one challenge, in four queries: visible
    solutions submitted, the latest one, the best voted, the most active administration."""
    from .models import Solution

    solutions = Solution.objects.filter(hidden=False)
    solutions = (
        solutions.filter(challenge=challenge)
        if challenge is not None
        else solutions.filter(challenge__pact=pact)
    )
    best = (
        solutions.annotate(vote_count=Count("votes"))
        .filter(vote_count__gt=0)
        .order_by("-vote_count", "created_at")
        .only("id", "title", "challenge_id")
        .first()
    )
    active = (
        solutions.filter(administration__isnull=False)
        .values("administration__name")
        .annotate(n=Count("id"))
        .order_by("-n", "administration__name")
        .first()
    )
    return {
        "count": solutions.count(),
        "latest": solutions.order_by("-created_at").only("id", "title", "challenge_id").first(),
        "best": best,
        "most_active": active,
    }


def solutions_of(challenge) -> QuerySet:
    """A challenge's visible solutions with their votes and visible comments counted."""
    from .models import Solution

    return (
        Solution.objects.filter(challenge=challenge, hidden=False)
        .select_related("author__public_profile", "administration")
        .defer("administration__boundary")
        .annotate(
            vote_count=Count("votes", distinct=True),
            comment_count=Count("comments", filter=Q(comments__hidden=False), distinct=True),
        )
        .order_by("-vote_count", "-created_at")
    )


def solution_get(*, challenge_pk: int, pk: int, user=None):
    """A solution with its comments: hidden ones only for their author (with the reason)."""
    from .models import Comment, Solution

    visible = Q(hidden=False)
    if user is not None and user.is_authenticated:
        visible |= Q(author=user)
    solution = get_object_or_404(
        Solution.objects.filter(visible)
        .select_related("challenge__pact", "author__public_profile", "administration")
        .defer("administration__boundary", "challenge__pact__description")
        .annotate(vote_count=Count("votes"))
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=Comment.objects.filter(visible).select_related("author__public_profile"),
                to_attr="shown_comments",
            )
        ),
        challenge_id=challenge_pk,
        pk=pk,
    )
    return solution


def has_voted(*, solution, user) -> bool:
    from .models import Vote

    return bool(
        user.is_authenticated and Vote.objects.filter(solution=solution, user=user).exists()
    )


def reports_open(*, user) -> QuerySet:
    """Reports not yet dealt with, of the pacts the person moderates (all for the
    secretariat)."""
    from patto.projects.rules import is_secretariat

    from .models import ContentReport

    reports = (
        ContentReport.objects.filter(resolved_at__isnull=True)
        .select_related("solution__challenge", "comment__solution__challenge", "reporter")
        .order_by("created_at")
    )
    if is_secretariat(user):
        return reports
    pacts = user.moderates.values("pact_id")
    return reports.filter(
        Q(solution__challenge__pact__in=pacts) | Q(comment__solution__challenge__pact__in=pacts)
    )


def hidden_content(*, user) -> tuple[list, list]:
    """What moderators hid, to restore it."""
    from patto.projects.rules import is_secretariat

    from .models import Comment, Solution

    solutions = Solution.objects.filter(hidden=True).select_related("challenge")
    comments = Comment.objects.filter(hidden=True).select_related("solution__challenge")
    if not is_secretariat(user):
        pacts = user.moderates.values("pact_id")
        solutions = solutions.filter(challenge__pact__in=pacts)
        comments = comments.filter(solution__challenge__pact__in=pacts)
    return list(solutions[:100]), list(comments[:100])


# --- Co-design networks ----------------------------------------------------------------------


def network_list(*, pact) -> QuerySet:
    from .models import Network

    return (
        Network.objects.filter(pact=pact)
        .select_related("pact", "coordinator")
        .prefetch_related("sdgs", Prefetch("territories", queryset=_TERRITORY))
        .annotate(partner_count=Count("partners"))
    )


def network_places(*, pact, networks) -> dict[str, dict]:
    """Where networks work, for the map: ``{code: {"name": ..., "networks": [names]}}`` for
    each municipality where one is active, by municipality name. A union or district stands
    for its municipalities, the pact's own territory for all of them, as the territory's
    tree has them today.

    The tree is kept once per data version (see ``pact.selectors.territory_tree``), so the
    map costs no query per network or per place: the networks' territories come prefetched.
    """
    from patto.pact.models import Pact
    from patto.pact.selectors import territory_tree

    # The pact's territory without its boundary (a heavy geometry), unless already joined.
    root = (
        pact.territory if Pact.territory.is_cached(pact) else _TERRITORY.get(pk=pact.territory_id)
    )
    tree = territory_tree(root=root, on=timezone.localdate())
    members = {g.territory.pk: [c.territory for c in g.children] for g in tree.groups}
    every = [n.territory for n in tree.municipalities]
    places: dict[str, dict] = {}
    for network in networks:
        here: dict[str, Territory] = {}
        for territory in network.territories.all():
            if territory.pk == pact.territory_id:
                covered = every
            elif territory.kind == Territory.Kind.MUNICIPALITY:
                covered = [territory]
            else:
                covered = members.get(territory.pk, [])
            here.update((t.code, t) for t in covered)
        for code, place in here.items():
            places.setdefault(code, {"name": place.name, "networks": []})
            places[code]["networks"].append(network.name)
    return dict(sorted(places.items(), key=lambda item: item[1]["name"]))


def network_get(*, pact_code: str, code: str):
    from .models import Network, NetworkPartner

    return get_object_or_404(
        Network.objects.select_related("pact__territory", "coordinator")
        .defer("pact__territory__boundary")
        .prefetch_related(
            "sdgs",
            Prefetch("territories", queryset=_TERRITORY),
            Prefetch("partners", queryset=NetworkPartner.objects.select_related("party")),
            "activities",
        ),
        pact__code=pact_code,
        code=code,
    )


def network_for_staff(*, pk: int):
    from .models import Network, NetworkPartner

    return get_object_or_404(
        Network.objects.select_related("pact__territory", "coordinator")
        .defer("pact__territory__boundary")
        .prefetch_related(
            "sdgs",
            Prefetch("territories", queryset=_TERRITORY),
            Prefetch("partners", queryset=NetworkPartner.objects.select_related("party")),
            "activities",
        ),
        pk=pk,
    )


def network_history(network) -> list:
    """What changed in a network, newest first: the network itself, its partners and its
    activities (removed ones too), each with who did it and why; 50 of each at most."""
    from .models import NetworkActivity, NetworkPartner

    def rows(history, what, label):
        return [
            {
                "date": h.history_date,
                "user": h.history_user,
                "reason": h.history_change_reason or "",
                "what": what,
                "label": label(h),
            }
            for h in history.select_related("history_user").order_by("-history_date")[:50]
        ]

    partners = NetworkPartner.history.filter(network_id=network.pk).select_related("party")
    found = [
        *rows(network.history, "network", lambda h: h.name),
        *rows(partners, "partner", lambda h: h.party.display_name if h.party_id else h.name),
        *rows(NetworkActivity.history.filter(network_id=network.pk), "activity", lambda h: h.title),
    ]
    return sorted(found, key=lambda row: row["date"], reverse=True)


def networks_managed(*, user) -> QuerySet:
    """The networks a person may manage: all for the secretariat, their pacts' otherwise."""
    from patto.projects.rules import is_secretariat

    from .models import Network

    networks = Network.objects.select_related("pact").order_by("pact__code", "name")
    if is_secretariat(user):
        return networks
    return networks.filter(pact__call_managers__user=user)


# --- Roles -----------------------------------------------------------------------------------


def roles_overview() -> dict:
    """Who holds which role of participation, and the latest grants and revocations: one
    query per kind of role and one per history."""
    from .models import CallManager, Moderator, ProposerAgent

    def recent(history, what, label):
        return [
            {
                "date": h.history_date,
                "by": h.history_user,
                "person": h.user,
                "what": what,
                "where": label(h),
                "granted": h.history_type != "-",
            }
            for h in history.select_related("history_user", "user").order_by("-history_date")[:30]
        ]

    history = [
        *recent(
            CallManager.history.select_related("pact"), "call_manager", lambda h: h.pact.short_title
        ),
        *recent(
            Moderator.history.select_related("pact"), "moderator", lambda h: h.pact.short_title
        ),
        *recent(
            ProposerAgent.history.select_related("territory").defer("territory__boundary"),
            "proposer",
            lambda h: h.territory.name,
        ),
    ]
    return {
        "call_managers": CallManager.objects.select_related("pact", "user").order_by(
            "pact__code", "user__email"
        ),
        "moderators": Moderator.objects.select_related("pact", "user").order_by(
            "pact__code", "user__email"
        ),
        "proposers": ProposerAgent.objects.select_related("territory", "user")
        .defer("territory__boundary")
        .order_by("territory__name", "user__email"),
        "history": sorted(history, key=lambda row: row["date"], reverse=True)[:50],
    }


# --- Personal data ---------------------------------------------------------------------------


def personal_data(*, user) -> dict:
    """Everything participation keeps about one person, as tables for their own download
    (the right of access): their public name, solutions, comments, votes, reports, follows,
    and the contributions that proposers recorded under their e-mail address.

    One query per table; hidden content is included, with the moderator's reason, since it is
    still theirs. Never cached, never written to a shared file.
    """
    from .models import Comment, ContentReport, Follow, PublicProfile, Solution, Vote

    profile = PublicProfile.objects.filter(user=user).values_list("public_name", flat=True)
    tables = {
        "account": (
            ["username", "first_name", "last_name", "email", "public_name", "date_joined"],
            [
                [
                    user.get_username(),
                    user.first_name,
                    user.last_name,
                    user.email,
                    profile.first() or "",
                    user.date_joined,
                ]
            ],
        ),
        "solutions": (
            [
                "id",
                "challenge",
                "title",
                "text",
                "on_behalf_of",
                "created_at",
                "hidden",
                "hidden_reason",
                "votes",
            ],
            Solution.objects.filter(author=user)
            .annotate(n=Count("votes"))
            .order_by("created_at")
            .values_list(
                "pk",
                "challenge__title",
                "title",
                "text",
                "administration__name",
                "created_at",
                "hidden",
                "hidden_reason",
                "n",
            ),
        ),
        "comments": (
            ["id", "solution", "text", "created_at", "hidden", "hidden_reason"],
            Comment.objects.filter(author=user)
            .order_by("created_at")
            .values_list("pk", "solution__title", "text", "created_at", "hidden", "hidden_reason"),
        ),
        "votes": (
            ["solution", "challenge", "voted_at"],
            Vote.objects.filter(user=user)
            .order_by("created_at")
            .values_list("solution__title", "solution__challenge__title", "created_at"),
        ),
        "follows": (
            ["challenge", "digest_sent_up_to"],
            Follow.objects.filter(user=user)
            .order_by("challenge__title")
            .values_list("challenge__title", "since"),
        ),
    }
    contributions = ProposalContribution.objects.none()
    if user.email:
        contributions = ProposalContribution.objects.filter(author_email__iexact=user.email)
    tables["contributions"] = (
        [
            "proposal",
            "author_name",
            "author_email",
            "public_name",
            "text",
            "consent_public",
            "consent_on",
        ],
        contributions.order_by("created_at").values_list(
            "proposal__title",
            "author_name",
            "author_email",
            "public_name",
            "text",
            "consent_public",
            "consent_on",
        ),
    )
    # A report of a comment names the comment's solution.
    reports = (
        ContentReport.objects.filter(reporter=user)
        .order_by("created_at")
        .values_list(
            "solution__title", "comment__solution__title", "reason", "created_at", "resolved_at"
        )
    )
    tables["reports"] = (
        ["reported", "reason", "created_at", "dealt_with_at"],
        [(own or of_comment or "", why, at, done) for own, of_comment, why, at, done in reports],
    )
    return tables


def proposal_map_data(proposal: Proposal) -> dict:
    """What the public map of a proposal draws, from what ``proposal_get_public`` read: the
    codes of its municipalities and its drawn points."""
    return {
        "places": [p.code for p in proposal.places.all()],
        "points": [
            {
                "name": p.name,
                "lat": float(p.latitude),
                "lon": float(p.longitude),
                "place": p.territory.name,
            }
            for p in proposal.points.all()
        ],
    }
