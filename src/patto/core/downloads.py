"""Public downloads built once per data version and served as files.

A download never computes at request time what can be built when the data change. Its file is
written with the one exporter (:mod:`patto.core.exports`) into a folder named by the data
version (see :mod:`patto.core.cache`), and every request for the same download and version is
served from that file, streamed, with an ETag and a Last-Modified that change with the
version. A file lock makes concurrent builders of the same missing file wait for the one that
builds it instead of all building it. The file is written beside its final name and renamed
into place, so nobody reads half a file, and a failed build leaves nothing behind. Folders of
older versions are removed a while after a newer one was built.

Small downloads (a list page's rows) are built inside the first request that asks for them.
Large ones (a national fund's journal: a quarter of a million entries) would hold a web
worker for minutes, so they are *registered* (:func:`register`) as kinds that a background
task can build from plain parameters, without the request:

- when a change of the pact's data is committed, one task (:func:`patto.core.tasks.
  build_downloads`) builds, for the new version, every background kind's usual files (each
  instance's CSV in the site's language) and the files people asked for lately;
- a request for a file of the current version that is not built yet queues its build (once)
  and is answered 503 with ``Retry-After`` and a short page saying it is being prepared: never
  an older version's file as if it were current, since a cached page must never be stale;
- a registered kind is built in the background when its registration says ``background=True``
  or once one of its builds took longer than ``PATTO_DOWNLOADS_BACKGROUND_AFTER`` seconds.

The file is keyed by the version read before its rows are read: a change committed meanwhile
only makes a file that nobody asks for any more, never a stale file under a current key. A
transaction that has written the pact's data reads under a version of its own
(:func:`patto.core.cache.current_version`), so its uncommitted rows never reach a file that
others are served (and such a transaction builds inline: no worker can see its rows).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.translation import gettext as _

from . import exports
from .cache import current_version

logger = logging.getLogger(__name__)

#: What a download can be written as (JSON: a list of records, header names as keys).
FORMATS = ("csv", "xlsx", "json")
#: Folders of older versions are removed once they are this old (a request that found its
#: file just before a change still opens it in time).
KEEP_OLD_SECONDS = 120
#: A download's table: its header and its rows, read only when the file must be built.
Builder = Callable[[], exports.Table]

#: A registered kind built inline that took longer than this moves to the background (per
#: kind, remembered in the cache); PATTO_DOWNLOADS_BACKGROUND_AFTER overrides it.
BACKGROUND_AFTER_SECONDS = 5.0
#: How long a queued build keeps others from queueing it again; a worker that died leaves
#: the file to be queued again after this.
QUEUED_SECONDS = 3600
#: Files asked for that the prebuild did not make are made by later prebuilds for this long
#: after the last time one was missing.
WANTED_SECONDS = 7 * 86400
#: Bounds of the Retry-After a 503 proposes (the last build's duration, when known).
RETRY_MIN, RETRY_MAX, RETRY_UNKNOWN = 2, 60, 10

_PENDING = "patto:downloads:pending"  # a prebuild task is queued and has not started
_WANTED = "patto:downloads:wanted"


def downloads_dir() -> Path:
    """Where the files live: PATTO_DOWNLOADS_DIR, else ``downloads`` under MEDIA_ROOT (which
    the site does not serve: every file goes through :func:`download_response`)."""
    found = getattr(settings, "PATTO_DOWNLOADS_DIR", None)
    return Path(found) if found else Path(settings.MEDIA_ROOT) / "downloads"


def _file_name(key: str, fmt: str) -> str:
    # Keys carry query strings (a filtered list): hashed into a safe, bounded name.
    readable = "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:60]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.{fmt}"


def _path(version: str, key: str, fmt: str) -> Path:
    return downloads_dir() / version / _file_name(key, fmt)


def _gzip_path(path: Path) -> Path:
    return path.with_name(path.name + ".gz")


def _write(path: Path, fmt: str, table: exports.Table, sheet: str) -> None:
    """Write the file and, for text formats, its gzip copy (what browsers ask for: a
    national journal's CSV is a seventh of its size compressed); the copy is renamed into
    place first, so a file that exists always has its copy."""
    header, rows = table
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    packed = None
    try:
        with os.fdopen(handle, "wb") as out:
            if fmt == "xlsx":  # a ZIP already
                out.write(exports.xlsx_bytes({sheet: (header, rows)}))
            else:
                packed_handle, packed = tempfile.mkstemp(dir=path.parent,
                                                         prefix=".building-gz-")
                with os.fdopen(packed_handle, "wb") as raw, \
                        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6,
                                      mtime=0) as zipped:
                    lines = (exports.csv_lines(header, rows) if fmt == "csv"
                             else exports.json_lines(header, rows))
                    batch: list[str] = []
                    for line in lines:
                        batch.append(line)
                        if len(batch) >= 1000:
                            block = "".join(batch).encode()
                            out.write(block)
                            zipped.write(block)
                            batch.clear()
                    block = "".join(batch).encode()
                    out.write(block)
                    zipped.write(block)
        if packed is not None:
            os.replace(packed, _gzip_path(path))
        os.replace(scratch, path)
    except BaseException:
        for leftover in (scratch, packed):
            if leftover is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
        raise


def _prune(root: Path, keep: str) -> None:
    """Remove the folders of older versions that nobody can be reading any more."""
    limit = time.time() - KEEP_OLD_SECONDS
    for folder in root.iterdir():
        if folder.name != keep and folder.is_dir():
            with contextlib.suppress(OSError):
                if folder.stat().st_mtime < limit:
                    shutil.rmtree(folder, ignore_errors=True)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _build_locked(path: Path, version: str, fmt: str, build: Builder, sheet: str
                  ) -> float | None:
    """Build ``path`` under its lock unless it exists (or appears while we wait for the
    lock); the seconds the build took, None when somebody else had built it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(path), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.is_file():  # built by whoever held the lock before us
                return None
            started = time.monotonic()
            _write(path, fmt, build(), sheet)
            took = time.monotonic() - started
            _prune(downloads_dir(), version)
            return took
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _being_built(path: Path) -> bool:
    """Whether somebody holds the file's lock now (a worker writing it)."""
    lock_file = _lock_path(path)
    if not lock_file.exists():
        return False
    with open(lock_file, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def _background_after() -> float:
    return float(getattr(settings, "PATTO_DOWNLOADS_BACKGROUND_AFTER",
                         BACKGROUND_AFTER_SECONDS))


def download_file(key: str, fmt: str, build: Builder, *, sheet: str | None = None
                  ) -> tuple[Path, str]:
    """The file of a download for the current data version, built if missing (once, under a
    lock, whatever the number of requests waiting for it); returns it and the version."""
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}: use csv, xlsx or json")
    version = current_version()
    path = _path(version, key, fmt)
    if not path.is_file():
        took = _build_locked(path, version, fmt, build, sheet or key)
        if took is not None and took > _background_after():
            # Unregistered downloads cannot be built without their request: say which.
            logger.warning("download %s.%s took %.1f s inside a request: register it "
                           "(patto.core.downloads.register) to build it in the background",
                           key, fmt, took)
    return path, version


def query_key(request: HttpRequest, name: str, *, skip: tuple[str, ...] = ("formato",)
               ) -> str:
    """A download's key for a page whose filters are in its query string: the name and the
    filters in a fixed order (the same filters in any order give the same file)."""
    pairs = sorted((k, v) for k, values in request.GET.lists() if k not in skip
                   for v in values if v.strip())
    return name + "".join(f"&{k}={v}" for k, v in pairs)


def _file_response(request: HttpRequest, path: Path, version: str, key: str, fmt: str,
                   filename: str) -> HttpResponse:
    # The compressed copy when the client takes gzip (every browser does), with an ETag of
    # its own: the two are different bytes.
    packed = _gzip_path(path)
    compressed = _accepts_gzip(request) and packed.is_file()
    tag = f"{version}:{key}:{fmt}" + (":gzip" if compressed else "")
    etag = '"' + hashlib.sha256(tag.encode()).hexdigest()[:32] + '"'
    modified = int(path.stat().st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        not_modified["Vary"] = "Accept-Encoding"
        return not_modified
    # Streamed from the file in blocks: a large download never sits in memory.
    response = FileResponse(open(packed if compressed else path, "rb"), as_attachment=True,
                            filename=f"{filename}.{fmt}",
                            content_type=exports.CONTENT_TYPES[fmt])
    if compressed:
        # FileResponse names gzip files' encoding from the file's name; this one is the
        # download's own, which the browser unpacks.
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Browsers and proxies may keep it, asking again each time (a 304 when unchanged).
    response["Cache-Control"] = "public, no-cache"
    return response


def _accepts_gzip(request: HttpRequest) -> bool:
    """Whether the request's Accept-Encoding takes gzip (a ``q=0`` refuses it)."""
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _sep, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = params.strip().lower()
            return not re.fullmatch(r"q\s*=\s*0(\.0*)?", quality)
    return False


def download_response(request: HttpRequest, *, key: str, fmt: str, build: Builder,
                      filename: str, sheet: str | None = None) -> HttpResponse:
    """A public download as a file: built once per data version (see :func:`download_file`),
    inside this request if missing, answered 304 when the browser holds the same version."""
    path, version = download_file(key, fmt, build, sheet=sheet)
    return _file_response(request, path, version, key, fmt, filename)


# ---------------------------------------------------------------------------------------------
# Registered kinds: downloads a task can build without the request


@dataclass(frozen=True)
class Kind:
    """A download that can be built from plain parameters (strings), in the language active
    while it is built: what a background task needs to build it without the request."""

    name: str
    build: Callable[..., exports.Table]
    #: Every parameter set worth building ahead after a change (e.g. every fund), or None.
    instances: Callable[[], Iterable[dict[str, str]]] | None = None
    #: Always built in the background (else only once a build was slow).
    background: bool = False
    #: The formats built ahead for each instance (other formats when first asked for).
    prebuild: tuple[str, ...] = ("csv",)
    sheet: str | None = field(default=None)

    def key(self, params: dict[str, str], language: str) -> str:
        return self.name + "".join(f"&{k}={params[k]}" for k in sorted(params)) + \
            f"&lang={language}"


@dataclass(frozen=True)
class Spec:
    """One file of a registered kind: what a build task receives (JSON-able)."""

    kind: str
    params: tuple[tuple[str, str], ...]
    fmt: str
    language: str

    @classmethod
    def of(cls, kind: str, params: dict[str, str], fmt: str, language: str) -> Spec:
        return cls(kind, tuple(sorted((str(k), str(v)) for k, v in params.items())), fmt,
                   language)

    def as_json(self) -> str:
        return json.dumps([self.kind, dict(self.params), self.fmt, self.language],
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Spec:
        kind, params, fmt, language = json.loads(text)
        return cls.of(kind, params, fmt, language)


_kinds: dict[str, Kind] = {}


def register(name: str, build: Callable[..., exports.Table], *,
             instances: Callable[[], Iterable[dict[str, str]]] | None = None,
             background: bool = False, prebuild: tuple[str, ...] = ("csv",),
             sheet: str | None = None) -> Kind:
    """Register a download kind (at import of the module that serves it, e.g. its views):
    ``build(**params)`` returns its table, in the active language."""
    if name in _kinds and _kinds[name].build.__qualname__ != build.__qualname__:
        raise ValueError(f"download kind {name!r} registered twice")
    kind = Kind(name, build, instances, background, tuple(prebuild), sheet)
    _kinds[name] = kind
    return kind


def kinds() -> dict[str, Kind]:
    """Every registered kind. They are registered by the modules that serve them, which the
    URL configuration imports: a worker or a command that has not loaded it does so here."""
    import_module(settings.ROOT_URLCONF)
    return dict(_kinds)


def _slow_key(name: str) -> str:
    return f"patto:downloads:slow:{name}"


def _took_key(spec: Spec) -> str:
    return f"patto:downloads:took:{spec.kind}:{spec.fmt}"


def in_background(kind: Kind) -> bool:
    return kind.background or cache.get(_slow_key(kind.name)) is not None


def build_spec(spec: Spec) -> tuple[Path, str, float | None]:
    """Build one file of a registered kind for the current version, unless built; returns
    its path, the version and the seconds the build took (None when it was there)."""
    if spec.fmt not in FORMATS:
        raise ValueError(f"unknown format {spec.fmt!r}")
    kind = kinds()[spec.kind]
    params = dict(spec.params)
    version = current_version()
    path = _path(version, kind.key(params, spec.language), spec.fmt)
    if path.is_file():
        return path, version, None
    with translation.override(spec.language):
        took = _build_locked(path, version, spec.fmt, lambda: kind.build(**params),
                             kind.sheet or kind.name)
    if took is not None:
        cache.set(_took_key(spec), took, timeout=None)
        if not kind.background and took > _background_after():
            cache.set(_slow_key(kind.name), round(took, 1), timeout=None)
            logger.info("download kind %s took %.1f s: built in the background from now on",
                        kind.name, took)
    return path, version, took


def _queued_key(spec: Spec, version: str) -> str:
    digest = hashlib.sha256(spec.as_json().encode()).hexdigest()[:24]
    return f"patto:downloads:queued:{version}:{digest}"


def run_build(spec_json: str, version: str) -> str:
    """The body of the build task: the file, or the exception after cleaning up (the
    scratch file is removed and the lock released by the build itself; the queued mark is
    dropped so that the next request queues it again)."""
    spec = Spec.from_json(spec_json)
    try:
        path, built_for, _took = build_spec(spec)
    except Exception:
        logger.exception("building download %s failed", spec_json)
        raise
    finally:
        cache.delete(_queued_key(spec, version))
    return f"{built_for}/{path.name}"


def _queue(spec: Spec, version: str) -> bool:
    """Queue the build of one file, unless queued already for this version; whether it was
    queued now."""
    from .tasks import build_download

    marker = _queued_key(spec, version)
    if not cache.add(marker, time.time(), timeout=QUEUED_SECONDS):
        return False
    try:
        build_download.enqueue(spec.as_json(), version)
    except Exception:
        # No queue (Redis down): say so in the log, let the next request try again.
        cache.delete(marker)
        logger.exception("could not queue download %s", spec.as_json())
        return False
    return True


def _want(spec: Spec) -> None:
    """Remember a file somebody asked for and did not find: later prebuilds make it."""
    now = time.time()
    wanted = {k: t for k, t in (cache.get(_WANTED) or {}).items() if t > now - WANTED_SECONDS}
    wanted[spec.as_json()] = now
    cache.set(_WANTED, wanted, timeout=None)


def _retry_after(spec: Spec) -> int:
    took = cache.get(_took_key(spec))
    if took is None:
        return RETRY_UNKNOWN
    return int(min(RETRY_MAX, max(RETRY_MIN, round(took))))


def _preparing(request: HttpRequest, seconds: int) -> HttpResponse:
    """503 with Retry-After and a short page that tries again by itself."""
    title = _("File being prepared")
    body = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="{}"><title>{}</title></head>'
        '<body><h1>{}</h1><p>{}</p><p><a href="{}">{}</a></p></body></html>\n',
        translation.get_language() or settings.LANGUAGE_CODE, seconds, title, title,
        _("This file is being prepared with the latest data. It should be ready in about "
          "%(seconds)s seconds: this page tries again by itself.") % {"seconds": seconds},
        request.get_full_path(), _("Try again"))
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def kind_response(request: HttpRequest, kind: Kind, fmt: str, *, filename: str,
                  **params: str) -> HttpResponse:
    """A registered download: its file for the current version if built; else built here
    when the kind is small, or queued and answered 503 with Retry-After when it is built in
    the background."""
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}: use csv, xlsx or json")
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = kind.key(params, language)
    version = current_version()
    path = _path(version, key, fmt)
    if not path.is_file():
        spec = Spec.of(kind.name, params, fmt, language)
        if version.startswith("tx-") or not in_background(kind):
            # Small, or inside a transaction that wrote (no worker can read its rows).
            path, version, _took = build_spec(spec)
        else:
            _want(spec)
            if not _being_built(path):
                _queue(spec, version)  # with the immediate backend, built now
            if not path.is_file():
                return _preparing(request, _retry_after(spec))
    return _file_response(request, path, version, key, fmt, filename)


# ---------------------------------------------------------------------------------------------
# Building ahead, when the data change


def prebuild_specs() -> Iterator[Spec]:
    """The files built ahead for a new version: each background kind's instances in its
    prebuild formats and the site's language, then the files asked for lately."""
    registered = kinds()
    seen: set[Spec] = set()
    for kind in registered.values():
        if not in_background(kind) or kind.instances is None:
            continue
        for params in kind.instances():
            for fmt in kind.prebuild:
                spec = Spec.of(kind.name, params, fmt, settings.LANGUAGE_CODE)
                if spec not in seen:
                    seen.add(spec)
                    yield spec
    for text in sorted(cache.get(_WANTED) or {}):
        spec = Spec.from_json(text)
        kind = registered.get(spec.kind)
        if spec not in seen and kind is not None and in_background(kind):
            seen.add(spec)
            yield spec


def prebuild(*, progress: Callable[[Spec, float | None], None] | None = None) -> int:
    """Build the new version's files (the body of the task queued on commit); stops early
    when the data change again meanwhile (that change queued the next run). Every file is
    tried: a failure is logged and raised once the others are built. Returns the number of
    files built."""
    cache.delete(_PENDING)  # from now on a change queues another run
    version = current_version()
    built, failed = 0, []
    for spec in prebuild_specs():
        if current_version() != version:
            break
        try:
            took = build_spec(spec)[2]
        except Exception as error:
            logger.exception("prebuilding download %s failed", spec.as_json())
            failed.append(f"{spec.as_json()}: {error!r}")
            continue
        built += took is not None
        if progress is not None:
            progress(spec, took)
    if failed:
        raise RuntimeError("downloads that could not be built: " + "; ".join(failed))
    return built


def data_committed() -> None:
    """A change of the pact's data was committed (called by :mod:`patto.core.cache`): queue
    one prebuild, unless one is queued that has not started yet (it will read the newest
    version). Never raises: the change is committed whatever happens here."""
    if not getattr(settings, "PATTO_DOWNLOADS_PREBUILD", not settings.UNDER_PYTEST):
        return
    try:
        if not any(in_background(kind) for kind in kinds().values()):
            return
        if not cache.add(_PENDING, time.time(), timeout=QUEUED_SECONDS):
            return
        from .tasks import build_downloads

        try:
            build_downloads.enqueue()
        except Exception:
            cache.delete(_PENDING)
            raise
    except DatabaseError as error:
        # The database queue's table is not there yet: a data migration of `migrate` has
        # committed before the queue's own migration ran. Nothing to keep fresh yet.
        logger.debug("downloads not queued: %s", error)
    except Exception:
        logger.exception("could not queue the downloads of the new data version")
