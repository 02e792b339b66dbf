"""Pages of the safeguard table: public list, dashboard, detail and download with fixed query
counts; staff pages for the table's roles; confidential cases never public, never cached."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from patto.instruments.models import CrisisCase

from .conftest import ARGELATO, BOLOGNA

pytestmark = pytest.mark.django_db

#: Queries of the public pages, the same at 1 and at 12 cases (no query per row).
LIST_QUERIES = 4
DETAIL_QUERIES = 6
INDEX_QUERIES = 2


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _list(client, bologna, **params):
    return client.get(reverse("instruments:cases", args=[bologna.code]), params)


@pytest.mark.parametrize("count", [1, 12])
def test_public_list_has_a_fixed_query_count(
    client, bologna, make_case, count, django_assert_num_queries
):
    for n in range(count):
        make_case(f"caso-{n}", municipality=ARGELATO if n % 2 else BOLOGNA)
    with django_assert_num_queries(LIST_QUERIES):
        response = _list(client, bologna)
    assert response.status_code == 200
    assert response.content.count(b'href="/strumenti/bologna-2021/salvaguardia/caso-') == count


def test_public_list_filters_by_sector_and_status(client, bologna, make_case):
    make_case("meccanica", ateco="25.62")
    make_case("commercio", ateco="47.11")
    page = _list(client, bologna, settore="G").content.decode()
    assert "Officina commercio" in page and "Officina meccanica" not in page
    assert "Officina meccanica" in _list(client, bologna, status="reported").content.decode()


def test_dashboard_data_comes_from_stored_figures_in_a_json_script(client, bologna, make_case):
    make_case("a", ateco="25.62")
    make_case("b", ateco="47.11", municipality=BOLOGNA)
    response = _list(client, bologna)
    page = response.content.decode()
    start = page.index('<script id="crisis-data" type="application/json">')
    data = json.loads(page[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert data["years"] == ["2023"]
    assert {s["name"][0] for s in data["sectors"]} == {"C", "G"}
    assert {s["name"]: s["data"] for s in data["areas"]} == {
        "Bologna": [46],
        "Unione Reno Galliera": [46],
    }
    # No inline script: only the JSON data block and script files.
    assert page.count("<script>") == 0


@pytest.mark.parametrize("count", [1, 4])
def test_public_detail_has_a_fixed_query_count(
    client, bologna, make_case, count, django_assert_num_queries
):
    import datetime as dt

    from patto.instruments import services
    from patto.pact.models import Party

    case = make_case()
    services.crisis_case_update(
        user=None,
        case=case,
        data={},
        unions=list(Party.objects.filter(category__code="organizzazioni-sindacali")[:count]),
    )
    for n in range(count):
        services.crisis_case_add_meeting(
            user=None, case=case, held_on=dt.date(2023, 4, n + 1), subject=f"Incontro {n}"
        )
        services.crisis_case_add_safety_net(
            user=None, case=case, kind="cigo", workers=n + 1, start_on=dt.date(2023, 4, n + 1)
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("instruments:case_detail", args=[bologna.code, case.code]))
    assert response.status_code == 200
    assert response.content.count(b"Incontro ") == count


def test_index_has_a_fixed_query_count(client, bologna, make_case, django_assert_num_queries):
    make_case()
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("instruments:pact_index", args=[bologna.code]))
    assert response.status_code == 200


def test_confidential_cases_are_not_public_anywhere(client, bologna, make_case):
    make_case("pubblico")
    secret = make_case("riservato", confidential=True)
    assert b"Officina riservato" not in _list(client, bologna).content
    assert (
        client.get(reverse("instruments:case_detail", args=[bologna.code, secret.code])).status_code
        == 404
    )
    download = client.get(reverse("instruments:cases_download", args=[bologna.code, "csv"]))
    rows = list(csv.DictReader(io.StringIO(body(download).decode())))
    assert [r["code"] for r in rows] == ["pubblico"]


def test_download_is_formula_safe_in_both_formats(client, bologna, make_case):
    make_case(company_name='=HYPERLINK("http://x")')
    response = client.get(reverse("instruments:cases_download", args=[bologna.code, "csv"]))
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert rows[0]["company"].startswith("'=")
    xlsx = client.get(reverse("instruments:cases_download", args=[bologna.code, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        client.get(reverse("instruments:cases_download", args=[bologna.code, "pdf"])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("secretariat", 200),
        ("safeguard_clerk", 200),
        ("safeguard_member", 200),
        ("inclusion_operator", 403),
        ("stranger", 403),
    ],
)
def test_staff_list_is_for_the_table(client, bologna, make_case, people, role, status):
    make_case("riservato", confidential=True)
    client.force_login(people[role])
    response = client.get(reverse("instruments:manage_cases", args=[bologna.code]))
    assert response.status_code == status
    if status == 200:
        assert b"Officina riservato" in response.content
        detail = client.get(reverse("instruments:manage_case", args=[bologna.code, "riservato"]))
        assert detail.status_code == 200
        assert (
            b"Registra l'incontro" in detail.content or b"Record the meeting" in detail.content
        ) == (role != "safeguard_member")


def test_anonymous_staff_pages_ask_to_sign_in(client, bologna, make_case):
    make_case()
    response = client.get(reverse("instruments:manage_cases", args=[bologna.code]))
    assert response.status_code == 302 and "/accedi/" in response["Location"]


def test_clerk_records_and_moves_a_case_through_the_pages(client, bologna, people):
    from patto.pact.models import Party, Territory

    client.force_login(people["safeguard_clerk"])
    new = reverse("instruments:case_new", args=[bologna.code])
    cgil = Party.objects.get(code="cgil-bologna")
    data = {
        "code": "fonderia",
        "company_name": "Fonderia Esempio",
        "company_tax_code": "04245520375",
        "ateco_code": "24.51",
        "municipality": Territory.objects.get(code=ARGELATO).pk,
        "reported_on": "2024-02-01",
        "summary": "",
        "unions": [cgil.pk],
    }
    refused = client.post(new, data)
    assert refused.status_code == 200 and not CrisisCase.objects.exists()
    assert (
        b"company_tax_code-error" in refused.content
        or b"id_company_tax_code-error" in refused.content
    )
    data["company_tax_code"] = "04245520376"
    response = client.post(new, data)
    case = CrisisCase.objects.get(code="fonderia")
    assert response.status_code == 302
    assert list(case.unions.all()) == [cgil]
    action = reverse("instruments:case_action", args=[bologna.code, case.code, "stato"])
    bad = client.post(action, {"status": "agreement", "on": "2024-03-01"})
    assert bad.status_code == 400
    assert client.post(action, {"status": "open", "on": "2024-03-01"}).status_code == 302
    edit = reverse("instruments:case_edit", args=[bologna.code, case.code])
    workers = {
        f"w-{s}-{c}": 0
        for s in "fm"
        for c in ("permanent", "fixed_term", "agency", "apprentice", "other")
    }
    workers["w-f-permanent"] = 7
    response = client.post(edit, {**data, "code": "fonderia", **workers})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.workers.get().count == 7
    assert case.history.first().history_user == people["safeguard_clerk"]


def test_member_may_read_but_not_write_through_the_pages(client, bologna, make_case, people):
    case = make_case()
    client.force_login(people["safeguard_member"])
    action = reverse("instruments:case_action", args=[bologna.code, case.code, "stato"])
    assert client.post(action, {"status": "open", "on": "2024-03-01"}).status_code == 403
    assert client.get(reverse("instruments:case_new", args=[bologna.code])).status_code == 403


def test_confidential_pages_are_never_served_from_the_cache(
    client, bologna, make_case, people, settings
):
    settings.PATTO_PAGE_CACHE = True
    make_case("riservato", confidential=True)
    client.force_login(people["safeguard_member"])
    staff_page = reverse("instruments:manage_cases", args=[bologna.code])
    assert b"Officina riservato" in client.get(staff_page).content
    public = _list(client, bologna)  # signed in: not cached either
    assert b"Officina riservato" not in public.content
    client.logout()
    assert client.get(staff_page).status_code == 302
    assert b"Officina riservato" not in _list(client, bologna).content
