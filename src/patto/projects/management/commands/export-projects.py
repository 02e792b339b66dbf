"""`patto export-projects FILE`: every project with its sheet, as CSV or XLSX by extension."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.projects.exchange import export_file
from patto.projects.models import Project


class Command(BaseCommand):
    help = ("Export projects with their activities and sheets to FILE (.csv: one file with a "
            "'table' column; .xlsx: one sheet per table). Referents' names are included: the "
            "file holds personal data.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write: a .csv or .xlsx path.")
        parser.add_argument("--pact", help="Only this pact's projects (its code).")

    def handle(self, *args, file, pact, **options):
        projects = Project.objects.all()
        if pact:
            projects = projects.filter(pact__code=pact)
        try:
            count = export_file(projects, Path(file))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"projects: {count}")
        self.stdout.write(f"written: {file}")
