"""`patto serve`: the production web server (gunicorn) on the project's WSGI application."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (production server); static files via whitenoise."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("PATTO_BIND", "127.0.0.1:8000"),
                            help="Address and port (default 127.0.0.1:8000 or $PATTO_BIND).")
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                            help="Gunicorn worker processes (default 2 or $WEB_CONCURRENCY).")

    def handle(self, *args, bind, workers, **options):
        argv = [sys.executable, "-m", "gunicorn", "patto.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--access-logfile", "-"]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
