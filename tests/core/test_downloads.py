"""Public downloads built once per data version, served as files, rebuilt after a change."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading

import openpyxl
import pytest
from django.test import RequestFactory

from patto.core import downloads
from patto.core.cache import data_changed, data_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def folder(settings, tmp_path):
    settings.PATTO_DOWNLOADS_DIR = tmp_path / "downloads"
    return settings.PATTO_DOWNLOADS_DIR


class Counting:
    """A builder that counts its calls; ``gate`` holds it until released."""

    def __init__(self, rows, gate: threading.Event | None = None):
        self.rows, self.gate, self.calls = rows, gate, 0

    def __call__(self):
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(10)
        return ["a", "b"], list(self.rows)


def test_a_download_is_built_once_per_data_version_and_again_after_a_change():
    build = Counting([["1", "=cmd"]])
    first, version = downloads.download_file("t", "csv", build)
    again, same = downloads.download_file("t", "csv", build)
    assert (again, same) == (first, version) and build.calls == 1
    assert list(csv.reader(io.StringIO(first.read_text()))) == [["a", "b"], ["1", "'=cmd"]]
    data_changed()
    build.rows = [["2", "x"]]
    later, newer = downloads.download_file("t", "csv", build)
    assert newer != version and later != first and build.calls == 2
    assert "2,x" in later.read_text()


def test_concurrent_requests_for_a_missing_file_build_it_once():
    gate = threading.Event()
    build = Counting([["1", "2"]], gate)
    found, errors = [], []

    def ask():
        try:
            found.append(downloads.download_file("same", "csv", build)[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(20)
    assert not errors and len(found) == 8 and len(set(found)) == 1
    assert build.calls == 1


def test_xlsx_and_json_hold_the_same_rows():
    table = Counting([["1", "+39 051"], ["2", "è"]])
    xlsx, _v = downloads.download_file("t", "xlsx", table)
    sheet = openpyxl.load_workbook(xlsx).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["a", "b"], ["1", "'+39 051"], ["2", "è"]]
    data, _v = downloads.download_file("t", "json", table)
    assert json.loads(data.read_text()) == [{"a": "1", "b": "+39 051"}, {"a": "2", "b": "è"}]


def test_an_unknown_format_is_not_found_and_builds_nothing():
    from django.http import Http404

    build = Counting([])
    with pytest.raises(Http404):
        downloads.download_file("t", "pdf", build)
    assert build.calls == 0


def test_response_is_a_file_with_etag_and_a_304_for_the_same_version():
    factory = RequestFactory()
    build = Counting([["1", "2"]])
    response = downloads.download_response(factory.get("/x.csv"), key="t", fmt="csv",
                                           build=build, filename="tabella")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="tabella.csv"'
    assert response["Content-Type"].startswith("text/csv")
    etag = response["ETag"]
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    response.close()
    again = downloads.download_response(factory.get("/x.csv", HTTP_IF_NONE_MATCH=etag),
                                        key="t", fmt="csv", build=build, filename="tabella")
    assert again.status_code == 304 and build.calls == 1
    data_changed()
    changed = downloads.download_response(factory.get("/x.csv", HTTP_IF_NONE_MATCH=etag),
                                          key="t", fmt="csv", build=build,
                                          filename="tabella")
    assert changed.status_code == 200 and changed["ETag"] != etag and build.calls == 2
    changed.close()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_client_taking_gzip_gets_the_compressed_copy_of_the_same_bytes(fmt):
    factory = RequestFactory()
    rows = [[str(n), f"riga {n} con testo che si ripete"] for n in range(2000)]
    build = Counting(rows)

    def ask(**headers):
        response = downloads.download_response(factory.get("/x", **headers), key="t",
                                               fmt=fmt, build=build, filename="tabella")
        body = b"".join(response.streaming_content)
        response.close()
        return response, body

    plain, plain_body = ask()
    packed, packed_body = ask(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    refused, refused_body = ask(HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert build.calls == 1  # one build makes both files
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed_body) == plain_body == refused_body
    assert len(packed_body) * 5 < len(plain_body)
    assert int(packed["Content-Length"]) == len(packed_body)
    assert packed["Content-Disposition"] == f'attachment; filename="tabella.{fmt}"'
    assert packed["Vary"] == plain["Vary"] == "Accept-Encoding"
    # Different bytes, different tags; each one answers its own 304.
    assert packed["ETag"] != plain["ETag"]
    again = downloads.download_response(
        factory.get("/x", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]),
        key="t", fmt=fmt, build=build, filename="tabella")
    assert again.status_code == 304


def test_a_failed_build_leaves_neither_the_file_nor_its_compressed_copy(folder):
    def broken():
        def rows():
            yield ["1", "2"]
            raise RuntimeError("the database went away")
        return ["a", "b"], rows()

    with pytest.raises(RuntimeError, match="went away"):
        downloads.download_file("t", "csv", broken)
    assert [p.name for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"] == []


def test_folders_of_older_versions_are_removed_once_old(folder, monkeypatch):
    build = Counting([["1", "2"]])
    old, _v = downloads.download_file("t", "csv", build)
    monkeypatch.setattr(downloads, "KEEP_OLD_SECONDS", -1)
    data_changed()
    new, version = downloads.download_file("t", "csv", build)
    assert not old.exists() and new.exists()
    assert [p.name for p in folder.iterdir()] == [version]


def test_query_key_ignores_the_order_of_filters_and_the_format():
    factory = RequestFactory()
    a = downloads.query_key(factory.get("/p/?b=2&a=1&formato=csv"), "p")
    b = downloads.query_key(factory.get("/p/?formato=xlsx&a=1&b=2&c="), "p")
    assert a == b == "p&a=1&b=2"
    assert downloads.query_key(factory.get("/p/?a=3"), "p") != a


def test_data_version_read_before_building_keys_the_file():
    """A change while a file is built leaves it under the old version, never the new one."""
    versions = []

    def build():
        versions.append(data_version())
        data_changed()
        return ["a"], [["1"]]

    path, version = downloads.download_file("t", "csv", build)
    assert versions == [version] and data_version() != version
    assert path.parent.name == version


def test_a_transaction_that_wrote_reads_its_own_writes_and_shares_none():
    """Inside a transaction that changed the data (a service reading back, a test), files
    and figures are keyed by that transaction and its writes: never served to others (its
    rows may still be rolled back), never stale after its next write."""
    from django.db import transaction

    from patto.core.cache import current_version, versioned
    from patto.pact.models import PartyCategory

    shared = current_version()

    def names():
        return ["name"], [[c.name] for c in PartyCategory.objects.order_by("code")]

    with transaction.atomic():
        PartyCategory.objects.create(code="zz-one", name="Uno")
        first = current_version()
        assert first.startswith("tx-") and first != shared
        path, _v = downloads.download_file("categories", "csv", names)
        assert "Uno" in path.read_text()
        assert versioned("count", PartyCategory.objects.count) == \
            PartyCategory.objects.count()
        PartyCategory.objects.create(code="zz-two", name="Due")
        assert current_version() != first
        again, _v = downloads.download_file("categories", "csv", names)
        assert "Due" in again.read_text() and again != path
        assert versioned("count", PartyCategory.objects.count) == \
            PartyCategory.objects.count()
