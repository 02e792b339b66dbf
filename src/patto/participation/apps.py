"""App configuration for participation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "patto.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from patto.core.homepanels import register_home_panel
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .homepanel import participation_panel
        from .package import load_participation_section

        register_home_panel(participation_panel)
        register_package_section(load_participation_section)
