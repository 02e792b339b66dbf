"""`patto bench pages`' machinery: the production server started on a scratch database, wrk
pointed at one page at a time, its report read into figures.

The server is `patto serve` itself (gunicorn) with a bare view added by ``PATTO_BENCH=1``,
bound to 127.0.0.1 only, with a cache folder of its own; it is stopped at the end, even on
error, by its process group (gunicorn's workers included).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from patto.funds.bench import patto_command

BARE = "/_bench/bare/"
#: What a page must do (issue 18): p99 at most this, throughput at least this share of the
#: bare view's, no errors.
GOAL_P99_MS = 150.0
GOAL_FRACTION = 0.25
#: What every browser says it takes, so that the server answers as it answers people (a
#: download's gzip copy, see patto.core.downloads); wrk alone would say nothing.
BROWSER_ENCODINGS = "gzip, deflate, br"
#: How long the first request of a page may take before the page counts as failed.
FIRST_ANSWER_SECONDS = 60


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, timeout: float = 30) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def server_env(database_url: str, var_dir: Path, *, cache: bool) -> dict[str, str]:
    """The environment of the benchmark's server: the scratch database, the bare view, the
    page cache on or off, a var folder (file cache, no Redis) of its own, production-like
    settings whatever the caller's shell says about DEBUG."""
    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": database_url, "PATTO_BENCH": "1",
           "PATTO_PAGE_CACHE": "1" if cache else "0", "PATTO_VAR_DIR": str(var_dir),
           "DEBUG": "0", "PATTO_PRODUCTION": "0",
           "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)}
    for name in ("REDIS_URL", "PATTO_BIND", "PATTO_DEMO"):
        env.pop(name, None)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        env["STATIC_ROOT"] = str(settings.STATIC_ROOT)
    else:
        # No collected files: pages name their assets without the manifest's hashes.
        env["PATTO_MANIFEST_STATIC"] = "0"
    return env


@contextlib.contextmanager
def server(database_url: str, *, workers: int, cache: bool) -> Iterator[str]:
    """`patto serve` on a free port of 127.0.0.1; yields its base URL; stops it afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="patto-bench-var-") as var:
        log = Path(var) / "server.log"
        with open(log, "wb") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own command, built here
                [*patto_command(), "serve", "--bind", f"127.0.0.1:{port}", "--workers",
                 str(workers)], env=server_env(database_url, Path(var), cache=cache),
                stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the server stopped while starting:\n"
                                       + log.read_text(errors="replace")[-3000:])
                try:
                    if _status(base + BARE, timeout=5) == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 90 s:\n"
                                       + log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
            yield base
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers (one process group), forcibly after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _drain(base: str, *, quick: float = 0.5, limit: float = 180) -> None:
    """Wait until the server has worked off what the previous page left queued: gunicorn's
    workers still render the requests wrk had sent when it stopped, and the next page
    would be measured behind them. Ready when the bare view answers within ``quick``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            if _status(base + BARE, timeout=limit) == 200 and \
                    time.monotonic() - began < quick:
                return
        except OSError:
            pass
        time.sleep(0.5)


@dataclass
class PageRun:
    name: str
    path: str
    status: int
    requests: int = 0
    rate: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0

    @property
    def meets_goal(self) -> bool:
        return (self.status == 200 and self.requests > 0 and self.errors == 0
                and self.p99_ms is not None and self.p99_ms <= GOAL_P99_MS)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Throughput, median and 99th percentile latency and errors from wrk's ``--latency``
    report. Errors are non-2xx/3xx answers plus connect, read, write and timeout errors."""
    found = {}
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    found["rate"] = float(rate.group(1)) if rate else 0.0
    total = re.search(r"(\d+) requests in", output)
    found["requests"] = int(total.group(1)) if total else 0
    for label, key in (("50", "p50_ms"), ("99", "p99_ms")):
        match = re.search(rf"^\s+{label}(?:\.000)?%\s+([0-9.]+(?:us|ms|s|m))\s*$", output, re.M)
        found[key] = _ms(match.group(1)) if match else None
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        errors += int(bad.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    found["errors"] = errors
    return found


def load_page(base: str, name: str, path: str, *, seconds: int, connections: int,
              threads: int = 2) -> PageRun:
    """One page: asked once (its status, and the cache warmed), then loaded by wrk for a
    fixed time with ``connections`` open connections."""
    url = base + path
    _drain(base)
    try:
        status = _status(url, timeout=FIRST_ANSWER_SECONDS)
    except OSError:
        # No answer in time (or the worker was killed by gunicorn's timeout): the page
        # fails, and loading it would only time out too.
        status = 0
    run = PageRun(name=name, path=path, status=status)
    if status != 200:
        return run
    result = subprocess.run(  # noqa: S603 - wrk with arguments built here
        [wrk_binary(), f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s",
         "--timeout", "10s", "--latency", "-H", f"Accept-Encoding: {BROWSER_ENCODINGS}",
         url],
        capture_output=True, text=True, timeout=seconds + 120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed on {url}:\n{result.stderr}")
    figures = parse_wrk(result.stdout)
    run.rate, run.requests = figures["rate"], figures["requests"]
    run.p50_ms, run.p99_ms, run.errors = figures["p50_ms"], figures["p99_ms"], figures["errors"]
    if not run.requests:
        # Not one answer within the run: wrk prints zero latencies, which are no figures.
        run.p50_ms = run.p99_ms = None
    return run


TABLE_HEADER = f"{'page':<20} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>8}  path"


def table_row(r: PageRun) -> str:
    """One page's line; a page that did not answer 200 once shows its status (``HTTP 0``:
    no answer within :data:`FIRST_ANSWER_SECONDS`) instead of an error count."""
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:,.1f}"

    errors = str(r.errors) if r.status == 200 else f"HTTP {r.status}"
    return (f"{r.name:<20} {r.rate:>9,.1f} {ms(r.p50_ms):>9} {ms(r.p99_ms):>9} "
            f"{errors:>8}  {r.path}")


def worst(bare: PageRun, pages: list[PageRun]) -> tuple[PageRun, float]:
    """The page with the lowest throughput and its share of the bare view's."""
    page = min(pages, key=lambda r: r.rate if r.status == 200 else -1.0)
    return page, (page.rate / bare.rate if bare.rate else 0.0)
