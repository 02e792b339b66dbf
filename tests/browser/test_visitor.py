"""A visitor walks the public site in headless Chromium; axe-core checks every page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_walks_home_parties_party_cluster_and_switches_language(site, page):
    page.goto(site.url + "/")
    assert page.locator("h1").inner_text().startswith("Patto metropolitano per il lavoro")
    assert page.locator("html").get_attribute("lang") == "it"
    assert axe_violations(page, "home") == []

    page.get_by_role("navigation", name="Menu principale").get_by_role(
        "link", name="Soggetti").click()
    page.wait_for_url(re.compile(r"/soggetti/$"))
    assert page.locator("tbody tr").count() == 52
    assert axe_violations(page, "parties") == []

    page.get_by_label("Categoria").select_option("enti-territoriali")
    page.get_by_role("button", name="Filtra").click()
    page.wait_for_url(re.compile(r"categoria=enti-territoriali"))
    page.get_by_role("link", name="Città metropolitana di Bologna", exact=True).first.click()
    page.wait_for_url(re.compile(r"/soggetti/citta-metropolitana-bologna/$"))
    assert page.locator("h1").inner_text() == "Città metropolitana di Bologna"
    assert axe_violations(page, "party") == []

    page.locator("a[href*='/cluster/']").first.click()
    page.wait_for_url(re.compile(r"/patti/bologna-2021/cluster/\d+/$"))
    assert page.get_by_role("heading", name="Le sfide del cluster").is_visible()
    assert axe_violations(page, "cluster") == []

    page.locator("a[data-language='en']").click()
    page.wait_for_url(re.compile(r"/en/patti/bologna-2021/cluster/\d+/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Parties").first.is_visible()
    assert axe_violations(page, "cluster-en") == []
    assert page.errors == []


def test_territory_map_draws_every_municipality(site, page):
    page.goto(site.url + "/territorio/")
    page.wait_for_selector("#territory-map[data-ready='true']", timeout=15000)
    assert page.locator("#territory-map svg, #territory-map canvas").count() >= 1
    assert page.locator("table tbody th[scope='row'].fw-normal").count() == 55
    assert axe_violations(page, "territory") == []
    assert page.errors == []
