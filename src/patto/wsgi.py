"""WSGI entry point for gunicorn (`patto serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patto.settings")
application = get_wsgi_application()
