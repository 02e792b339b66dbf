"""Object permissions of the funds: who records movements, who sees donors, who allocates.

The secretariat does everything; a fund clerk records the movements of the funds they keep and
sees those funds' donors; everybody else reads the public pages, where people who did not
consent stay anonymous.
"""

from __future__ import annotations

import rules

from patto.projects.rules import is_secretariat


@rules.predicate
def is_fund_clerk(user, fund) -> bool:
    if not (user and user.is_authenticated) or fund is None:
        return False
    fund = getattr(fund, "fund", fund)
    return user.fund_roles.filter(fund_id=fund.pk).exists()


@rules.predicate
def is_any_fund_clerk(user) -> bool:
    return bool(user and user.is_authenticated and user.fund_roles.exists())


rules.add_perm("funds.add_movement", is_secretariat | is_fund_clerk)
rules.add_perm("funds.view_donor", is_secretariat | is_fund_clerk | is_any_fund_clerk)
rules.add_perm("funds.add_donor", is_secretariat | is_fund_clerk | is_any_fund_clerk)
rules.add_perm("funds.add_transformation", is_secretariat | is_fund_clerk)
# Allocation rules decide who gets public money: the secretariat alone simulates and adopts.
rules.add_perm("funds.add_simulation", is_secretariat)
rules.add_perm("funds.adopt_simulation", is_secretariat)
rules.add_perm("funds.view_ledger", is_secretariat | is_fund_clerk)
# An upload may touch several funds: each row is checked again against its own fund.
rules.add_perm("funds.import_movements", is_secretariat | is_any_fund_clerk)
