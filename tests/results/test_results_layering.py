"""The results layer sits below report/, run/, gate/ and leaderboard/: nothing in spin_eval/results imports them."""

from __future__ import annotations

import ast
from pathlib import Path

import spin_eval.results

PACKAGE = Path(spin_eval.results.__file__).resolve().parent


def test_results_imports_neither_report_nor_pipeline():
    offenders = []
    for file in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{file.name}: {n}" for n in names
                          if n.startswith(("spin_eval.report", "spin_eval.run", "spin_eval.gate", "spin_eval.leaderboard", "spin_eval.cli"))]
    assert len(list(PACKAGE.glob("*.py"))) >= 6
    assert offenders == []
