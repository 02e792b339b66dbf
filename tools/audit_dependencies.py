"""`make audit`: known vulnerabilities in the pinned dependencies (requirements.lock), through
pip-audit; skipped with a message, not failed, when no advisory database answers.

pip-audit alone cannot tell an offline machine from a clean audit: behind a package mirror
that serves no advisory data it reports every dependency as "not found" and exits 0, and with
no network at all it dies with a traceback. This wrapper reads its JSON report and says which
of the three happened.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SKIPPED = "dependency audit skipped: advisory database unreachable"
NETWORK_ERRORS = ("ConnectionError", "ProxyError", "ConnectTimeout", "ReadTimeout", "SSLError",
                  "Max retries exceeded", "Temporary failure in name resolution")


def pip_audit(lock: Path, *, timeout: int = 10) -> subprocess.CompletedProcess:
    """Run pip-audit on a fully pinned requirements file, without resolving or installing."""
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--no-deps",
         "--disable-pip", "--progress-spinner", "off", "--timeout", str(timeout),
         "--format", "json"],
        capture_output=True, text=True, timeout=timeout * 20, check=False)


def interpret(returncode: int, stdout: str, stderr: str) -> tuple[int, list[str]]:
    """The exit code and the lines to print for pip-audit's outcome."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        if any(error in stderr for error in NETWORK_ERRORS):
            return 0, [SKIPPED]
        return returncode or 1, ["dependency audit failed: pip-audit said", stderr.strip()]
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        return 0, [f"{SKIPPED} (none of the {len(dependencies)} dependencies was found in it)"]
    lines = []
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            lines.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} "
                         f"(fixed in {fixes})")
    if lines:
        return 1, [*lines, f"dependency audit: {len(lines)} known vulnerabilities; upgrade "
                           "the package in pyproject.toml and requirements.lock"]
    unknown = len(dependencies) - len(audited)
    return 0, [f"dependency audit: {len(audited)} pinned dependencies, no known vulnerability"
               + (f" ({unknown} not in the advisory database)" if unknown else "")]


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else Path("requirements.lock")
    try:
        result = pip_audit(lock)
    except subprocess.TimeoutExpired:
        print(SKIPPED)
        return 0
    code, lines = interpret(result.returncode, result.stdout, result.stderr)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
