"""The work instruments' panel on a person's home: the safeguard cases, pathways, register and
agreements of each pact in which the person holds an instrument role (and the secretariat)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.core.homepanels import HomePanel
from patto.pact.models import Pact

from .models import InstrumentRole

# Which staff page each role works in (the secretariat gets all of them).
_PAGES = {
    InstrumentRole.Role.SAFEGUARD_CLERK: (
        "instruments:manage_cases",
        gettext_lazy("Safeguard table cases"),
    ),
    InstrumentRole.Role.SAFEGUARD_MEMBER: (
        "instruments:manage_cases",
        gettext_lazy("Safeguard table cases"),
    ),
    InstrumentRole.Role.INCLUSION_OPERATOR: (
        "instruments:pathways",
        gettext_lazy("Job-inclusion pathways"),
    ),
    InstrumentRole.Role.REGISTER_OFFICER: (
        "instruments:register_manage",
        gettext_lazy("Inclusive-companies register"),
    ),
    InstrumentRole.Role.AGREEMENT_OFFICER: (
        "instruments:manage_agreements",
        gettext_lazy("Good-employment agreements"),
    ),
    InstrumentRole.Role.DEVELOPMENT_OFFICER: (
        "instruments:development_manage",
        gettext_lazy("Economic development"),
    ),
}


def instruments_panel(user, *, secretariat: bool) -> HomePanel | None:
    if secretariat:
        held = [
            (code, role)
            for code in Pact.objects.order_by("code").values_list("code", flat=True)
            for role in InstrumentRole.Role
        ]
    else:
        held = list(
            user.instrument_roles.order_by("pact__code", "role").values_list("pact__code", "role")
        )
    if not held:
        return None
    links, seen = [], set()
    for code, role in held:
        name, label = _PAGES[role]
        if (name, code) in seen:
            continue
        seen.add((name, code))
        links.append((reverse(name, args=[code]), f"{label} ({code})"))
    return HomePanel(key="instruments", title=_("Work instruments"), links=links)
