"""`patto import-projects FILE`: import projects with their sheets from CSV or XLSX, atomically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.projects.exchange import import_file


class Command(BaseCommand):
    help = ("Import projects from a file made by export-projects (or edited from one). For "
            "each pact the file names, its projects become those of the file. Every row is "
            "checked first; one bad row refuses the whole file, with its place.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check and report what would change, writing nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            summary = import_file(Path(file), dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        for line, n in summary.items():
            self.stdout.write(f"{line}: {n}")
        if dry_run:
            self.stdout.write(self.style.WARNING("dry run: nothing was written"))
