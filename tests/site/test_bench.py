"""`patto bench` starts from nothing: a scratch database of its own, no collected static files,
nothing left behind, even when it fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import ROOT, edit_csv

TINY = ["--units", "30", "--indicators", "10", "--years", "6", "--baseline-units", "5",
        "--repo-indicators", "3", "--repo-rows", "200"]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


def run_bench(tmp_path: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess:
    """`patto bench` in a fresh process whose var folder and temporary folder are empty."""
    var, scratch = tmp_path / "var", tmp_path / "tmp"
    var.mkdir()
    scratch.mkdir()
    env = {**os.environ, "PATTO_VAR_DIR": str(var), "TMPDIR": str(scratch),
           "DJANGO_SETTINGS_MODULE": "patto.settings"}
    for name in ("DATABASE_URL", "STATIC_ROOT", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "patto.cli", "bench", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


def report_lines(stdout: str) -> list[str]:
    return [line.split(":")[0] for line in stdout.splitlines()]


def test_monitoring_bench_runs_on_a_fresh_checkout_and_leaves_nothing(tmp_path):
    result = run_bench(tmp_path, "monitoring", *TINY)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = report_lines(result.stdout)
    expected = [
        "panel",
        "engine full recompute",
        "engine assessment only (what the pandas versions compute)",
        "pandas group-by-apply of the engine's per-series function",
        "pandas vectorised (group-wise first/last, rules column by column)",
        "scratch database migrated (temporary SQLite file); loading bologna-2021",
        "open sdg repository",
        "re-assess one indicator after a new value, page included",
        "scratch database dropped",
        "ratio to pandas group-by-apply baseline",
        "ratio to vectorised pandas",
    ]
    # In this order, other lines (such as agreement with sdg-build) in between; the ratios
    # last.
    assert [line for line in lines if line in expected] == expected
    assert lines[-2:] == expected[-2:]
    assert "30 units x 10 indicators x 6 years = 1,800 values" in result.stdout
    assert "3 indicators, 200 rows" in result.stdout
    assert re.search(r"new value to page .* median of 7: \d+ ms \(from \d+ to \d+ ms;",
                     result.stdout), result.stdout
    # Neither the configured database nor collected static files were needed or made, and
    # the scratch database is gone.
    assert not list((tmp_path / "var").glob("*.sqlite3*"))
    assert not (tmp_path / "var" / "static").exists()
    assert not list((tmp_path / "tmp").iterdir())
    assert "Traceback" not in result.stderr


def test_a_failing_bench_still_drops_its_scratch_database(tmp_path, package_copy):
    edit_csv(package_copy / "pacts.csv", 2, "signed_on", "13/01/2021")
    result = run_bench(tmp_path, "monitoring", *TINY, "--package", str(package_copy))
    assert result.returncode == 1
    assert "was refused" in result.stderr and "pacts.csv" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "tmp").iterdir())


def test_sizes_below_one_are_refused_before_any_work(tmp_path):
    result = run_bench(tmp_path, "monitoring", "--units", "0")
    assert result.returncode == 1
    assert "--units must be at least 1" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL scratch database needs "
                    "DATABASE_URL pointing at a PostgreSQL server")
def test_monitoring_bench_drops_its_postgresql_scratch_database(tmp_path):
    import psycopg

    server = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/postgres"))

    def benches() -> set[str]:
        with psycopg.connect(server, autocommit=True) as conn:
            return {row[0] for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'patto_bench_%'")}

    before = benches()
    result = run_bench(tmp_path, "monitoring", *TINY, database_url=DATABASE_URL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scratch database migrated (patto_bench_" in result.stdout
    assert benches() == before


@pytest.mark.skipif(shutil.which("wrk") is None, reason="`patto bench pages` needs wrk")
def test_pages_bench_refuses_sizes_below_one_before_any_work(tmp_path):
    result = run_bench(tmp_path, "pages", "--size", "tiny", "--seconds", "0")
    assert result.returncode == 1
    assert "--seconds must be at least 1" in result.stderr
    assert "scratch database" not in result.stdout
