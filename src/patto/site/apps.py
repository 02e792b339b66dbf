"""App configuration for the public shell."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "patto.site"
    label = "patto_site"
    verbose_name = _("Public site")
