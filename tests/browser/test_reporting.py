"""A referent reports, the coordinator approves, a visitor sees it; axe-core on each page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def cast(site, django_user_model):
    from patto.projects.models import ClusterCoordinator, Project, ProjectReferent
    from patto.projects.services import round_open

    project = Project.objects.get(pact__code="bologna-2021", code="attrazione-talenti")
    referent = django_user_model.objects.create_user("referente", "r@example.org", PASSWORD)
    coordinator = django_user_model.objects.create_user("coordinatrice", "c@example.org",
                                                        PASSWORD)
    secretariat = django_user_model.objects.create_superuser("segreteria", "s@example.org",
                                                             PASSWORD)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente di prova", user=referent)
    ClusterCoordinator.objects.create(cluster=project.cluster, user=coordinator)
    today = dt.date.today()
    reporting_round = round_open(pact=project.pact, title="Rendicontazione di prova",
                                 opens_on=today, deadline=today + dt.timedelta(days=20),
                                 user=secretariat)
    return project, reporting_round


def sign_in(page, url, username):
    page.goto(url + "/accedi/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def test_referent_reports_coordinator_approves_visitor_sees(site, cast, browser):
    project, reporting_round = cast
    referent = browser.new_context(locale="it-IT").new_page()
    sign_in(referent, site.url, "referente")
    referent.wait_for_url(re.compile(r"/gestione/$"))  # their home: what is due
    referent.get_by_test_id("due").get_by_role("link", name=project.title).click()
    referent.wait_for_url(re.compile(r"/progetti/\d+/$"))
    assert axe_violations(referent, "update-form") == []
    referent.get_by_label("Avanzamento (%)").fill("25")
    # A figure set by hand is moved with its reason (the coordinator approves both).
    referent.get_by_label("Su cosa si basa questo avanzamento").fill(
        "Sportello aperto: una delle quattro fasi del progetto.")
    referent.get_by_label("Cosa è avvenuto nel periodo").fill(
        "Avviato lo sportello per i talenti internazionali.")
    referent.locator("#id_completed-0-done_on").fill(dt.date.today().isoformat())
    referent.locator("#id_completed-0-text").fill("Prima giornata di accoglienza")
    referent.get_by_role("button", name="Invia al coordinamento").click()
    referent.wait_for_selector("[data-testid='update-status']")
    assert "Inviato" in referent.locator("[data-testid='update-status']").inner_text()

    coordinator = browser.new_context(locale="it-IT").new_page()
    sign_in(coordinator, site.url, "coordinatrice")
    coordinator.goto(f"{site.url}/gestione/rendicontazione/{reporting_round.pk}/")
    assert axe_violations(coordinator, "round") == []
    coordinator.get_by_role("link", name=project.title).first.click()
    coordinator.locator("label[for=id_decision_0]").click()
    coordinator.get_by_role("button", name="Conferma").click()
    coordinator.wait_for_url(re.compile(rf"/gestione/rendicontazione/{reporting_round.pk}/$"))

    visitor = browser.new_context(locale="it-IT").new_page()
    visitor.goto(f"{site.url}/progetti/")
    assert axe_violations(visitor, "project-list") == []
    visitor.get_by_role("link", name=project.title).click()
    visitor.wait_for_url(re.compile(rf"/progetti/bologna-2021/{project.code}/$"))
    assert "Prima giornata di accoglienza" in visitor.content()
    assert visitor.locator("[data-testid='approved-update']").count() == 1
    assert "25%" in visitor.locator("[data-testid='approved-update']").inner_text()
    assert axe_violations(visitor, "project") == []
    for page in (referent, coordinator, visitor):
        page.context.close()
