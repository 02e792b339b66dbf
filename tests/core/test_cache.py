"""Public pages come from the cache, and a change to the pact's data is never served stale."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from patto.core.cache import data_version, page_key
from patto.pact.models import Party

PAGES = ["/", "/soggetti/", "/territorio/", "/progetti/", "/monitoraggio/", "/fondi/"]


@pytest.fixture
def page_cache(settings):
    settings.PATTO_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", PAGES)
def test_a_cached_public_page_costs_no_query(path, client, bologna, page_cache,
                                             django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.content == first.content
    assert "Content-Security-Policy" in second


def test_a_change_through_the_orm_is_never_served_stale(client, bologna, page_cache):
    party = Party.objects.get(code="comune-bologna")
    assert party.name in client.get("/soggetti/").content.decode()
    party.name = "Comune di Bologna, nome nuovo"
    party.save()
    assert "nome nuovo" in client.get("/soggetti/").content.decode()


def test_a_change_in_plain_sql_is_never_served_stale(client, bologna, page_cache):
    assert "Nome scritto in SQL" not in client.get("/soggetti/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pact_party SET name = %s WHERE code = %s",
                       ["Nome scritto in SQL", "comune-bologna"])
    assert "Nome scritto in SQL" in client.get("/soggetti/").content.decode()


def test_writes_outside_the_pacts_data_keep_the_version(bologna, page_cache,
                                                        django_user_model):
    before = data_version()
    django_user_model.objects.create_user("qualcuno", password="a-long-test-password")
    assert data_version() == before
    Party.objects.filter(code="comune-bologna").update(short_name="BO")
    assert data_version() != before


def _key(path: str) -> str:
    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = "it"
    return page_key(request)


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_signed_in_people_and_the_back_office_are_never_cached(client, bologna, staff,
                                                               page_cache):
    client.force_login(staff)
    client.get("/soggetti/")
    assert _queries(client, "/soggetti/") > 0
    client.logout()
    client.get("/accedi/")
    client.get("/soggetti/")
    assert cache.get(_key("/accedi/")) is None
    assert cache.get(_key("/soggetti/")) is not None


def test_each_language_has_its_own_page(client, bologna, page_cache):
    italian = client.get("/soggetti/").content
    english = client.get("/en/soggetti/").content
    assert italian != english
    assert b'lang="en"' in english
