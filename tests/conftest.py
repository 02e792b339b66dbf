"""Shared fixtures: the Bologna 2021 package loaded once per session into the test database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "packages" / "bologna-2021"
PACKAGE_2015 = ROOT / "packages" / "bologna-2015"
BOUNDARIES = ROOT / "data" / "territory" / "bologna_municipalities.geojson"


def pytest_configure(config):
    """Compile the translations first: the suite reads Italian pages, as visitors do."""
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "patto.cli", "compilemessages", "-v0", "--ignore=.venv/*",
         "--ignore=node_modules/*"], cwd=ROOT / "src" / "patto", check=True)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are rendered (and their queries counted) unless a test turns the cache on.
    settings.PATTO_PAGE_CACHE = False
    # Each test starts in the site's language, whatever a test before it left active.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def load_bologna() -> None:
    """The Bologna packages and boundaries; the SDG goals too, which a migration seeds and a
    transactional test's flush removes."""
    import importlib

    from patto.pact.models import SdgGoal
    from patto.pact.services import pact_load_package, territory_load_boundaries

    goals = importlib.import_module("patto.pact.migrations.0002_sdg_goals").GOALS
    for number, title, title_en in goals:
        SdgGoal.objects.update_or_create(number=number,
                                         defaults={"title": title, "title_en": title_en})
    pact_load_package(path=PACKAGE)
    pact_load_package(path=PACKAGE_2015)
    territory_load_boundaries(path=BOUNDARIES, source="ISTAT, elaborazione openpolis (CC BY)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_bologna()


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A writable copy of the Bologna package, to break on purpose."""
    target = tmp_path / "package"
    shutil.copytree(PACKAGE, target)
    return target


@pytest.fixture
def bologna(db):
    from patto.pact.models import Pact

    return Pact.objects.get(code="bologna-2021")


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_superuser("segreteria", "s@example.org",
                                                      "a-long-test-password")


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file; ``row`` counts like a spreadsheet (header is row 1)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[row - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def wipe_funds() -> None:
    """Empty the funds' books, which the application itself never deletes: for tests that
    need a database without projects, whose movements would otherwise protect them."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("funds_transformation", "funds_entry", "funds_account"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("UPDATE funds_movement SET pledge_id = NULL, commitment_id = NULL, "
                       "reverses_id = NULL")
        cursor.execute("DELETE FROM funds_movement")
