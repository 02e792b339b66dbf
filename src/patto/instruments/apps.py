"""App configuration for the work instruments."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "patto.instruments"
    label = "instruments"
    verbose_name = _("Work instruments")

    def ready(self) -> None:
        from patto.core.homepanels import register_home_panel

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .homepanel import instruments_panel

        register_home_panel(instruments_panel)
