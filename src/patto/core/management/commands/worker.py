"""`patto worker`: runs background tasks (imports) from the queue the settings name."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Run the background worker: takes queued tasks (from Redis when REDIS_URL is set, "
            "else from the database) and runs them.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run the tasks queued now, then exit.")

    def handle(self, *args, batch, **options):
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
            # The backend's own job class runs a django-tasks Task.
            call_command("rqworker", "default", burst=batch, job_class="django_tasks_rq.Job")
        else:
            call_command("db_worker", batch=batch, interval=1.0)
