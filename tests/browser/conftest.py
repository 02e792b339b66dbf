"""Headless Debian Chromium through Playwright, with axe-core from npm for accessibility."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `make browser` (apt-get install chromium)")
    # Playwright's sync API runs an event loop in the test thread while the tests' own ORM
    # calls stay synchronous: Django's async-safety guard is lifted only while it runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def site(live_server):
    """The live server with the Bologna pact loaded (transactional tests start empty)."""
    from tests.conftest import load_bologna

    load_bologna()
    return live_server


def axe_violations(page, name: str) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; serious and critical violations."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    if bad:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(bad, indent=2), encoding="utf-8")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"][:5]]} for v in bad]
