"""App configuration for the open-data API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "patto.api"
    label = "api"
    verbose_name = _("Open data and API")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the token's OpenAPI security scheme
