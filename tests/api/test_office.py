"""The secretariat's page of tokens: issue (secret shown once), list, revoke."""

from __future__ import annotations

import pytest

from patto.api.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/gestione/api/chiavi/"


def test_only_the_secretariat_sees_the_page(client, people):
    client.force_login(people.referent)
    assert client.get(URL).status_code == 403
    client.force_login(people.secretariat)
    assert client.get(URL).status_code == 200


def test_issue_shows_the_secret_once_then_revoke(client, people):
    client.force_login(people.secretariat)
    response = client.post(URL, {"owner": people.referent.pk, "name": "gestionale",
                                 "scopes": ["reporting:write"],
                                 "project": "bologna-2021/prova-api-1", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get(owner=people.referent)
    html = response.content.decode()
    assert f"patto_{token.prefix}_" in html and token.project == people.own
    assert "no-store" in response["Cache-Control"]
    listed = client.get(URL).content.decode()
    assert token.prefix in listed and f"patto_{token.prefix}_" not in listed
    client.post(f"{URL}{token.pk}/revoca/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == people.secretariat


def test_a_bad_project_is_refused_on_its_field(client, people):
    client.force_login(people.secretariat)
    response = client.post(URL, {"owner": people.referent.pk, "name": "x",
                                 "scopes": ["reporting:write"], "project": "nessuno/niente",
                                 "days": 30})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "is-invalid" in response.content.decode()
