"""App configuration for projects and reporting."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "patto.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from patto.core.importing import Importer, register_importer
        from patto.pact.selectors import register_count
        from patto.pact.services import register_package_section

        from . import rules as _rules  # noqa: F401 - registers object permissions
        from .exchange import import_job_runner
        from .package import load_projects_section
        from .selectors import project_counts

        register_count(project_counts)
        register_package_section(load_projects_section)
        register_importer(Importer("projects", _("Projects with their sheets"), None,
                                   "projects.delete_project", runner=import_job_runner))
