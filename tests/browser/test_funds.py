"""Funds in Chromium: the flow diagram, the equalisation map, a clerk recording a gift, the
simulator, the comparison chart and the adoption's confirmation page; axe-core finds nothing
serious on any of them."""

from __future__ import annotations

import re

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
    page.wait_for_url(re.compile(r"/gestione/$"))  # their home: their funds, what to record
    assert page.locator("#panel-clerk").is_visible()
    assert axe_violations(page, "home-clerk") == []
    page.locator("#panel-clerk a[href='/gestione/fondi/bologna-2021/comunita/']").first.click()
    page.wait_for_url(re.compile(r"/gestione/fondi/bologna-2021/comunita/$"))
    assert axe_violations(page, "fund-manage") == []
    page.goto(site.url + "/gestione/fondi/bologna-2021/comunita/registra/receipt/")
    assert axe_violations(page, "fund-receipt") == []
    form = page.locator("form[action$='/registra/receipt/']")
    form.get_by_label("Importo (euro)").fill("1250,50")
    hera = fund.pact.donors.get(code="hera")
    form.get_by_label("Donatore").select_option(str(hera.pk))
    form.get_by_label("Finalità").select_option(index=1)
    form.get_by_label("Donato in").select_option("kind")
    form.get_by_label("Beni o servizi (in natura)").fill("Buoni pasto")
    form.get_by_label("Valore dichiarato da").fill("Il donatore")
    form.get_by_role("button", name="Registra").click()
    page.wait_for_url("**/gestione/fondi/bologna-2021/comunita/registra/receipt/")
    made = Movement.objects.filter(fund=fund, item="Buoni pasto").get()
    assert (str(made.amount), made.medium, made.recorded_by) == ("1250.50", "kind", clerk)
    # Reversed from its own page, after the confirmation page.
    page.goto(site.url + "/gestione/fondi/bologna-2021/comunita/movimenti/?kind=receipt")
    assert axe_violations(page, "fund-movements") == []
    page.get_by_role("link", name=made.ref, exact=True).click()
    page.locator(f"a[href$='/movimenti/{made.pk}/storna/']").click()
    assert page.get_by_test_id("reversal-summary").is_visible()
    assert axe_violations(page, "reverse-confirm") == []
    assert not Movement.objects.filter(reverses=made).exists()
    page.locator("[name='reason']").fill("Registrato per errore")
    page.locator("form:has(input[name='confirmed']) button[type='submit']").click()
    page.wait_for_url(f"**/movimenti/{made.pk}/")
    assert Movement.objects.filter(reverses=made, kind="reversal").exists()

    page.context.clear_cookies()
    sign_in(page, site.url, "segreteria")
    page.goto(site.url + "/gestione/fondi/bologna-2021/perequativo/simulatore/"
              "?regola=perequazione-2025-pesata")
    assert axe_violations(page, "simulator") == []
    page.get_by_role("button", name="Salva e simula").click()
    page.wait_for_selector("#allocation-bars[data-ready='true']", timeout=15000)
    assert axe_violations(page, "simulation") == []


def test_secretariat_compares_then_adopts_through_the_confirmation_page(site, page,
                                                                        django_user_model):
    from django.utils import formats, translation

    from patto.funds import selectors, services
    from patto.funds.models import AllocationRule, Movement

    a, b = (services.simulation_run(user=None, rule=AllocationRule.objects.get(code=code))
            for code in ("perequazione-2025-ampi", "perequazione-2025-pesata"))
    django_user_model.objects.create_superuser("segreteria", "s@example.org", PASSWORD)
    sign_in(page, site.url, "segreteria")
    base = site.url + "/gestione/fondi/bologna-2021/perequativo/simulatore/"
    page.goto(f"{base}confronto/?a={a.pk}&b={b.pk}")
    chart = page.locator("#compare-bars[data-ready='true']")
    chart.wait_for(timeout=15000)
    assert chart.get_attribute("data-bars") == "55"
    # Readable: a window of the sorted bars, the rest behind the scroll slider.
    labels = chart.locator("svg text").all_text_contents()
    names = [line["name"] for line in a.lines]
    assert 0 < sum(1 for text in labels if text in names) <= 20
    total_a = page.get_by_test_id("total-a").text_content()
    with translation.override("it"):
        assert total_a == formats.number_format(a.allocated, 2, use_l10n=True,
                                                force_grouping=True)
    assert axe_violations(page, "compare") == []
    page.locator(f"a[href$='/simulatore/{a.pk}/adotta/']").click()
    page.wait_for_url(f"**/simulatore/{a.pk}/adotta/")
    available = selectors.purpose_available(a.rule.purpose)
    with translation.override("it"):
        shown = formats.number_format(available, 2, use_l10n=True, force_grouping=True)
    assert page.get_by_test_id("available-for-purpose").text_content().strip() == f"€ {shown}"
    assert axe_violations(page, "adopt-confirm") == []
    assert not Movement.objects.filter(simulation=a).exists()  # nothing until confirmed
    page.locator("form:has(input[name='confirmed']) button[type='submit']").click()
    page.wait_for_url(f"**/simulatore/{a.pk}/")
    assert Movement.objects.filter(simulation=a).count() == sum(
        1 for line in a.lines if line["amount"] != "0.00")
    page.goto(f"{base}{b.pk}/adotta/")
    assert page.get_by_test_id("adoption-blocked").is_visible()
    assert page.locator("input[name='confirmed']").count() == 0
    assert page.errors == []
