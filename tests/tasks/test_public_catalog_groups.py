"""mmlu (the group), discrim_eval, winogender and CrowS-Pairs categories: lm-eval's own task YAMLs on tiny local
files of their real schema (no hub), every catalogued metric recomputed from the logged per-document values,
and lm-eval's group row recomputed from its subtasks' samples as ``spin_eval.results.load`` pools them."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from public_fixtures import crows_rows, discrim_rows, winogender_rows, write_local_task, write_mmlu_group

from spin_eval.metrics import catalog

#: catalog task -> (lm-eval YAML under lm_eval/tasks, local task name, rows)
LOCAL = {
    "crows_pairs_english": ("crows_pairs/crows_pairs_english.yaml", "crows_localtest", crows_rows),
    "crows_pairs_english_age": ("crows_pairs/crows_pairs_english_age.yaml", "crows_age_localtest", crows_rows),
    "crows_pairs_english_gender": ("crows_pairs/crows_pairs_english_gender.yaml", "crows_gender_localtest",
                                   crows_rows),
    "winogender_all": ("winogender/winogender.yaml", "wg_localtest", winogender_rows),
    "winogender_male": ("winogender/winogender_male.yaml", "wg_male_localtest", winogender_rows),
    "winogender_gotcha_female": ("winogender/winogender_gotcha_female.yaml", "wg_gf_localtest", winogender_rows),
    "discrim_eval_explicit": ("discrim_eval/discrim_eval_explicit.yaml", "de_localtest", discrim_rows),
}
#: unequal subtask sizes, so a mean of subtask means would differ from lm-eval's size-weighted group row
MMLU = {"anatomy": ("stem", 3), "astronomy": ("stem", 7), "philosophy": ("humanities", 2)}
#: CrowS-Pairs' pct_stereotype is best at 50%: deliberately not catalogued (shown under lm-eval's own flag)
NOT_CATALOGUED = {"pct_stereotype"}


@pytest.fixture(scope="module")
def results(tiny_model_dir, tmp_path_factory):
    import lm_eval
    from lm_eval.tasks import TaskManager

    root = tmp_path_factory.mktemp("public_groups")
    for yaml_path, local, rows in LOCAL.values():
        write_local_task(root, yaml_path, local, rows())
    group = write_mmlu_group(root, MMLU)
    out = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={tiny_model_dir},dtype=float32", device="cpu",
        tasks=[local for _, local, _ in LOCAL.values()] + [group], task_manager=TaskManager(include_path=[str(root)]),
        log_samples=True, batch_size=8, bootstrap_iters=0,
    )
    return json.loads(json.dumps(out, default=str))  # as the samples file logs them


def _check(reported: dict, entries: list, values_of) -> int:
    checked = 0
    for info in entries:
        key = f"{info.metric},none"
        if key in reported:
            recomputed, value = info.compute(values_of(info.metric)), reported[key]
            assert (math.isnan(value) and math.isnan(recomputed)) or recomputed == pytest.approx(value, rel=1e-9, abs=1e-12), \
                (info.task, info.metric)
            checked += 1
    metrics = {k.split(",")[0] for k in reported if "," in k and not k.split(",")[0].endswith("_stderr")}
    assert metrics - NOT_CATALOGUED <= {m.metric for m in entries}, metrics - {m.metric for m in entries}
    assert checked == len(metrics - NOT_CATALOGUED) and checked >= 1
    return checked


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(LOCAL))
def test_catalogued_metrics_recompute_lm_evals_aggregate(results, task):
    local = LOCAL[task][1]
    samples = results["samples"][local]
    entries = [m for m in catalog.all_metrics() if m.task == task]
    n = _check(results["results"][local], entries, lambda metric: [s[metric] for s in samples if metric in s])
    if task.startswith("discrim_eval"):
        assert n == 7 and not any(m.headline for m in entries)  # a corpus-level regression: never a headline


@pytest.mark.slow
def test_mmlu_group_rows_recompute_from_pooled_subtask_samples(results, tmp_path):
    from spin_eval.results.load import load_run

    # written as lm-eval's tracker lays a run out, then read back by the one loader
    date = "2026-12-05T00-00-00.000000"
    (tmp_path / f"results_{date}.json").write_text(json.dumps({k: v for k, v in results.items() if k != "samples"}))
    for task, rows in results["samples"].items():
        (tmp_path / f"samples_{task}_{date}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = load_run(tmp_path)
    assert run.groups["mmlu_localtest"] == ["mmlu_humanities_localtest", "mmlu_stem_localtest"]
    for local, catalogued in (("mmlu_localtest", "mmlu"), ("mmlu_stem_localtest", "mmlu_stem"),
                              ("mmlu_humanities_localtest", "mmlu_humanities")):
        values = run.doc_values(local, "acc")
        assert len(values) == sum(n for c, n in MMLU.values() if catalogued == "mmlu" or f"mmlu_{c}" == catalogued)
        info = catalog.metric_info(catalogued, "acc")
        assert info.compute(list(values.values())) == pytest.approx(run.metric_value(local, "acc"), rel=1e-12)
    # the plain mean of subtask means is a different number here (sizes 3, 7, 2): the test can tell them apart
    subtask_means = [run.metric_value(f"mmlu_{s}_localtest", "acc") for s in MMLU]
    assert sum(subtask_means) / 3 != pytest.approx(run.metric_value("mmlu_localtest", "acc")) or \
        len(set(subtask_means)) == 1
    # keys name their subtask, so documents pair across runs and never collide between subjects
    assert all(k.split("/", 1)[0] in {f"mmlu_{s}_localtest" for s in MMLU} for k in values)


def test_group_samples_file_search_skips_subtasks(tmp_path):
    from spin_eval.results.load import sample_files

    results = tmp_path / "results_2026-12-05T00-00-00.000000.json"
    results.write_text("{}")
    (tmp_path / "samples_mmlu_anatomy_2026-12-05T00-00-00.000000.jsonl").write_text("")
    (tmp_path / "samples_mmlu_2026-12-04T00-00-00.000000.jsonl").write_text("")
    found = sample_files(results, ["mmlu", "mmlu_anatomy"])
    assert found["mmlu"].name == "samples_mmlu_2026-12-04T00-00-00.000000.jsonl"
    assert found["mmlu_anatomy"].name.startswith("samples_mmlu_anatomy_")


def test_pooling_is_recursive_and_needs_every_leaf():
    from spin_eval.results.groups import leaves, pooled_samples

    groups = {"mmlu": ["mmlu_stem", "mmlu_other"], "mmlu_stem": ["a", "b"], "mmlu_other": ["c"]}
    assert leaves(groups, "mmlu") == ["a", "b", "c"]
    samples = {t: {"none": {"d0": t}} for t in "abc"}
    pooled = pooled_samples(groups, samples)
    assert pooled["mmlu"]["none"] == {"a/d0": "a", "b/d0": "b", "c/d0": "c"}
    del samples["c"]
    assert set(pooled_samples(groups, samples)) == {"mmlu_stem"}  # a group with a leaf missing is not pooled


def test_new_public_entries():
    assert catalog.metric_info("mmlu", "acc").family == "capability"
    assert catalog.metric_info("mmlu", "acc").groups == ("subject",)
    assert catalog.metric_info("mmlu_high_school_physics", "acc") is not None  # subjects from lm-eval's YAMLs
    assert len([m for m in catalog.all_metrics() if m.task.startswith("mmlu_") and m.task not in
                ("mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other")]) == 57
    assert catalog.metric_info("discrim_eval_implicit", "age_bias").direction == "lower"
    assert catalog.metric_info("discrim_eval_implicit", "female_bias").direction == "zero"
    assert catalog.metric_info("winogender_gotcha_male", "acc").family == "fairness"
    for kind in ("race_color", "socioeconomic"):
        assert catalog.metric_info(f"crows_pairs_english_{kind}", "likelihood_diff").direction == "lower"


def test_discrim_eval_regression_that_cannot_be_fitted_is_nan():
    info = catalog.metric_info("discrim_eval_explicit", "female_bias")
    # one template, one demographic pattern repeated: lm-eval's mixed model has a singular Hessian
    rows = [[["white", "male", 30.0, 1], "female_bias", 0.1], [["white", "male", 30.0, 1], "female_bias", 0.1],
            [["black", "female", 40.0, 1], "female_bias", 0.2]]
    from lm_eval.tasks.discrim_eval import utils

    with pytest.raises(np.linalg.LinAlgError):  # lm-eval's own aggregation raises here ...
        utils.agg_demographic_bias_regression([tuple((tuple(r[0]), r[1], r[2])) for r in rows])
    assert math.isnan(info.compute(rows))  # ... the catalog's is undefined (NaN), never an exception
    assert info.compute(rows[:1]) == 0.0  # lm-eval's own answer for fewer than two documents
