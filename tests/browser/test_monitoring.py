"""Monitoring pages in Chromium: chart and choropleth drawn, axe-core finds nothing serious."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_goals_indicator_chart_and_map(site, page):
    page.goto(site.url + "/monitoraggio/")
    assert page.locator(".card .patto-sdg").count() == 17
    assert axe_violations(page, "goals") == []

    page.goto(site.url + "/monitoraggio/bologna-2021/indicatori/8-5-2/")
    page.wait_for_selector("#indicator-chart[data-ready='true']", timeout=15000)
    assert page.locator("#indicator-chart svg path").count() > 3
    drawn = "() => echarts.getInstanceByDom(document.getElementById('indicator-chart'))" \
            ".getOption().series.length"
    assert page.evaluate(drawn) == 1  # the total only
    page.locator("#chart-dimension").select_option("Sex")
    assert page.evaluate(drawn) == 3  # the total, female and male
    assert axe_violations(page, "indicator") == []

    page.goto(site.url + "/monitoraggio/bologna-2021/indicatori/11-7-1/territorio/")
    page.wait_for_selector("#choropleth[data-ready='true']", timeout=15000)
    assert page.locator("#choropleth svg path").count() >= 55
    assert axe_violations(page, "choropleth") == []
    assert page.errors == []
