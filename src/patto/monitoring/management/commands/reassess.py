"""`patto reassess [--pact CODE] [--dry-run]`: assess every indicator and goal again."""

from django.core.management.base import BaseCommand, CommandError

from patto.monitoring.assessments import assessments_rebuild
from patto.pact.models import Pact


class Command(BaseCommand):
    help = ("Assess every indicator and goal again from the stored values, targets and "
            "options, and store the results the pages read. Services keep them current on "
            "every change; run it after changing the assessment method or fixing data by "
            "hand. Ends with how many stored results were out of date.")

    def add_arguments(self, parser):
        parser.add_argument("--pact", help="Only this pact's indicators and goals (its code).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Count the stored results that are out of date, change "
                                 "nothing.")

    def handle(self, *args, pact=None, dry_run=False, **options):
        pacts = Pact.objects.all()
        if pact:
            pacts = pacts.filter(code=pact)
            if not pacts.exists():
                raise CommandError(f"no pact with code {pact!r}; see the codes with "
                                   "`patto load-pact`")
        summary = assessments_rebuild(pacts=list(pacts), dry_run=dry_run)
        verb = "out of date" if dry_run else "assessed again"
        self.stdout.write(f"indicators: {summary.indicators}")
        self.stdout.write(f"indicators {verb}: {summary.changed}")
        self.stdout.write(f"goals: {summary.goals}")
        self.stdout.write(f"goals {verb}: {summary.goals_changed}")
