"""How a request shows its token (``Authorization: Bearer patto_…``), and what a token allows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions


class TokenAuthentication(authentication.BaseAuthentication):
    """A bearer token; a request without one is anonymous (it may still read)."""

    keyword = "Bearer"

    def authenticate(self, request):
        from . import services
        from .models import ApiToken

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <token>”."))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        parts = services.split(raw)
        token = None
        if parts is not None:
            token = (ApiToken.objects.select_related("owner", "project", "pact")
                     .filter(prefix=parts[0]).first())
        if token is None or not services.matches(token, parts[1]):
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("The token was revoked: ask the secretariat for a new one."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token has expired: ask the secretariat for a new one."))
        if not token.owner.is_active:
            raise exceptions.AuthenticationFailed(_("The token's owner is no longer active."))
        services.token_touch(token=token)
        return token.owner, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class HasScope(permissions.BasePermission):
    """A token with the view's scope (``required_scope``); without a token: 401."""

    message = _("This token lacks the scope this request needs.")

    def has_permission(self, request, view):
        from .models import ApiToken

        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(
                _("Writing needs an API token: send “Authorization: Bearer <token>”."))
        scope = getattr(view, "required_scope", None)
        if scope is None or not token.has_scope(scope):
            self.message = _("This token lacks the scope “%(scope)s”.") % {"scope": scope}
            return False
        return True


def token_reaches(token, *, pact_id: int, project_id: int | None) -> bool:
    """Whether a token limited to a pact or a project reaches this object."""
    if token.pact_id is not None and token.pact_id != pact_id:
        return False
    if token.project_id is not None and token.project_id != project_id:
        return False
    return True
