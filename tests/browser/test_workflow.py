"""A referent adds a row to a report with htmx (no inline script, strict CSP), removes another,
and submits; axe-core on the form with its new row."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(site, django_user_model):
    from patto.projects.models import Project, ProjectReferent
    from patto.projects.services import round_open

    project = Project.objects.get(pact__code="bologna-2021", code="attrazione-talenti")
    referent = django_user_model.objects.create_user("referente", "r@example.org", PASSWORD)
    secretariat = django_user_model.objects.create_superuser("segreteria", "s@example.org",
                                                             PASSWORD)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente di prova", user=referent)
    today = dt.date.today()
    reporting_round = round_open(pact=project.pact, title="Rendicontazione di prova",
                                 opens_on=today, deadline=today + dt.timedelta(days=20),
                                 user=secretariat)
    return project, reporting_round


def test_referent_adds_a_row_with_htmx_and_removes_one(site, report, page):
    from patto.projects.models import ProjectUpdate

    project, reporting_round = report
    sign_in(page, site.url, "referente")
    page.wait_for_url(lambda url: "/accedi/" not in url)
    page.goto(f"{site.url}/gestione/rendicontazione/{reporting_round.pk}/progetti/{project.pk}/")
    today = dt.date.today().isoformat()
    page.locator("#id_completed-0-done_on").fill(today)
    page.locator("#id_completed-0-text").fill("Prima giornata di accoglienza")
    with page.expect_response(re.compile(r"/riga/completed/\?index=1")):
        page.locator("#add-completed").click()
    page.locator("#id_completed-1-text").wait_for()
    # The row came from the server: the page did not reload, and what was typed is still there.
    assert page.locator("#id_completed-0-text").input_value() == "Prima giornata di accoglienza"
    assert page.locator("#id_completed-TOTAL_FORMS").input_value() == "2"
    with page.expect_response(re.compile(r"/riga/completed/\?index=2")):
        page.locator("#add-completed").click()
    page.locator("#id_completed-2-text").wait_for()
    assert page.locator("#id_completed-TOTAL_FORMS").input_value() == "3"
    page.locator("#id_completed-1-done_on").fill(today)
    page.locator("#id_completed-1-text").fill("Seconda giornata")
    page.locator("#id_completed-2-done_on").fill(today)
    page.locator("#id_completed-2-text").fill("Riga sbagliata")
    page.locator("label[for=id_completed-2-DELETE]").click()  # Bootstrap Italia draws the box
    assert page.locator("#id_completed-2-DELETE").is_checked()
    assert axe_violations(page, "update-form-rows") == []
    page.locator("#id_summary").fill("Avviato lo sportello.")
    page.locator("button[name=submit]").click()
    page.wait_for_selector("[data-testid='update-status']")
    assert page.errors == []
    update = ProjectUpdate.objects.get(project=project)
    assert update.status == "submitted"
    assert [r["text"] for r in update.payload["completed"]] == [
        "Prima giornata di accoglienza", "Seconda giornata"]
    # The sent report is read back on the same page.
    assert "Seconda giornata" in page.content() and "Riga sbagliata" not in page.content()
