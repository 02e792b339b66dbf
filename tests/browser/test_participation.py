"""Participation in Chromium: a citizen submits a solution, another person votes and comments,
a moderator hides the comment and the statistics change; calls, proposals and the staff pages
of participation are axe-core clean. Labels are found by name or test id: the Italian wording
of this part is merged into the catalogue later."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _new_page(browser):
    """A page in its own context (its own session), recording its script errors."""
    page = browser.new_context(locale="it-IT").new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.fixture
def cast(site, django_user_model):
    from patto.pact.models import Pact
    from patto.participation import services

    pact = Pact.objects.get(code="bologna-2021")
    staff = django_user_model.objects.create_superuser("segreteria", "s@example.org", PASSWORD)
    people = {
        name: django_user_model.objects.create_user(name, f"{name}@example.org", PASSWORD)
        for name in ("cittadina", "votante", "moderatrice")
    }
    services.moderator_grant(pact=pact, person=people["moderatrice"], user=staff)
    challenge = services.challenge_publish(
        pact=pact, user=staff, title="Meno code", description="Come ridurre le attese?"
    )
    return pact, staff, people, challenge


def test_solution_vote_comment_moderation_and_statistics(site, cast, browser):
    from patto.participation.models import Solution

    _pact, _staff, _people, challenge = cast
    citizen = _new_page(browser)
    citizen.goto(site.url + "/partecipazione/sfide/")
    assert citizen.get_by_test_id("solution-count").inner_text() == "0"
    assert axe_violations(citizen, "challenges") == []
    sign_in(citizen, site.url, "cittadina")
    citizen.wait_for_url(re.compile(r"/gestione/$"))
    citizen.goto(site.url + f"/partecipazione/sfide/{challenge.pk}/")
    assert axe_violations(citizen, "challenge") == []
    form = citizen.get_by_test_id("solution-form")
    form.locator("input[name='title']").fill("Prenotazione online")
    form.locator("textarea[name='text']").fill("Un calendario per ogni sportello.")
    form.locator("button[type='submit']").click()
    citizen.wait_for_url(re.compile(r"/soluzioni/\d+/$"))
    solution = Solution.objects.get()
    assert axe_violations(citizen, "solution") == []

    voter = _new_page(browser)
    sign_in(voter, site.url, "votante")
    voter.wait_for_url(re.compile(r"/gestione/$"))
    voter.goto(site.url + solution.get_absolute_url())
    voter.get_by_test_id("vote").click()
    voter.wait_for_url(re.compile(r"/soluzioni/\d+/$"))
    assert voter.get_by_test_id("vote-count").inner_text().startswith("1")
    voter.locator("textarea[name='text']").fill("Ottima idea, ma serve anche il telefono.")
    voter.locator("form[action$='/commenta/'] button[type='submit']").click()
    voter.wait_for_url(re.compile(r"/soluzioni/\d+/$"))
    assert "serve anche il telefono" in voter.get_by_test_id("comments").inner_text()

    moderator = _new_page(browser)
    sign_in(moderator, site.url, "moderatrice")
    moderator.wait_for_url(re.compile(r"/gestione/$"))
    moderator.goto(site.url + solution.get_absolute_url())
    comment = solution.comments.get()
    moderator.locator(f"#nascondi-{comment.pk}").fill("fuori tema")
    moderator.get_by_test_id("hide-comment").click()
    moderator.wait_for_url(re.compile(r"/moderazione/$"))
    assert axe_violations(moderator, "moderation") == []

    voter.goto(site.url + solution.get_absolute_url())  # the author sees the reason
    assert "fuori tema" in voter.get_by_test_id("comments").inner_text()
    citizen.goto(site.url + solution.get_absolute_url())  # others do not see the comment
    assert "telefono" not in citizen.get_by_test_id("comments").inner_text()

    visitor = _new_page(browser)
    visitor.goto(site.url + "/partecipazione/sfide/")
    assert visitor.get_by_test_id("solution-count").inner_text() == "1"
    assert "Prenotazione online" in visitor.get_by_test_id("best-voted").inner_text()
    for page in (citizen, voter, moderator, visitor):
        assert page.errors == []


def test_call_and_proposal_pages_are_accessible(site, cast, page, django_user_model):
    from patto.funds.models import Purpose
    from patto.pact.models import Cluster, Territory
    from patto.participation import services

    pact, staff, _people, _challenge = cast
    now = timezone.now()
    call = services.call_create(
        pact=pact,
        user=staff,
        code="bando-2026",
        title="Bando rigenerazione 2026",
        summary="Programmi di rigenerazione.",
        opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=30),
        money_available=Decimal("100000"),
        fund_purpose=Purpose.objects.get(fund__pact=pact, code="rigenerazione"),
        cluster=Cluster.objects.filter(pact=pact).order_by("position")[1],
    )
    services.criterion_save(call=call, user=staff, title="Qualità", weight="60")
    services.criterion_save(call=call, user=staff, title="Partecipazione", weight="40")
    services.call_publish(call=call, user=staff)
    savena = Territory.objects.get(code="unione-savena-idice")
    agent = django_user_model.objects.create_user("unione", "u@example.org", PASSWORD)
    services.proposer_grant(territory=savena, person=agent, user=staff)
    proposal = services.proposal_create(
        call=call,
        proposer=savena,
        user=agent,
        title="Borghi vivi",
        objectives="Spazi.",
        content="Tre interventi.",
        budget=Decimal("50000"),
        cofinancing=Decimal("10000"),
        places=services.proposer_places(savena)[:2],
    )
    services.contribution_add(
        proposal=proposal,
        user=agent,
        kind="citizen",
        author_name="Maria Rossi",
        public_name="Maria",
        text="Un orto comune.",
        consent_public=True,
    )
    services.proposal_submit(proposal=proposal, user=agent)
    for name, path in (
        ("calls", "/partecipazione/"),
        ("call", call.get_absolute_url()),
        ("proposal", proposal.get_absolute_url()),
    ):
        page.goto(site.url + path)
        assert axe_violations(page, name) == [], name
    assert "Maria Rossi" not in page.content()
    services.proposer_grant(territory=savena, person=staff, user=staff)
    sign_in(page, site.url, "segreteria")
    page.wait_for_url(re.compile(r"/gestione/$"))
    for name, path in (
        ("participation-home", "/gestione/partecipazione/"),
        ("proposal-manage", f"/gestione/partecipazione/proposte/{proposal.pk}/"),
        ("proposal-new", f"/gestione/partecipazione/bandi/{call.pk}/proposte/nuova/"),
        ("call-manage", f"/gestione/partecipazione/bandi/{call.pk}/"),
        ("call-new", f"/gestione/partecipazione/{pact.code}/bandi/nuovo/"),
    ):
        page.goto(site.url + path)
        assert axe_violations(page, name) == [], name
    assert page.errors == []


def test_network_map_roles_and_personal_data_pages(site, cast, page):
    """The networks' map draws from the territory GeoJSON; the networks' staff pages, the
    roles page and the participant's public-name and data pages are axe-core clean."""
    from patto.pact.models import Territory
    from patto.participation import services

    pact, staff, people, challenge = cast
    network = services.network_save(
        pact=pact,
        user=staff,
        code="lab-welfare",
        name="Laboratorio welfare",
        description="Welfare territoriale.",
        territories=[Territory.objects.get(code="unione-savena-idice")],
        is_example=True,
    )
    services.network_partner_add(network=network, user=staff, name="Cooperativa", role="capofila")
    services.network_activity_add(
        network=network, user=staff, title="Primo incontro", held_on=dt.date(2026, 4, 2)
    )
    for name, path in (
        ("networks", "/partecipazione/reti/"),
        ("network", network.get_absolute_url()),
    ):
        page.goto(site.url + path)
        page.wait_for_selector("#network-map[data-ready='true']")
        assert page.locator("#network-map svg path").count() > 10, name
        assert axe_violations(page, name) == [], name
    sign_in(page, site.url, "segreteria")
    page.wait_for_url(re.compile(r"/gestione/$"))
    for name, path in (
        ("network-new", f"/gestione/partecipazione/{pact.code}/reti/nuova/"),
        ("network-manage", f"/gestione/partecipazione/reti/{network.pk}/"),
        ("roles", "/gestione/partecipazione/ruoli/"),
    ):
        page.goto(site.url + path)
        assert axe_violations(page, name) == [], name
    citizen = _new_page(page.context.browser)
    services.solution_submit(challenge=challenge, user=people["cittadina"], title="Idea", text="x")
    sign_in(citizen, site.url, "cittadina")
    citizen.wait_for_url(re.compile(r"/gestione/$"))
    citizen.goto(site.url + "/gestione/partecipazione/nome-pubblico/")
    assert axe_violations(citizen, "public-name") == []
    citizen.goto(site.url + "/gestione/partecipazione/i-miei-dati/")
    assert axe_violations(citizen, "my-data") == []
    with citizen.expect_download() as download:
        citizen.get_by_test_id("my-data-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.errors == [] and citizen.errors == []
