"""End to end (issue 29): a model that produces NaN log-likelihoods gives an lm-eval run whose word
perplexity is NaN; `spin-eval check` of that run against a clean one fails (exit 1), it never passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from spin_eval.cli import main

TASK = "spin_capability_ppl_mini"


def _evaluate(lm, task_manager, out: Path) -> None:
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker

    tracker = EvaluationTracker(output_path=str(out))
    results = simple_evaluate(model=lm, tasks=[TASK], limit=3, log_samples=True, evaluation_tracker=tracker,
                              task_manager=task_manager)
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task in results["configs"]:
        tracker.save_results_samples(task_name=task, samples=samples[task])


@pytest.mark.slow
def test_nan_perplexity_run_fails_the_gate(tiny_model_dir, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from spin_eval.paths import tasks_dir

    tm = TaskManager(include_path=str(tasks_dir()))
    lm = HFLM(pretrained=str(tiny_model_dir), device="cpu", batch_size=1)
    _evaluate(lm, tm, tmp_path / "clean")
    with torch.no_grad():  # a damaged weight, as a corrupt model cache would give
        lm.model.model.layers[0].mlp.down_proj.weight[0, 0] = float("nan")
    _evaluate(lm, tm, tmp_path / "broken")
    policy = tmp_path / "policy.yaml"
    policy.write_text("require_same_fingerprint: false\n")
    code = main(["check", "--baseline", str(tmp_path / "clean"), "--candidate", str(tmp_path / "broken"),
                 "--policy", str(policy)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert f"{TASK}/word_perplexity" in out and "candidate metric is not a number" in out
