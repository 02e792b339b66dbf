"""Funds in Chromium: the flow diagram, the equalisation map, a clerk recording a gift and the
simulator; axe-core finds nothing serious on any of them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_sees_flows_and_the_equalisation_map(site, page):
    page.goto(site.url + "/fondi/")
    page.get_by_role("link", name="Fondo metropolitano di comunità").click()
    page.wait_for_selector("#fund-flows[data-ready='true']", timeout=15000)
    page.wait_for_selector("#fund-time[data-ready='true']", timeout=15000)
    assert page.locator("#fund-flows svg path").count() > 10
    assert axe_violations(page, "fund") == []
    page.goto(site.url + "/patti/bologna-2021/fondi/perequativo/?mostra=assegnazioni")
    page.wait_for_selector("#choropleth[data-ready='true']", timeout=15000)
    assert page.locator("#choropleth svg path").count() >= 55
    assert axe_violations(page, "equalisation") == []
    assert page.errors == []


def test_clerk_records_a_gift_in_kind_and_secretariat_simulates(site, page,
                                                                django_user_model):
    from patto.funds.models import Fund, FundClerk, Movement

    fund = Fund.objects.get(code="comunita")
    clerk = django_user_model.objects.create_user("cassiere", "c@example.org", PASSWORD)
    FundClerk.objects.create(fund=fund, user=clerk)
    django_user_model.objects.create_superuser("segreteria", "s@example.org", PASSWORD)
    sign_in(page, site.url, "cassiere")
    page.goto(site.url + "/gestione/fondi/bologna-2021/comunita/")
    assert axe_violations(page, "fund-manage") == []
    form = page.locator("form[action$='/registra/receipt/']")
    form.get_by_label("Importo (euro)").fill("1250,50")
    hera = fund.pact.donors.get(code="hera")
    form.get_by_label("Donatore").select_option(str(hera.pk))
    form.get_by_label("Finalità").select_option(index=1)
    form.get_by_label("Donato in").select_option("kind")
    form.get_by_label("Beni o servizi (in natura)").fill("Buoni pasto")
    form.get_by_label("Valore dichiarato da").fill("Il donatore")
    form.get_by_role("button", name="Registra").click()
    page.wait_for_url("**/gestione/fondi/bologna-2021/comunita/")
    made = Movement.objects.filter(fund=fund, item="Buoni pasto").get()
    assert (str(made.amount), made.medium, made.recorded_by) == ("1250.50", "kind", clerk)

    page.context.clear_cookies()
    sign_in(page, site.url, "segreteria")
    page.goto(site.url + "/gestione/fondi/bologna-2021/perequativo/simulatore/"
              "?regola=perequazione-2025-pesata")
    assert axe_violations(page, "simulator") == []
    page.get_by_role("button", name="Salva e simula").click()
    page.wait_for_selector("#allocation-chart[data-ready='true']", timeout=15000)
    assert axe_violations(page, "simulation") == []
