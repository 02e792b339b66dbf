"""Public downloads built once per data version and served as files.

A download never computes at request time what can be built when the data change: the first
request after a change of the pact's data (see :mod:`patto.core.cache`) writes the file with
the one exporter (:mod:`patto.core.exports`) into a folder named by the data version, and
every later request for the same download is served from that file, with an ETag and a
Last-Modified that change with the version. A file lock makes concurrent requests for the
same missing file wait for the one that builds it instead of all building it. The file is
written beside its final name and renamed into place, so nobody reads half a file. Folders
of older versions are removed a while after a newer one was built.

The file is keyed by the version read before its rows are read: a change committed meanwhile
only makes a file that nobody asks for any more, never a stale file under a current key. A
transaction that has written the pact's data reads under a version of its own
(:func:`patto.core.cache.current_version`), so its uncommitted rows never reach a file that
others are served.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from . import exports
from .cache import current_version

#: What a download can be written as (JSON: a list of records, header names as keys).
FORMATS = ("csv", "xlsx", "json")
#: Folders of older versions are removed once they are this old (a request that found its
#: file just before a change still opens it in time).
KEEP_OLD_SECONDS = 120
#: A download's table: its header and its rows, read only when the file must be built.
Builder = Callable[[], exports.Table]


def downloads_dir() -> Path:
    """Where the files live: PATTO_DOWNLOADS_DIR, else ``downloads`` under MEDIA_ROOT (which
    the site does not serve: every file goes through :func:`download_response`)."""
    found = getattr(settings, "PATTO_DOWNLOADS_DIR", None)
    return Path(found) if found else Path(settings.MEDIA_ROOT) / "downloads"


def _file_name(key: str, fmt: str) -> str:
    # Keys carry query strings (a filtered list): hashed into a safe, bounded name.
    readable = "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:60]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.{fmt}"


def _write(path: Path, fmt: str, table: exports.Table, sheet: str) -> None:
    header, rows = table
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    try:
        with os.fdopen(handle, "wb") as out:
            if fmt == "xlsx":
                out.write(exports.xlsx_bytes({sheet: (header, rows)}))
            else:
                lines = (exports.csv_lines(header, rows) if fmt == "csv"
                         else exports.json_lines(header, rows))
                batch: list[str] = []
                for line in lines:
                    batch.append(line)
                    if len(batch) >= 1000:
                        out.write("".join(batch).encode())
                        batch.clear()
                out.write("".join(batch).encode())
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise


def _prune(root: Path, keep: str) -> None:
    """Remove the folders of older versions that nobody can be reading any more."""
    limit = time.time() - KEEP_OLD_SECONDS
    for folder in root.iterdir():
        if folder.name != keep and folder.is_dir():
            with contextlib.suppress(OSError):
                if folder.stat().st_mtime < limit:
                    shutil.rmtree(folder, ignore_errors=True)


def download_file(key: str, fmt: str, build: Builder, *, sheet: str | None = None
                  ) -> tuple[Path, str]:
    """The file of a download for the current data version, built if missing (once, under a
    lock, whatever the number of requests waiting for it); returns it and the version."""
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}: use csv, xlsx or json")
    version = current_version()
    root = downloads_dir()
    folder = root / version
    path = folder / _file_name(key, fmt)
    if path.is_file():
        return path, version
    folder.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not path.is_file():  # built by whoever held the lock before us
                _write(path, fmt, build(), sheet or key)
                _prune(root, version)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path, version


def query_key(request: HttpRequest, name: str, *, skip: tuple[str, ...] = ("formato",)
               ) -> str:
    """A download's key for a page whose filters are in its query string: the name and the
    filters in a fixed order (the same filters in any order give the same file)."""
    pairs = sorted((k, v) for k, values in request.GET.lists() if k not in skip
                   for v in values if v.strip())
    return name + "".join(f"&{k}={v}" for k, v in pairs)


def download_response(request: HttpRequest, *, key: str, fmt: str, build: Builder,
                      filename: str, sheet: str | None = None) -> HttpResponse:
    """A public download as a file: built once per data version (see :func:`download_file`),
    answered 304 when the browser holds the same version."""
    path, version = download_file(key, fmt, build, sheet=sheet)
    etag = '"' + hashlib.sha256(f"{version}:{key}:{fmt}".encode()).hexdigest()[:32] + '"'
    modified = int(path.stat().st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        return not_modified
    response = FileResponse(open(path, "rb"), as_attachment=True,
                            filename=f"{filename}.{fmt}",
                            content_type=exports.CONTENT_TYPES[fmt])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Browsers and proxies may keep it, asking again each time (a 304 when unchanged).
    response["Cache-Control"] = "public, no-cache"
    return response
