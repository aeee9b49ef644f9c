"""Audits the locked dependencies (uv.lock, every group) for known vulnerabilities with pip-audit.

    .venv/bin/python .ci/audit_dependencies.py

Exit 1 on a vulnerability that is not ignored below; exit 0 with a WARNING when the vulnerability service
cannot be reached, or cannot answer for some packages: the network is not the code's fault, and pip-audit
itself would report "No known vulnerabilities found" for packages it skipped, which would read as a pass.
The requirements are exported from uv.lock with exact versions, so pip-audit only looks them up
(--no-deps --disable-pip): no virtual environment is built and nothing is installed."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

# Vulnerability ids accepted on purpose, each with the reason; pip-audit is told to ignore them.
IGNORED: dict[str, str] = {}


def locked_requirements() -> str:
    return subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        [str(VENV_BIN / "uv"), "export", "--frozen", "--all-groups", "--format", "requirements.txt", "--no-hashes",
         "--no-emit-project", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    ).stdout


def run_pip_audit(requirements: Path, report: Path) -> subprocess.CompletedProcess:
    ignore = [arg for vuln in IGNORED for arg in ("--ignore-vuln", vuln)]
    return subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        [str(VENV_BIN / "pip-audit"), "--requirement", str(requirements), "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "--timeout", "20", "--format", "json", "--output", str(report), *ignore],
        capture_output=True, text=True, timeout=600, check=False,
    )


def verdict(report: dict | None) -> tuple[int, list[str]]:
    """(exit status, lines to print) for pip-audit's JSON report, or for None when it wrote none."""
    if report is None:
        return 0, ["WARNING: the vulnerability service could not be reached; dependencies NOT audited"]
    findings, skipped, audited = [], [], 0
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append(f"{dep['name']} ({dep['skip_reason']})")
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            if vuln["id"] not in IGNORED:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                findings.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    lines = [f"VULNERABLE: {f}" for f in findings]
    if skipped:
        lines.append(f"WARNING: {len(skipped)} of {len(skipped) + audited} locked packages could not be audited "
                     f"(vulnerability service unreachable or not answering), e.g. {skipped[0]}")
    if findings:
        lines.append(f"pip-audit: {len(findings)} known vulnerabilities: upgrade in uv.lock "
                     "(uv lock --upgrade-package NAME) or ignore with a reason in .ci/audit_dependencies.py")
        return 1, lines
    if audited:
        lines.append(f"pip-audit: no known vulnerabilities in {audited} audited packages"
                     + (f" ({len(IGNORED)} ignored on purpose)" if IGNORED else ""))
    return 0, lines


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        requirements, report_file = Path(tmp) / "requirements.txt", Path(tmp) / "audit.json"
        requirements.write_text(locked_requirements())
        try:
            done = run_pip_audit(requirements, report_file)
        except subprocess.TimeoutExpired:
            done = None
        try:
            report = json.loads(report_file.read_text())
        except (OSError, ValueError):
            report = None
            if done is not None:
                print((done.stderr.strip().splitlines() or [""])[-1][:300], file=sys.stderr)
    status, lines = verdict(report)
    for line in lines:
        print(line, file=sys.stderr if line.startswith(("WARNING", "VULNERABLE")) else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
