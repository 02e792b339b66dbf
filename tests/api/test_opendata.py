"""The open data: each dataset's CSV and XLSX, the Frictionless Data Package (valid by
frictionless), the open-data page (Italian and English, cached, fixed queries), and no
person's name, e-mail or phone anywhere in them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.cache import cache

from patto.api import opendata

from .test_personal_data import PHONE, personal  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def package_bytes(bologna, client) -> bytes:
    response = client.get("/dati/patto-datapackage.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return _body(response)


def test_every_dataset_has_rows_and_both_formats(bologna, client):
    for dataset in opendata.DATASETS:
        header, rows = dataset.build()
        assert header and len(set(header)) == len(header), dataset.slug
        rows = list(rows)
        if dataset.slug not in ("assessments",):
            assert rows, f"{dataset.slug} has no rows in the demo data"
        for fmt in opendata.TABLE_FORMATS:
            response = client.get(f"/dati/{dataset.slug}.{fmt}")
            assert response.status_code == 200, (dataset.slug, fmt)
            body = _body(response)
            if fmt == "csv":
                assert body.decode().splitlines()[0].split(",") == header
            else:
                assert body[:2] == b"PK"
    assert client.get("/dati/nothing.csv").status_code == 404
    assert client.get("/dati/projects.json").status_code == 404


def test_the_data_package_is_valid_by_frictionless(package_bytes, tmp_path):
    import frictionless

    with zipfile.ZipFile(io.BytesIO(package_bytes)) as bundle:
        bundle.extractall(tmp_path)
        names = set(bundle.namelist())
    assert names == {"datapackage.json", *(f"data/{d.slug}.csv" for d in opendata.DATASETS)}
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert descriptor["contributors"][0]["role"] == "publisher"
    assert [r["name"] for r in descriptor["resources"]] == [d.slug for d in opendata.DATASETS]
    types = {f["name"]: f["type"] for r in descriptor["resources"]
             if r["name"] == "movements" for f in r["schema"]["fields"]}
    assert types["amount"] == "number" and types["booked_on"] == "date"
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])[:10]


def test_the_licence_is_configurable(package_bytes, settings, client, tmp_path):
    settings.PATTO_OPEN_DATA_LICENCE = "https://www.dati.gov.it/iodl/2.0/"
    settings.PATTO_OPEN_DATA_LICENCE_TITLE = "IODL 2.0"
    assert opendata.licence() == ("https://www.dati.gov.it/iodl/2.0/", "IODL 2.0")
    path = tmp_path / "p.zip"
    opendata.build_package(path)
    with zipfile.ZipFile(path) as bundle:
        descriptor = json.loads(bundle.read("datapackage.json"))
    assert descriptor["licenses"][0] == {"name": "other", "path":
                                         "https://www.dati.gov.it/iodl/2.0/",
                                         "title": "IODL 2.0"}


def test_the_package_is_built_once_per_data_version(bologna, client):
    first, version = opendata.package_file()
    again, same = opendata.package_file()
    assert (first, version) == (again, same)
    stamp = first.stat().st_mtime_ns
    assert client.get("/dati/patto-datapackage.zip").status_code == 200
    assert first.stat().st_mtime_ns == stamp
    etag = client.get("/dati/patto-datapackage.zip")["ETag"]
    assert client.get("/dati/patto-datapackage.zip",
                      HTTP_IF_NONE_MATCH=etag).status_code == 304
    from patto.core.cache import wrote

    wrote()  # a write of the pact's data: a new version
    rebuilt, newer = opendata.package_file()
    assert newer != version and rebuilt != first


def test_the_tables_are_registered_background_kinds(bologna):
    from patto.core.downloads import kinds

    registered = kinds()
    for dataset in opendata.DATASETS:
        kind = registered[f"opendata-{dataset.slug}"]
        assert kind.background and set(kind.prebuild) == {"csv", "xlsx"}
        assert list(kind.instances()) == [{}]


def test_no_personal_data_in_any_file(personal, client, package_bytes):  # noqa: F811
    texts = {}
    for dataset in opendata.DATASETS:
        texts[dataset.slug] = _body(client.get(f"/dati/{dataset.slug}.csv")).decode()
    with zipfile.ZipFile(io.BytesIO(package_bytes)) as bundle:
        for name in bundle.namelist():
            texts[name] = bundle.read(name).decode()
    for fmt in ("ttl", "jsonld"):
        texts[fmt] = client.get(f"/dati/catalogo.{fmt}").content.decode()
    texts["page"] = client.get("/en/dati/").content.decode()
    for where, text in texts.items():
        found = sorted(p for p in personal if p in text)
        assert not found, f"{where}: {found}"
        assert not PHONE.search(text), f"{where}: {PHONE.search(text).group()}"
        header = text.splitlines()[0] if where in {d.slug for d in opendata.DATASETS} else ""
        for column in ("email", "phone", "first_name", "last_name", "recorded_by",
                       "person", "referents"):
            assert column not in header.split(","), (where, column)


def test_the_page_in_both_languages(bologna, client, django_assert_num_queries):
    cache.clear()
    # The pact for the header and nothing else: datasets and dates come from code and cache.
    response = client.get("/dati/", HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="it">' in html
    for dataset in opendata.DATASETS:
        assert f'href="/dati/{dataset.slug}.csv"' in html
        assert f'href="/dati/{dataset.slug}.xlsx"' in html
    for link in ("/dati/patto-datapackage.zip", "/dati/catalogo.ttl", "/dati/catalogo.jsonld",
                 "/api/v1/docs/", "https://creativecommons.org/licenses/by/4.0/"):
        assert f'href="{link}"' in html, link
    english = client.get("/en/dati/")
    assert english.status_code == 200 and '<html lang="en">' in english.content.decode()
    assert "Open data" in english.content.decode()


def test_the_page_takes_fixed_queries_and_is_cached(bologna, client, settings,
                                                    django_assert_num_queries):
    settings.PATTO_PAGE_CACHE = True
    cache.clear()
    client.get("/en/dati/")  # warm what is not the page's own (the session, the pact menu)
    cache.clear()
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/en/dati/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/en/dati/").status_code == 200


#: Queries of the open-data page when nothing is cached (the base template's own).
PAGE_QUERIES = 0
