"""`make audit` fails on a known vulnerability, passes a clean audit and says when it could not
audit at all, offline or behind a mirror without advisory data."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("audit_dependencies",
                                              ROOT / "tools" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(audit)


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails_the_audit_naming_it_and_its_fix():
    code, lines = audit.interpret(1, report(
        {"name": "django", "version": "5.2.1", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.2", "4.2.22"], "aliases": [],
             "description": "..."}]},
        {"name": "numpy", "version": "2.4.6", "vulns": []}), "")
    assert code == 1
    assert lines[0] == "django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2, 4.2.22)"
    assert "1 known vulnerabilities" in lines[-1]


def test_a_clean_audit_passes_and_counts_what_it_audited():
    code, lines = audit.interpret(0, report(
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "numpy", "version": "2.4.6", "vulns": []},
        {"name": "private-thing", "version": "1.0", "skip_reason": "Dependency not found"}),
        "")
    assert code == 0
    assert lines == ["dependency audit: 2 pinned dependencies, no known vulnerability "
                     "(1 not in the advisory database)"]


def test_a_mirror_without_advisory_data_is_a_skipped_audit_not_a_clean_one():
    code, lines = audit.interpret(0, report(
        {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI"},
        {"name": "numpy", "version": "2.4.6", "skip_reason": "Dependency not found on PyPI"}),
        "")
    assert code == 0
    assert lines[0].startswith(audit.SKIPPED)


def test_no_network_is_a_skipped_audit_and_other_errors_fail():
    traceback = ("Traceback (most recent call last):\n...\nrequests.exceptions.ConnectionError: "
                 "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded")
    assert audit.interpret(1, "", traceback) == (0, [audit.SKIPPED])
    code, lines = audit.interpret(2, "", "ERROR: requirements.lock: no such file")
    assert code == 2 and "no such file" in lines[-1]


@pytest.mark.skipif(importlib.util.find_spec("pip_audit") is None,
                    reason="pip-audit is a dev dependency: make setup installs it")
def test_an_unreachable_advisory_database_skips_the_audit_with_a_message(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==5.2.19\n")
    # A proxy that refuses every connection stands for an offline machine.
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "", "no_proxy": "", "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PIP_CACHE_DIR": str(tmp_path / "cache" / "pip")}
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "audit_dependencies.py"),
                             str(lock)], env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(audit.SKIPPED)
