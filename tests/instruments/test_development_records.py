"""The office's forms for services, protocols and prize editions: who may reach them, what they
write through the services (with history), and the codes that cannot change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from patto.instruments.models import DevelopmentService, PrizeEdition, Protocol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_package_records(bologna):
    """The package's own example records are tested in test_package; here, a clean slate."""
    from patto.instruments.models import Investment, ServiceActivity

    ServiceActivity.objects.all().delete()
    Investment.objects.all().delete()
    DevelopmentService.objects.all().delete()
    PrizeEdition.objects.all().delete()
    Protocol.objects.all().delete()


def _new(bologna, what):
    return reverse("instruments:development_new", args=[bologna.code, what])


SERVICE = {
    "code": "progetti-impresa",
    "name": "Progetti d'impresa",
    "kind": "enterprise_advice",
    "started_on": "2016-01-01",
    "position": "0",
}


@pytest.mark.parametrize("role", ["stranger", "agreement_officer", "safeguard_clerk"])
@pytest.mark.parametrize("what", ["servizio", "protocollo", "premio"])
def test_other_roles_are_refused_the_forms(client, bologna, people, role, what):
    client.force_login(people[role])
    assert client.get(_new(bologna, what)).status_code == 403
    assert client.post(_new(bologna, what), SERVICE).status_code == 403
    assert not DevelopmentService.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, bologna):
    response = client.get(_new(bologna, "servizio"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_an_unknown_record_kind_is_not_found(client, bologna, people):
    client.force_login(people["development_officer"])
    assert client.get(_new(bologna, "altro")).status_code == 404


@pytest.mark.parametrize("role", ["development_officer", "secretariat"])
def test_the_office_records_and_changes_a_service_with_history(client, bologna, people, role):
    client.force_login(people[role])
    assert client.get(_new(bologna, "servizio")).status_code == 200
    response = client.post(_new(bologna, "servizio"), SERVICE)
    assert response.status_code == 302, response.content.decode()[:2000]
    service = DevelopmentService.objects.get(pact=bologna, code="progetti-impresa")
    assert service.started_on == dt.date(2016, 1, 1)
    url = reverse("instruments:development_record", args=[bologna.code, "servizio", service.code])
    page = client.get(url)
    assert page.status_code == 200 and "Progetti d&#x27;impresa" in page.content.decode()
    # The code is fixed once recorded: a posted one is ignored.
    changed = client.post(url, {**SERVICE, "code": "altro", "name": "Progetti d'impresa 2"})
    assert changed.status_code == 302
    service = DevelopmentService.objects.get(pact=bologna)
    assert (service.code, service.name) == ("progetti-impresa", "Progetti d'impresa 2")
    assert service.history.first().history_user == people[role]
    assert service.history.count() == 2


def test_a_wrong_service_is_refused_and_nothing_written(client, bologna, people):
    client.force_login(people["development_officer"])
    response = client.post(_new(bologna, "servizio"), {**SERVICE, "kind": "nessuno"})
    assert response.status_code == 400
    assert not DevelopmentService.objects.exists()


def test_the_office_records_a_protocol_with_its_signatories(client, bologna, people):
    client.force_login(people["development_officer"])
    party = bologna.parties.order_by("name").first()
    data = {
        "code": "protocollo-aeroporto",
        "kind": "site_legality",
        "title": "Protocollo di legalità dell'aeroporto",
        "site": "Aeroporto G. Marconi",
        "signed_on": "10/04/2018",
        "signatories": [party.pk],
        "other_signatories": "Prefettura di Bologna",
    }
    response = client.post(_new(bologna, "protocollo"), data, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 302, response.content.decode()[:2000]
    protocol = Protocol.objects.get(pact=bologna)
    assert protocol.signed_on == dt.date(2018, 4, 10)
    assert list(protocol.signatories.all()) == [party]
    assert protocol.history.first().history_user == people["development_officer"]
    url = reverse(
        "instruments:development_record", args=[bologna.code, "protocollo", protocol.code]
    )
    assert client.get(url).status_code == 200
    refused = client.post(url, {**data, "signed_on": ""})
    assert refused.status_code == 400


def test_the_office_records_a_prize_edition_and_replaces_its_awards(client, bologna, people):
    client.force_login(people["development_officer"])
    management = {"premiati-TOTAL_FORMS": "3", "premiati-INITIAL_FORMS": "0"}
    data = {
        "prize": "Premio Barresi",
        "year": "2019",
        "awarded_on": "2019-11-20",
        "applications": "40",
        **management,
        "premiati-0-winner": "Startup Uno",
        "premiati-0-amount": "5.000,00",
        "premiati-1-winner": "Startup Due",
    }
    response = client.post(_new(bologna, "premio"), data, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 302, response.content.decode()[:2000]
    edition = PrizeEdition.objects.get(pact=bologna)
    assert [(a.winner, a.amount) for a in edition.awards.all()] == [
        ("Startup Uno", Decimal("5000")),
        ("Startup Due", None),
    ]
    url = reverse("instruments:development_record", args=[bologna.code, "premio", edition.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Startup Due" in page.content.decode()
    again = client.post(
        url,
        {
            "awarded_on": "2019-11-20",
            "premiati-TOTAL_FORMS": "1",
            "premiati-INITIAL_FORMS": "0",
            "premiati-0-winner": "Startup Tre",
        },
    )
    assert again.status_code == 302, again.content.decode()[:2000]
    edition = PrizeEdition.objects.get(pact=bologna)
    assert (edition.prize, edition.year) == ("Premio Barresi", 2019)
    assert [a.winner for a in edition.awards.all()] == ["Startup Tre"]
    assert edition.history.first().history_user == people["development_officer"]


def test_an_award_date_two_years_late_is_refused_naming_the_field(client, bologna, people):
    client.force_login(people["development_officer"])
    response = client.post(
        _new(bologna, "premio"),
        {
            "prize": "Premio Barresi",
            "year": "2019",
            "awarded_on": "2022-01-01",
            "premiati-TOTAL_FORMS": "0",
            "premiati-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert not PrizeEdition.objects.exists()


def test_the_office_page_links_the_records(client, bologna, people):
    from patto.instruments import services

    services.development_service_save(
        user=None, pact=bologna, code="suap", name="Sportelli SUAP", kind="enterprise_advice"
    )
    client.force_login(people["development_officer"])
    page = client.get(reverse("instruments:development_manage", args=[bologna.code]))
    assert page.status_code == 200
    assert (
        reverse("instruments:development_record", args=[bologna.code, "servizio", "suap"])
        in page.content.decode()
    )
