"""The dependency audit step of .ci/run (.ci/audit_dependencies.py): a real finding fails CI, an unreachable
vulnerability service only warns."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "audit_dependencies.py"


@pytest.fixture
def audit():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(*deps):
    return {"dependencies": list(deps), "fixes": []}


CLEAN = {"name": "django", "version": "6.1.3", "vulns": []}
VULNERABLE = {"name": "requests", "version": "2.0.0",
              "vulns": [{"id": "GHSA-xxxx-0001", "fix_versions": ["2.32.0"], "description": "..."}]}
SKIPPED = {"name": "numpy", "skip_reason": "Dependency not found on PyPI and could not be audited: numpy (2.5.5)"}


def test_a_finding_fails_the_step(audit):
    status, lines = audit.verdict(report(CLEAN, VULNERABLE))
    assert status == 1
    assert any("requests 2.0.0: GHSA-xxxx-0001 (fixed in 2.32.0)" in line for line in lines)


def test_a_finding_fails_even_when_other_packages_were_skipped(audit):
    assert audit.verdict(report(VULNERABLE, SKIPPED))[0] == 1


def test_a_finding_ignored_on_purpose_passes(audit, monkeypatch):
    monkeypatch.setattr(audit, "IGNORED", {"GHSA-xxxx-0001": "not reachable from our code"})
    status, lines = audit.verdict(report(CLEAN, VULNERABLE))
    assert status == 0
    assert "1 ignored on purpose" in lines[-1]


def test_a_clean_report_passes(audit):
    assert audit.verdict(report(CLEAN)) == (0, ["pip-audit: no known vulnerabilities in 1 audited packages"])


def test_skipped_packages_warn_but_pass(audit):
    status, lines = audit.verdict(report(CLEAN, SKIPPED))
    assert status == 0
    assert lines[0].startswith("WARNING: 1 of 2 locked packages could not be audited")


def test_an_unreachable_service_warns_but_passes(audit):
    status, lines = audit.verdict(None)
    assert status == 0 and "NOT audited" in lines[0]


def test_main_reads_the_report_pip_audit_writes(audit, monkeypatch, capsys):
    def fake_pip_audit(requirements: Path, report_file: Path):
        assert "django==" in requirements.read_text()  # the locked versions, exported from uv.lock
        report_file.write_text(json.dumps(report(CLEAN, VULNERABLE)))
        return subprocess.CompletedProcess([], 1, "", "")

    monkeypatch.setattr(audit, "run_pip_audit", fake_pip_audit)
    assert audit.main() == 1
    assert "GHSA-xxxx-0001" in capsys.readouterr().err


def test_main_warns_when_pip_audit_writes_no_report(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "run_pip_audit", lambda requirements, report_file: subprocess.CompletedProcess(
        [], 1, "", "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"))
    assert audit.main() == 0
    err = capsys.readouterr().err
    assert "Failed to resolve" in err and "NOT audited" in err
