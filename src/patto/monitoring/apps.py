"""App configuration for monitoring."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "patto.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from patto.pact.selectors import register_count
        from patto.pact.services import register_package_section
        from patto.projects.selectors import register_sheet_panel

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .package import load_agenda_section
        from .selectors import monitoring_counts, project_indicators

        register_package_section(load_agenda_section)
        register_count(monitoring_counts)
        register_sheet_panel(project_indicators)

        from patto.projects.services import register_indicator_shares

        from .project_progress import indicator_shares

        register_indicator_shares(indicator_shares)

        from django.db.models.signals import post_migrate

        post_migrate.connect(_fill_after_migrate, sender=self)

        from patto.core.importing import register_importer

        from .spreadsheet import IMPORTER

        register_importer(IMPORTER)


def _fill_after_migrate(sender, using="default", **kwargs) -> None:
    """A database migrated from before stored assessments gets them at once."""
    from django.db import connections

    from .assessments import assessments_fill

    if "monitoring_indicatorresult" in connections[using].introspection.table_names():
        assessments_fill()
