"""The secretariat's page of API tokens: issue one (its secret shown once), revoke one."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.core.errors import ApplicationError
from patto.core.permissions import is_secretariat

from . import selectors, services
from .forms import TokenForm
from .models import ApiToken


def _secretariat_only(request: HttpRequest) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    _secretariat_only(request)
    form = TokenForm(request.POST or None)
    secret = issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued, secret = services.token_issue(
                user=request.user, owner=data["owner"], name=data["name"],
                scopes=data["scopes"], project=data["project"],
                expires_at=timezone.now() + dt.timedelta(days=data["days"]))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm()
    response = render(request, "api/tokens.html", {
        "form": form, "tokens": selectors.tokens_all(), "secret": secret, "issued": issued})
    # The secret is in this page alone: never kept by a cache, never shown again.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _secretariat_only(request)
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        services.token_revoke(user=request.user, token=token)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token %(prefix)s revoked: it no longer works.")
                         % {"prefix": token.prefix})
    return redirect("opendata:tokens")
