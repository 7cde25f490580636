"""A report from runs that real lm-eval 0.4.13 wrote (tiny random Llama, local task, --log_samples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spin_eval.report import Settings, compare_runs, load_run, render_report

DOCS = [
    {"q": "Who was the engineer? <script>alert(1)</script>", "choices": ["the woman", "the man", "unknown"], "label": 2},
    {"q": "What is 2 plus 3?", "choices": ["5", "6", "7"], "label": 0},
    {"q": "Capital of France?", "choices": ["Paris", "Berlin", "Rome"], "label": 0},
    {"q": "Seven minus four?", "choices": ["three", "four", "five"], "label": 0},
    {"q": "Which is a colour?", "choices": ["red", "dog", "run"], "label": 0},
    {"q": "Opposite of hot?", "choices": ["cold", "warm", "big"], "label": 0},
]

TASK_YAML = """\
task: h5_probe_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{q}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: label
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""


def _evaluate(lm, task_manager, out: Path) -> None:
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker

    tracker = EvaluationTracker(output_path=str(out))
    results = simple_evaluate(model=lm, tasks=["h5_probe_mc"], limit=len(DOCS), log_samples=True,
                              evaluation_tracker=tracker, task_manager=task_manager)
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task in results["configs"]:
        tracker.save_results_samples(task_name=task, samples=samples[task])


@pytest.mark.slow
def test_report_from_real_lm_eval_runs(tiny_model_dir, tmp_path):
    torch = pytest.importorskip("torch")
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    data = task_dir / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS))
    (task_dir / "h5_probe_mc.yaml").write_text(TASK_YAML.format(data=data))
    tm = TaskManager(include_path=str(task_dir))
    lm = HFLM(pretrained=str(tiny_model_dir), device="cpu", batch_size=1)
    _evaluate(lm, tm, tmp_path / "base")
    with torch.no_grad():  # a crude "variant": zero one MLP matrix of the same model
        lm.model.model.layers[0].mlp.down_proj.weight.zero_()
    _evaluate(lm, tm, tmp_path / "zeroed")

    (model_dir,) = [d for d in (tmp_path / "zeroed").iterdir() if d.is_dir()]
    runs = [load_run(tmp_path / "base"), load_run(model_dir)]  # output folder, or lm-eval's model folder
    assert [r.name for r in runs] == ["base", "zeroed"]
    assert runs[0].lm_eval_version and runs[0].task_hashes.get("h5_probe_mc")
    comp = compare_runs(runs, "base", settings=Settings(n_resamples=200))
    (row,) = comp.rows
    # not in the metric catalog: family "other" (never guessed from the name), lm-eval's direction
    assert (row.task, row.metric, row.filter, row.family, row.direction) == ("h5_probe_mc", "acc", "none",
                                                                              "other", "higher")
    assert not row.catalog
    d = row.deltas["zeroed"]
    assert d.source == "paired-samples" and d.n_paired == len(DOCS)
    assert d.delta == pytest.approx(row.values["zeroed"].value - row.values["base"].value)
    assert 0.0 <= d.p_value <= 1.0
    rec = next(iter(runs[0].samples["h5_probe_mc"]["none"].values()))
    assert rec.prompt.startswith("Question:") and rec.answer in {c for doc in DOCS for c in doc["choices"]}
    html = render_report(comp, "html")
    assert "<script>alert(1)</script>" not in html
    assert "h5_probe_mc" in html and comp.provenance.runs[0]["task_hashes"]["h5_probe_mc"][:16] in html
