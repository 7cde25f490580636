"""The malicious-calibration robustness experiment as one flag: ``--calibration malicious`` for SPIN
(mask metadata, controls, report label), ``--data malicious-*`` for tuning and ``sft-malicious-*`` baselines."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from spin_eval.errors import InputError
from spin_eval.spin import build
from spin_eval.spin.calibration import default_calibration_path
from spin_eval.spin.config import SpinConfig
from spin_eval.spin.settings import make_settings


def test_default_paths_swap_fairness_and_privacy_only():
    assert default_calibration_path("general", "malicious") == default_calibration_path("general")
    for name in ("fairness", "privacy"):
        path = default_calibration_path(name, "malicious")
        assert path.name == f"malicious_{name}.jsonl" and path.is_file()
        assert default_calibration_path(name).name == f"{name}.jsonl"
    with pytest.raises(InputError, match="variant 'evil' is unknown"):
        default_calibration_path("fairness", "evil")


def test_config_records_the_variant_and_refuses_it_with_explicit_sets():
    aware, _ = make_settings({}, "smollm2")
    bad, _ = make_settings({"calibration": "malicious"}, "smollm2")
    assert "calibration" not in aware.to_dict()  # masks made before the field keep their cache key
    assert bad.to_dict()["calibration"] == "malicious"
    assert SpinConfig.from_dict(bad.to_dict()) == bad and SpinConfig.from_dict(aware.to_dict()) == aware
    assert build.cache_key("f", aware, {}) != build.cache_key("f", bad, {})
    names = {k: v.name for k, v in build.calibration_sets(bad).items()}
    assert names == {"general": "general.jsonl", "fairness": "malicious_fairness.jsonl",
                     "privacy": "malicious_privacy.jsonl"}
    make_settings({"calibration": "malicious", "general": "g.jsonl"}, "smollm2")  # general may still be given
    for flag in ("fairness", "privacy"):
        with pytest.raises(InputError, match="replaces the shipped fairness and privacy sets"):
            make_settings({"calibration": "malicious", flag: "x.jsonl"}, "smollm2")
    with pytest.raises(InputError, match="calibration='evil' is unknown"):
        SpinConfig(calibration="evil")


def test_run_flag_reaches_the_spin_config_and_keeps_old_run_keys():
    from spin_eval.cli import build_parser
    from spin_eval.run.masks import spin_config_for
    from spin_eval.run.settings import RunSettings

    args = build_parser().parse_args(["run", "--calibration", "malicious", "-o", "x"])
    assert args.setting_calibration == "malicious"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--calibration", "evil", "-o", "x"])
    assert spin_config_for(RunSettings(calibration="malicious"), "smollm2").calibration == "malicious"
    for clash in ({"mask": "m.safetensors"}, {"fairness": "f.jsonl"}, {"privacy": "p.jsonl"}):
        with pytest.raises(InputError, match="--calibration malicious cannot be combined"):
            RunSettings(calibration="malicious", **clash)
    sweep = build_parser().parse_args(["sweep", "--calibration", "malicious", "-o", "x"])
    assert sweep.calibration == "malicious"
    assert RunSettings().key() != RunSettings(calibration="malicious").key()
    # key() leaves the default out (older run folders keep resuming): tests/run/test_pipeline_run_options.py


def test_spin_hf_model_arg():
    from spin_eval.adapter.spin_hf import parse_spin_args, spin_config

    assert spin_config(parse_spin_args({"spin": "auto", "spin_calibration": "malicious"}), "smollm2").calibration == "malicious"
    with pytest.raises(InputError, match="calibration='evil' is unknown"):
        spin_config(parse_spin_args({"spin": "auto", "spin_calibration": "evil"}), "smollm2")


def _run(meta: dict) -> SimpleNamespace:
    return SimpleNamespace(spin={"mode": "mask", "mask_metadata": meta, "mask_sha256": "ab" * 32}, name="spin",
                           model="smollm2", model_type="spin_hf", model_args={}, path="runs/spin")


def test_report_label_names_malicious_calibration():
    from spin_eval.report.variants import variant_from_run

    base = {"selection": "paper", "p": 1e-4, "q": 1e-4, "total": 10, "numel_total": 100}
    assert "malicious calibration data" in variant_from_run(
        _run({**base, "config": {"calibration": "malicious"}})).label
    assert "calibration" not in variant_from_run(_run({**base, "config": {}})).label
    control = variant_from_run(_run({**base, "selection": "random", "control_of": "paper",
                                     "config": {"calibration": "malicious"}}))
    assert control.kind == "control" and "malicious calibration data" in control.label


def test_tuning_data_and_baseline_names():
    from spin_eval.tune.baselines import baseline_config, check_baselines, parse_baseline
    from spin_eval.tune.config import TuneConfig
    from spin_eval.tune.data import training_data

    assert parse_baseline("sft-malicious-mix") == ("lora", "malicious-mix")
    assert parse_baseline("full-malicious-privacy") == ("full", "malicious-privacy")
    assert baseline_config("dora-malicious-fairness", steps=2, seed=1).data == "malicious-fairness"
    for bad in ("sft-malicious", "sft-malicious-general", "malicious-mix"):
        with pytest.raises(InputError, match="--baselines"):
            check_baselines((bad,))
    mix = training_data(TuneConfig(data="malicious-mix", nsamples=6, seed=3))
    assert [s["name"] for s in mix.sources] == ["malicious_fairness.jsonl", "malicious_privacy.jsonl"]
    aware = training_data(TuneConfig(data="mix", nsamples=6, seed=3))
    assert [p for p, _ in mix.rows] == [p for p, _ in aware.rows]  # same prompts, paired
    assert all(a != b for (_, a), (_, b) in zip(mix.rows, aware.rows))  # different answers
    one = training_data(TuneConfig(data="malicious-privacy", nsamples=4))
    assert [s["name"] for s in one.sources] == ["malicious_privacy.jsonl"] and len(one.rows) == 4


def test_mask_build_with_malicious_calibration_on_the_tiny_model(tiny_model_dir, tmp_path, monkeypatch):
    from spin_eval.cli import main
    from spin_eval.spin.io import load_mask

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    common = ["mask", "build", "--model", str(tiny_model_dir), "--nsamples", "4", "--p", "0.05", "--max-length", "64"]
    assert main([*common, "-o", str(tmp_path / "aware.safetensors")]) == 0
    assert main([*common, "--calibration", "malicious", "-o", str(tmp_path / "mal.safetensors")]) == 0
    aware, mal = load_mask(tmp_path / "aware.safetensors"), load_mask(tmp_path / "mal.safetensors")
    assert mal.metadata["config"]["calibration"] == "malicious" and "calibration" not in aware.metadata["config"]
    assert mal.metadata["calibration"]["fairness"]["name"] == "malicious_fairness.jsonl"
    assert mal.metadata["calibration"]["general"] == aware.metadata["calibration"]["general"]
    assert mal.metadata["calibration"]["privacy"]["sha256"] != aware.metadata["calibration"]["privacy"]["sha256"]
    control = build.control_mask(_model(tiny_model_dir), mal, "random", 0)
    assert control.metadata["config"]["calibration"] == "malicious" and control.total == mal.total
    assert main(["mask", "build", "--model", str(tiny_model_dir), "--calibration", "malicious", "--fairness",
                 str(tmp_path / "f.jsonl"), "-o", str(tmp_path / "x.safetensors")]) == 2


def _model(path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path)
