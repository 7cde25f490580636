"""``spin-eval run --budget`` on lm-eval's own public tasks (their YAMLs, data from tiny local files of their
real schema through include YAMLs that keep the task names, so the catalog knows them): the pilot times
every task, the plan allocates documents, the run and report follow (no hub)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tasks"))
from public_fixtures import winogender_rows, write_local_task  # noqa: E402

from spin_eval.cli import main  # noqa: E402
from spin_eval.paths import tasks_dir  # noqa: E402


def _arc_rows(n: int = 10) -> list[dict]:
    return [{"id": f"q{i}", "question": f"Question {i}: which one is the right option?",
             "choices": {"text": [f"option {c} {i}" for c in "abcd"], "label": list("ABCD")},
             "answerKey": "ABCD"[i % 4]} for i in range(n)]


@pytest.mark.slow
def test_budget_plans_public_tasks_from_a_pilot(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    bbq = [json.loads(line) for line in (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_text().splitlines()][:24]
    root = tmp_path / "local_tasks"
    root.mkdir()
    for yaml_path, name, rows in (("bbq/bbq_multiple_choice.yaml", "bbq", bbq),
                                  ("arc/arc_challenge.yaml", "arc_challenge", _arc_rows()),
                                  ("winogender/winogender.yaml", "winogender_all", winogender_rows())):
        write_local_task(root, yaml_path, name, rows)
    out = tmp_path / "out"
    assert main(["run", "--model", str(tiny_model_dir), "--tasks", "bbq,arc_challenge,winogender_all",
                 "--include-path", str(root), "--budget", "3", "--p", "0.05", "--q", "0.05", "--nsamples", "2",
                 "--bootstrap-iters", "0", "--controls", "none", "-o", str(out)]) == 0
    stage = json.loads((out / "spin-eval-run.json").read_text())["stages"]["budget"]
    costs = {c["task"]: c for c in stage["costs"]}
    assert set(costs) == {"bbq", "arc_challenge", "winogender_all"}
    assert all(c["seconds_per_doc"] > 0 for c in costs.values())
    assert costs["bbq"]["spread"] > 0 and costs["arc_challenge"]["spread"] > 0  # headline metrics
    assert costs["winogender_all"]["spread"] == 0  # no headline metric: its pilot-sized minimum
    docs = stage["allocation"]["docs"]
    assert 1 <= docs["bbq"] <= 24 and 1 <= docs["arc_challenge"] <= 10
    assert costs["winogender_all"]["minimum"] <= docs["winogender_all"] <= 9
    (results,) = sorted((out / "runs" / "spin").glob("*/results_*.json"))
    data = json.loads(results.read_text())
    assert "amb_bias_score,none" in data["results"]["bbq"] and "acc_norm,none" in data["results"]["arc_challenge"]
    assert data["n-samples"]["arc_challenge"]["effective"] == docs["arc_challenge"]
    report = (out / "report.md").read_text()
    assert "| arc_challenge | local |" in report and "amb_bias_score" in report
