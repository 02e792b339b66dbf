"""A coordinator signs in and lands on their home: the report waiting for review is one click
away and they approve it, the header names them, and axe-core finds no serious fault; no script
error (strict CSP)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def test_coordinator_lands_on_home_and_reaches_the_report_to_review(site, page,
                                                                    django_user_model):
    from patto.projects.models import (
        ClusterCoordinator,
        Project,
        ProjectUpdate,
        ReportingRound,
    )

    project = Project.objects.get(pact__code="bologna-2021", code="attrazione-talenti")
    coordinator = django_user_model.objects.create_user(
        "coordinatrice", "c@example.org", PASSWORD, first_name="Carla", last_name="Rossi")
    secretariat = django_user_model.objects.create_superuser("segreteria", "s@example.org",
                                                             PASSWORD)
    ClusterCoordinator.objects.create(cluster=project.cluster, user=coordinator)
    reporting_round = ReportingRound.objects.create(
        pact=project.pact, title="Primo semestre", opens_on=dt.date(2026, 1, 1),
        deadline=dt.date(2099, 6, 30), created_by=secretariat)
    update = ProjectUpdate.objects.create(round=reporting_round, project=project,
                                          status="submitted", proposed_status="in_progress",
                                          progress=40, base_version=project.version,
                                          payload={"progress_reason": "Primo modulo fatto."},
                                          summary="Fatto il primo modulo.")

    page.goto(site.url + "/accedi/")
    page.get_by_label("Nome utente").fill("coordinatrice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r"/gestione/$"))
    assert "Carla Rossi" in page.get_by_test_id("signed-in-as").inner_text()
    assert page.locator("#panel-coordinator").is_visible()
    assert page.locator("#panel-secretariat").count() == 0
    assert axe_violations(page, "home-coordinator") == []

    page.get_by_test_id("to-review").get_by_role("link", name=project.title).click()
    page.wait_for_url(re.compile(rf"/gestione/rendicontazione/resoconti/{update.pk}/$"))
    # Their main task: the review, approved from there.
    assert axe_violations(page, "review-coordinator") == []
    page.locator("label[for=id_decision_0]").click()
    page.locator("form:has(#id_decision_0) button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/gestione/rendicontazione/{reporting_round.pk}/$"))
    update.refresh_from_db()
    assert (update.status, update.reviewed_by) == ("approved", coordinator)
    # The header's home link takes them back (found by address: its text awaits the catalog).
    page.locator("header a[href='/gestione/']").click()
    page.wait_for_url(re.compile(r"/gestione/$"))
    assert page.errors == []
