"""`patto load-scale`: a synthetic pact at national scale, for measuring the pages."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from patto.core.errors import ApplicationError
from patto.site.scale import SIZES, load_scale, size_with


class Command(BaseCommand):
    help = ("Loads into the configured database a synthetic pact at national scale, marked as "
            "example data: regions, provinces and municipalities, an agenda with a value for "
            "every territory, indicator and year, projects with their sheets and approved "
            "reports, fund movements. --size full is Italy's size (about 48 M observations, "
            "for PostgreSQL); small keeps the geography with about 1 M observations (SQLite, "
            "CI); tiny is for tests. Each figure can be set on its own. The database must not "
            "hold the scale pact already; progress and timings are printed.")

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small",
                            help="Preset the other options start from (default small).")
        parser.add_argument("--municipalities", type=int,
                            help="Municipalities (provinces and regions follow: 72 "
                                 "municipalities a province, up to 110 and 20).")
        parser.add_argument("--indicators", type=int, help="Agenda indicators.")
        parser.add_argument("--years", type=int, help="Years of each indicator (at least 2).")
        parser.add_argument("--projects", type=int, help="Projects with their sheets.")
        parser.add_argument("--movements", type=int, help="Fund movements.")

    def handle(self, *args, size, **o):
        wanted = {k: o[k] for k in ("municipalities", "indicators", "years", "projects",
                                    "movements")}
        for name, value in wanted.items():
            if value is not None and value < (2 if name == "years" else 1):
                raise CommandError(f"--{name} must be at least {2 if name == 'years' else 1}")
        if wanted["municipalities"] and wanted["municipalities"] > 110 * 999:
            raise CommandError("--municipalities: at most 109,890 (999 in each of 110 "
                               "provinces, as ISTAT's six-digit codes allow)")
        chosen = size_with(size, **wanted)
        try:
            result = load_scale(chosen, progress=self.stdout.write)
        except ApplicationError as error:
            raise CommandError("\n".join(error.lines())) from error
        total = sum(result.seconds.values())
        self.stdout.write(
            f"loaded: {chosen.territories:,} territories, {result.observations:,} "
            f"observations, {chosen.projects:,} projects, {result.reports:,} reports, "
            f"{result.movements:,} movements in {total:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()) + ")")
