"""App configuration for the work instruments."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "patto.instruments"
    label = "instruments"
    verbose_name = _("Work instruments")

    def ready(self) -> None:
        from patto.core.homepanels import register_home_panel
        from patto.core.importing import register_importer
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .exchange import CRISIS_CASES_IMPORTER, PATHWAYS_IMPORTER
        from .homepanel import instruments_panel
        from .package import load_instruments_section

        register_home_panel(instruments_panel)
        register_importer(CRISIS_CASES_IMPORTER)
        register_importer(PATHWAYS_IMPORTER)
        register_package_section(load_instruments_section)
