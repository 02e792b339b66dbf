"""The secretariat's people page shows a person's roles in the work instruments and gives and
takes them away through the instruments' services; nobody else can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patto.instruments.models import InstrumentRole

pytestmark = pytest.mark.django_db


def _grant(client, bologna, person, role="register_officer"):
    return client.post(
        reverse("instruments:person_role_grant", args=[person.pk]),
        {"strumenti-pact": bologna.pk, "strumenti-role": role},
    )


def test_the_people_page_shows_the_instrument_roles_and_the_form(client, bologna, people):
    client.force_login(people["secretariat"])
    page = client.get(reverse("site:person_detail", args=[people["agreement_officer"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-role="agreement_officer"' in text
    assert reverse("instruments:person_role_grant", args=[people["agreement_officer"].pk]) in text


def test_the_secretariat_grants_and_revokes_from_the_page(client, bologna, people):
    person = people["stranger"]
    client.force_login(people["secretariat"])
    response = _grant(client, bologna, person)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:person_detail", args=[person.pk])
    role = InstrumentRole.objects.get(user=person)
    assert (role.pact, role.role) == (bologna, "register_officer")
    assert role.history.first().history_user == people["secretariat"]
    page = client.get(reverse("site:person_detail", args=[person.pk]))
    assert 'data-role="register_officer"' in page.content.decode()
    response = client.post(
        reverse("instruments:person_role_revoke", args=[person.pk]), {"role": role.pk}
    )
    assert response.status_code == 302
    assert not InstrumentRole.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", ["stranger", "development_officer", "safeguard_clerk"])
def test_other_people_can_neither_grant_nor_revoke(client, bologna, people, role):
    client.force_login(people[role])
    target = people["agreement_officer"]
    assert _grant(client, bologna, target, "safeguard_clerk").status_code == 403
    held = InstrumentRole.objects.get(user=target)
    response = client.post(
        reverse("instruments:person_role_revoke", args=[target.pk]), {"role": held.pk}
    )
    assert response.status_code == 403
    assert list(InstrumentRole.objects.filter(user=target).values_list("role", flat=True)) == [
        "agreement_officer"
    ]
    assert client.get(reverse("site:person_detail", args=[target.pk])).status_code in (302, 403)


def test_an_unknown_role_changes_nothing(client, bologna, people):
    client.force_login(people["secretariat"])
    response = _grant(client, bologna, people["stranger"], "boss")
    assert response.status_code == 302
    assert not InstrumentRole.objects.filter(user=people["stranger"]).exists()


def test_a_role_of_another_person_is_not_taken_away_through_this_one(client, bologna, people):
    client.force_login(people["secretariat"])
    held = InstrumentRole.objects.get(user=people["agreement_officer"])
    response = client.post(
        reverse("instruments:person_role_revoke", args=[people["stranger"].pk]), {"role": held.pk}
    )
    assert response.status_code == 404
    assert InstrumentRole.objects.filter(pk=held.pk).exists()


def test_signing_in_is_required(client, bologna, people):
    response = _grant(client, bologna, people["stranger"])
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not InstrumentRole.objects.filter(user=people["stranger"]).exists()
