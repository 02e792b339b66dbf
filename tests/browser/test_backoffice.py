"""A referent keeps their project's sheet on their own page; the coordinator moves its status
in place (htmx) and the sheet still saves; axe-core on the page and its error state."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def cast(site, django_user_model):
    from patto.projects.models import ClusterCoordinator, Project, ProjectReferent

    project = Project.objects.get(pact__code="bologna-2021", code="attrazione-talenti")
    referent = django_user_model.objects.create_user("referente", "r@example.org", PASSWORD,
                                                     is_staff=True)
    coordinator = django_user_model.objects.create_user("coordinatrice", "c@example.org",
                                                        PASSWORD)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente di prova", user=referent)
    ClusterCoordinator.objects.create(cluster=project.cluster, user=coordinator)
    return project


def sign_in(page, url, username):
    page.goto(url + "/accedi/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()


def test_referent_edits_the_sheet_and_coordinator_moves_the_status(site, cast, browser):
    from patto.projects.models import Project

    project = cast
    edit_url = f"{site.url}/gestione/progetti/{project.pk}/"
    referent = browser.new_context(locale="it-IT").new_page()
    sign_in(referent, site.url, "referente")
    referent.goto(f"{site.url}/gestione/progetti/")
    referent.get_by_role("link", name=project.title, exact=True).click()
    referent.wait_for_url(re.compile(rf"/gestione/progetti/{project.pk}/$"))
    assert referent.locator("#status-panel").count() == 0  # status is not theirs to move
    assert axe_violations(referent, "backoffice-edit") == []

    # An invisible control character is refused, named in the summary and on the field.
    referent.locator("#id_expected_results").fill("Risultati\x07attesi")
    referent.locator("#sheet-form button[type=submit]").click()
    referent.wait_for_selector("[data-testid='form-errors']")
    assert referent.locator("#id_expected_results").get_attribute("aria-invalid") == "true"
    assert referent.locator("[data-testid='form-errors'] a[href='#id_expected_results']") \
        .count() == 1
    assert axe_violations(referent, "backoffice-edit-errors") == []
    assert Project.objects.get(pk=project.pk).version == project.version

    # Meanwhile the coordinator moves the status on their own page, without a reload.
    coordinator = browser.new_context(locale="it-IT").new_page()
    coordinator.errors = []
    coordinator.on("pageerror", lambda exc: coordinator.errors.append(str(exc)))
    console = []
    coordinator.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    sign_in(coordinator, site.url, "coordinatrice")
    coordinator.goto(edit_url)
    coordinator.wait_for_load_state("networkidle")
    console.clear()  # what the swap itself logs, not what every page logs on load
    coordinator.locator("#id_status-status").select_option("suspended")
    # No progress here: it moves only with approved reports.
    assert coordinator.locator("#id_status-progress").count() == 0
    coordinator.locator("#status-panel button[type=submit]").click()
    coordinator.wait_for_selector("#status-panel .alert-success")
    assert coordinator.locator("[data-testid='project-progress']").inner_text() == \
        f"{project.progress}%"
    assert [m for m in console if "Content Security Policy" in m] == []
    # The sheet form took the new version in place: saving it now is not a conflict.
    coordinator.locator("#id_summary").fill("Sintesi della coordinatrice.")
    coordinator.locator("#sheet-form button[type=submit]").click()
    coordinator.wait_for_selector(".alert-success")
    assert coordinator.locator("[data-testid='form-errors']").count() == 0
    saved = Project.objects.get(pk=project.pk)
    assert (saved.status, saved.progress, saved.summary) == (
        "suspended", project.progress, "Sintesi della coordinatrice.")
    assert coordinator.errors == []  # no script error (htmx swapped under the strict CSP)

    # The referent's page is now stale: their save is refused with the reason to reload.
    referent.locator("#id_expected_results").fill("Risultati attesi")
    referent.locator("#sheet-form button[type=submit]").click()
    referent.wait_for_selector("[data-testid='form-errors']")
    assert "Ricarica la pagina" in referent.locator("[data-testid='form-errors']").inner_text() \
        or "Reload the page" in referent.locator("[data-testid='form-errors']").inner_text()
    assert Project.objects.get(pk=project.pk).expected_results == saved.expected_results
    referent.goto(edit_url)
    referent.locator("#id_expected_results").fill("Risultati attesi")
    referent.locator("#sheet-form button[type=submit]").click()
    referent.wait_for_selector(".alert-success")
    assert Project.objects.get(pk=project.pk).expected_results == "Risultati attesi"
    for page in (referent, coordinator):
        page.context.close()
