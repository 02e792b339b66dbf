"""Conditional requests: the ETag comes from the data version, and a 304 reads no row."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/pacts/", "/api/v1/pacts/bologna-2021/", "/api/v1/projects/?status=approved",
        "/api/v1/pacts/bologna-2021/indicators/", "/api/v1/territories/037/"]


@pytest.mark.parametrize("url", URLS)
def test_a_second_request_with_the_etag_is_304_without_queries(client, url,
                                                                django_assert_num_queries):
    first = client.get(url)
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and not again.content


def test_a_change_of_the_data_changes_the_etag(client, people):
    from patto.projects.services import project_change

    url = "/api/v1/pacts/bologna-2021/projects/prova-api-1/"
    tag = client.get(url)["ETag"]
    project_change(project=people.own, user=people.secretariat,
                   expected_version=people.own.version, title="Titolo cambiato")
    response = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag
    assert response.json()["title"] == "Titolo cambiato"


def test_each_address_and_language_has_its_own_etag(client):
    tags = {client.get(u)["ETag"] for u in URLS}
    assert len(tags) == len(URLS)
    italian = client.get(URLS[0], HTTP_ACCEPT_LANGUAGE="it")["ETag"]
    english = client.get(URLS[0], HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    assert italian != english


def test_the_site_page_cache_never_answers_for_the_api(client, settings):
    """With the whole-page cache on, the API still answers 304s and counts requests."""
    settings.PATTO_PAGE_CACHE = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}}
    first = client.get(URLS[0])
    assert "private" in first["Cache-Control"]
    assert client.get(URLS[0], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    client.get(URLS[0])
    assert client.get(URLS[0]).status_code == 429
