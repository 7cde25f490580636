"""spin_eval/validity sits beside metrics/: it reads task data (``spin_eval.taskdata``, the shipped tasks' own
JSONL reader) and imports metrics/ (and itself) only."""

from __future__ import annotations

import ast
from pathlib import Path

import spin_eval.validity

PACKAGE = Path(spin_eval.validity.__file__).resolve().parent
ALLOWED = ("spin_eval.validity", "spin_eval.metrics", "spin_eval.errors", "spin_eval.taskdata")


def test_validity_imports_only_metrics_and_itself():
    offenders = []
    for file in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{file.name}: {n}" for n in names if n.startswith("spin_eval") and not n.startswith(ALLOWED)]
    assert (PACKAGE / "base.py").is_file() and (PACKAGE / "bbq.py").is_file()
    assert offenders == []
