"""Co-design networks: who writes them, partners named once, activities, public pages in a
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from patto.pact.models import Party, SdgGoal, Territory
from patto.participation import services
from patto.participation.services import ParticipationError


@pytest.fixture
def network(bologna, people):
    return services.network_save(
        pact=bologna,
        user=people["manager"],
        code="economia-circolare",
        name="Laboratorio economia circolare",
        description="Simbiosi industriale.",
        themes="economia circolare",
        sdgs=SdgGoal.objects.filter(number__in=[9, 12]),
        territories=Territory.objects.filter(code__in=["037006", "unione-savena-idice"]),
        coordinator=Party.objects.get(code="comune-bologna"),
    )


def test_only_the_tables_people_write_networks(bologna, people):
    with pytest.raises(PermissionDenied):
        services.network_save(
            pact=bologna, user=people["union"], code="x", name="x", description="x"
        )


def test_partners_and_activities(network, people):
    party = Party.objects.get(code="comune-bologna")
    services.network_partner_add(
        network=network, user=people["manager"], party=party, role="coordinamento"
    )
    with pytest.raises(ParticipationError, match="already a partner"):
        services.network_partner_add(network=network, user=people["manager"], party=party)
    with pytest.raises(ParticipationError, match="organisation's name"):
        services.network_partner_add(network=network, user=people["manager"])
    services.network_partner_add(
        network=network, user=people["manager"], name="Clust-ER Greentech", role="partner tecnico"
    )
    services.network_activity_add(
        network=network,
        user=people["manager"],
        title="Primo workshop",
        held_on=dt.date(2026, 3, 1),
        output="Mappa dei flussi di scarto",
    )
    assert network.partners.count() == 2 and network.activities.count() == 1


def test_network_pages_in_fixed_queries(client, network, people, django_assert_num_queries):
    services.network_partner_add(network=network, user=people["manager"], name="Clust-ER")
    services.network_activity_add(
        network=network, user=people["manager"], title="Workshop", held_on=dt.date(2026, 3, 1)
    )
    url = network.get_absolute_url()
    index_url = reverse("participation:networks")
    client.get(index_url), client.get(url)  # the territory tree, kept once per data version
    # index: the pact (with its territory, the map's root), networks, their SDGs, their
    # territories; network: it (with its pact and territory), SDGs, territories, partners,
    # activities. The map adds no query per network or per municipality.
    with django_assert_num_queries(4):
        index = client.get(index_url)
    with django_assert_num_queries(4):
        client.get(index_url + "?patto=bologna-2021")
    assert network.name in index.content.decode()
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert "Clust-ER" in page and "Workshop" in page and "Unione" in page
    assert 'id="network-map"' in page and 'id="network-places"' in page


def test_the_map_shows_a_union_as_its_municipalities(bologna, network, people):
    from patto.participation import selectors

    places = selectors.network_places(pact=bologna, networks=[network])
    savena = services.proposer_places(Territory.objects.get(code="unione-savena-idice"))
    expected = {"037006"} | {t.code for t in savena}
    assert set(places) == expected and len(expected) > 2
    assert places["037006"] == {"name": "Bologna", "networks": [network.name]}
    # The pact's own territory stands for every municipality of it.
    whole = services.network_save(
        pact=bologna,
        user=people["manager"],
        code="tutta-la-citta",
        name="Rete metropolitana",
        description="x",
        territories=[bologna.territory],
    )
    places = selectors.network_places(pact=bologna, networks=[network, whole])
    assert len(places) > len(expected)
    assert places["037006"]["networks"] == [network.name, whole.name]


def test_the_tables_people_manage_a_network_through_its_pages(client, bologna, people):
    client.force_login(people["union"])
    assert client.get(reverse("participation:network_new", args=[bologna.code])).status_code == 403
    client.force_login(people["manager"])
    response = client.post(
        reverse("participation:network_new", args=[bologna.code]),
        {
            "code": "welfare",
            "name": "Laboratorio welfare",
            "description": "Welfare territoriale.",
            "sdgs": [SdgGoal.objects.get(number=3).pk],
            "territories": [people["savena"].pk],
            "is_example": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    network = bologna.networks.get(code="welfare")
    assert network.is_example and list(network.territories.all()) == [people["savena"]]
    manage = reverse("participation:network_manage", args=[network.pk])
    client.post(
        reverse("participation:network_partner_add", args=[network.pk]),
        {"partner-name": "Cooperativa Sociale Aurora", "partner-role": "capofila"},
    )
    client.post(
        reverse("participation:network_activity_add", args=[network.pk]),
        {"activity-title": "Primo incontro", "activity-held_on": "2026-04-02"},
    )
    partner = network.partners.get()
    activity = network.activities.get()
    assert activity.held_on == dt.date(2026, 4, 2)
    client.post(reverse("participation:network_partner_remove", args=[network.pk, partner.pk]))
    assert not network.partners.exists()
    response = client.post(
        manage,
        {
            "code": "welfare",
            "name": "Laboratorio welfare di comunità",
            "description": "Welfare territoriale.",
            "territories": [people["savena"].pk, people["bologna"].pk],
        },
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.name == "Laboratorio welfare di comunità" and not network.is_example
    page = client.get(manage).content.decode()
    # The history names the network's changes, the partner added and removed, the activity.
    history = page[page.index('data-testid="history"') :]
    assert history.count("Cooperativa Sociale Aurora") == 2 and "Primo incontro" in history
    assert "Laboratorio welfare di comunità" in history
    # Another pact's people may not touch it: a proposer is refused every write.
    client.force_login(people["union"])
    assert client.get(manage).status_code == 403
    response = client.post(
        reverse("participation:network_activity_remove", args=[network.pk, activity.pk])
    )
    assert response.status_code == 403 and network.activities.exists()


def test_removing_partners_and_activities_needs_the_role(network, people):
    from patto.participation.models import NetworkPartner

    partner = services.network_partner_add(network=network, user=people["manager"], name="X")
    with pytest.raises(PermissionDenied):
        services.network_partner_remove(partner=partner, user=people["union"])
    pk = partner.pk
    services.network_partner_remove(partner=partner, user=people["manager"])
    removed = NetworkPartner.history.filter(id=pk).latest("history_date")
    assert removed.history_type == "-" and removed.history_user == people["manager"]
