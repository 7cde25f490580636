"""The three uses (``spin_eval/run``, ``spin_eval/gate``, ``spin_eval/leaderboard``) sit on top of the house:
none imports another, and nothing below them (results, report, spin, adapter, metrics, tune, ...) imports
any of them; only ``spin_eval/cli`` (the commands) does."""

from __future__ import annotations

import ast
from pathlib import Path

import spin_eval

PACKAGE = Path(spin_eval.__file__).resolve().parent
USES = ("run", "gate", "leaderboard")


def _imports(file: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            if node.module == "spin_eval":  # from spin_eval import run
                names += [f"spin_eval.{a.name}" for a in node.names]
    return names


def _room(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "spin_eval" else None


def test_the_uses_are_packages():
    for use in USES:
        assert (PACKAGE / use / "__init__.py").is_file(), use


def test_no_use_imports_another_and_nothing_below_imports_a_use():
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        here = file.relative_to(PACKAGE).parts
        room = here[0] if len(here) > 1 else None
        if room == "cli":
            continue
        for name in _imports(file):
            target = _room(name)
            if target in USES and target != room:
                offenders.append(f"{'/'.join(here)} imports {name}")
    assert offenders == []


def test_the_checker_sees_an_offence(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("from spin_eval.leaderboard.pack import make_submission\nfrom spin_eval import gate\n")
    assert [_room(n) for n in _imports(bad)] == ["leaderboard", None, "gate"]


def test_nothing_at_run_time_imports_the_data_generators():
    """``spin_eval/datagen`` builds the shipped JSONL files at data-build time; no other package imports it."""
    offenders = [f"{file.relative_to(PACKAGE)} imports {name}"
                 for file in sorted(PACKAGE.rglob("*.py")) if file.relative_to(PACKAGE).parts[0] != "datagen"
                 for name in _imports(file) if _room(name) == "datagen"]
    assert offenders == []
    assert (PACKAGE / "datagen" / "calibration_sets.py").is_file()
