"""Governance in Chromium: the secretariat convenes a meeting of the Table, records the
attendance and a decision; a visitor finds the decision, and axe-core finds nothing serious on
the new public pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_convenes_records_and_a_visitor_sees_the_decision(site, browser,
                                                                      django_user_model):
    from patto.pact.models import Party

    django_user_model.objects.create_superuser("segreteria", "s@example.org", PASSWORD)
    city = Party.objects.get(code="citta-metropolitana-bologna")
    office = browser.new_context(locale="it-IT").new_page()
    office.errors = []
    office.on("pageerror", lambda exc: office.errors.append(str(exc)))
    sign_in(office, site.url, "segreteria")
    office.wait_for_url(re.compile(r"/gestione/$"))
    office.goto(site.url + "/gestione/governance/bologna-2021/organi/tavolo-patto/convoca/")
    office.locator("#id_title").fill("Seduta di monitoraggio")
    office.locator("#id_starts_at").fill("2026-12-01T10:00")
    office.locator("#id_place").fill("Palazzo Malvezzi, Bologna")
    office.locator("main form button[type=submit]").click()
    office.wait_for_url(re.compile(r"/gestione/governance/bologna-2021/riunioni/\d+/$"))
    office.locator("#id_item-title").fill("Stato delle azioni per l'emergenza")
    office.locator("form[action$='/item/'] button[type=submit]").click()
    office.wait_for_url(re.compile(r"/riunioni/\d+/$"))
    assert "Stato delle azioni" in office.get_by_test_id("office-agenda").inner_text()
    office.locator(f"#id_att-status_{city.pk}").select_option("present")
    office.locator("form[action$='/attendance/'] button[type=submit]").click()
    office.wait_for_url(re.compile(r"/riunioni/\d+/$"))
    assert office.locator(f"#id_att-status_{city.pk}").input_value() == "present"
    office.locator("#id_dec-title").fill("Avvio del monitoraggio degli indicatori")
    office.locator("#id_dec-text").fill("Il Tavolo avvia il monitoraggio dei tre cluster.")
    office.locator("#id_dec-votes_for").fill("25")
    office.locator("#id_dec-votes_against").fill("0")
    office.locator("#id_dec-abstained").fill("2")
    office.locator("form[action$='/decision/'] button[type=submit]").click()
    office.wait_for_url(re.compile(r"/gestione/governance/bologna-2021/decisioni/\d+/$"))
    assert axe_violations(office, "governance-office-decision") == []
    assert office.errors == []

    visitor = browser.new_context(locale="it-IT").new_page()
    visitor.errors = []
    visitor.on("pageerror", lambda exc: visitor.errors.append(str(exc)))
    visitor.goto(site.url + "/governance/")
    assert axe_violations(visitor, "governance-bodies") == []
    visitor.locator("main a[href$='/organi/tavolo-patto/']").click()
    assert axe_violations(visitor, "governance-body") == []
    visitor.locator("main a[href*='/riunioni/']").first.click()
    assert "Stato delle azioni" in visitor.get_by_test_id("agenda").inner_text()
    assert axe_violations(visitor, "governance-meeting") == []
    visitor.goto(site.url + "/governance/bologna-2021/decisioni/")
    assert axe_violations(visitor, "governance-decisions") == []
    visitor.get_by_role("link", name="1/2026").click()
    assert "monitoraggio dei tre cluster" in visitor.get_by_test_id("decision-text").inner_text()
    assert axe_violations(visitor, "governance-decision") == []
    assert visitor.errors == []
