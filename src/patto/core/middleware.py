"""Limits on signed-in sessions (absolute and idle) and the client address behind our proxies.

A session of a signed-in person ends ``PATTO_SESSION_MAX_SECONDS`` after sign-in (8 hours) and
``PATTO_SESSION_IDLE_SECONDS`` after its last request (1 hour): a staff computer left open
does not stay signed in to the funds' books and the donors' data. Written here rather than
taken from a package: the maintained ones (django-session-security) need their own JavaScript
and templates, which the strict content policy and the pages would have to make room for,
and the small ones (django-session-timeout) have had no release for years and know no
absolute limit; this is twenty lines on Django's own session.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _

#: Session keys: when the person signed in, and when the session last served a request.
SIGNED_IN_AT = "patto_signed_in_at"
SEEN_AT = "patto_seen_at"
#: The last request's time is written at most this often (one session write a minute).
SEEN_PRECISION = 60


def _stamp(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


user_logged_in.connect(_stamp, dispatch_uid="patto.core.middleware.stamp")


class SessionLimitsMiddleware:
    """Sign out a session older than the absolute limit or idle longer than the idle limit.

    The times live in the session itself (server side), so a client cannot extend them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Visitors without a session cookie are left alone: reading the session would add
        # "Vary: Cookie" to every public page.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, int(time.time())
        signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
        if signed_in is None or seen is None:
            # Signed in before these limits were kept: they count from now.
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            seen = session.setdefault(SEEN_AT, now)
        if now - signed_in >= settings.PATTO_SESSION_MAX_SECONDS or \
                now - seen >= settings.PATTO_SESSION_IDLE_SECONDS:
            logout(request)  # flushes the session; the request goes on as a visitor's
            messages.info(request, _("You were signed out: a session lasts at most "
                                     "%(hours)s hours, and %(minutes)s minutes without "
                                     "activity. Sign in again.") % {
                "hours": settings.PATTO_SESSION_MAX_SECONDS // 3600,
                "minutes": settings.PATTO_SESSION_IDLE_SECONDS // 60})
            return
        if now - seen >= SEEN_PRECISION:
            session[SEEN_AT] = now


def client_ip(request) -> str | None:
    """The client's address for the login lockout (``AXES_CLIENT_IP_CALLABLE``).

    With ``PATTO_TRUSTED_PROXY_COUNT`` = N reverse proxies of ours in front of the platform,
    each appends to X-Forwarded-For the address it received the request from, so the
    client's address is the N-th entry from the right; entries further left were written by
    the client and are never trusted. With N = 0 (no proxy) it is REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PATTO_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()]
    if len(hops) < count:
        return remote  # the request did not come through every proxy: trust only the socket
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
