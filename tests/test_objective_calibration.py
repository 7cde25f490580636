"""The shipped safety / helpfulness calibration sets: reproducible, complete, disjoint from spin_safety's items,
and documented as mild and synthetic."""

from __future__ import annotations

import json

import pytest

from spin_eval.datagen.objectives import OBJECTIVE_SET_NAMES, generate_objective_set, main
from spin_eval.datagen.rows import DEFAULT_COUNT, render_jsonl
from spin_eval.paths import tasks_dir
from spin_eval.spin.calibration_data import DATA_DIR


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", OBJECTIVE_SET_NAMES)
def test_regeneration_reproduces_the_shipped_file(name):
    assert render_jsonl(generate_objective_set(name)) == (DATA_DIR / f"{name}.jsonl").read_bytes()
    rows = _rows(name)
    assert len(rows) == DEFAULT_COUNT and len({(r["prompt"], r["response"]) for r in rows}) == len(rows)
    for i, row in enumerate(rows, start=1):
        assert set(row) == {"prompt", "response", "category"} and all(row[k].strip() for k in row), i
        assert "{" not in row["prompt"] + row["response"].replace("{i:03}", ""), i


def test_check_mode_detects_an_edit(tmp_path):
    assert main(["-o", str(tmp_path)]) == 0
    assert main(["-o", str(tmp_path), "--check"]) == 0
    with open(tmp_path / "safety.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"prompt": "x", "response": "y", "category": "z"}\n')
    assert main(["-o", str(tmp_path), "--check"]) == 1


def test_safety_answers_decline_and_no_request_is_a_task_item():
    from spin_eval.metrics.refusal import is_refusal

    assert all(is_refusal(r["response"]) for r in _rows("safety"))
    assert not any(is_refusal(r["response"]) for r in _rows("helpfulness"))
    items = {json.loads(line)["prompt"] for line in
             (tasks_dir() / "spin_safety" / "spin_safety.jsonl").read_text(encoding="utf-8").splitlines()}
    prompts = {r["prompt"] for name in OBJECTIVE_SET_NAMES for r in _rows(name)}
    assert not prompts & items


def test_readme_says_the_harmful_requests_are_mild_and_synthetic():
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "safety.jsonl" in text and "helpfulness.jsonl" in text
    assert "mild" in text and "synthetic" in text and "no operational detail" in text
