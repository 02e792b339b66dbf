"""Donors' statement links: signed with the site's key and the donor's link version, valid for
90 days; a forged, malformed, expired or revoked link is a plain 404."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from patto.funds import services
from patto.funds.views import STATEMENT_SALT, statement_token

#: The development key that earlier versions fell back to, published with the code.
PUBLISHED_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
DAY = 24 * 60 * 60


@pytest.fixture
def giver(bologna):
    from patto.funds.models import Donor

    return Donor.objects.get(pact=bologna, code="fondazione-carisbo")


def url(token: str) -> str:
    return reverse("funds:statement", args=[token])


def signed_at(payload, seconds_ago: int) -> str:
    """A payload signed with our key as if some time ago."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago):
        return signing.dumps(payload, salt=STATEMENT_SALT)


def test_a_statement_link_works_and_names_its_version(client, giver):
    payload = signing.loads(statement_token(giver), salt=STATEMENT_SALT)
    assert payload == {"donor": giver.pk, "version": giver.statement_version}
    assert client.get(url(statement_token(giver))).status_code == 200


def test_a_link_forged_with_the_published_development_key_is_refused(client, giver, settings):
    assert settings.SECRET_KEY != PUBLISHED_KEY
    forged = signing.dumps({"donor": giver.pk, "version": giver.statement_version},
                           key=PUBLISHED_KEY, salt=STATEMENT_SALT)
    assert client.get(url(forged)).status_code == 404


def test_a_revoked_link_is_404_and_the_new_one_works(client, giver, staff):
    old = statement_token(giver)
    services.donor_statement_revoke(donor=giver, user=staff)
    giver.refresh_from_db()
    assert giver.statement_version == 2
    assert client.get(url(old)).status_code == 404
    assert client.get(url(statement_token(giver))).status_code == 200
    assert giver.history.first().history_user == staff


def test_revoking_from_the_donors_page(client, giver, staff, bologna):
    client.force_login(staff)
    old = statement_token(giver)
    response = client.post(reverse("funds:statement_revoke",
                                   args=[bologna.code, "comunita", giver.pk]))
    assert response.status_code == 302
    assert client.get(url(old)).status_code == 404


def test_a_link_expires_after_90_days(client, giver):
    payload = {"donor": giver.pk, "version": giver.statement_version}
    assert client.get(url(signed_at(payload, 89 * DAY))).status_code == 200
    assert client.get(url(signed_at(payload, 91 * DAY))).status_code == 404


@pytest.mark.parametrize("payload", [
    {"donor": 1},  # the format before link versions
    "just text", [1, 1], {"donor": "1", "version": 1}, {"donor": None, "version": 1},
    {"donor": 1, "version": "1"}, {"donor": 10**30, "version": 1}])
def test_a_malformed_payload_signed_with_our_key_is_404_not_500(client, giver, payload):
    if isinstance(payload, dict) and payload.get("donor") == 1:
        payload = {**payload, "donor": giver.pk}
    assert client.get(url(signing.dumps(payload, salt=STATEMENT_SALT))).status_code == 404


@pytest.mark.parametrize("raw", [".abc", "abc", "!!!!", "."])
def test_a_signed_token_that_is_not_a_payload_is_404(client, raw):
    token = signing.TimestampSigner(salt=STATEMENT_SALT).sign(raw)
    assert client.get(url(token)).status_code == 404


def test_garbage_and_tampered_tokens_are_404(client, giver):
    token = statement_token(giver)
    for bad in ("x", token[:-2] + "xx", "a:b:c", token.replace(":", ":x", 1)):
        assert client.get(url(bad)).status_code == 404
