"""App configuration for the shared core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "patto.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import (
            cache,
            checks,  # noqa: F401 - registers the system checks
        )

        # Every write to the pact's data changes the version that cached pages are keyed by.
        connection_created.connect(cache.install, dispatch_uid="patto.core.cache.install")
