"""The pages' stylesheets, scripts, icon sprite and fonts all load from the app's own static
files, now that only the files the pages use are collected from the npm packages."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_static_file_a_page_asks_for_loads(site, page):
    from patto.monitoring.models import Indicator

    statics = {}
    page.on("response", lambda r: statics.__setitem__(r.url, r.status)
            if "/static/" in r.url else None)
    indicator = Indicator.objects.order_by("code").first()
    for path in ("/", indicator.get_absolute_url()):
        page.goto(site.url + path)
        page.wait_for_load_state("networkidle")
        # Fonts load when text needs them: wait until the browser has settled them.
        page.evaluate("() => document.fonts.ready.then(() => true)")
        loaded = page.evaluate(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        assert any("Titillium Web" in family for family in loaded), (path, loaded)
    assert any(url.endswith(".woff2") for url in statics)
    assert any("sprites" in url for url in statics)
    assert any("echarts" in url for url in statics)
    assert {url: status for url, status in statics.items() if status != 200} == {}
    assert page.errors == []
