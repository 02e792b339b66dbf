"""Economic development: services counted without personal data, investors (confidential ones
counted but never named), prizes and protocols; the roles that may record; the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.instruments import services
from patto.instruments.models import InstrumentRole, ServiceActivity
from patto.pact.models import Party, Territory

from .conftest import ARGELATO

pytestmark = pytest.mark.django_db

#: Queries of the public page, the same with one record of each kind and with many.
PUBLIC_QUERIES = 8


@pytest.fixture(autouse=True)
def _without_package_records(bologna):
    """The package's own example records are tested in test_package; here, a clean slate."""
    from patto.instruments.models import DevelopmentService, Investment, PrizeEdition, Protocol

    ServiceActivity.objects.all().delete()
    Investment.objects.all().delete()
    DevelopmentService.objects.all().delete()
    PrizeEdition.objects.all().delete()
    Protocol.objects.all().delete()


@pytest.fixture
def advice(bologna):
    return services.development_service_save(
        user=None,
        pact=bologna,
        code="progetti-impresa",
        name="Progetti d'impresa",
        kind="enterprise_advice",
        started_on=dt.date(2016, 1, 1),
    )


@pytest.fixture
def investors(bologna):
    return services.development_service_save(
        user=None,
        pact=bologna,
        code="invest-in-bologna",
        name="Invest in Bologna",
        kind="investor_service",
        position=2,
    )


def _figures(pact):
    from patto.instruments.selectors import development_figures

    return development_figures(pact=pact)


def test_consultations_are_summed_and_events_counted_per_year(bologna, advice):
    services.service_activity_record(
        user=None, service=advice, kind="consultation", held_on=dt.date(2019, 12, 31), count=180
    )
    services.service_activity_record(
        user=None, service=advice, kind="consultation", held_on=dt.date(2020, 6, 30), count=7
    )
    services.service_activity_record(
        user=None,
        service=advice,
        kind="event",
        held_on=dt.date(2020, 3, 2),
        title="Come scrivere un business plan",
        participants=35,
    )
    (service,) = _figures(bologna)["services"]
    assert service["years"] == {
        "2019": {"consultation": 180, "event": 0, "meeting": 0, "participants": 0},
        "2020": {"consultation": 7, "event": 1, "meeting": 0, "participants": 35},
    }
    assert service["totals"]["consultation"] == 187


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "event", "title": "", "count": 1}, "title"),
        ({"kind": "consultation", "count": 0}, "count"),
        ({"kind": "consultation", "held_on": dt.date(2015, 5, 1)}, "held_on"),
        ({"kind": "unknown"}, "kind"),
    ],
)
def test_a_wrong_activity_is_refused_naming_its_field(advice, changes, field):
    data = {"kind": "consultation", "held_on": dt.date(2020, 1, 10), "count": 3, **changes}
    with pytest.raises(ApplicationError) as raised:
        services.service_activity_record(user=None, service=advice, **data)
    assert raised.value.field == field
    assert not ServiceActivity.objects.exists()


def test_an_activity_outside_the_territory_is_refused(advice):
    outside = Territory.objects.exclude(kind="municipality").first()
    with pytest.raises(ApplicationError, match="municipality"):
        services.service_activity_record(
            user=None,
            service=advice,
            kind="consultation",
            held_on=dt.date(2020, 1, 10),
            municipality=outside,
        )


@pytest.mark.parametrize(
    "role", [r.value for r in InstrumentRole.Role] + ["secretariat", "stranger"]
)
def test_only_the_office_and_the_secretariat_record(people, advice, role):
    allowed = role in ("secretariat", "development_officer")
    call = lambda: services.service_activity_record(  # noqa: E731
        user=people[role], service=advice, kind="consultation", held_on=dt.date(2020, 1, 1)
    )
    if allowed:
        assert call().pk
    else:
        with pytest.raises(ApplicationError) as raised:
            call()
        assert raised.value.code == "forbidden"


def test_confidential_investors_are_counted_but_neither_named_nor_summed(bologna, investors):
    common = {"assisted_on": dt.date(2021, 3, 1), "status": "decided", "jobs": 40}
    services.investment_save(
        user=None,
        service=investors,
        code="logistica",
        data={"company_name": "Logistica Alfa", "amount": Decimal("12000000"), **common},
    )
    services.investment_save(
        user=None,
        service=investors,
        code="segreto",
        data={
            "company_name": "Investitore Riservato",
            "amount": Decimal("99000000"),
            "confidential": True,
            **common,
        },
    )
    (year,) = _figures(bologna)["investments"]
    assert (year["assisted"], year["decided"], year["jobs"]) == (2, 2, 40)
    assert year["amount"] == Decimal("12000000")


def test_investments_only_under_the_service_for_investors(advice):
    with pytest.raises(ApplicationError, match=r"^service: "):
        services.investment_save(
            user=None,
            service=advice,
            code="x",
            data={"company_name": "X", "assisted_on": dt.date(2021, 1, 1)},
        )


def test_a_protocol_keeps_its_signatories_and_updates(bologna):
    party = bologna.parties.order_by("code").first()
    protocol = services.protocol_save(
        user=None,
        pact=bologna,
        code="protocollo-aeroporto",
        data={
            "kind": "site_legality",
            "title": "Protocollo di legalità dell'aeroporto",
            "site": "Aeroporto G. Marconi",
            "signed_on": dt.date(2018, 4, 10),
            "other_signatories": "Prefettura di Bologna\n",
        },
        signatories=[party],
    )
    services.protocol_add_update(
        user=None, protocol=protocol, kind="renewal", on=dt.date(2021, 4, 10), note="Rinnovo"
    )
    assert list(protocol.signatories.all()) == [party]
    assert protocol.other_signatory_list() == ["Prefettura di Bologna"]
    with pytest.raises(ApplicationError) as raised:
        services.protocol_add_update(
            user=None, protocol=protocol, kind="amendment", on=dt.date(2017, 1, 1), note="x"
        )
    assert raised.value.field == "on"
    stranger = Party.objects.exclude(pk__in=bologna.parties.values("pk")).first()
    if stranger is not None:
        with pytest.raises(ApplicationError) as raised:
            services.protocol_save(
                user=None,
                pact=bologna,
                code="protocollo-aeroporto",
                data={},
                signatories=[stranger],
            )
        assert raised.value.field == "signatories"


def test_a_prize_edition_replaces_its_awards(bologna):
    awards = [{"winner": "Startup Uno", "amount": Decimal("5000")}, {"winner": "Startup Due"}]
    edition = services.prize_edition_save(
        user=None, pact=bologna, prize="Premio Barresi", year=2019, awards=awards
    )
    services.prize_edition_save(
        user=None, pact=bologna, prize="Premio Barresi", year=2019, awards=awards[:1]
    )
    assert [a.winner for a in edition.awards.all()] == ["Startup Uno"]


def _fill(bologna, advice, investors, n: int) -> None:
    for i in range(n):
        services.service_activity_record(
            user=None,
            service=advice,
            kind="consultation",
            held_on=dt.date(2018 + i % 3, 5, 1),
            count=3,
            title=f"Argomento riservato {i}",
            note="Nota interna",
        )
        services.investment_save(
            user=None,
            service=investors,
            code=f"inv-{i}",
            data={
                "company_name": f"Investitore {i}",
                "assisted_on": dt.date(2021, 1, 1),
                "confidential": i % 2 == 1,
            },
        )
        services.prize_edition_save(
            user=None, pact=bologna, prize="Premio Barresi", year=2010 + i, awards=[{"winner": "A"}]
        )
        protocol = services.protocol_save(
            user=None,
            pact=bologna,
            code=f"protocollo-{i}",
            data={
                "kind": "procurement",
                "title": f"Protocollo {i}",
                "signed_on": dt.date(2019, 1, 1),
            },
            signatories=list(bologna.parties.order_by("code")[:2]),
        )
        services.protocol_add_update(
            user=None, protocol=protocol, kind="monitoring", on=dt.date(2020, 1, 1), note="Report"
        )


@pytest.mark.parametrize("count", [1, 6])
def test_public_page_reads_counts_in_fixed_queries_and_shows_no_topic(
    client, bologna, advice, investors, count, django_assert_num_queries
):
    _fill(bologna, advice, investors, count)
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(reverse("instruments:development", args=[bologna.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Progetti d&#x27;impresa" in page and "Invest in Bologna" in page
    assert "Argomento riservato" not in page and "Nota interna" not in page
    assert "Investitore 0" in page
    if count > 1:
        assert "Investitore 1" not in page  # confidential
    assert page.count("Premio Barresi") == count


def test_download_carries_the_counts(client, bologna, advice, investors):
    _fill(bologna, advice, investors, 3)
    response = client.get(reverse("instruments:development_download", args=[bologna.code, "csv"]))
    text = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else (response.content.decode())
    )
    assert text.splitlines()[0].startswith("service,kind,year,consultations")
    assert "Progetti d'impresa,enterprise_advice,2018,3,0,0,0" in text.replace("\r", "")


def test_the_office_records_from_its_page_in_italian_formats(client, bologna, people, advice):
    client.force_login(people["development_officer"])
    url = reverse("instruments:development_action", args=[bologna.code, "attivita"])
    response = client.post(
        url,
        {
            "service": advice.pk,
            "kind": "consultation",
            "held_on": "31/12/2020",
            "count": "1.250",
            "municipality": Territory.objects.get(code=ARGELATO).pk,
        },
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = ServiceActivity.objects.get()
    assert (activity.count, activity.held_on) == (1250, dt.date(2020, 12, 31))
    refused = client.post(url, {"service": advice.pk, "kind": "event", "held_on": "1/1/2020"})
    assert refused.status_code == 400
    assert ServiceActivity.objects.count() == 1


@pytest.mark.parametrize("role", ["stranger", "agreement_officer", "safeguard_member"])
def test_other_roles_do_not_reach_the_office_page(client, bologna, people, role):
    client.force_login(people[role])
    url = reverse("instruments:development_manage", args=[bologna.code])
    assert client.get(url).status_code == 403


def test_the_secretariat_grants_and_revokes_instrument_roles(bologna, people):
    from patto.instruments.selectors import instrument_roles_of

    person = people["stranger"]
    role = services.instrument_role_grant(
        user=people["secretariat"], pact=bologna, person=person, role="development_officer"
    )
    again = services.instrument_role_grant(
        user=people["secretariat"], pact=bologna, person=person, role="development_officer"
    )
    assert again.pk == role.pk
    assert [r.role for r in instrument_roles_of(person)] == ["development_officer"]
    assert role.history.first().history_user == people["secretariat"]
    with pytest.raises(ApplicationError) as raised:
        services.instrument_role_grant(
            user=people["development_officer"], pact=bologna, person=person, role="safeguard_clerk"
        )
    assert raised.value.code == "forbidden"
    services.instrument_role_revoke(user=people["secretariat"], role=role)
    assert not instrument_roles_of(person).exists()
