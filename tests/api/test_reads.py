"""Public reads: every list and detail, pagination, filters, ordering, errors, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import make_project

pytestmark = pytest.mark.django_db

PACT = "/api/v1/pacts/bologna-2021"


def test_pacts_list_both_bologna_pacts(client):
    body = client.get("/api/v1/pacts/").json()
    assert {p["code"] for p in body["results"]} == {"bologna-2021", "bologna-2015"}
    assert body["count"] == 2


def test_pact_detail_has_its_clusters_and_challenges(client):
    body = client.get(f"{PACT}/").json()
    assert [c["code"] for c in body["clusters"]] == ["1", "2", "3"]
    assert len(body["challenges"]) == 14
    assert all(isinstance(g, int) for c in body["challenges"] for g in c["sdgs"])


def test_parties_are_paginated_and_filtered(client):
    first = client.get(f"{PACT}/parties/", {"page_size": 10}).json()
    assert first["count"] == 52 and len(first["results"]) == 10
    assert "page=2" in first["next"]
    second = client.get(f"{PACT}/parties/", {"page_size": 10, "page": 2}).json()
    assert not {p["code"] for p in first["results"]} & {p["code"] for p in second["results"]}
    promoter = client.get(f"{PACT}/parties/", {"role": "promoter"}).json()
    assert [p["code"] for p in promoter["results"]] == ["citta-metropolitana-bologna"]


def test_territories_filter_by_kind_and_order_by_population(client):
    body = client.get("/api/v1/territories/", {"kind": "municipality", "ordering": "-population",
                                               "page_size": 100}).json()
    assert body["count"] == 55
    assert body["results"][0]["name"] == "Bologna"
    populations = [t["population"] or 0 for t in body["results"]]
    assert populations == sorted(populations, reverse=True)


def test_territory_detail_lists_members_and_boundary(client):
    body = client.get("/api/v1/territories/037/").json()
    assert body["members"]
    assert body["boundary"] is None or isinstance(body["boundary"], dict)
    bologna = client.get("/api/v1/territories/", {"q": "Bologna", "kind": "municipality"}
                         ).json()["results"][0]
    detail = client.get(f"/api/v1/territories/{bologna['code']}/").json()
    assert detail["boundary"]["type"] in ("Polygon", "MultiPolygon", "Feature")
    assert detail["parents"]


def test_projects_reuse_the_project_lists_filters(client, people):
    body = client.get("/api/v1/projects/", {"pact": "bologna-2021", "cluster": "1",
                                            "q": "prova-api"}).json()
    assert body["results"] == [] or all(p["cluster"] == "1" for p in body["results"])
    found = client.get("/api/v1/projects/", {"code": "prova-api-1"}).json()["results"]
    assert [p["code"] for p in found] == ["prova-api-1"]
    statuses = client.get("/api/v1/projects/", {"status": "in_progress",
                                                "page_size": 500}).json()["results"]
    assert statuses and {p["status"] for p in statuses} == {"in_progress"}


def test_projects_ordering(client):
    titles = [p["title"] for p in client.get("/api/v1/projects/", {
        "ordering": "title", "page_size": 500}).json()["results"]]
    assert titles == sorted(titles)


def test_project_sheet_names_parties_never_referents(client, people):
    body = client.get(f"{PACT}/projects/prova-api-1/").json()
    assert body["referent_parties"] == ["citta-metropolitana-bologna"]
    assert "Ginevra" not in str(body)
    assert "referents" not in body


def test_indicators_with_stored_assessment_and_observations(client):
    indicators = client.get(f"{PACT}/indicators/", {"level": "agenda"}).json()
    assert indicators["count"] >= 1
    first = indicators["results"][0]
    assert first["assessment"] is None or "status" in first["assessment"]
    detail = client.get(f"{PACT}/indicators/{first['code']}/").json()
    assert detail["series"] and "values" in detail["series"][0]
    values = client.get(f"{PACT}/indicators/{first['code']}/observations/",
                        {"total": "true", "ordering": "-year"}).json()
    years = [o["year"] for o in values["results"]]
    assert years == sorted(years, reverse=True)
    year = years[-1]
    only = client.get(f"{PACT}/indicators/{first['code']}/observations/", {"year": year}).json()
    assert {o["year"] for o in only["results"]} == {year}


def test_stored_assessments_are_read_not_recomputed(client, monkeypatch):
    import patto.monitoring.assessments as assessments

    def refuse(*args, **kwargs):
        raise AssertionError("an API read assessed")

    for name in ("assessments_refresh", "assessments_rebuild"):
        monkeypatch.setattr(assessments, name, refuse)
    goals = client.get(f"{PACT}/assessments/goals/").json()
    assert goals["count"] >= 1 and {"status", "score", "composite"} <= set(goals["results"][0])
    assert client.get(f"{PACT}/indicators/").status_code == 200


def test_fund_movements_are_public_without_person_donors(client):
    funds = client.get(f"{PACT}/funds/").json()["results"]
    assert funds
    fund = funds[0]["code"]
    body = client.get(f"{PACT}/funds/{fund}/movements/", {"page_size": 500}).json()
    assert body["count"] > 0
    for m in body["results"]:
        if m["donor"] and m["donor"]["kind"] == "person":
            assert m["donor"]["name"] is None
    receipts = client.get(f"{PACT}/funds/{fund}/movements/", {"kind": "receipt"}).json()
    assert {m["kind"] for m in receipts["results"]} <= {"receipt"}


@pytest.mark.parametrize("url,query", [
    ("/api/v1/projects/", {"status": "flying"}),
    ("/api/v1/territories/", {"kind": "planet"}),
    (f"{PACT}/indicators/", {"goal": "x"}),
    ("/api/v1/projects/", {"page": "999"}),
])
def test_bad_filters_answer_in_the_one_error_shape(client, url, query):
    response = client.get(url, query)
    assert response.status_code in (400, 404)
    error = response.json()["error"]
    assert error["status"] == response.status_code
    assert error["code"] and error["message"]
    if response.status_code == 400:
        assert error["details"] and error["details"][0]["field"] in query


@pytest.mark.parametrize("url", [f"{PACT}/projects/nothing/", "/api/v1/pacts/nothing/",
                                 "/api/v1/pacts/nothing/parties/", "/api/v1/territories/zz/",
                                 f"{PACT}/indicators/nothing/observations/",
                                 f"{PACT}/funds/nothing/movements/", "/api/v1/nowhere/",
                                 "/api/v2/pacts/"])
def test_missing_things_are_404_in_the_one_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_writing_to_a_read_address_is_405_in_the_one_shape(client):
    response = client.post("/api/v1/projects/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# Query counts: exact, and the same at 1 row a page and at 500 -------------------------------

def _count(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


#: (address, query, exact count). Lists: the page's rows and their count.
COUNTS = [
    ("/api/v1/pacts/", {}, 2),
    (f"{PACT}/", {}, 7),
    (f"{PACT}/parties/", {}, 3),
    ("/api/v1/territories/", {}, 2),
    ("/api/v1/territories/037/", {}, 3),
    ("/api/v1/projects/", {}, 2),
    (f"{PACT}/projects/prova-api-1/", {}, None),
    (f"{PACT}/indicators/", {}, 3),
    (f"{PACT}/assessments/goals/", {}, 3),
    (f"{PACT}/funds/", {}, 4),
    (f"{PACT}/funds/comunita/movements/", {}, 3),
]


@pytest.mark.parametrize("url,query,expected", COUNTS)
def test_query_counts_are_exact(client, people, django_assert_num_queries, url, query,
                                expected):
    if expected is None:
        expected = PROJECT_SHEET_QUERIES
    with django_assert_num_queries(expected):
        assert client.get(url, query).status_code == 200


#: The sheet: the project with its joins, then one query per prefetched relation
#: (patto.projects.selectors.project_get).
PROJECT_SHEET_QUERIES = 20


@pytest.mark.parametrize("url", ["/api/v1/projects/", f"{PACT}/parties/",
                                 "/api/v1/territories/", f"{PACT}/indicators/",
                                 f"{PACT}/funds/comunita/movements/"])
def test_query_count_does_not_grow_with_rows(client, people, url):
    assert _count(client, url, {"page_size": 1}) == _count(client, url, {"page_size": 500})


def test_project_list_count_same_with_more_projects(client, people):
    before = _count(client, "/api/v1/projects/", {"page_size": 500})
    for n in range(5):
        make_project(people.pact, "2", f"altro-{n}")
    assert _count(client, "/api/v1/projects/", {"page_size": 500}) == before


#: The pact, the indicator, the page's count and its rows, and the indicator's territory
#: check of the filter set.
OBSERVATION_QUERIES = 5


def test_observation_list_count(client, django_assert_num_queries):
    code = client.get(f"{PACT}/indicators/").json()["results"][0]["code"]
    url = f"{PACT}/indicators/{code}/observations/"
    with django_assert_num_queries(OBSERVATION_QUERIES):
        client.get(url, {"page_size": 1})
    with django_assert_num_queries(OBSERVATION_QUERIES):
        client.get(url, {"page_size": 500})

