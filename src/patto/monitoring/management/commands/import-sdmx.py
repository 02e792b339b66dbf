"""`patto import-sdmx FILE --indicator CODE`: load an SDMX-CSV file into an indicator."""

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.monitoring.models import Indicator
from patto.monitoring.services import sdmx_import
from patto.pact.selectors import pact_default


class Command(BaseCommand):
    help = ("Import an SDMX-CSV file (ISTAT or Eurostat) into an indicator of a pact: each "
            "combination of the other dimensions becomes a series, ITTER107/REF_AREA codes are "
            "matched to territories' ISTAT codes. A revised value keeps the earlier one.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The SDMX-CSV file.")
        parser.add_argument("--indicator", required=True, help="The indicator's code.")
        parser.add_argument("--pact", help="The pact's code (default: the current pact).")

    def handle(self, *args, file, indicator, pact, **options):
        pact_obj = pact_default() if not pact else None
        found = Indicator.objects.filter(code=indicator, pact__code=pact or pact_obj.code).first()
        if found is None:
            raise CommandError(f"no indicator {indicator!r} in that pact: create it first "
                               "(back office or an Open SDG import)")
        try:
            summary = sdmx_import(path=file, indicator=found)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")
