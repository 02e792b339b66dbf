"""App configuration for governance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "patto.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from patto.core.homepanels import register_home_panel
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .homepanel import governance_panel
        from .package import load_governance_section

        register_home_panel(governance_panel)
        register_package_section(load_governance_section)
