"""The ledger under concurrent clerks and killed processes, in scratch databases.

Writers are separate `patto ledger-worker` processes, as clerks' web workers would be; every
invariant is then re-derived from the entries by a fresh process.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from patto.funds import bench

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers are tested on PostgreSQL, "
                    "the production database (set DATABASE_URL)")
def test_sixteen_concurrent_writers_never_break_an_invariant():
    with bench.scratch_database(DATABASE_URL) as url:
        bench.prepare(url)
        run = bench.run_writers(url, writers=16, postings=3200)
        checked = bench.verify(url)
    assert run.postings == 3200
    # Each writer also tried overdrafts under contention: the guards refused them all.
    assert run.refused >= 16
    assert checked["violations"] == 0, checked["details"]
    # 1 seed receipt + 3200 postings, nothing more, nothing less.
    assert checked["movements"] == 3201


def test_a_process_killed_in_the_middle_of_a_posting_leaves_nothing_half_written():
    with bench.scratch_database(DATABASE_URL or None) as url:
        bench.prepare(url)
        before = bench.verify(url)
        env = {**os.environ, "DATABASE_URL": url}
        worker = subprocess.Popen([*bench.patto_command(), "ledger-worker",
                                   "--hang-mid-posting"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            line = worker.stdout.readline()
            assert line.startswith("MID-POSTING HANG-1"), worker.stderr.read()
            # The movement, its entries and both balance updates are written, not committed.
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == -signal.SIGKILL
        after = bench.verify(url)
    assert after["violations"] == 0, after["details"]
    assert after["movements"] == before["movements"] == 1
    assert after["received"] == before["received"] == "1000000.00"
