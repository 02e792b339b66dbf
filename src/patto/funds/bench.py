"""The ledger under load: many clerks posting at once in separate processes, in a scratch
database, beside pgbench's TPC-B on the same server; also used by the fault tests.

Each writer is a process (`patto ledger-worker`) so that writers are as parallel as the
database lets them be, like pgbench's clients; the scratch database keeps the benchmark's
thousands of movements out of the real books.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def patto_command() -> list[str]:
    """How to run `patto` in a child process, whatever the current working directory."""
    return [sys.executable, "-m", "patto.cli"]


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


@contextlib.contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A new, empty database beside the configured one (PostgreSQL) or a temporary SQLite
    file, dropped afterwards; yields its URL."""
    if url and url.startswith(("postgres://", "postgresql://")):
        import psycopg

        # The process id too: two runs at once on one server never pick the same name.
        name = f"patto_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = _admin_url(url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tempfile.mkdtemp(prefix="patto-scratch-")
        try:
            yield f"sqlite:///{Path(folder) / 'scratch.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def run_patto(url: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([*patto_command(), *args], env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"patto {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def prepare(url: str) -> None:
    """Migrate the scratch database and give it a fund to post to."""
    # Half an hour: on a machine shared with other work, the migrations alone took more
    # than the default ten minutes (and the run failed before posting anything).
    run_patto(url, "migrate", "--no-input", "-v", "0", timeout=1800)
    run_patto(url, "ledger-worker", "--setup")


@dataclass
class LedgerRun:
    writers: int
    postings: int
    refused: int
    seconds: float
    #: The writers' own processor time per posting (Python and the driver), in seconds.
    client_cpu: float = 0.0
    #: Postings tried again after a lost connection or a deadlock.
    retried: int = 0

    @property
    def rate(self) -> float:
        return self.postings / self.seconds if self.seconds else 0.0


def run_writers(url: str, *, writers: int, postings: int) -> LedgerRun:
    """Start the writers, release them together, and time until the last one finishes."""
    env = {**os.environ, "DATABASE_URL": url}
    start_file = Path(tempfile.mkdtemp(prefix="patto-bench-")) / "go"
    share = [postings // writers + (1 if i < postings % writers else 0)
             for i in range(writers)]
    procs = [subprocess.Popen(
        [*patto_command(), "ledger-worker", "--writer", str(i), "--postings", str(n),
         "--start-file", str(start_file)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for i, n in enumerate(share)]
    # Django takes a moment to start in each process: wait until all are ready (minutes,
    # on a machine shared with other work: 16 processes start on as many cores as there are).
    deadline = time.monotonic() + 900
    ready_dir = start_file.parent
    while len(list(ready_dir.glob("ready-*"))) < writers:
        if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in procs):
            for p in procs:
                p.kill()
            errors = "\n".join(p.stderr.read() for p in procs if p.poll()) or (
                "not all ready within 15 minutes: the machine is too busy")
            raise RuntimeError(f"ledger writers did not start:\n{errors}")
        time.sleep(0.05)
    began = time.perf_counter()
    start_file.write_text("go")
    # The run ends when the last writer reports its postings done (each is committed when
    # the call returns), not when its process has exited: tearing down a Django process
    # takes seconds on a busy machine and is no part of the ledger's work.
    lines = [p.stdout.readline() for p in procs]
    seconds = time.perf_counter() - began
    results = []
    for p, line in zip(procs, lines, strict=True):
        _out, err = p.communicate(timeout=3600)
        if p.returncode != 0 or not line.strip():
            raise RuntimeError(f"a ledger writer failed:\n{err}")
        results.append(json.loads(line))
    shutil.rmtree(ready_dir, ignore_errors=True)
    posted = sum(r["posted"] for r in results)
    return LedgerRun(writers=writers, postings=posted,
                     refused=sum(r["refused"] for r in results), seconds=seconds,
                     client_cpu=sum(r["cpu_seconds"] for r in results) / max(posted, 1),
                     retried=sum(r["retried"] for r in results))


def verify(url: str) -> dict:
    """Every invariant re-derived from the entries, in a fresh process."""
    result = run_patto(url, "ledger-worker", "--verify")
    return json.loads(result.stdout.strip().splitlines()[-1])


def pgbench(url: str, *, clients: int, transactions: int) -> float | None:
    """TPC-B-like transactions per second from pgbench (scale 1) in its own scratch database,
    or None when pgbench is not installed."""
    binary = shutil.which("pgbench") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None)
    if binary is None:
        return None
    with scratch_database(url) as scratch:
        parts = urlsplit(scratch)
        env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1",
               "PGPORT": str(parts.port or 5432), "PGUSER": parts.username or "postgres",
               "PGDATABASE": parts.path.lstrip("/")}
        if parts.password:
            env["PGPASSWORD"] = parts.password
        subprocess.run([binary, "-i", "-s", "1", "-q"], env=env, check=True,
                       capture_output=True, text=True)
        per_client = max(1, transactions // clients)
        result = subprocess.run([binary, "-n", "-c", str(clients), "-j", str(min(clients, 4)),
                                 "-t", str(per_client)], env=env, check=True,
                                capture_output=True, text=True)
    found = re.search(r"tps = ([0-9.]+)", result.stdout)
    return float(found.group(1)) if found else None
