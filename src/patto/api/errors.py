"""Every error of the API in one shape, made in one place (``REST_FRAMEWORK``'s exception
handler and the API's own 404):

    {"error": {"status": 403, "code": "permission_denied", "message": "…",
               "details": [{"field": "progress", "code": "max_value", "message": "…"}]}}

``details`` lists each fault of the input (its field, or its file, row and field for values
sent in bulk); it is empty when the message says all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from patto.core.errors import ApplicationError, problem_detail

#: HTTP status of an ApplicationError by its code; any other code is a 400.
STATUS_OF_CODE = {"forbidden": status.HTTP_403_FORBIDDEN,
                  "stale_version": status.HTTP_409_CONFLICT,
                  "submitted": status.HTTP_409_CONFLICT,
                  "round_closed": status.HTTP_409_CONFLICT}


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The input's field, or empty for the whole input.")
    code = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField(required=False, allow_null=True,
                                   help_text="The value's position in a list sent, from 1.")


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Stable, for programs: e.g. not_found, "
                                           "permission_denied, not_authenticated, throttled, "
                                           "invalid, stale_version.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    details = ErrorDetailSerializer(many=True)
    retry_after = serializers.IntegerField(required=False,
                                           help_text="Seconds to wait (throttled only).")


class ErrorSerializer(serializers.Serializer):
    """The one shape of every API error."""

    error = ErrorBodySerializer()


def body(status_code: int, code: str, message: str, details: list | None = None,
         **extra: Any) -> dict:
    return {"error": {"status": status_code, "code": code, "message": str(message),
                      "details": details or [], **extra}}


def _flatten(detail: Any, field: str = "") -> list[dict]:
    """DRF's nested validation errors as a flat list of (field, code, message)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():  # a position in a list sent
                found.extend(_flatten(value, f"{field}[{key}]"))
                continue
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            found.extend(_flatten(value, f"{field}.{name}" if field and name else
                                  (name or field)))
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                found.extend(_flatten(value, f"{field}[{index}]" if field else str(index)))
            else:
                found.extend(_flatten(value, field))
        return found
    return [{"field": field, "code": getattr(detail, "code", "invalid") or "invalid",
             "message": str(detail)}]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler, in the API's one shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        code = STATUS_OF_CODE.get(exc.code, status.HTTP_400_BAD_REQUEST)
        details = [{"field": p.field or "", "code": p.code, "message": problem_detail(p),
                    "row": p.row} for p in exc.problems]
        return Response(body(code, exc.code, exc.message, details), status=code)
    if isinstance(exc, Http404):
        return Response(body(404, "not_found", _("There is nothing at this address.")),
                        status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's handler logs it
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        request = context.get("request")
        authenticator = getattr(request, "_authenticator", None) or (
            request.authenticators[0] if request is not None and request.authenticators
            else None)
        if authenticator is not None:
            headers["WWW-Authenticate"] = authenticator.authenticate_header(request)
        exc.status_code = status.HTTP_401_UNAUTHORIZED
    extra = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait + 0.999)
        headers["Retry-After"] = str(extra["retry_after"])
    if isinstance(exc, exceptions.ValidationError):
        message, details = _("The request is not valid: see the details."), _flatten(exc.detail)
        code = "invalid"
    else:
        detail = exc.detail
        message = str(detail if not isinstance(detail, (list, dict)) else exc.default_detail)
        code = getattr(detail, "code", None) or exc.default_code
        details = []
    return Response(body(exc.status_code, str(code), message, details, **extra),
                    status=exc.status_code, headers=headers)


@csrf_exempt  # a machine address: a POST to it is a 404, not the site's CSRF page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/: a 404 in the API's shape, not the site's HTML page."""
    from .views import activate_requested_language

    activate_requested_language(request)
    response = JsonResponse(body(404, "not_found", _("There is nothing at this address: see "
                                                     "/api/v1/docs/ for the API's addresses.")),
                            status=404)
    response["Cache-Control"] = "private, no-cache"
    return response
