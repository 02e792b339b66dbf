"""System checks that make a misconfigured installation fail loudly, with the fix."""

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.staticfiles)
def check_front_end_assets(app_configs, **kwargs):
    """The npm assets (Bootstrap Italia, ECharts, htmx) must be installed to be served."""
    errors = []
    for prefix, folder in settings.STATICFILES_DIRS:
        if not Path(folder).is_dir():
            errors.append(checks.Error(
                f"Front-end assets for {prefix} are missing at {folder}.",
                hint="Run `npm ci` in the project folder (or `make setup`), or point "
                     "PATTO_ASSETS_DIR at the folder holding node_modules.",
                id="core.E001"))
    return errors
