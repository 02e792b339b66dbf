"""Fixtures of the work instruments: people with each role, and a case factory.

The Bologna package carries example crisis cases, agreements and register entries. The tests
of the instruments' behaviour count and list the records they make themselves, so each starts
without the package's examples (removed inside the test's transaction, so the next test has
them again); a module that tests the package's records sets ``KEEPS_PACKAGE_EXAMPLES``.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

PASSWORD = "a-long-test-password"
#: A valid partita IVA (check digit right) and the same with a wrong check digit.
VAT = "04245520376"
BAD_VAT = "04245520375"
BOLOGNA = "037006"  # no union: its own area
ARGELATO = "037002"  # in the Unione Reno Galliera since 2008


def package_work_keys() -> dict[str, set[str]]:
    """The keys of the Bologna package's crisis cases, agreements and register entries."""
    from tests.conftest import PACKAGE

    keys = {}
    for resource, key in (
        ("crisis_cases", "code"),
        ("agreements", "code"),
        ("register_entries", "company_tax_code"),
    ):
        with (PACKAGE / f"{resource}.csv").open(encoding="utf-8", newline="") as handle:
            keys[resource] = {r[key] for r in csv.DictReader(handle) if r["pact"] == "bologna-2021"}
    return keys


@pytest.fixture(autouse=True)
def _without_package_work_examples(request):
    """Remove the package's example work records for a test of the instruments' behaviour."""
    if getattr(request.module, "KEEPS_PACKAGE_EXAMPLES", False):
        return
    if "bologna" not in request.fixturenames:
        return
    from patto.instruments.models import Agreement, CrisisCase, RegisterApplication
    from patto.instruments.services import crisis_figures_refresh

    pact = request.getfixturevalue("bologna")
    keys = package_work_keys()
    CrisisCase.objects.filter(pact=pact, is_example=True, code__in=keys["crisis_cases"]).delete()
    Agreement.objects.filter(pact=pact, is_example=True, code__in=keys["agreements"]).delete()
    RegisterApplication.objects.filter(
        pact=pact, is_example=True, company_tax_code__in=keys["register_entries"]
    ).delete()
    crisis_figures_refresh(pact=pact)


@pytest.fixture
def people(bologna, django_user_model):
    """One user per role in the Bologna pact, a secretariat member and a stranger."""
    from patto.instruments.models import InstrumentRole

    made = {
        "secretariat": django_user_model.objects.create_superuser(
            "segreteria", "s@example.org", PASSWORD
        )
    }
    for role in InstrumentRole.Role:
        user = django_user_model.objects.create_user(
            role.value, f"{role.value}@example.org", PASSWORD
        )
        InstrumentRole.objects.create(pact=bologna, user=user, role=role.value)
        made[role.value] = user
    made["stranger"] = django_user_model.objects.create_user("estraneo", "e@example.org", PASSWORD)
    return made


@pytest.fixture
def make_case(bologna):
    """A crisis case recorded by the platform itself, with workers."""
    from patto.instruments.services import crisis_case_create
    from patto.pact.models import Territory

    def make(
        code: str = "caso-1",
        *,
        municipality: str = ARGELATO,
        confidential=False,
        ateco: str = "25.62.00",
        reported_on=dt.date(2023, 3, 1),
        workers=None,
        **data,
    ):
        return crisis_case_create(
            user=None,
            pact=bologna,
            data={
                "code": code,
                "company_name": f"Officina {code}",
                "company_tax_code": VAT,
                "ateco_code": ateco,
                "municipality": Territory.objects.get(code=municipality),
                "reported_on": reported_on,
                "confidential": confidential,
                **data,
            },
            workers=workers
            if workers is not None
            else {("f", "permanent"): 12, ("m", "permanent"): 30, ("m", "agency"): 4},
        )

    return make
