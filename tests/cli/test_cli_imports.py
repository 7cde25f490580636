"""Building the command-line parsers imports no torch: ``spin-eval --help`` and each command's ``--help``
stay fast (modules import torch / lm-eval inside their handlers, see spin_eval/cli/__init__.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = ["spin_eval.cli.mask", "spin_eval.cli.mask_inspect", "spin_eval.cli.mask_plan", "spin_eval.spin.margins"]


@pytest.mark.parametrize("module", COMMANDS)
def test_importing_a_command_module_imports_no_torch(module):
    code = f"import sys, importlib; importlib.import_module({module!r}); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False", f"importing {module} imported torch"


def test_the_check_sees_a_torch_import():
    code = "import sys, importlib; importlib.import_module('spin_eval.spin.selection'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"
