"""The instruments' public downloads go the one way every other app's do: registered kinds of
patto.core.downloads, built once per data version by the one exporter (formula-safe), served as
files with an ETag, at the same addresses as before."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from patto.core import downloads

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_every_instruments_download_is_a_registered_kind():
    kinds = downloads.kinds()
    for name in (
        "instruments-cases",
        "instruments-register",
        "instruments-development",
        "instruments-layout",
    ):
        assert name in kinds


def test_the_addresses_are_kept(bologna):
    assert reverse("instruments:cases_download", args=[bologna.code, "csv"]).endswith(
        "/salvaguardia/casi.csv"
    )
    assert reverse("instruments:register_download", args=[bologna.code, "xlsx"]).endswith(
        "/albo-aziende-inclusive/albo.xlsx"
    )
    assert reverse("instruments:development_download", args=[bologna.code, "json"]).endswith(
        "/sviluppo-economico/attivita.json"
    )


def test_cases_are_served_as_a_file_once_per_version(client, bologna, make_case):
    make_case("primo")
    url = reverse("instruments:cases_download", args=[bologna.code, "csv"])
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert first["Cache-Control"] == "public, no-cache"
    assert "primo" in _text(first)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_case("secondo")  # a change of the data: a new version, a new file
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    codes = {r["code"] for r in csv.DictReader(io.StringIO(_text(second)))}
    assert codes == {"primo", "secondo"}


def test_the_filters_of_the_list_apply_to_its_download(client, bologna, make_case):
    make_case("vecchio", reported_on=dt.date(2021, 3, 1))
    make_case("nuovo", reported_on=dt.date(2023, 3, 1))
    url = reverse("instruments:cases_download", args=[bologna.code, "csv"])
    filtered = client.get(url, {"anno": "2023", "pagina": "2"})
    assert filtered.status_code == 200
    assert [r["code"] for r in csv.DictReader(io.StringIO(_text(filtered)))] == ["nuovo"]
    every = client.get(url)
    assert {r["code"] for r in csv.DictReader(io.StringIO(_text(every)))} == {"vecchio", "nuovo"}


def test_a_formula_in_a_cell_is_escaped_in_every_download(client, bologna, make_case):
    make_case(company_name='=HYPERLINK("http://x")')
    for fmt in ("csv", "json"):
        response = client.get(reverse("instruments:cases_download", args=[bologna.code, fmt]))
        text = _text(response)
        assert "=HYPERLINK" in text
        assert "'=HYPERLINK" in text or fmt == "json"
    xlsx = client.get(reverse("instruments:cases_download", args=[bologna.code, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_unknown_format_is_not_found(client, bologna):
    for name in ("cases_download", "register_download", "development_download"):
        assert (
            client.get(reverse(f"instruments:{name}", args=[bologna.code, "pdf"])).status_code
            == 404
        )


def test_register_and_development_downloads_answer_files(client, bologna):
    for name, first in (
        ("register_download", "company"),
        ("development_download", "service"),
    ):
        response = client.get(reverse(f"instruments:{name}", args=[bologna.code, "csv"]))
        assert response.status_code == 200 and response["ETag"]
        assert _text(response).splitlines()[0].startswith(first)


def test_the_layout_stays_private_to_the_office(client, people):
    client.force_login(people["safeguard_clerk"])
    response = client.get(reverse("instruments:import_layout", args=["crisis-cases", "csv"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(people["stranger"])
    assert (
        client.get(reverse("instruments:import_layout", args=["crisis-cases", "csv"])).status_code
        == 403
    )
