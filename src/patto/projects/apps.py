"""App configuration for projects and reporting."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "patto.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from patto.core.importing import register_importer
        from patto.pact.selectors import register_count
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .exchange import IMPORTER
        from .opencoesione import IMPORTER as OPENCOESIONE_IMPORTER
        from .opencoesione import national_panel
        from .package import load_projects_section
        from .selectors import project_counts, register_sheet_panel

        register_count(project_counts)
        register_package_section(load_projects_section)
        register_importer(IMPORTER)
        register_importer(OPENCOESIONE_IMPORTER)
        register_sheet_panel(national_panel)
