"""Object permissions of the work instruments: who records, who reads what is confidential.

The secretariat does everything. The safeguard table's secretary records and moves crisis
cases; its members read every case, confidential ones included; everybody else reads the
cases that are not confidential and the figures computed without the confidential ones. The
object is a pact (or anything naming one); the services check these rules again, so pages,
admin and imports share them.
"""

from __future__ import annotations

import rules

from patto.projects.rules import is_secretariat


def _pact_id(obj) -> int | None:
    from patto.pact.models import Pact

    if isinstance(obj, Pact):
        return obj.pk
    return getattr(obj, "pact_id", None)


def _holds(user, obj, *roles: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    pact_id = _pact_id(obj)
    found = user.instrument_roles.filter(role__in=roles)
    return (found.filter(pact_id=pact_id) if pact_id is not None else found).exists()


@rules.predicate
def is_safeguard_clerk(user, obj=None) -> bool:
    return _holds(user, obj, "safeguard_clerk")


@rules.predicate
def is_safeguard_member(user, obj=None) -> bool:
    return _holds(user, obj, "safeguard_clerk", "safeguard_member")


@rules.predicate
def is_confidential(user, obj) -> bool:
    return bool(getattr(obj, "confidential", False))


# Crisis cases: the secretary and the secretariat write; members read all; the public reads
# what is not confidential.
rules.add_perm("instruments.change_crisiscase", is_secretariat | is_safeguard_clerk)
rules.add_perm("instruments.view_confidential_cases", is_secretariat | is_safeguard_member)
rules.add_perm(
    "instruments.view_crisiscase", ~is_confidential | is_secretariat | is_safeguard_member
)
# Roles are handed out by the secretariat.
rules.add_perm("instruments.change_instrumentrole", is_secretariat)


@rules.predicate
def is_inclusion_operator(user, obj=None) -> bool:
    return _holds(user, obj, "inclusion_operator")


@rules.predicate
def is_pathway_operator(user, pathway) -> bool:
    """The operator who keeps this pathway (and still holds the role in its pact)."""
    return bool(
        getattr(pathway, "operator_id", None) == getattr(user, "pk", -1)
        and is_inclusion_operator(user, pathway)
    )


# Pathways: operators open pathways in their pact and keep their own; the secretariat all.
# Nobody else sees a single pathway: the public and the other roles read the aggregates.
rules.add_perm("instruments.add_pathway", is_secretariat | is_inclusion_operator)
rules.add_perm("instruments.change_pathway", is_secretariat | is_pathway_operator)
rules.add_perm("instruments.view_pathway", is_secretariat | is_pathway_operator)


@rules.predicate
def is_register_officer(user, obj=None) -> bool:
    return _holds(user, obj, "register_officer")


# The register: the office (its officers and the secretariat) publishes the criteria,
# evaluates, registers, renews and revokes; companies apply without an account.
rules.add_perm("instruments.change_register", is_secretariat | is_register_officer)


@rules.predicate
def is_agreement_officer(user, obj=None) -> bool:
    return _holds(user, obj, "agreement_officer")


# Good-employment agreements: their officers and the secretariat record and monitor them.
rules.add_perm("instruments.change_agreement", is_secretariat | is_agreement_officer)


@rules.predicate
def is_development_officer(user, obj=None) -> bool:
    return _holds(user, obj, "development_officer")


# Economic development (advice services, desks, tables, prizes, protocols, investors): its
# officers and the secretariat record; the public reads counts, never a consultation.
rules.add_perm("instruments.change_development", is_secretariat | is_development_officer)
