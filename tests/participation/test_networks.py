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
    # index: pact, networks, their SDGs; network: it, SDGs, territories, partners, activities.
    with django_assert_num_queries(3):
        index = client.get(reverse("participation:networks"))
    assert network.name in index.content.decode()
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert "Clust-ER" in page and "Workshop" in page and "Unione" in page
