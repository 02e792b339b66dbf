"""`patto assess PATH`: assess an Open SDG folder or SDMX-CSV file, no server or database needed."""

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from patto.engine.assess import FIELDS, assess_path
from patto.engine.problems import InputError


class Command(BaseCommand):
    help = ("Assess every indicator and series of an Open SDG data folder or an SDMX-CSV file "
            "by the compound-annual-growth-rate method, printing one record per indicator and "
            "per series with the figures behind each status. Uses no database.")
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="An Open SDG data folder (with data/) or a .csv file "
                                         "in SDMX-CSV.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv",
                            help="Output format on standard output (default csv).")

    def handle(self, *args, path, format, **options):
        try:
            records = assess_path(path)
        except InputError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        if format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=1))
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
