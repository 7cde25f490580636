"""One SPIN settings definition: CLI flags and spin_hf model_args come from SpinConfig/ScoringOptions, one
ratio rule everywhere, runtime knobs outside the mask cache key, and controls built by spin/build.py."""

from __future__ import annotations

import argparse
from dataclasses import fields

import pytest
import torch

from spin_eval.spin import build
from spin_eval.spin.config import ScoringOptions, SpinConfig
from spin_eval.spin.settings import (
    adapter_arg_names,
    add_setting_arguments,
    flag_name,
    given_settings,
    make_settings,
)


def _parser(**kw) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_setting_arguments(parser, **kw)
    return parser


def test_every_field_is_a_flag_and_a_model_arg():
    names = [f.name for f in fields(SpinConfig)] + [f.name for f in fields(ScoringOptions)]
    flags = _parser().format_help()
    for name in names:
        assert flag_name(name) in flags, name
        assert adapter_arg_names()["spin_" + name] == name
    from spin_eval.cli import build_parser

    for command in (["mask", "build"], ["run"]):
        text = _subparser_help(build_parser(), command)
        for name in names:
            flag = "--score-batch-size" if (command == ["run"] and name == "batch_size") else flag_name(name)
            assert flag in text, (command, flag)


def _subparser_help(parser: argparse.ArgumentParser, path: list[str]) -> str:
    for word in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser.format_help()


@pytest.mark.parametrize("model", ["smollm2", "Qwen/Qwen2-7B-Instruct"])
def test_one_ratio_rule_for_cli_adapter_and_run(model):
    from spin_eval.adapter.spin_hf import parse_spin_args, spin_config
    from spin_eval.run.settings import RunSettings
    from spin_eval.spin.config import default_ratio

    cli = make_settings(given_settings(_parser().parse_args(["--p", "0.002"])), model)[0]
    adapter = spin_config(parse_spin_args({"spin": "auto", "spin_p": "0.002"}), model)
    run = RunSettings.with_spin(model=model, p=0.002).spin
    assert (cli.p, cli.q) == (adapter.p, adapter.q) == (run.p, run.q) == (0.002, 0.002)  # q defaults to p
    only_q = make_settings({"q": 0.003}, model)[0]
    assert (only_q.p, only_q.q) == (default_ratio(model), 0.003)
    neither = spin_config(parse_spin_args({"spin": "auto"}), model)
    assert neither.p == neither.q == default_ratio(model)


def test_runtime_knobs_stay_out_of_the_cache_key():
    config, options = make_settings({"p": 0.01, "batch_size": 8}, "x")
    assert options.batch_size == 8 and "batch_size" not in config.to_dict()
    assert build.cache_key("f", config, {}) == build.cache_key("f", make_settings({"p": 0.01}, "x")[0], {})
    assert SpinConfig.from_dict({**config.to_dict(), "batch_size": 3}) == config  # masks of older versions


def test_run_then_spin_auto_reuses_the_cached_mask(tiny_model_dir, cal_files, tmp_path, monkeypatch):
    """`spin-eval run`'s mask stage (score batch 8) fills the cache; spin=auto (batch 1) then loads it."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.run import masks as run_mod
    from spin_eval.spin import scoring
    from spin_eval.spin.io import file_sha256

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    files = {name: str(cal_files[name]) for name in ("general", "fairness", "privacy")}
    settings = run_mod.RunSettings.with_spin(model=str(tiny_model_dir), p=0.05, nsamples=3, controls=(), **files)

    class Loaded:  # what run_pipeline hands build_masks: the loaded spin_hf model
        model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)

    masks = run_mod.build_masks(Loaded(), settings, tmp_path / "masks", force=False)
    assert settings.scoring.batch_size == 8

    def scored_again(*args, **kwargs):
        raise AssertionError("spin=auto scored again although `spin-eval run` cached the same mask")

    monkeypatch.setattr(scoring, "gradient_sums", scored_again)
    lm = SpinHFLM(pretrained=str(tiny_model_dir), device="cpu", dtype="float32", spin="auto", spin_p=0.05,
                  spin_nsamples=3, **{f"spin_{k}": v for k, v in files.items()})
    info = lm.get_model_info()["spin"]
    assert info["mask_sha256"] == file_sha256(masks["spin"])
    assert info["mask_metadata"]["total"] > 0


@pytest.mark.parametrize("selection", ["random", "magnitude-random"])
def test_control_of_a_spin_mask_equals_mask_build_selection(tiny_model64, cal_files, selection):
    """build.control_mask (used by `spin-eval run`) draws what `mask build --selection <control>` draws."""
    model, tok = tiny_model64
    config = SpinConfig(p=0.05, q=0.05, nsamples=4, control_seed=3, **{k: str(v) for k, v in cal_files.items()})
    masks = build.build_masks(model, tok, config, ("paper", selection), progress=False)
    spin, built = masks["paper"], masks[selection]
    derived = build.control_mask(model, spin, selection, control_seed=3)
    assert spin.total > 0 and derived.counts == spin.counts
    assert all(torch.equal(derived.indices[n], built.indices[n]) for n in spin.indices)
    assert derived.metadata["selection"] == selection and derived.metadata["control_seed"] == 3
    assert derived.metadata["control_of"] == "paper"
    if selection == "magnitude-random":
        assert all(not set(derived.indices[n].tolist()) & set(spin.indices[n].tolist()) for n in spin.indices)
