"""Every write of the API app: tokens issued and revoked. (The API's own writes of the pact's
data go through the apps' services: patto.projects.services, patto.monitoring.services.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.core.permissions import is_secretariat

from .models import ApiToken, Scope

#: Tokens read "patto_<prefix>_<secret>"; only the prefix is stored as it is.
TOKEN_START = "patto_"  # noqa: S105 - a marker, not a secret
#: A token's last use is written at most this often: each write changes the data version
#: (patto.core.cache), and a request per second must not empty every cache.
TOUCH_SECONDS = 3600


def digest(secret: str) -> str:
    """The stored form of a secret: a secret of 256 random bits needs no slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split(raw: str) -> tuple[str, str] | None:
    """The prefix and the secret of a token as presented, or None if it has no such shape."""
    if not raw.startswith(TOKEN_START):
        return None
    prefix, sep, secret = raw[len(TOKEN_START):].partition("_")
    if not sep or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


def matches(token: ApiToken, secret: str) -> bool:
    return hmac.compare_digest(token.digest, digest(secret))


def _require(user: Any) -> None:
    # None: the command line, run by whoever holds the server's shell.
    if user is not None and not is_secretariat(user):
        raise ApplicationError(_("Only the secretariat may issue or revoke API tokens."),
                               code="forbidden")


def token_issue(*, user: Any, owner: Any, name: str, scopes: list[str],
                pact: Any = None, project: Any = None,
                expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``owner``; returns it and the full secret, shown only this once.

    ``user`` is who issues it (the secretariat), or None from the command line.
    """
    _require(user)
    known = set(Scope.values)
    scopes = sorted(set(scopes))
    if not scopes or not set(scopes) <= known:
        raise ApplicationError(
            _("Choose the token's scopes among: %(scopes)s.") % {"scopes": ", ".join(
                sorted(known))}, code="bad_scope")
    if not (name or "").strip():
        raise ApplicationError(_("Give the token a name saying what it is for."),
                               code="name_required")
    if project is not None and pact is not None and project.pact_id != pact.pk:
        raise ApplicationError(_("The project is not in the token's pact."), code="bad_reach")
    if project is not None:
        pact = project.pact
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry must be in the future."), code="bad_expiry")
    if owner is None or not owner.is_active:
        raise ApplicationError(_("A token's owner must be an active account."),
                               code="bad_owner")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip()[:200], owner=owner, prefix=prefix, digest=digest(secret),
            scopes=scopes, pact=pact, project=project, expires_at=expires_at,
            created_by=user)
    return token, f"{TOKEN_START}{prefix}_{secret}"


def token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once; it stays listed, with who revoked it and when."""
    _require(user)
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user)
        if not updated:
            raise ApplicationError(_("This token was already revoked."), code="revoked")
    token.refresh_from_db()
    return token


def token_touch(*, token: ApiToken) -> None:
    """Note that a token was used, at most once per :data:`TOUCH_SECONDS`."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
