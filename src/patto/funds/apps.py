"""App configuration for the pact's funds."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "patto.funds"
    label = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        from patto.core.importing import register_importer
        from patto.pact.selectors import register_count
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .exchange import IMPORTER
        from .package import load_funds_section
        from .selectors import fund_counts

        register_count(fund_counts)
        register_package_section(load_funds_section)
        register_importer(IMPORTER)
