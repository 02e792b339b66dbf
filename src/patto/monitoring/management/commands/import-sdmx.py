"""`patto import-sdmx FILE --indicator CODE`: load an SDMX-CSV file into an indicator."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.monitoring.models import ImportBatch, Indicator
from patto.monitoring.services import sdmx_import
from patto.pact.selectors import pact_default


class Command(BaseCommand):
    help = ("Import an SDMX-CSV file (ISTAT or Eurostat) into an indicator of a pact: each "
            "combination of the other dimensions becomes a series, REF_AREA/ITTER107/geo codes "
            "are matched to territories' codes, ISTAT codes and NUTS 2021 codes. A revised "
            "value keeps the earlier one.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The SDMX-CSV file.")
        parser.add_argument("--indicator", required=True, help="The indicator's code.")
        parser.add_argument("--pact", help="The pact's code (default: the current pact).")
        parser.add_argument(
            "--skip-unknown-areas", action="store_true",
            help="Leave out rows whose area is no loaded territory (e.g. the other regions "
                 "of a Eurostat file) and list them, instead of refusing the file.")

    def handle(self, *args, file, indicator, pact, skip_unknown_areas, **options):
        pact_obj = pact_default() if not pact else None
        found = Indicator.objects.filter(code=indicator, pact__code=pact or pact_obj.code).first()
        if found is None:
            raise CommandError(f"no indicator {indicator!r} in that pact: create it first "
                               "(back office or an Open SDG import)")
        try:
            summary = sdmx_import(path=file, indicator=found,
                                  skip_unknown_areas=skip_unknown_areas)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        if summary.get("skipped"):
            batch = ImportBatch.objects.filter(kind="sdmx", name=Path(file).name) \
                .order_by("-pk").first()
            for line in batch.summary.get("warnings", [])[:20]:
                self.stderr.write(f"skipped: {line}")
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")
