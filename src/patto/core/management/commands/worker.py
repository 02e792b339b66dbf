"""`patto worker`: runs background tasks (imports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker: takes tasks queued in the database and runs them."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run the tasks queued now, then exit.")

    def handle(self, *args, batch, **options):
        call_command("db_worker", batch=batch, interval=1.0)
