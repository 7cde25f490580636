"""CI runs ruff (configured in pyproject.toml, installed by the `test` extra) over the code and the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: run 'bash scripts/setup.sh --test' (it comes with the test extra)"
    proc = subprocess.run([ruff, "check", "--no-cache", "spin_eval", "tests", "bench"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
