"""A secretariat member signs in, lands on their home, opens a reporting round typing its dates
the Italian way, invites a person and makes them a cluster's coordinator; axe-core finds no
serious fault on any page they visit, and no script error happens (strict CSP)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_opens_a_round_and_invites_a_coordinator(
    site, page, django_user_model, mailoutbox
):
    from django.contrib.auth.models import Group

    from patto.pact.models import Cluster
    from patto.projects.models import ClusterCoordinator, ReportingRound

    member = django_user_model.objects.create_user(
        "segreteria1",
        "segreteria1@example.org",
        PASSWORD,
        is_staff=True,
        first_name="Sara",
        last_name="Bianchi",
    )
    member.groups.add(Group.objects.get_or_create(name="secretariat")[0])

    sign_in(page, site.url, "segreteria1")
    page.wait_for_url(re.compile(r"/gestione/$"))
    assert "Sara Bianchi" in page.get_by_test_id("signed-in-as").inner_text()
    assert page.locator("#panel-secretariat").is_visible()
    assert axe_violations(page, "home-secretariat") == []

    # A round, its dates typed as an Italian writes them.
    page.locator("#panel-secretariat a[href='/gestione/rendicontazione/']").click()
    page.wait_for_url(re.compile(r"/gestione/rendicontazione/$"))
    assert axe_violations(page, "round-list-secretariat") == []
    assert page.locator("#id_opens_on").get_attribute("type") == "text"
    page.locator("#pact").select_option("bologna-2021")
    page.locator("#id_title").fill("Secondo semestre")
    page.locator("#id_opens_on").fill("13/01/2027")
    page.locator("#id_deadline").fill("28/02/2027")
    page.locator("form:has(#id_opens_on) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gestione/rendicontazione/\d+/$"))
    opened = ReportingRound.objects.get(title="Secondo semestre")
    assert (opened.opens_on, opened.deadline) == (dt.date(2027, 1, 13), dt.date(2027, 2, 28))
    assert opened.created_by == member
    assert axe_violations(page, "round-detail-secretariat") == []

    # Back home through the header, then a person invited and given a role.
    page.locator("header a[href='/gestione/']").click()
    page.wait_for_url(re.compile(r"/gestione/$"))
    page.locator("#panel-secretariat a[href='/gestione/persone/invita/']").click()
    assert axe_violations(page, "person-invite") == []
    page.locator("#id_email").fill("nuova.coordinatrice@example.org")
    page.locator("#id_first_name").fill("Nadia")
    page.locator("#id_last_name").fill("Verdi")
    page.locator("form:has(#id_email) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gestione/persone/\d+/$"))
    person = django_user_model.objects.get(email="nuova.coordinatrice@example.org")
    assert not person.is_active  # opens when they choose their password
    assert [m.to for m in mailoutbox] == [["nuova.coordinatrice@example.org"]]
    assert axe_violations(page, "person-detail") == []

    cluster = Cluster.objects.filter(pact__code="bologna-2021").order_by("position")[0]
    page.locator("#id_coordinator-target").select_option(str(cluster.pk))
    page.locator("form:has(#id_coordinator-target) button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/gestione/persone/{person.pk}/$"))
    assert ClusterCoordinator.objects.filter(cluster=cluster, user=person).exists()
    assert page.locator("[data-testid='roles'] li[data-kind='coordinator']").count() == 1
    assert axe_violations(page, "person-detail-role") == []
    assert page.errors == []
