"""``spin-eval tasks path | list | generate``."""

from __future__ import annotations

from spin_eval.cli import main
from spin_eval.paths import tasks_dir


def test_tasks_path_prints_the_include_path(capsys):
    assert main(["tasks", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tasks_dir())
    assert (tasks_dir() / "spin_bbq" / "spin_bbq.yaml").is_file()


def test_tasks_list_names_tasks_groups_and_counts(capsys):
    assert main(["tasks", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("spin_bbq ", "spin_suite ", "spin_pii_leakage_mini", "spin_capability_full"):
        assert name in out
    assert "spin_bbq.jsonl" in out and "6912 items" in out


def test_tasks_generate_check_and_output_dir(tmp_path, capsys):
    assert main(["tasks", "generate", "--check"]) == 0
    assert "DIFFERS" not in capsys.readouterr().out
    assert main(["tasks", "generate", "--output-dir", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert "spin_bbq.jsonl" in written and "spin_capability_ppl.jsonl" in written
    assert (tmp_path / "spin_bbq.jsonl").read_bytes() == (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_bytes()
    assert main(["tasks", "generate", "--seed", "7", "--output-dir", str(tmp_path)]) == 0
    assert (tmp_path / "spin_bbq.jsonl").read_bytes() != (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_bytes()


def test_tasks_without_action_is_a_usage_error(capsys):
    assert main(["tasks"]) == 2
