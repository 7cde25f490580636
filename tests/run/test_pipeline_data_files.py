"""``spin-eval run --metadata data_files=PATH``: lm-eval's bbq and spin_bbq on a local file of the original
BBQ schema, end to end through run and report (tiny model, no hub); every other task refused on one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spin_eval.cli import main
from spin_eval.paths import tasks_dir

#: The original BBQ JSONL fields (nyu-mll/BBQ data/<Category>.jsonl); spin_bbq's extra fields are dropped.
ORIGINAL = ("example_id", "question_index", "question_polarity", "context_condition", "category", "answer_info",
            "additional_metadata", "context", "question", "ans0", "ans1", "ans2", "label")


@pytest.fixture(scope="module")
def bbq_file(tmp_path_factory) -> Path:
    rows = [json.loads(line) for line in (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_text().splitlines()]
    chosen = [r for r in rows if r["category"] == "Age"][:8] + [r for r in rows if r["category"] == "Religion"][:8]
    out = tmp_path_factory.mktemp("bbq") / "Age_Religion.jsonl"
    out.write_text("".join(json.dumps({k: r.get(k, "1") for k in ORIGINAL}) + "\n" for r in chosen))
    return out


def _args(model_dir, out, tasks, data_files, *extra):
    return ["run", "--model", str(model_dir), "--tasks", tasks, "--metadata", f"data_files={data_files}",
            "--limit", "6", "--p", "0.05", "--q", "0.05", "--nsamples", "2", "--bootstrap-iters", "0",
            "--controls", "none", "-o", str(out), *extra]


@pytest.mark.slow
def test_bbq_and_spin_bbq_read_the_local_original_files(tiny_model_dir, bbq_file, tmp_path, monkeypatch):
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = tmp_path / "out"
    assert main(_args(tiny_model_dir, out, "bbq,spin_bbq_mini", bbq_file)) == 0
    contexts = {json.loads(line)["context"] for line in bbq_file.read_text().splitlines()}
    (results,) = sorted((out / "runs" / "base").glob("*/results_*.json"))
    data = json.loads(results.read_text())
    assert data["configs"]["bbq"]["dataset_kwargs"]["data_files"]["test"] == [str(bbq_file.resolve())]
    assert data["configs"]["spin_bbq_mini"]["metadata"]["data_files"] == [str(bbq_file.resolve())]
    for task in ("bbq", "spin_bbq_mini"):
        (samples,) = sorted(results.parent.glob(f"samples_{task}_*.jsonl"))
        docs = [json.loads(line)["doc"]["context"] for line in samples.read_text().splitlines()]
        assert docs and set(docs) <= contexts, task  # every document came from the local file
    assert "amb_bias_score,none" in data["results"]["bbq"]
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert manifest["settings"]["data_files"] == [str(bbq_file.resolve())]
    report = (out / "report.md").read_text()
    assert "### Data sources" in report and f"| bbq | local | {bbq_file.resolve()} |" in report
    assert "| spin_bbq_mini | local |" in report


@pytest.mark.parametrize(("tasks", "message"), [
    ("spin_suite", r"--metadata data_files: task spin_\w+ reads its own data files .*; run the BBQ tasks"),
    ("bbq,arc_challenge", "task arc_challenge does not read --metadata data_files"),
])
def test_other_tasks_are_refused_on_one_line(tasks, message, bbq_file, tmp_path, capsys):
    assert main(_args("smollm2", tmp_path / "out", tasks, bbq_file)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    import re

    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def test_bad_metadata_is_refused(bbq_file, tmp_path, capsys):
    assert main(_args("smollm2", tmp_path / "o", "bbq", tmp_path / "missing*.jsonl")) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["run", "--tasks", "bbq", "--metadata", "judge=x", "-o", str(tmp_path / "o")]) == 2
    assert "takes data_files=PATH only" in capsys.readouterr().err
