"""Public pages served from the cache, under a key that every change of the pact's data changes.

The data version is a token in the cache. Every statement that writes a table of the pact's
data (whatever the path: a service, the admin, an import, plain SQL) replaces the token when it
runs and again when its transaction commits, so a page cached meanwhile is never served after
the change. Paths whose writes Django's cursor does not show as such (PostgreSQL ``COPY``, a
database function called with ``SELECT``) call :func:`wrote` themselves.

A public page is cached whole when a visitor who is not signed in asks for it with GET: the
key holds the data version, the language and the full path. Pages that set a cookie, say
``no-store`` or ``private``, stream, or are not 200 are never cached.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

VERSION_KEY = "patto:data-version"
#: Paths never cached: the back office, sign-in, personal statements, language switch.
PRIVATE_PREFIXES = ("/gestione/", "/accedi/", "/esci/", "/fondi/estratto/", "/i18n/")
_PRIVATE = PRIVATE_PREFIXES + tuple("/en" + p for p in PRIVATE_PREFIXES)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.I)
#: The apps whose tables are the pact's data (every patto app but core).
_tables: frozenset[str] | None = None


def data_tables() -> frozenset[str]:
    global _tables
    if _tables is None:
        _tables = frozenset(
            model._meta.db_table for model in apps.get_models(include_auto_created=True)
            if model.__module__.startswith("patto.") and model._meta.app_label != "core"
            # Bookkeeping that no public page shows (an API token's last use, say).
            and not getattr(model, "PATTO_NOT_DATA", False))
    return _tables


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _committed() -> None:
    """A change is committed: a new version, and the large downloads start building for it
    in the background (patto.core.downloads; imported here, as it imports this module)."""
    _new_version()
    from .downloads import data_committed

    data_committed()


def data_changed() -> None:
    """The pact's data changed: every cached page is out of date, now and once committed."""
    _new_version()
    transaction.on_commit(_committed)


def _dirty(connection) -> bool:
    """Whether this connection's open transaction has written the pact's data."""
    blocks = connection.atomic_blocks
    return bool(blocks) and getattr(connection, "_patto_dirty_block", None) is blocks[0]


def _watch_writes(execute, sql, params, many, context):
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    result = execute(sql, params, many, context)
    if match and match.group(1) in data_tables():
        wrote(context["connection"])
    return result


def wrote(connection: Any = None) -> None:
    """A statement has just written the pact's data on ``connection`` (the default one if
    None). Statements Django runs are seen by their INSERT/UPDATE/DELETE; a path that writes
    through a database function (``SELECT funds_post(...)``) or ``COPY`` says so here."""
    connection = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        _committed()  # autocommit: the statement is committed already
        return
    if not _dirty(connection):
        # Once per transaction: the commit replaces the token again, and until the
        # transaction ends this connection bypasses the cache (see _cacheable_request).
        connection._patto_dirty_block = connection.atomic_blocks[0]
        connection._patto_transaction = uuid.uuid4().hex
        connection._patto_writes = 0
        data_changed()
    # Every write: what the transaction reads afterwards is keyed apart (see
    # current_version).
    connection._patto_writes += 1


def install(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Watch a new database connection's writes (connected to ``connection_created``)."""
    if connection is not None and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


T = TypeVar("T")
_MISSING = object()


def in_changed_transaction() -> bool:
    """Whether this process's open transaction has written the pact's data."""
    return _dirty(connections[DEFAULT_DB_ALIAS])


def current_version() -> str:
    """The data version as this process sees it: the shared one, or, inside a transaction
    that has written the pact's data, one of that transaction's own (drawn at its first
    write, with the count of its writes), so that what it reads, not yet anybody else's
    and maybe rolled back, is never kept where others would read it, nor read stale after
    its next write."""
    connection = connections[DEFAULT_DB_ALIAS]
    if _dirty(connection):
        return f"tx-{connection._patto_transaction}-{connection._patto_writes}"
    return data_version()


def versioned(name: str, compute: Callable[[], T]) -> T:
    """A figure derived from the pact's data (a fund's totals, the rows of a chart), computed
    once per data version and kept in the cache: the first request after a change computes
    it, the others read it, and no change can leave it stale (the key holds the version,
    see :func:`current_version`). Values must pickle."""
    key = f"patto:memo:{current_version()}:{name}"
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, timeout=getattr(settings, "PATTO_PAGE_CACHE_SECONDS", 86400))
    return found


def _cacheable_request(request) -> bool:
    return (getattr(settings, "PATTO_PAGE_CACHE", True)
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(_PRIVATE)
            and not request.user.is_authenticated
            and "messages" not in request.COOKIES
            and not in_changed_transaction())


def _cacheable_response(request, response) -> bool:
    control = response.get("Cache-Control", "")
    return (response.status_code == 200 and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.streaming and not response.cookies
            and "no-store" not in control and "private" not in control
            and len(response.content) <= getattr(settings, "PATTO_PAGE_CACHE_MAX_BYTES",
                                                  5 * 1024 * 1024))


def page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"patto:page:{data_version()}:{getattr(request, 'LANGUAGE_CODE', '')}:{path}"


class PublicPageCacheMiddleware:
    """Serves public pages from the cache; place it after authentication and locale."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if _cacheable_response(request, response):
            cache.set(key, response, timeout=getattr(settings, "PATTO_PAGE_CACHE_SECONDS",
                                                     86400))
        return response
