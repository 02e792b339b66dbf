"""Object permissions of the funds: who records movements, who sees donors, who allocates.

The secretariat does everything; a fund clerk records the movements of the funds they keep and
sees those funds' donors (with their tax codes and e-mails); everybody else reads the public
pages, where people who did not consent stay anonymous. The services check these rules again,
so that the pages, the admin and the imports share them.
"""

from __future__ import annotations

import rules

from patto.projects.rules import is_secretariat


def _fund_id(obj) -> int | None:
    """The fund an object of the funds belongs to: a fund, a movement, an account, a rule, a
    simulation, a clerk row, a purpose."""
    from .models import Fund, Simulation

    if isinstance(obj, Fund):
        return obj.pk
    if isinstance(obj, Simulation):
        return obj.rule.fund_id
    return getattr(obj, "fund_id", None)


@rules.predicate
def is_fund_clerk(user, fund) -> bool:
    if not (user and user.is_authenticated) or fund is None:
        return False
    fund_id = _fund_id(fund)
    return fund_id is not None and user.fund_roles.filter(fund_id=fund_id).exists()


@rules.predicate
def is_any_fund_clerk(user) -> bool:
    return bool(user and user.is_authenticated and user.fund_roles.exists())


@rules.predicate
def is_clerk_for(user, obj) -> bool:
    """Without an object: a clerk of some fund (the admin's lists, then narrowed to his
    funds). With one: a clerk of its fund; for a pact, of one of its funds; for a donor, one
    whose personal data the clerk may see (see ``selectors.donors_visible``)."""
    from patto.pact.models import Pact

    from .models import Donor

    if not (user and user.is_authenticated):
        return False
    if obj is None:
        return is_any_fund_clerk(user)
    if isinstance(obj, Pact):
        return user.fund_roles.filter(fund__pact=obj).exists()
    if isinstance(obj, Donor):
        from .selectors import donors_visible

        if obj.pk is None:  # a donor being added to a pact
            return user.fund_roles.filter(fund__pact_id=obj.pact_id).exists()
        return donors_visible(user=user).filter(pk=obj.pk).exists()
    return is_fund_clerk(user, obj)


rules.add_perm("funds.add_movement", is_secretariat | is_fund_clerk)
rules.add_perm("funds.add_transformation", is_secretariat | is_fund_clerk)
rules.add_perm("funds.view_ledger", is_secretariat | is_fund_clerk)
# Donors: personal data, seen and kept by the secretariat and the clerks of their funds.
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"funds.{action}_donor", is_secretariat | is_clerk_for)
# The back office's read-only lists of the books, narrowed to the clerk's funds there.
for model in ("fund", "movement", "account", "chargerule", "allocationrule", "purpose",
              "fundclerk", "entry", "transformation", "ruleindicator"):
    rules.add_perm(f"funds.view_{model}", is_secretariat | is_clerk_for)
# Who keeps a fund (its clerks) and what municipalities owe (charge rules): the secretariat.
rules.add_perm("funds.change_fund", is_secretariat)
rules.add_perm("funds.change_chargerule", is_secretariat)
rules.add_perm("funds.add_chargerule", is_secretariat)
# Allocation rules decide who gets public money: the secretariat alone simulates and adopts.
rules.add_perm("funds.add_simulation", is_secretariat)
rules.add_perm("funds.adopt_simulation", is_secretariat)
# An upload may touch several funds: each row is checked again against its own fund.
rules.add_perm("funds.import_movements", is_secretariat | is_any_fund_clerk)
