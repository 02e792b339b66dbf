"""Background imports on a real queue, as production runs them: Redis's (RQ) when REDIS_URL is
set, the database's otherwise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("PATTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize("backend", [
    pytest.param("django_tasks_rq.RQBackend", marks=pytest.mark.skipif(
        not _redis_up(), reason="no Redis on 127.0.0.1:6379 (.ci/run starts one)")),
    "django_tasks_db.DatabaseBackend"])
def test_an_upload_is_imported_by_the_worker(backend, tmp_path):
    """In a scratch SQLite database: queue a parties import, run `patto worker --batch`, and
    the job is done with the party written."""
    env = {**os.environ, "PATTO_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'q.sqlite3'}", "PATTO_DEMO": "1"}
    env.pop("PATTO_TASK_BACKEND", None)
    env.pop("REDIS_URL", None)
    if backend == "django_tasks_rq.RQBackend":
        env["REDIS_URL"] = REDIS

    def patto(*args: str, code: str | None = None) -> str:
        command = [sys.executable, "-m", "patto.cli", *args] if code is None else \
            [sys.executable, "-c", code]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    patto("migrate", "-v0")
    patto("load-pact", str(ROOT / "packages" / "bologna-2021"))
    queued = patto(code=(
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        f"assert settings.TASKS['default']['BACKEND'] == '{backend}'\n"
        "if 'django_rq' in settings.INSTALLED_APPS:\n"
        "    import django_rq; django_rq.get_queue('default').empty()\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from patto.core.importing import import_job_create\n"
        "user = get_user_model().objects.create_superuser('s', 's@example.org', 'x' * 16)\n"
        "job = import_job_create(kind='parties', user=user, uploaded_file=SimpleUploadedFile("
        "'p.csv', b'code,name,short_name,category,tax_code,website,territory,description\\n"
        "da-rq,Da RQ,,diocesi,,,,\\n'))\n"
        "print(job.pk)\n"))
    job_id = queued.strip().splitlines()[-1]
    patto("worker", "--batch")
    status = patto(code=(
        "import django; django.setup()\n"
        "from patto.core.models import ImportJob\n"
        "from patto.pact.models import Party\n"
        f"job = ImportJob.objects.get(pk='{job_id}')\n"
        "print(job.status, Party.objects.filter(code='da-rq').exists())\n"))
    assert status.split() == ["done", "True"]
