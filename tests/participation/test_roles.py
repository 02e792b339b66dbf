"""Roles of participation given and taken back by the secretariat, through its page and the
services, each change in the roles' history with who made it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from patto.participation import services
from patto.participation.models import CallManager, Moderator, ProposerAgent


def test_only_the_secretariat_grants_and_revokes(bologna, people):
    with pytest.raises(PermissionDenied):
        services.moderator_grant(pact=bologna, person=people["other"], user=people["manager"])
    role = CallManager.objects.get(user=people["manager"])
    with pytest.raises(PermissionDenied):
        services.role_revoke(role=role, user=people["manager"])
    services.role_revoke(role=role, user=people["staff"])
    assert not CallManager.objects.filter(user=people["manager"]).exists()
    rows = CallManager.history.filter(user_id=people["manager"].pk).order_by("history_date")
    assert [(r.history_type, r.history_user) for r in rows] == [
        ("+", people["staff"]),
        ("-", people["staff"]),
    ]
    # Without the role, the person no longer runs the pact's calls.
    assert not people["manager"].has_perm("participation.manage_call", bologna)


def test_a_second_grant_keeps_the_first(bologna, people):
    first = services.moderator_grant(pact=bologna, person=people["other"], user=people["staff"])
    again = services.moderator_grant(pact=bologna, person=people["other"], user=people["staff"])
    assert first.pk == again.pk and Moderator.history.filter(id=first.pk).count() == 1


def test_the_secretariat_grants_through_the_page(client, bologna, people):
    url = reverse("participation:roles")
    client.force_login(people["manager"])
    assert client.get(url).status_code == 403
    client.force_login(people["staff"])
    response = client.post(
        url, {"kind": "moderator", "email": "nessuno@example.org", "pact": bologna.pk}
    )
    assert response.status_code == 200 and not Moderator.objects.exists()
    response = client.post(url, {"kind": "moderator", "email": "PASSANTE@example.org"})
    assert response.status_code == 200 and not Moderator.objects.exists()  # no pact chosen
    response = client.post(
        url, {"kind": "moderator", "email": "PASSANTE@example.org", "pact": bologna.pk}
    )
    assert response.status_code == 302
    role = Moderator.objects.get(user=people["other"], pact=bologna)
    response = client.post(
        url,
        {"kind": "proposer", "email": "passante@example.org", "territory": people["bologna"].pk},
    )
    assert response.status_code == 302
    assert ProposerAgent.objects.filter(user=people["other"], territory=people["bologna"]).exists()
    client.post(reverse("participation:role_revoke", args=["moderatore", role.pk]))
    assert not Moderator.objects.exists()
    page = client.get(url).content.decode()
    history = page[page.index('data-testid="role-history"') :]
    assert history.count("Passante") >= 3  # granted, revoked, proposer granted
    assert client.post(reverse("participation:role_revoke", args=["altro", 1])).status_code == 404


def test_roles_page_in_fixed_queries(client, people, django_assert_num_queries):
    client.force_login(people["staff"])
    url = reverse("participation:roles")
    client.get(url)  # the territory trees, kept once per data version
    # session, user; the pacts for their territory trees; the pact choices and the territory
    # choices rendered; managers, moderators, proposers; three histories.
    with django_assert_num_queries(11):
        client.get(url)
