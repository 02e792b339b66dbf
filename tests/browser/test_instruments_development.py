"""The economic-development page and the offices' pages in Chromium: the package's records
(example ones marked), the office recording consultations, the agreements' office; axe-core
finds nothing serious on any of them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_the_development_page(site, page):
    page.goto(site.url + "/strumenti/bologna-2021/")
    page.locator("main a[href$='/bologna-2021/sviluppo-economico/']").click()
    page.wait_for_url("**/sviluppo-economico/")
    assert page.get_by_text("Premio Barresi 2019").count() == 1
    assert page.locator(".badge.bg-warning").count() >= 4
    assert axe_violations(page, "instruments-development") == []
    assert page.errors == []


def test_the_office_records_consultations_and_an_agreement_report(site, page, django_user_model):
    from patto.instruments.models import InstrumentRole, ServiceActivity
    from patto.instruments.services import agreement_create
    from patto.pact.models import Pact, Territory

    pact = Pact.objects.get(code="bologna-2021")
    officer = django_user_model.objects.create_user("sviluppo", "s@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=pact, user=officer, role="development_officer")
    InstrumentRole.objects.create(pact=pact, user=officer, role="agreement_officer")
    agreement_create(
        user=None,
        pact=pact,
        data={
            "code": "intesa-esempio",
            "company_name": "Logistica Esempio",
            "company_tax_code": "04245520376",
            "municipality": Territory.objects.get(code="037002"),
            "signed_on": dt.date(2022, 5, 1),
            "is_example": True,
        },
        commitments=[
            {
                "kind": "hires",
                "description": "Assunzioni",
                "target": 40,
                "due_on": dt.date(2024, 12, 31),
            }
        ],
    )
    sign_in(page, site.url, "sviluppo")
    page.wait_for_url("**/gestione/")
    page.goto(site.url + "/gestione/strumenti/bologna-2021/sviluppo-economico/")
    assert axe_violations(page, "instruments-development-office") == []
    before = ServiceActivity.objects.count()
    page.select_option("#id_service", label="Sportello sovraindebitamento")
    page.select_option("#id_kind", value="consultation")
    page.fill("#id_held_on", "31/12/2022")
    page.fill("#id_count", "1.250")
    page.locator("form[action$='/attivita/'] button[type=submit]").click()
    page.wait_for_url("**/sviluppo-economico/")
    assert ServiceActivity.objects.count() == before + 1
    page.goto(site.url + "/gestione/strumenti/bologna-2021/intese/")
    assert axe_violations(page, "instruments-agreements-office") == []
    page.locator("main a[href$='/intese/intesa-esempio/']").click()
    page.wait_for_url("**/intesa-esempio/")
    assert axe_violations(page, "instruments-agreement-office") == []
    assert page.errors == []


def test_the_office_records_a_prize_edition_from_its_form(site, page, django_user_model):
    from patto.instruments.models import InstrumentRole, PrizeEdition
    from patto.pact.models import Pact

    pact = Pact.objects.get(code="bologna-2021")
    officer = django_user_model.objects.create_user("premi", "p@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=pact, user=officer, role="development_officer")
    sign_in(page, site.url, "premi")
    page.wait_for_url("**/gestione/")
    page.goto(site.url + "/gestione/strumenti/bologna-2021/sviluppo-economico/")
    page.locator("main a[href$='/sviluppo-economico/premio/nuovo/']").click()
    page.wait_for_url("**/premio/nuovo/")
    assert axe_violations(page, "instruments-prize-form") == []
    page.fill("#id_prize", "Premio Barresi")
    page.fill("#id_year", "2020")
    page.fill("#id_premiati-0-winner", "Impresa Gamma")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/sviluppo-economico/")
    edition = PrizeEdition.objects.get(pact=pact, prize="Premio Barresi", year=2020)
    assert [a.winner for a in edition.awards.all()] == ["Impresa Gamma"]
    assert page.errors == []
