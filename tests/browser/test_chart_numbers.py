"""Charts write numbers as the page's language does: the shared helper (patto/number-format.js)
gives "1.234,5" and "50.000" on Italian pages and "1,234.5" on English ones, and a fund's chart
axis reads the Italian way."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("prefix", "number", "euro", "axis"),
    [
        ("", "1.234,5", "1.234,50\u00a0€", "50.000"),
        ("/en", "1,234.5", "€1,234.50", "50,000"),
    ],
)
def test_the_helper_follows_the_page_language(site, page, prefix, number, euro, axis):
    page.goto(f"{site.url}{prefix}/fondi/")
    written = page.evaluate(
        "() => [pattoFormat.number(1234.5), pattoFormat.euro(1234.5), "
        "pattoFormat.axis(50000), pattoFormat.number(null)]"
    )
    assert written == [number, euro, axis, "–"]
    assert page.errors == []


def test_a_fund_chart_axis_is_written_the_italian_way(site, page):
    page.goto(site.url + "/fondi/")
    page.get_by_role("link", name="Fondo metropolitano di comunità").click()
    page.wait_for_selector("#fund-time[data-ready='true']", timeout=15000)
    labels = page.locator("#fund-time svg text").evaluate_all(
        "els => els.map(e => e.textContent.trim())"
    )
    # The value axis (the category axis has the years, 2024, 2025: no grouping there).
    numbers = [t for t in labels if re.fullmatch(r"[\d.,]+", t) and not re.fullmatch(r"20\d\d", t)]
    assert numbers, labels
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?", t) for t in numbers), numbers
    assert any("." in t for t in numbers), numbers  # thousands grouped with a dot
    assert page.errors == []
