"""Tokens: issued and revoked by the secretariat, hashed, scoped, limited, expiring."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from patto.api.models import ApiToken
from patto.api.services import digest, token_issue, token_revoke
from patto.core.errors import ApplicationError

from .conftest import bearer

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/pacts/bologna-2021/projects/{}/reports/"


def _report(client, secret, reporting_round, project="prova-api-1", **extra):
    body = {"round": reporting_round.pk, "proposed_status": "in_progress", "progress": 20,
            "summary": "Fatto il primo incontro.", **extra}
    return client.post(REPORT.format(project), body, content_type="application/json",
                       **(bearer(secret) if secret else {}))


def test_only_the_secretariat_issues_tokens(people):
    with pytest.raises(ApplicationError, match="Only the secretariat"):
        token_issue(user=people.referent, owner=people.referent, name="mio",
                    scopes=["reporting:write"])


def test_the_secret_is_stored_only_as_a_digest(people, issue):
    secret = issue(people.referent, ["reporting:write"])
    token = ApiToken.objects.get(owner=people.referent)
    assert secret.startswith(f"patto_{token.prefix}_")
    assert token.digest == digest(secret.split("_", 2)[2])
    assert secret.split("_", 2)[2] not in str(ApiToken.objects.filter(pk=token.pk).values())


@pytest.mark.parametrize("scopes", [[], ["everything"], ["reporting:write", "root"]])
def test_unknown_scopes_are_refused(people, scopes):
    with pytest.raises(ApplicationError, match="scopes"):
        token_issue(user=people.secretariat, owner=people.referent, name="x", scopes=scopes)


def test_a_write_without_a_token_is_401(client, people, reporting_round):
    response = _report(client, None, reporting_round)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer patto_nope_nope", "Bearer nonsense",
                                    "Bearer a b", "Bearer"])
def test_an_unknown_token_is_401(client, people, reporting_round, header):
    response = client.post(REPORT.format("prova-api-1"), {}, content_type="application/json",
                           HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_unknown_token_is_401_even_on_a_public_read(client):
    response = client.get("/api/v1/pacts/", HTTP_AUTHORIZATION="Bearer patto_abc_def")
    assert response.status_code == 401


def test_a_token_without_the_scope_is_403(client, people, issue, reporting_round):
    secret = issue(people.referent, ["indicators:write"])
    response = _report(client, secret, reporting_round)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied" and "reporting:write" in error["message"]


def test_an_expired_token_is_401(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"],
                   expires_at=timezone.now() + dt.timedelta(seconds=30))
    ApiToken.objects.filter(owner=people.referent).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _report(client, secret, reporting_round)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_a_revoked_token_is_401(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    token = ApiToken.objects.get(owner=people.referent)
    token_revoke(user=people.secretariat, token=token)
    response = _report(client, secret, reporting_round)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    token.refresh_from_db()
    assert token.revoked_by == people.secretariat
    with pytest.raises(ApplicationError, match="already revoked"):
        token_revoke(user=people.secretariat, token=token)


def test_a_token_of_an_inactive_owner_is_401(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    people.referent.is_active = False
    people.referent.save()
    assert _report(client, secret, reporting_round).status_code == 401


def test_a_token_for_one_project_cannot_write_another(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"], project=people.own)
    # The owner refers for both projects: the token narrows that to one.
    assert _report(client, secret, reporting_round, project="prova-api-2").status_code == 403
    assert _report(client, secret, reporting_round, project="prova-api-1").status_code == 201


def test_a_token_for_another_pact_cannot_write_here(client, people, issue, reporting_round):
    from patto.pact.models import Pact

    secret = issue(people.referent, ["reporting:write"],
                   pact=Pact.objects.get(code="bologna-2015"))
    assert _report(client, secret, reporting_round).status_code == 403


def test_use_is_recorded(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    _report(client, secret, reporting_round)
    assert ApiToken.objects.get(owner=people.referent).last_used_at is not None


def test_token_info_shows_scopes_and_open_rounds(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"], project=people.own)
    body = client.get("/api/v1/token/", **bearer(secret)).json()
    assert body["scopes"] == ["reporting:write"] and body["project"] == "prova-api-1"
    assert [r["id"] for r in body["open_rounds"]] == [reporting_round.pk]
    assert client.get("/api/v1/token/").status_code == 401


def test_the_command_issues_lists_and_revokes(people):
    out = io.StringIO()
    call_command("api-token", "issue", "--owner", people.referent.username, "--name", "gestionale",
                 "--scope", "reporting:write", "--project", "bologna-2021/prova-api-1",
                 "--days", "30", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(owner=people.referent)
    assert secret.startswith(f"patto_{token.prefix}_") and token.project == people.own
    assert token.expires_at > timezone.now() + dt.timedelta(days=29)
    listed = io.StringIO()
    call_command("api-token", "list", stdout=listed)
    assert token.prefix in listed.getvalue() and "active" in listed.getvalue()
    assert secret not in listed.getvalue()
    call_command("api-token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_command_refuses_unknown_people(people):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("api-token", "issue", "--owner", "nessuno", "--name", "x",
                     "--scope", "reporting:write", stdout=io.StringIO())
