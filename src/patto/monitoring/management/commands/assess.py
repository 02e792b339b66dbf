"""`patto assess PATH`: assess an Open SDG folder or SDMX-CSV file, no server or database needed."""

import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from patto.engine.assess import FIELDS, OPENSDG_FIELDS, assess_opensdg_path, assess_sdmx
from patto.engine.opensdg_progress import Deviations
from patto.engine.problems import InputError
from patto.monitoring.reasons import describe_progress


class Command(BaseCommand):
    help = ("Assess every indicator of an Open SDG data folder as Open SDG (sdg-build 2.4) "
            "does, or every series of an SDMX-CSV file by the compound-annual-growth-rate "
            "method, printing one record per indicator and per series with the figures and "
            "the reason behind each status. Uses no database.")
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="An Open SDG data folder (with data/) or a .csv file "
                                         "in SDMX-CSV.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv",
                            help="Output format on standard output (default csv).")
        parser.add_argument("--strict", action="store_true",
                            help="Refuse the whole folder when any file has a problem, "
                                 "instead of assessing the other indicators.")
        parser.add_argument("--refuse-zero-base", action="store_true",
                            help="Give no status where the base value or target is 0, "
                                 "instead of sdg-build's substitute 0.001 (a Patto option).")
        parser.add_argument("--area", default=None,
                            help="Assess the rows of this GeoCode as the headline (a Patto "
                                 "option; sdg-build ignores GeoCode).")

    def handle(self, *args, path, format, strict, refuse_zero_base, area, **options):
        target = Path(path)
        if not target.exists():
            raise CommandError(f"{path}: no such file or folder")
        try:
            if target.is_dir():
                deviations = Deviations(refuse_zero_base=refuse_zero_base, area=area)
                records, warnings = assess_opensdg_path(target, strict, deviations)
                fields = [*OPENSDG_FIELDS, "explanation"]
                for warning in warnings:
                    self.stderr.write(f"warning: {warning}")
                with translation.override(translation.get_language() or "en"):
                    for record in records:
                        record["explanation"] = describe_progress(
                            record["reason"], record.pop("params"), record["status"])
            else:
                records, fields = assess_sdmx(target), FIELDS
        except InputError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        if format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=1, default=str))
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
