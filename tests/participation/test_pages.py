"""Participation's pages: public pages with exact query counts, nothing private shown,
the page cache kept off pages whose state changes with the clock; staff pages by role."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.participation import services
from patto.participation.models import Proposal

from .conftest import close


@pytest.fixture
def submitted(call, people, proposal):
    services.contribution_add(
        proposal=proposal,
        user=people["union"],
        kind="citizen",
        author_name="Maria Rossi",
        author_email="maria@example.org",
        public_name="Maria di Loiano",
        text="Un orto comune.",
        consent_public=True,
    )
    services.contribution_add(
        proposal=proposal,
        user=people["union"],
        kind="citizen",
        author_name="Giuseppe Verdi",
        author_email="gv@example.org",
        text="Una pista ciclabile.",
    )
    return services.proposal_submit(proposal=proposal, user=people["union"])


#: Queries of the public pages (counted once; the same at any number of proposals):
#: index: pact default (1) + calls with counts (1);
#: call: call (1) + criteria (1) + documents (1) + proposals (1) + their places (1);
#: proposal: call with prefetches (3) + proposal (1) + places, partners, drawn points with
#: their municipality, contributions (4).
INDEX_QUERIES = 2
CALL_QUERIES = 5
PROPOSAL_QUERIES = 8


def test_index_lists_published_calls_only(
    client, bologna, draft, people, call_fields, django_assert_num_queries
):
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("participation:index"))
    assert response.status_code == 200
    assert draft.title not in response.content.decode()
    services.call_publish(call=draft, user=people["manager"])
    second = services.call_create(
        pact=bologna,
        user=people["manager"],
        **{**call_fields, "code": "secondo", "title": "Secondo bando"},
    )
    services.criterion_save(call=second, user=people["manager"], title="Q", weight="1")
    services.call_publish(call=second, user=people["manager"])
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("participation:index"))
    assert draft.title in response.content.decode() and "Secondo bando" in response.content.decode()
    # Deadlines a month away: nothing changes by the clock before a cached page expires.
    assert "private" not in response.get("Cache-Control", "")


def test_call_page_shows_criteria_documents_and_submitted_proposals_only(
    client, call, people, submitted, django_assert_num_queries
):
    services.call_document_add(
        call=call,
        title="Testo del bando",
        user=people["manager"],
        uploaded_file=SimpleUploadedFile("bando.pdf", b"%PDF-1.4"),
    )
    other = services.proposal_create(
        call=call,
        proposer=people["bologna"],
        user=people["city"],
        title="Bozza segreta",
        objectives="x",
        content="x",
        budget=Decimal("10"),
        places=[people["bologna"]],
    )
    url = call.get_absolute_url()
    with django_assert_num_queries(CALL_QUERIES):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Qualità del programma" in page and "Testo del bando" in page
    assert submitted.title in page and other.title not in page
    document = call.documents.get()
    download = client.get(
        reverse("participation:document", args=[call.pact.code, call.code, document.pk])
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    # A second submitted proposal adds no query.
    services.proposal_submit(proposal=other, user=people["city"])
    with django_assert_num_queries(CALL_QUERIES):
        client.get(url)


def test_a_draft_call_and_a_draft_proposal_are_not_public(
    client, draft, call_fields, people, bologna
):
    assert (
        client.get(reverse("participation:call", args=[bologna.code, draft.code])).status_code
        == 404
    )


def test_proposal_page_shows_consented_contributions_without_personal_data(
    client, call, submitted, django_assert_num_queries
):
    url = submitted.get_absolute_url()
    with django_assert_num_queries(PROPOSAL_QUERIES):
        response = client.get(url)
    page = response.content.decode()
    assert "Maria di Loiano" in page and "Un orto comune." in page
    for private in (
        "Maria Rossi",
        "maria@example.org",
        "Giuseppe Verdi",
        "gv@example.org",
        "Una pista ciclabile.",
    ):
        assert private not in page


def test_draft_proposal_page_is_not_found(client, call, proposal):
    assert client.get(proposal.get_absolute_url()).status_code == 404


def test_closed_call_page_goes_through_the_page_cache(client, call, settings):
    close(call)
    settings.PATTO_PAGE_CACHE = True
    first = client.get(call.get_absolute_url())
    assert "private" not in first.get("Cache-Control", "")
    assert client.get(call.get_absolute_url()).content == first.content


def test_staff_pages_need_their_role(client, call, people, proposal):
    manage = reverse("participation:manage_call", args=[call.pk])
    own = reverse("participation:manage_proposal", args=[proposal.pk])
    assert client.get(manage).status_code == 302  # to sign in
    client.force_login(people["union"])
    assert client.get(manage).status_code == 403
    assert client.get(own).status_code == 200
    client.force_login(people["city"])
    assert client.get(own).status_code == 403
    client.force_login(people["manager"])
    response = client.get(manage)
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
    assert client.get(reverse("participation:home")).status_code == 200


def test_proposer_writes_and_submits_through_the_pages(client, call, people):
    from .conftest import savena_places

    client.force_login(people["union"])
    places = savena_places(people)
    response = client.post(
        reverse("participation:proposal_new", args=[call.pk]),
        {
            "proposer": people["savena"].pk,
            "title": "Sentieri",
            "objectives": "Camminare.",
            "content": "Segnaletica.",
            "places": [places[0].pk],
            "budget": "20.000,00",
            "cofinancing": "2.000,00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(title="Sentieri")
    assert proposal.budget == Decimal("20000.00")
    client.post(reverse("participation:proposal_submit", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    response = client.post(
        reverse("participation:manage_proposal", args=[proposal.pk]),
        {
            "proposal-title": "Sentieri 2",
            "proposal-objectives": "Camminare.",
            "proposal-content": "Segnaletica.",
            "proposal-places": [places[0].pk],
            "proposal-budget": "20.000,00",
            "proposal-cofinancing": "2.000,00",
            "proposal-reason": "",
            "version": proposal.version,
        },
    )
    assert response.status_code == 200
    assert (
        "Say what the amendment changes" in response.content.decode()
        or "modifica" in response.content.decode()
    )
    proposal.refresh_from_db()
    assert proposal.title == "Sentieri"


def test_manager_creates_a_call_through_the_page(client, bologna, people, call_fields):
    client.force_login(people["manager"])
    response = client.post(
        reverse("participation:call_new", args=[bologna.code]),
        {
            "code": "bando-pagina",
            "title": "Bando dalla pagina",
            "summary": "Prova.",
            "unions_may_propose": "on",
            "municipalities_may_propose": "on",
            "opens_at": "2026-01-01T09:00",
            "deadline": "2099-01-01T12:00",
            "money_available": "250.000,00",
            "minimum_cofinancing": "0",
            "tie_rule": "criteria_order",
            "minimum_total": "0",
            "skip_unaffordable": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call = bologna.calls.get(code="bando-pagina")
    assert call.money_available == Decimal("250000.00")


def test_a_call_page_is_not_cached_when_its_deadline_falls_within_the_cache_lifetime(
    client, call, settings
):
    import datetime as dt

    from django.utils import timezone

    from patto.participation.models import Call

    settings.PATTO_PAGE_CACHE_SECONDS = 3600
    response = client.get(call.get_absolute_url())
    assert "private" not in response.get("Cache-Control", "")  # deadline in 30 days
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() + dt.timedelta(minutes=30))
    response = client.get(call.get_absolute_url())
    assert "private" in response["Cache-Control"]  # it closes before a copy would expire
    index = client.get(reverse("participation:index"))
    assert "private" in index["Cache-Control"]
    settings.PATTO_PAGE_CACHE_SECONDS = 60
    assert "private" not in client.get(call.get_absolute_url()).get("Cache-Control", "")


def test_proposal_forms_carry_the_map_of_the_proposers_places(client, call, people, proposal):
    """The map of places draws the proposer's municipalities from the territory GeoJSON and
    ticks the list's boxes by their ids; the list itself stays for keyboard users."""
    import json
    import re

    from .conftest import savena_places

    client.force_login(people["union"])
    places = savena_places(people)
    codes = {str(p.pk): p.code for p in places}
    for url, field in (
        (reverse("participation:proposal_new", args=[call.pk]), "places"),
        (reverse("participation:manage_proposal", args=[proposal.pk]), "proposal-places"),
    ):
        page = client.get(url).content.decode()
        assert f'data-field="{field}"' in page
        assert reverse("pact:territory_geojson") + f"?patto={call.pact.code}" in page
        script = re.search(r'id="proposal-place-codes"[^>]*>(.*?)</script>', page, re.S)
        assert json.loads(script.group(1)) == codes
        assert page.count(f'type="checkbox" name="{field}"') == len(places)
        assert "patto/municipality-map" in page and "participation/proposal-places" in page
