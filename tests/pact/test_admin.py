"""The registry's admin is the secretariat's alone, and its writes keep their history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from patto.pact.models import Party


@pytest.fixture
def staff_clerk(db, django_user_model):
    """A member of staff with every permission on the registry, but not the secretariat."""
    user = django_user_model.objects.create_user("impiegato", password="a-long-test-password",
                                                  is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="pact"))
    return user


def test_staff_outside_the_secretariat_cannot_use_the_registry_admin(client, bologna,
                                                                     staff_clerk):
    party = Party.objects.get(code="comune-bologna")
    client.force_login(staff_clerk)
    assert client.get("/gestione/admin/pact/party/").status_code == 403
    response = client.post(f"/gestione/admin/pact/party/{party.pk}/change/",
                           {"code": party.code, "name": "Rinominato"})
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.name != "Rinominato"


def _change_form_data(client, party) -> dict:
    """What the admin's change form of a party posts when nothing is edited."""
    page = client.get(f"/gestione/admin/pact/party/{party.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()
            if k in form.fields and not isinstance(v, list)}
    data["category"] = party.category_id
    data["territory"] = party.territory_id or ""
    return data


def test_the_secretariat_changes_a_party_with_its_history(client, bologna, staff):
    party = Party.objects.get(code="comune-bologna")
    client.force_login(staff)
    data = _change_form_data(client, party)
    data["name"] = "Comune di Bologna (rinominato)"
    response = client.post(f"/gestione/admin/pact/party/{party.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    latest = party.history.first()
    assert latest.name == "Comune di Bologna (rinominato)"
    assert latest.history_user == staff


def test_a_control_character_is_refused_in_the_admin(client, bologna, staff):
    party = Party.objects.get(code="comune-bologna")
    client.force_login(staff)
    data = _change_form_data(client, party)
    data["name"] = "Comune\x0bdi Bologna"
    response = client.post(f"/gestione/admin/pact/party/{party.pk}/change/", data)
    assert response.status_code == 200
    party.refresh_from_db()
    assert "\x0b" not in party.name
