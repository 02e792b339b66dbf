"""Large public downloads are built by a task when the data change, never inside a request.

A request for such a file that is not built yet for the current data version is answered 503
with Retry-After (never an older version's file), queues its build once, and gets the file
once the worker has run. The task is queued when the change commits, not before and not for a
rolled-back change; a failed build leaves no partial file, no held lock, and can be tried
again.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from patto.core import downloads
from patto.core.cache import data_changed

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("PATTO_TEST_DOWNLOADS_REDIS_URL", "redis://127.0.0.1:6379/5")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
PACT = "bologna-2021"


@pytest.fixture(autouse=True)
def folder(settings, tmp_path):
    settings.PATTO_DOWNLOADS_DIR = tmp_path / "downloads"
    settings.PATTO_DOWNLOADS_PREBUILD = True
    cache.clear()  # the local-memory cache outlives a test: no marks left from another
    return settings.PATTO_DOWNLOADS_DIR


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def dummy_results():
    from django_tasks import task_backends

    return [r.task.name for r in task_backends["default"].results]


# A kind of this test: its table is the pact's party categories; ``FAIL`` makes it raise
# half-way through writing, ``CALLS`` counts its builds.
FAIL: list[bool] = [False]
CALLS: list[int] = [0]


def _categories(scope: str):
    from patto.pact.models import PartyCategory

    CALLS[0] += 1

    def rows():
        for n, category in enumerate(PartyCategory.objects.order_by("code")):
            if FAIL[0] and n == 1:
                raise RuntimeError("the database went away")
            yield [category.code, category.name]

    return ["code", "name"], rows()


CATEGORIES = downloads.register("test-categories", _categories, background=True,
                                instances=lambda: [{"scope": "all"}])
SMALL = downloads.register("test-small", lambda scope: (["a"], [["1"]]))


def _ask(kind=CATEGORIES, fmt="csv", **params):
    request = RequestFactory().get("/x.csv")
    return downloads.kind_response(request, kind, fmt, filename="f", **(params or
                                                                        {"scope": "all"}))


@pytest.fixture
def reset_kind():
    FAIL[0], CALLS[0] = False, 0
    yield
    FAIL[0] = False


# --- the whole path, committed, with the database queue and its worker --------------------


@pytest.fixture
def committed_donor(django_db_setup, django_db_blocker, settings):
    """A donor of the community fund who is named in its journal; renamed by the test in
    committed transactions, renamed back afterwards; the queue emptied."""
    settings.TASKS = DB_TASKS
    with django_db_blocker.unblock():
        from django_tasks_db.models import DBTaskResult

        from patto.funds.models import Donor, Fund, Movement

        if not Fund.objects.filter(pact__code=PACT, code="comunita").exists():
            # A transactional test earlier in the run flushed the session's package.
            from tests.conftest import load_bologna

            load_bologna()
        fund = Fund.objects.get(pact__code=PACT, code="comunita")
        donor = Donor.objects.get(pk=Movement.objects.filter(
            fund=fund, donor__kind="person", donor__consent_public=True)
            .values_list("donor_id", flat=True).first())
        name = donor.name
        DBTaskResult.objects.all().delete()
        cache.clear()  # with the queue emptied, no mark may say a build is still queued
        try:
            yield fund, donor
        finally:
            with transaction.atomic():
                Donor.objects.filter(pk=donor.pk).update(name=name)
            DBTaskResult.objects.all().delete()


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return sorted(DBTaskResult.objects.filter(status="READY")
                  .values_list("task_path", flat=True))


def _run_worker() -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_changed_journal_is_prepared_by_the_worker_and_never_served_stale(
        committed_donor, django_db_blocker):
    from patto.funds.models import Donor

    fund, donor = committed_donor
    url = reverse("funds:journal", args=[PACT, fund.code, "csv"])
    client = Client()
    with django_db_blocker.unblock():
        call_command("build-downloads", stdout=io.StringIO())
        before = client.get(url)
        assert before.status_code == 200 and donor.name in body(before).decode()
        assert _queued() == []

        with transaction.atomic():
            Donor.objects.filter(pk=donor.pk).update(name="Nome Cambiato Di Prova")
            assert _queued() == []  # nothing before the commit
        assert _queued() == ["patto.core.tasks.build_downloads"]

        # The old file is still on disk: it is not served as the current one.
        waiting = client.get(url)
        assert waiting.status_code == 503
        assert 1 <= int(waiting["Retry-After"]) <= downloads.RETRY_MAX
        assert waiting["Cache-Control"] == "no-store"
        assert b'http-equiv="refresh"' in waiting.content
        assert client.get(url).status_code == 503  # queued once, however often asked
        assert _queued() == ["patto.core.tasks.build_download",
                             "patto.core.tasks.build_downloads"]

        _run_worker()
        ready = client.get(url)
        assert ready.status_code == 200 and ready.streaming
        text = body(ready).decode()
        assert "Nome Cambiato Di Prova" in text and donor.name not in text
        assert ready["ETag"] != before["ETag"]


# --- queued on commit only ---------------------------------------------------------------


def test_the_build_is_queued_when_the_change_commits_and_never_for_a_rollback(
        django_db_setup, django_db_blocker, settings):
    settings.TASKS = DUMMY_TASKS
    from patto.pact.models import PartyCategory

    with django_db_blocker.unblock():
        try:
            with pytest.raises(RuntimeError), transaction.atomic():
                PartyCategory.objects.create(code="zz-rolled-back", name="Annullata")
                raise RuntimeError("changed my mind")
            assert dummy_results() == []

            with transaction.atomic():
                PartyCategory.objects.create(code="zz-committed", name="Confermata")
                PartyCategory.objects.filter(code="zz-committed").update(name="Due")
                assert dummy_results() == []
            assert dummy_results() == ["build_downloads"]

            # Changes while that run waits for a worker need no second run: it reads the
            # newest version when it starts.
            with transaction.atomic():
                PartyCategory.objects.filter(code="zz-committed").update(name="Tre")
            assert dummy_results() == ["build_downloads"]
            downloads.prebuild()  # the run starts (building nothing registered as such)...
            with transaction.atomic():
                PartyCategory.objects.filter(code="zz-committed").update(name="Quattro")
            assert dummy_results() == ["build_downloads", "build_downloads"]  # ...so a new one
        finally:
            PartyCategory.objects.filter(code__startswith="zz-").delete()


# --- one file: 503 while missing, built by the task, failures cleaned up ---------------------


@pytest.mark.django_db
def test_a_missing_file_is_503_then_served_once_its_task_ran(settings, reset_kind, folder):
    settings.TASKS = DUMMY_TASKS
    first = _ask()
    assert first.status_code == 503 and first["Retry-After"] == str(downloads.RETRY_UNKNOWN)
    assert dummy_results() == ["build_download"] and CALLS[0] == 0
    _ask()
    assert dummy_results() == ["build_download"]  # queued once per file and version

    from django_tasks import task_backends

    queued = task_backends["default"].results[0]
    queued.task.call(*queued.args, **queued.kwargs)  # what the worker does
    ready = _ask()
    assert ready.status_code == 200 and CALLS[0] == 1
    assert body(ready).splitlines()[0] == b"code,name"
    # The next version's file: Retry-After now says how long the last build took.
    data_changed()
    assert int(_ask()["Retry-After"]) == downloads.RETRY_MIN


@pytest.mark.django_db
def test_a_failed_build_leaves_no_file_no_lock_and_is_tried_again(settings, reset_kind,
                                                                   folder):
    from django_tasks.signals import task_finished

    statuses = []

    def finished(sender, task_result, **kwargs):
        statuses.append(task_result.status)

    task_finished.connect(finished)
    try:
        FAIL[0] = True
        failed = _ask()  # the immediate backend runs the task inside the request
        assert failed.status_code == 503 and CALLS[0] == 1
        assert [str(s) for s in statuses] == ["FAILED"]
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert [p.suffix for p in files] == [".lock"]  # no partial file, no scratch file
        with open(files[0], "a") as lock:  # nobody holds the lock
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)

        FAIL[0] = False
        again = _ask()  # the failure dropped the queued mark: this request tries again
        assert again.status_code == 200 and CALLS[0] == 2
        assert [str(s) for s in statuses] == ["FAILED", "SUCCESSFUL"]
    finally:
        task_finished.disconnect(finished)


@pytest.mark.django_db
def test_a_failed_prebuild_builds_the_others_and_fails_its_task(settings, reset_kind,
                                                                folder):
    FAIL[0] = True
    with pytest.raises(RuntimeError, match="test-categories"):
        downloads.prebuild()
    assert not [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"
                and "test-categories" in p.name]
    # The journals (registered by the funds) were built all the same.
    assert [p for p in folder.rglob("funds-journal*.csv")]


# --- which downloads go to the background -------------------------------------------------


@pytest.mark.django_db
def test_a_small_kind_builds_inline_until_one_build_is_slow(settings, folder):
    settings.TASKS = DUMMY_TASKS
    assert _ask(SMALL).status_code == 200 and dummy_results() == []
    settings.PATTO_DOWNLOADS_BACKGROUND_AFTER = -1  # any build is "slow"
    data_changed()
    assert _ask(SMALL).status_code == 200  # built inline, found slow
    assert downloads.in_background(SMALL)
    data_changed()
    assert _ask(SMALL).status_code == 503 and dummy_results() == ["build_download"]
    # It has no instances: built ahead after the next changes because it was asked for.
    assert [s.kind for s in downloads.prebuild_specs() if s.kind == "test-small"] == \
        ["test-small"]


@pytest.mark.django_db
def test_a_transaction_that_wrote_builds_its_own_file_inline(settings, reset_kind):
    """No worker can read uncommitted rows: such a request builds for its own version."""
    from patto.pact.models import PartyCategory

    settings.TASKS = DUMMY_TASKS
    PartyCategory.objects.create(code="zz-mine", name="Solo mia")
    response = _ask()
    assert response.status_code == 200 and b"Solo mia" in body(response)
    assert dummy_results() == []


@pytest.mark.django_db
def test_prebuild_makes_each_instance_and_what_was_asked_for(settings, reset_kind, folder):
    from django.utils import translation

    settings.TASKS = DUMMY_TASKS
    with translation.override("it"):
        assert _ask(fmt="json").status_code == 503  # asked for, in JSON, in Italian
    data_changed()
    specs = [s for s in downloads.prebuild_specs() if s.kind == "test-categories"]
    assert [(s.fmt, s.language) for s in specs] == [("csv", "it"), ("json", "it")]
    assert downloads.prebuild() >= 2
    assert _ask().status_code == 200 and _ask(fmt="json").status_code == 200
    assert downloads.prebuild() == 0  # built once per version


def test_the_503_page_is_in_the_visitors_language(settings, reset_kind):
    """Marked: Italian text shows once the coordinator merged tmp-i18n/downloads.po."""
    from django.utils import translation

    with translation.override("en"):
        page = downloads._preparing(RequestFactory().get("/a.csv?x=1"), 7)
    assert page.status_code == 503 and page["Retry-After"] == "7"
    text = page.content.decode()
    assert 'lang="en"' in text and "about 7 seconds" in text and 'href="/a.csv?x=1"' in text


# --- the production queues, in a scratch database -------------------------------------------


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _patto(env: dict, *args: str, code: str | None = None) -> str:
    command = [sys.executable, "-m", "patto.cli", *args] if code is None else \
        [sys.executable, "-c", "import django; django.setup()\n" + code]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _env(folder: Path, backend: str = "django_tasks_db.DatabaseBackend") -> dict:
    """A production-like process (not under pytest) on a scratch SQLite database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_VERSION", "PATTO_TASK_BACKEND", "REDIS_URL")}
    env.update({"PATTO_VAR_DIR": str(folder), "PATTO_DEMO": "1",
                "DATABASE_URL": f"sqlite:///{folder / 'd.sqlite3'}"})
    if backend == "django_tasks_rq.RQBackend":
        env["REDIS_URL"] = REDIS
    return env


@pytest.fixture(scope="module")
def loaded_database(tmp_path_factory) -> Path:
    """Migrated, with the Bologna 2021 pact: made once, copied by each test."""
    folder = tmp_path_factory.mktemp("loaded")
    env = _env(folder)
    _patto(env, "migrate", "-v0")
    _patto(env, "load-pact", str(ROOT / "packages" / "bologna-2021"))
    return folder / "d.sqlite3"


@pytest.mark.parametrize("backend", [
    pytest.param("django_tasks_rq.RQBackend", marks=pytest.mark.skipif(
        not _redis_up(), reason="no Redis on 127.0.0.1:6379")),
    "django_tasks_db.DatabaseBackend"])
def test_the_worker_builds_the_journal_when_a_change_commits(backend, loaded_database,
                                                              tmp_path):
    """A committed change queues the build on the real queue; `patto worker --batch` builds
    the journal and a visitor is served it at once; after the next change, before the
    worker ran, the visitor gets 503 with Retry-After, then the file."""
    shutil.copy(loaded_database, tmp_path / "d.sqlite3")
    env = _env(tmp_path, backend)
    _patto(env, code="from django.core.cache import cache; cache.clear()\n"
                      "from django_tasks_db.models import DBTaskResult\n"
                      "DBTaskResult.objects.all().delete()\n"
                      "from django.conf import settings\n"
                      "if 'django_rq' in settings.INSTALLED_APPS:\n"
                      "    import django_rq; django_rq.get_queue('default').empty()\n")
    change = ("from django.db import transaction\n"
              "from patto.funds.models import Donor, Movement\n"
              "donor = Movement.objects.filter(fund__code='comunita', donor__kind='person',\n"
              "    donor__consent_public=True).values_list('donor_id', flat=True).first()\n"
              "with transaction.atomic():\n"
              "    Donor.objects.filter(pk=donor).update(name='Nome %s')\n")
    ask = ("from django.test import Client\nfrom django.urls import reverse\n"
           "url = reverse('funds:journal', args=['bologna-2021', 'comunita', 'csv'])\n"
           "r = Client().get(url)\n"
           "text = b''.join(r.streaming_content).decode() if r.streaming else ''\n"
           "print(r.status_code, r.get('Retry-After', '-'), 'Nome Uno' in text,\n"
           "      'Nome Due' in text)\n")
    _patto(env, code=change % "Uno")
    _patto(env, "worker", "--batch")
    assert _patto(env, code=ask).split() == ["200", "-", "True", "False"]
    _patto(env, code=change % "Due")
    status, retry, *_rest = _patto(env, code=ask).split()
    assert status == "503" and int(retry) >= 1
    _patto(env, "worker", "--batch")
    assert _patto(env, code=ask).split() == ["200", "-", "False", "True"]
