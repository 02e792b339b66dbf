"""Object permissions of monitoring: who may enter indicator values."""

from __future__ import annotations

import rules

from patto.projects.rules import is_coordinator_of_any, is_secretariat


@rules.predicate
def is_referent_of_any(user) -> bool:
    return bool(user and user.is_authenticated and user.referent_of.exists())


# Entering values: row by row, the template import checks the indicator's project too.
rules.add_perm("monitoring.add_observation",
               is_secretariat | is_coordinator_of_any | is_referent_of_any)
