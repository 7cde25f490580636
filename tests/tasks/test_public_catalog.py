"""lm-eval's own public tasks, run through lm-eval's own YAMLs on tiny local files of their real schema (no
hub), and every catalogued metric recomputed from the logged per-document values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from spin_eval.metrics import catalog
from spin_eval.paths import tasks_dir

#: catalog task -> (lm-eval YAML under lm_eval/tasks, local task name)
PUBLIC = {"bbq": ("bbq/bbq_multiple_choice.yaml", "bbq_localtest"),
          "arc_challenge": ("arc/arc_challenge.yaml", "arc_challenge_localtest"),
          "wikitext": ("wikitext/wikitext.yaml", "wikitext_localtest")}


def _arc_rows() -> list[dict]:
    qs = [("Which gas do plants take in?", ["oxygen", "carbon dioxide", "helium", "neon"], "B"),
          ("What melts ice fastest?", ["salt", "sand", "paper", "wood"], "A"),
          ("Which is a mammal?", ["shark", "trout", "whale", "squid"], "C"),
          ("What does a thermometer measure?", ["mass", "length", "time", "temperature"], "D")]
    return [{"id": f"q{i}", "question": q, "choices": {"text": c, "label": ["A", "B", "C", "D"]}, "answerKey": k}
            for i, (q, c, k) in enumerate(qs)]


def _bbq_rows() -> list[dict]:
    rows = [json.loads(line) for line in (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_text().splitlines()]
    amb = [r for r in rows if r["context_condition"] == "ambig"][:5]
    dis = [r for r in rows if r["context_condition"] == "disambig"][:5]
    return amb + dis


@pytest.fixture(scope="module")
def public_results(tiny_model_dir, tmp_path_factory):
    import lm_eval
    from lm_eval.tasks import TaskManager

    root = tmp_path_factory.mktemp("public")
    lm_tasks = Path(lm_eval.__file__).parent / "tasks"
    data = {"bbq": _bbq_rows(), "arc_challenge": _arc_rows(),
            "wikitext": [{"page": "The cat sat on the mat . It was a sunny day in Paris ."},
                         {"page": "Seven minus four equals three . The answer is five ."}]}
    for task, (yaml_path, local) in PUBLIC.items():
        f = root / f"{local}.jsonl"
        f.write_text("".join(json.dumps(r) + "\n" for r in data[task]))
        (root / f"{local}.yaml").write_text(
            f"include: {lm_tasks / yaml_path}\ntask: {local}\ntag: []\ndataset_path: json\ndataset_name: null\n"
            f"dataset_kwargs:\n  data_files:\n    train: {f}\n    validation: {f}\n    test: {f}\n"
        )
    manager = TaskManager(include_path=[str(root)])
    return lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={tiny_model_dir},dtype=float32", device="cpu",
        tasks=[local for _, local in PUBLIC.values()], task_manager=manager, log_samples=True, batch_size=4,
        bootstrap_iters=0,
    )


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(PUBLIC))
def test_catalogued_public_metrics_recompute_lm_evals_aggregate(public_results, task):
    local = PUBLIC[task][1]
    reported = public_results["results"][local]
    samples = json.loads(json.dumps(public_results["samples"][local], default=str))
    entries = [m for m in catalog.all_metrics() if m.task == task]
    checked = 0
    for info in entries:
        key = f"{info.metric},none"
        if key not in reported:
            continue
        recomputed = info.compute([s[info.metric] for s in samples if info.metric in s])
        value = reported[key]
        assert (math.isnan(value) and math.isnan(recomputed)) or recomputed == pytest.approx(value, rel=1e-9), info.metric
        checked += 1
    # every metric lm-eval reports is catalogued (nothing silently left out)
    metrics = {k.split(",")[0] for k in reported if "," in k and not k.split(",")[0].endswith("_stderr")}
    assert metrics <= {m.metric for m in entries}, metrics - {m.metric for m in entries}
    assert checked == len(metrics) and checked >= 2


def test_public_headline_choices():
    heads = {(m.task, m.metric) for m in catalog.headline_metrics() if not m.task.startswith("spin_")}
    assert heads == {("bbq", "amb_bias_score"), ("arc_challenge", "acc_norm")}
    assert catalog.metric_info("crows_pairs_english", "pct_stereotype") is None  # best at 50%: not catalogued
    bias = catalog.metric_info("bbq", "amb_bias_score")
    # lm-eval's own formula on hand-made tuples (acc, n_biased, n_non_unknown, disambiguated):
    # disambiguated part 1 biased of 2 non-unknown -> s_dis 0; all-biased ambiguous answers with acc 0 -> +1
    assert bias.compute([[0.0, 1.0, 1.0, False], [0.0, 1.0, 1.0, False], [1.0, 1.0, 1.0, True]]) == pytest.approx(1.0)
    assert bias.compute([[1.0, 0.0, 0.0, False], [1.0, 0.0, 0.0, False]]) == 0.0
