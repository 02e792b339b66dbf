"""The API's documentation page in Debian Chromium: Swagger UI runs from the site's own files
under the strict CSP (no request leaves the site, no script or style is refused)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_renders_every_operation_under_the_csp(page, live_server):  # noqa: F811
    refused, elsewhere = [], []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text and "script" in m.text else None)
    page.on("request", lambda r: elsewhere.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:") else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() >= 15
    assert "Patto" in page.locator(".info .title").inner_text()
    assert not refused, refused
    assert not elsewhere, elsewhere
    assert not page.errors, page.errors
