"""`patto load-boundaries PATH`: attach municipal boundaries from a GeoJSON file."""

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.pact.services import territory_load_boundaries


class Command(BaseCommand):
    help = ("Attach boundaries from a GeoJSON FeatureCollection to the territories loaded, "
            "matching each feature's ISTAT code; all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="A GeoJSON FeatureCollection in WGS84.")
        parser.add_argument("--property", default="com_istat_code",
                            help="The feature property holding the ISTAT code "
                                 "(default: com_istat_code, as in ISTAT/openpolis files).")
        parser.add_argument("--source", default="ISTAT, elaborazione openpolis (CC BY)",
                            help="The credit line shown wherever the map is drawn.")

    def handle(self, *args, path, property, source, **options):
        try:
            summary = territory_load_boundaries(path=path, code_property=property, source=source)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")
