"""The limited-data experiment (``spin-eval run --data-sizes``): names, configs, refusals, and a tiny run."""

from __future__ import annotations

import json

import pytest

from spin_eval.errors import InputError
from spin_eval.tune.sizes import baseline_variants, check_data_sizes, parse_sizes, spin_size_variants


def test_sizes_name_one_spin_mask_and_every_baseline_per_size():
    assert spin_size_variants((8, 32)) == {"spin-n8": 8, "spin-n32": 32}
    configs = baseline_variants(("sft-privacy", "full-mix"), (8, 32), steps=5, seed=3)
    assert list(configs) == ["sft-privacy", "full-mix", "sft-privacy-n8", "full-mix-n8", "sft-privacy-n32",
                             "full-mix-n32"]
    assert configs["sft-privacy"].nsamples == 64  # the name as given keeps TuneConfig's default
    assert configs["full-mix-n8"].nsamples == 8 and configs["full-mix-n8"].method == "full"
    assert configs["sft-privacy-n32"].data == "privacy" and configs["sft-privacy-n32"].nsamples == 32
    assert {c.steps for c in configs.values()} == {5} and {c.seed for c in configs.values()} == {3}
    assert baseline_variants((), (8,), steps=None, seed=0) == {}


@pytest.mark.parametrize(("text", "message"), [
    ("8,x", "'x' is not a positive integer"),
    ("8,8", "named twice"),
    ("0", "positive integer"),
    ("", "is empty"),
    ("1,2,3,4,5,6,7", "at most 6 sizes"),
])
def test_bad_sizes_are_one_line_errors_naming_the_flag(text, message):
    with pytest.raises(InputError, match="--data-sizes") as info:
        parse_sizes(text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_parse_sizes_keeps_the_order_given():
    assert parse_sizes(" 32, 8 ,128") == (32, 8, 128)
    check_data_sizes(())


def test_run_settings_refuse_sizes_with_a_given_mask(tmp_path):
    from spin_eval.run.masks import variant_names
    from spin_eval.run.settings import RunSettings

    with pytest.raises(InputError, match="--data-sizes cannot be combined with --mask"):
        RunSettings(mask=str(tmp_path / "m.safetensors"), data_sizes=(8,))
    with pytest.raises(InputError, match="named twice"):
        RunSettings(data_sizes=(8, 8))
    names = variant_names(RunSettings(controls=("random",), baselines=("sft-mix",), data_sizes=(4, 16)))
    assert names == ["base", "spin", "control-random", "spin-n4", "spin-n16", "sft-mix", "sft-mix-n4", "sft-mix-n16"]


def test_sft_rows_at_a_size_are_the_rows_spin_scores_and_nest(tmp_path):
    """The same sampler and seed: sft-privacy-nN trains on exactly spin-nN's privacy rows, smaller inside larger."""
    from spin_eval.spin.calibration import load_calibration, sample_rows
    from spin_eval.tune.data import shipped_path, training_data

    configs = baseline_variants(("sft-privacy", "sft-mix"), (4, 12), steps=None, seed=2)
    cal = load_calibration(shipped_path("privacy"))
    small = training_data(configs["sft-privacy-n4"]).rows
    large = training_data(configs["sft-privacy-n12"]).rows
    assert list(small) == sample_rows(cal, 4, 2) and list(large) == sample_rows(cal, 12, 2)
    assert large[:4] == small
    fairness = load_calibration(shipped_path("fairness"))
    mix = training_data(configs["sft-mix-n12"]).rows
    assert list(mix) == sample_rows(fairness, 6, 2) + sample_rows(cal, 6, 2)


@pytest.mark.slow
def test_run_with_data_sizes_builds_each_size_on_the_same_documents(tiny_model_dir, tmp_path, monkeypatch):
    from run_fixtures import QUESTIONS, write_mc_task

    from spin_eval.cli import main
    from spin_eval.results import load_run
    from spin_eval.spin.io import load_mask

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "tasks").mkdir()
    tasks = write_mc_task(tmp_path / "tasks", "sizetest_mc", QUESTIONS)
    out = tmp_path / "run"
    code = main(["run", "--model", str(tiny_model_dir), "--tasks", "sizetest_mc", "--include-path", str(tasks),
                 "--limit", "6", "--p", "0.05", "--q", "0.05", "--nsamples", "3", "--batch-size", "4",
                 "--bootstrap-iters", "0", "--controls", "none", "--baselines", "sft-privacy",
                 "--tune-steps", "2", "--data-sizes", "2,5", "-o", str(out)])
    assert code == 0
    names = ["base", "spin", "spin-n2", "spin-n5", "sft-privacy", "sft-privacy-n2", "sft-privacy-n5"]
    runs = {name: load_run(out / "runs" / name) for name in names}
    docs = {name: sorted(r.samples["sizetest_mc"]["none"]) for name, r in runs.items()}
    assert len({tuple(d) for d in docs.values()}) == 1 and len(docs["base"]) == 6
    for name, n in (("spin", 3), ("spin-n2", 2), ("spin-n5", 5)):
        assert load_mask(out / "masks" / f"{name}.safetensors").metadata["config"]["nsamples"] == n
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    tuned = manifest["stages"]["baselines"]["baselines"]
    assert {name: tuned[name]["config"]["nsamples"] for name in tuned} == {
        "sft-privacy": 64, "sft-privacy-n2": 2, "sft-privacy-n5": 5}
    assert len({tuned[name]["path"] for name in tuned}) == 3  # three recipes, three artifacts
    assert set(manifest["outputs"]) >= {"masks/spin-n2.safetensors", "runs/sft-privacy-n5"}
    report = json.loads((out / "report.json").read_text())
    assert "spin-n5" in json.dumps(report) and "sft-privacy-n2" in json.dumps(report)
