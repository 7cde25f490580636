"""scripts/validate_tasks.py on the shipped data: no context-blind answerer beats its bound, and the table in
docs/tasks.md is the one the script prints (regenerate it with --write-docs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from spin_eval.paths import tasks_dir

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("_validate_tasks", ROOT / "scripts" / "validate_tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # every answerer of every task: minutes on 2 cores
def test_shipped_tasks_pass_and_docs_table_is_the_scripts():
    script = _script()
    rows = script.collect_rows(tasks_dir())
    assert {r.task for r in rows} >= {"spin_bbq"}
    assert [f"{r.attack} on {r.task} ({r.condition}): {r.score:.3f}" for r in rows if r.beats_bound] == []
    docs = (ROOT / "docs" / "tasks.md").read_text(encoding="utf-8")
    body = docs.split(script.BEGIN, 1)[1].split(script.END, 1)[0].strip()
    assert body == script.format_table(rows)


def test_script_fails_naming_the_rule_and_task(tmp_path, monkeypatch, capsys):
    """A row over its bound makes the script exit 1 and name the answerer and task."""
    from spin_eval.validity.base import AttackRow

    script = _script()
    rows = [AttackRow("toy_task", "toy rule", "overall", 0.9, 0.7, 10), AttackRow("toy_task", "ok rule", "overall", 0.5, 0.7, 10)]
    monkeypatch.setattr(script, "collect_rows", lambda _dir: rows)
    assert script.main(["--tasks-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "'toy rule' on toy_task (overall) scores 0.900 > bound 0.70" in captured.err
    assert "ok rule" not in captured.err and "| toy_task | ok rule | overall | 0.500 | 0.70 | 10 | yes |" in captured.out
    monkeypatch.setattr(script, "collect_rows", lambda _dir: rows[1:])
    assert script.main(["--tasks-dir", str(tmp_path)]) == 0
