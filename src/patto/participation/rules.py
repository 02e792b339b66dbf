"""Object permissions of participation: who runs calls, who proposes, who evaluates.

The secretariat does everything; a call manager runs the calls of their pact (writes them,
publishes them, assigns evaluators, publishes the ranking); a proposer writes and submits the
proposals of the union or municipality they act for; an evaluator scores the proposals of the
calls they are assigned to. The services check these rules again.
"""

from __future__ import annotations

import rules

from patto.projects.rules import is_secretariat


def _pact_id(obj) -> int | None:
    """The pact of a call, of a proposal or of what belongs to a call; a pact is its own."""
    from patto.pact.models import Pact

    if isinstance(obj, Pact):
        return obj.pk
    call = getattr(obj, "call", None)
    if call is not None:
        return call.pact_id
    return getattr(obj, "pact_id", None)


@rules.predicate
def is_call_manager(user, obj) -> bool:
    if not (user and user.is_authenticated) or obj is None:
        return False
    pact_id = _pact_id(obj)
    return pact_id is not None and user.managed_call_pacts.filter(pact_id=pact_id).exists()


@rules.predicate
def is_any_call_manager(user) -> bool:
    return bool(user and user.is_authenticated and user.managed_call_pacts.exists())


@rules.predicate
def is_proposer_for(user, obj) -> bool:
    """For a proposal: one acting for its proposer; for a territory: one acting for it."""
    if not (user and user.is_authenticated) or obj is None:
        return False
    territory_id = getattr(obj, "proposer_id", None) or getattr(obj, "pk", None)
    return user.proposer_for.filter(territory_id=territory_id).exists()


@rules.predicate
def is_any_proposer(user) -> bool:
    return bool(user and user.is_authenticated and user.proposer_for.exists())


@rules.predicate
def is_evaluator(user, obj) -> bool:
    """For a call, or a proposal of it: one assigned to evaluate it."""
    if not (user and user.is_authenticated) or obj is None:
        return False
    call_id = getattr(obj, "call_id", None) or getattr(obj, "pk", None)
    return user.evaluations.filter(call_id=call_id).exists()


may_manage_calls = is_secretariat | is_call_manager

rules.add_perm("participation.manage_call", may_manage_calls)
rules.add_perm("participation.propose", is_proposer_for)
rules.add_perm("participation.evaluate", is_evaluator)
# Who manages the roles of participation: the secretariat, and call managers for the
# evaluators of their calls.
rules.add_perm("participation.grant_roles", is_secretariat)
rules.add_perm("participation.assign_evaluator", may_manage_calls)
# Staff read the proposals' full records (with contributions' personal data).
rules.add_perm(
    "participation.view_proposal_private", may_manage_calls | is_proposer_for | is_evaluator
)


@rules.predicate
def is_moderator(user, obj) -> bool:
    """For a pact, or anything of a pact's challenges: one of its moderators."""
    if not (user and user.is_authenticated) or obj is None:
        return False
    pact_id = _challenge_pact_id(obj)
    return pact_id is not None and user.moderates.filter(pact_id=pact_id).exists()


@rules.predicate
def is_any_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.moderates.exists())


@rules.predicate
def is_registered(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _challenge_pact_id(obj) -> int | None:
    from patto.pact.models import Pact

    from .models import Comment, ContentReport, OpenChallenge, Solution

    if isinstance(obj, Pact):
        return obj.pk
    if isinstance(obj, OpenChallenge):
        return obj.pact_id
    if isinstance(obj, Solution):
        return obj.challenge.pact_id
    if isinstance(obj, Comment):
        return obj.solution.challenge.pact_id
    if isinstance(obj, ContentReport):
        return _challenge_pact_id(obj.target)
    return None


# Challenges: the Table (secretariat, call managers) or a municipality (its proposers)
# publishes; registered people submit, comment, vote and report; moderators hide and restore.
rules.add_perm("participation.publish_challenge", may_manage_calls | is_any_proposer)
rules.add_perm("participation.take_part", is_registered)
rules.add_perm("participation.moderate", is_secretariat | is_moderator)
rules.add_perm("participation.grant_moderator", is_secretariat)
