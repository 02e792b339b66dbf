"""`patto bench pages` runs end to end on the tiny scale pact, reads wrk's report right, and
its bare view exists only in the benchmark's own server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patto.site.pagebench import PageRun, parse_wrk, worst
from patto.site.scale import SIZES
from tests.conftest import ROOT
from tests.site.test_bench import run_bench

WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.13ms    2.10ms  40.02ms   90.00%
    Req/Sec     2.12k   150.00     2.40k    70.00%
  Latency Distribution
     50%   14.00ms
     75%   15.50ms
     90%   17.00ms
     99%  1.21s
  42440 requests in 10.00s, 10.02MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:   4244.00
Transfer/sec:      1.00MB
"""


def test_wrk_report_is_read_into_rate_percentiles_and_errors():
    figures = parse_wrk(WRK_REPORT)
    assert figures == {"rate": 4244.0, "requests": 42440, "p50_ms": 14.0, "p99_ms": 1210.0,
                       "errors": 10}


def test_wrk_report_in_microseconds_without_errors():
    report = WRK_REPORT.replace("14.00ms", "635.91us").replace(
        "  Socket errors: connect 0, read 2, write 0, timeout 3\n", "").replace(
        "  Non-2xx or 3xx responses: 5\n", "")
    figures = parse_wrk(report)
    assert figures["p50_ms"] == pytest.approx(0.63591)
    assert figures["errors"] == 0


def test_worst_page_is_the_slowest_and_a_failed_page_counts_as_worst():
    bare = PageRun("bare", "/b/", 200, rate=1000.0)
    fast, slow = PageRun("a", "/a/", 200, rate=500.0), PageRun("b", "/b/", 200, rate=250.0)
    assert worst(bare, [fast, slow]) == (slow, 0.25)
    broken = PageRun("c", "/c/", 500)
    assert worst(bare, [fast, slow, broken]) == (broken, 0.0)


def test_a_page_with_no_answer_in_the_run_misses_the_goal():
    assert PageRun("a", "/a/", 200, requests=10, rate=1.0, p50_ms=5.0, p99_ms=9.0).meets_goal
    assert not PageRun("a", "/a/", 200, requests=0, rate=0.0).meets_goal
    assert not PageRun("a", "/a/", 200, requests=10, rate=1.0, p50_ms=5.0, p99_ms=151.0,
                       ).meets_goal
    assert not PageRun("a", "/a/", 200, requests=10, rate=1.0, p50_ms=5.0, p99_ms=9.0,
                       errors=1).meets_goal


@pytest.mark.django_db
def test_bare_view_is_absent_outside_the_benchmark(client):
    assert client.get("/_bench/bare/").status_code == 404


def test_bench_pages_runs_end_to_end_on_the_tiny_pact(tmp_path):
    from patto.site.pagebench import wrk_binary

    if wrk_binary() is None:
        pytest.skip("wrk is not installed (apt-get install wrk): patto bench pages needs it")
    result = run_bench(tmp_path, "pages", "--size", "tiny", "--seconds", "1",
                       "--connections", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # Two tables (cache on, cache off), each with the bare view and every page kind.
    for name in ("bare Django view", "home", "parties", "territory", "municipality",
                 "projects filtered", "project", "goals", "goal", "indicator",
                 "indicator map", "funds", "fund", "projects csv", "movements csv"):
        rows = [line for line in lines if line[:20].rstrip() == name]
        assert len(rows) == 2, (name, result.stdout)
        # Every page answered 200: its errors column is a count, not an HTTP status.
        assert all("HTTP" not in row for row in rows), rows
    assert sum(line.startswith("worst page (") for line in lines) == 2
    assert lines[-2] == "scratch database dropped"
    assert lines[-1].startswith("worst page / bare view: cached ")
    assert "; uncached " in lines[-1]
    # The scratch database and the server's cache folder are gone.
    assert list((tmp_path / "tmp").iterdir()) == []
    assert f"{SIZES['tiny'].municipalities:,} municipalities" in result.stdout



def test_a_bench_stopped_with_sigterm_stops_its_server_and_drops_its_database(tmp_path):
    """`kill` (or a CI timeout) while wrk loads a page: the server's processes end and the
    scratch database and folders go, as they do after an error."""
    from patto.site.pagebench import wrk_binary

    if wrk_binary() is None:
        pytest.skip("wrk is not installed (apt-get install wrk): patto bench pages needs it")
    var, scratch = tmp_path / "var", tmp_path / "tmp"
    var.mkdir()
    scratch.mkdir()
    env = {**os.environ, "PATTO_VAR_DIR": str(var), "TMPDIR": str(scratch),
           "DJANGO_SETTINGS_MODULE": "patto.settings", "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "STATIC_ROOT", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    log = tmp_path / "out.txt"
    with open(log, "w") as out:
        bench = subprocess.Popen(
            [sys.executable, "-m", "patto.cli", "bench", "pages", "--size", "tiny",
             "--seconds", "30", "--connections", "2"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 900
        # The bare view's line is printed once wrk has loaded it: the home page is next.
        while "bare Django view" not in log.read_text() and bench.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert _servers_under(scratch), "the benchmark's server is not running"
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=120) == 128 + signal.SIGTERM, log.read_text()
    finally:
        if bench.poll() is None:
            bench.kill()
    assert _servers_under(scratch) == []
    assert list(scratch.iterdir()) == [], log.read_text()


def _servers_under(scratch: Path) -> list[int]:
    """Pids of gunicorn processes whose var folder lies in ``scratch`` (the benchmark's
    server keeps its var folder in a temporary folder there)."""
    prefix = f"PATTO_VAR_DIR={scratch}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in cmdline and any(e.startswith(prefix) for e in environ):
            found.append(int(proc.name))
    return found
