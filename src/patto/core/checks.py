"""System checks that make a misconfigured installation fail loudly, with the fix."""

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.staticfiles)
def check_front_end_assets(app_configs, **kwargs):
    """The npm assets (Bootstrap Italia, ECharts, htmx) must be installed to be served: every
    file named in VENDOR_FILES, and every folder of STATICFILES_DIRS."""
    from .staticfiles import vendor_files

    hint = ("Run `npm ci` in the project folder (or `make setup`), or point PATTO_ASSETS_DIR "
            "at the folder holding node_modules; a file missing from an installed package "
            "means VENDOR_FILES names a file of another version of it.")
    errors = []
    for prefix, folder in settings.STATICFILES_DIRS:
        if not Path(folder).is_dir():
            errors.append(checks.Error(f"Front-end assets for {prefix} are missing at {folder}.",
                                       hint=hint, id="core.E001"))
    missing = [(path, source) for path, (_prefix, source) in vendor_files().items()
               if not source.is_file()]
    if missing:
        path, source = missing[0]
        errors.append(checks.Error(
            f"{len(missing)} front-end asset file(s) are missing, the first {path} at {source}.",
            hint=hint, id="core.E001"))
    return errors
