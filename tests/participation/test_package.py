"""Participation's section of a pact package: example co-design networks with partners and
activities, loaded with the pact, flagged as example data, the same on a second load."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from patto.pact.services import pact_load_package
from patto.participation.models import Network


def with_networks(package: Path) -> Path:
    """A copy of the Bologna package, which carries the example networks."""
    assert (package / "networks.csv").exists()
    return package


def test_the_package_loads_example_networks_once(bologna, package_copy, client):
    pact_load_package(path=with_networks(package_copy))
    labs = {n.code: n for n in Network.objects.filter(pact=bologna)}
    assert set(labs) == {"lab-economia-circolare", "lab-welfare-savena"}
    circular = labs["lab-economia-circolare"]
    assert circular.is_example and circular.coordinator.code == "citta-metropolitana-bologna"
    assert sorted(g.number for g in circular.sdgs.all()) == [9, 12]
    assert [t.code for t in circular.territories.all()] == ["037"]
    assert circular.partners.count() == 3 and circular.activities.get().output
    history = circular.history.count()
    pact_load_package(path=package_copy)  # the second load changes nothing
    assert circular.history.count() == history and circular.partners.count() == 3
    page = client.get(circular.get_absolute_url()).content.decode()
    assert "badge" in page and "Workshop di avvio" in page
    index = client.get(reverse("participation:networks")).content.decode()
    # The metropolitan network covers every municipality on the map.
    assert index.count('href="/territorio/') >= 55


def test_a_network_naming_an_unknown_party_is_refused(bologna, package_copy):
    from patto.core.errors import ApplicationError

    package = with_networks(package_copy)
    text = (package / "network_partners.csv").read_text(encoding="utf-8")
    (package / "network_partners.csv").write_text(
        text.replace("comune-bologna,,partner", "comune-inesistente,,partner"), encoding="utf-8"
    )
    before = sorted(Network.objects.values_list("code", "name", "is_example"))
    with pytest.raises(ApplicationError) as refused:
        pact_load_package(path=package)
    assert "comune-inesistente" in str(refused.value.problems) or refused.value.problems
    # Nothing half-written: the networks are as the session's load left them.
    assert sorted(Network.objects.values_list("code", "name", "is_example")) == before
