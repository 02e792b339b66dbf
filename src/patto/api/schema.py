"""How the API's own pieces read in its OpenAPI document (imported when the app is ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "patto.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "patto_<prefix>_<secret>",
                "description": str(_("An API token issued by the secretariat; only writes "
                                     "need one."))}
