"""`patto load-pact PATH`: load or reload a pact data package, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.pact.selectors import pact_counts
from patto.pact.services import pact_load_package


class Command(BaseCommand):
    help = ("Load a pact data package (a folder with datapackage.json). Loading the same "
            "package twice changes nothing; a package with an error is refused whole.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The package folder or its datapackage.json.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and report what would change, writing nothing.")

    def handle(self, *args, path, dry_run, **options):
        try:
            result = pact_load_package(path=path, dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        for label, counter in (("created", result.created), ("updated", result.updated),
                               ("deleted", result.deleted)):
            for kind, n in sorted(counter.items()):
                self.stdout.write(f"{label} {kind}: {n}")
        if not result.changed:
            self.stdout.write("nothing changed: the database already holds this package")
        if dry_run:
            self.stdout.write(self.style.WARNING("dry run: nothing was written"))
            return
        for pact in result.pacts:
            self.stdout.write(self.style.SUCCESS(f"pact {pact.code}: {pact.title}"))
            for kind, count in pact_counts(pact, full=True).items():
                self.stdout.write(f"{kind.replace('_', ' ')}: {count}")
