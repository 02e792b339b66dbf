"""The work instruments in Chromium: the safeguard table's public dashboard draws its charts
from stored figures, a case page, and the table's staff pages; axe-core finds nothing serious
on any of them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(site):
    from patto.instruments.services import crisis_case_create, crisis_case_transition
    from patto.pact.models import Pact, Territory

    pact = Pact.objects.get(code="bologna-2021")
    made = []
    for n, (code, ateco, place) in enumerate(
        [
            ("meccanica", "25.62", "037002"),
            ("commercio", "47.11", "037006"),
            ("logistica", "52.10", "037032"),
        ]
    ):
        made.append(
            crisis_case_create(
                user=None,
                pact=pact,
                data={
                    "code": code,
                    "company_name": f"Esempio {code}",
                    "company_tax_code": "04245520376",
                    "ateco_code": ateco,
                    "municipality": Territory.objects.get(code=place),
                    "reported_on": dt.date(2021 + n, 5, 1),
                    "is_example": True,
                    "confidential": code == "logistica",
                },
                workers={("f", "permanent"): 10 + n, ("m", "fixed_term"): 5},
            )
        )
    crisis_case_transition(user=None, case=made[0], status="open", on=dt.date(2021, 6, 1))
    return pact, made


def test_visitor_sees_the_dashboard_and_a_case(site, cases, page):
    page.goto(site.url + "/strumenti/")
    # By address: the link's wording is Italian once the catalogue has it.
    page.locator("main a[href$='/bologna-2021/salvaguardia/']").click()
    page.wait_for_selector("#crisis-sectors[data-ready='true']", timeout=15000)
    page.wait_for_selector("#crisis-areas[data-ready='true']", timeout=15000)
    assert page.locator("#crisis-sectors svg path").count() > 2
    assert page.get_by_text("Esempio logistica").count() == 0
    assert axe_violations(page, "instruments-cases") == []
    page.get_by_role("link", name="Esempio meccanica").click()
    assert page.get_by_test_id("workers-total").inner_text() == "15"
    assert axe_violations(page, "instruments-case") == []
    assert axe_violations_on(page, site.url + "/strumenti/bologna-2021/", "instruments") == []
    assert page.errors == []


def axe_violations_on(page, url, name):
    page.goto(url)
    return axe_violations(page, name)


def test_table_member_and_secretary_pages(site, cases, page, django_user_model):
    from patto.instruments.models import InstrumentRole

    pact, _made = cases
    secretary = django_user_model.objects.create_user("segretario", "t@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=pact, user=secretary, role="safeguard_clerk")
    sign_in(page, site.url, "segretario")
    page.wait_for_url("**/gestione/")
    page.goto(site.url + "/gestione/strumenti/bologna-2021/salvaguardia/")
    page.wait_for_selector("#crisis-sectors[data-ready='true']", timeout=15000)
    assert page.get_by_text("Esempio logistica").count() == 1
    assert axe_violations(page, "instruments-manage") == []
    page.get_by_role("link", name="Esempio logistica").click()
    assert axe_violations(page, "instruments-manage-case") == []
    page.goto(site.url + "/gestione/strumenti/bologna-2021/salvaguardia/nuovo/")
    assert axe_violations(page, "instruments-new-case") == []
    page.goto(site.url + "/gestione/strumenti/bologna-2021/salvaguardia/meccanica/modifica/")
    assert axe_violations(page, "instruments-edit-case") == []
    assert page.errors == []


def test_pathways_public_aggregates_and_operator_pages(site, page, django_user_model):
    from patto.instruments.models import InstrumentRole
    from patto.instruments.services import pathway_advance, pathway_open
    from patto.pact.models import Pact

    pact = Pact.objects.get(code="bologna-2021")
    operator = django_user_model.objects.create_user("operatore", "o@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=pact, user=operator, role="inclusion_operator")
    for n in range(7):
        pathway = pathway_open(
            user=operator,
            pact=pact,
            data={
                "person_code": f"IPL-{n:03}",
                "sex": "f" if n < 5 else "m",
                "age_band": "25-34",
                "target": "expelled",
                "started_on": dt.date(2023, 1, 1 + n),
                "is_example": True,
            },
        )
        if n < 6:
            pathway_advance(
                user=operator, pathway=pathway, stage="orientation", on=dt.date(2023, 2, 1)
            )
    page.goto(site.url + "/strumenti/bologna-2021/insieme-per-il-lavoro/")
    assert page.get_by_test_id("suppression-note").is_visible()
    assert page.get_by_text("IPL-000").count() == 0
    assert axe_violations(page, "instruments-pathways") == []
    sign_in(page, site.url, "operatore")
    page.wait_for_url("**/gestione/")
    page.goto(site.url + "/gestione/strumenti/bologna-2021/percorsi/")
    assert axe_violations(page, "instruments-operator") == []
    page.get_by_role("link", name="IPL-006").click()
    assert axe_violations(page, "instruments-pathway") == []
    assert page.errors == []


def test_register_public_page_application_and_office(site, page, django_user_model):
    from patto.instruments.models import InstrumentRole
    from patto.instruments.services import register_criterion_save
    from patto.pact.models import Pact

    pact = Pact.objects.get(code="bologna-2021")
    register_criterion_save(
        user=None, pact=pact, code="assunzioni", title="Assunzioni di persone fragili"
    )
    page.goto(site.url + "/strumenti/bologna-2021/albo-aziende-inclusive/")
    assert axe_violations(page, "instruments-register") == []
    page.goto(site.url + "/strumenti/bologna-2021/albo-aziende-inclusive/candidatura/")
    assert axe_violations(page, "instruments-register-apply") == []
    officer = django_user_model.objects.create_user("ufficio", "u@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=pact, user=officer, role="register_officer")
    sign_in(page, site.url, "ufficio")
    page.wait_for_url("**/gestione/")
    page.goto(site.url + "/gestione/strumenti/bologna-2021/albo/")
    assert axe_violations(page, "instruments-register-office") == []
    assert page.errors == []
