"""spin-eval tune: LoRA / DoRA / full fine-tuning baselines on the tiny model, and loading them in lm-eval."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from spin_eval.errors import FingerprintMismatchError, InputError
from spin_eval.tune.config import TuneConfig


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _config(**kw):
    base = dict(nsamples=6, steps=3, batch_size=2, max_length=64, learning_rate=1e-2)
    base.update(kw)
    return TuneConfig(**base)


def _logits(model, tokenizer):
    import torch

    ids = tokenizer("Who was the engineer? The woman", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(ids).logits


@pytest.mark.parametrize("method", ["lora", "dora"])
def test_peft_adapter_is_deterministic_and_loads_in_hf(tiny_model_dir, cache, tmp_path, method):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from spin_eval.fileio import file_sha256
    from spin_eval.tune.job import tune_baseline

    first = tune_baseline(str(tiny_model_dir), _config(method=method), output=tmp_path / "a", progress=False)
    assert not first.cached
    assert (first.path / "adapter_config.json").is_file() and (first.path / "adapter_model.safetensors").is_file()
    record = json.loads((first.path / "spin_eval_tune.json").read_text())
    assert record["config"]["method"] == method and len(record["base_model_fingerprint"]) == 64
    assert len(record["losses"]) == 3 and all(math.isfinite(x) for x in record["losses"])
    assert record["data"][0]["nsamples"] == 6 and len(record["data"][0]["sha256"]) == 64
    # Same recipe: served from the cache; and a retrain from scratch gives the same bytes.
    again = tune_baseline(str(tiny_model_dir), _config(method=method), progress=False)
    assert again.cached
    import shutil

    shutil.rmtree(cache / "tuned")
    fresh = tune_baseline(str(tiny_model_dir), _config(method=method), progress=False)
    assert not fresh.cached
    assert file_sha256(fresh.path / "adapter_model.safetensors") == file_sha256(first.path / "adapter_model.safetensors")
    # The adapter changes the model, and PEFT loads it as lm-eval's hf does.
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    before = _logits(base, tokenizer)
    tuned = PeftModel.from_pretrained(base, str(first.path))
    assert not _logits(tuned, tokenizer).allclose(before, atol=1e-5)


def test_other_seed_or_data_is_another_artifact(tiny_model_dir, cache):
    from spin_eval.tune.job import tune_baseline

    a = tune_baseline(str(tiny_model_dir), _config(), progress=False)
    b = tune_baseline(str(tiny_model_dir), _config(seed=1), progress=False)
    c = tune_baseline(str(tiny_model_dir), _config(data="mix"), progress=False)
    assert len({a.path, b.path, c.path}) == 3
    mix = c.provenance["data_sources"]
    assert [s["name"] for s in mix] == ["fairness.jsonl", "privacy.jsonl"] and [s["nsamples"] for s in mix] == [3, 3]


def test_interrupted_save_leaves_no_artifact_and_a_rerun_trains_cleanly(tiny_model_dir, cache, monkeypatch):
    from peft import PeftModel

    from spin_eval.tune.job import tune_baseline
    from spin_eval.tune.store import tuned_cache_dir

    def interrupted(self, folder, **kwargs):
        (Path(folder) / "adapter_model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(PeftModel, "save_pretrained", interrupted)
        with pytest.raises(KeyboardInterrupt):
            tune_baseline(str(tiny_model_dir), _config(), progress=False)
    assert not tuned_cache_dir().exists() or list(tuned_cache_dir().iterdir()) == []
    first = tune_baseline(str(tiny_model_dir), _config(), progress=False)
    assert not first.cached and (first.path / "adapter_model.safetensors").stat().st_size > 100
    # a cache entry emptied by hand (no provenance) is trained again and replaced, not kept or refused
    files = {p.name: p.read_bytes() for p in first.path.iterdir()}
    for p in first.path.iterdir():
        p.unlink()
    again = tune_baseline(str(tiny_model_dir), _config(), progress=False)
    assert again.path == first.path and not again.cached
    assert (again.path / "adapter_model.safetensors").read_bytes() == files["adapter_model.safetensors"]
    assert tune_baseline(str(tiny_model_dir), _config(), progress=False).cached


def test_full_finetuning_writes_an_exact_delta_for_hf(tiny_model_dir, cache, tmp_path):
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from spin_eval.tune.data import tokenized_examples, training_data
    from spin_eval.tune.job import tune_baseline
    from spin_eval.tune.train import prepare_model, train

    config = _config(method="full", learning_rate=1e-3)
    result = tune_baseline(str(tiny_model_dir), config, progress=False)
    delta = load_file(str(result.path / "model.safetensors"))
    changed = {n for n, t in delta.items() if t.abs().max() > 0}
    assert changed and all(n.rsplit(".", 2)[-2] in config.target_modules for n in changed)
    assert not any("embed" in n or "norm" in n for n in changed)
    # base + delta (what lm-eval's delta= does) equals the model tuned in memory by the same recipe.
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    tuned = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    examples = tokenized_examples(tokenizer, training_data(config), config)
    tuned = prepare_model(tuned, config)
    train(tuned, tokenizer, config, examples, progress=False)
    rebuilt = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    with torch.no_grad():
        for name, param in rebuilt.state_dict().items():
            if name in delta:
                param += delta[name]
    for name, param in tuned.state_dict().items():
        assert torch.allclose(param, rebuilt.state_dict()[name], atol=1e-6), name


def test_bad_inputs_are_one_line_errors(tiny_model_dir, cache, tmp_path):
    from spin_eval.tune.job import tune_baseline

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "hi"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl: line 1: empty or missing 'response'"):
        tune_baseline(str(tiny_model_dir), _config(data=str(bad)), progress=False)
    with pytest.raises(InputError, match=r"--target-modules: c_attn not in the model; its linear layers are named"):
        tune_baseline(str(tiny_model_dir), _config(target_modules=("c_attn",)), progress=False)
    with pytest.raises(InputError, match="method 'qlora' is unknown"):
        TuneConfig(method="qlora")
    with pytest.raises(InputError, match="learning rate must be a finite number"):
        TuneConfig(learning_rate=float("nan"))
    out = tmp_path / "exists"
    out.mkdir()
    with pytest.raises(InputError, match="exists already"):
        tune_baseline(str(tiny_model_dir), _config(), output=out, progress=False)


def test_nan_loss_stops_naming_the_step_and_writes_nothing(tiny_model_dir, cache):
    from spin_eval.tune.job import tune_baseline

    with pytest.raises(InputError, match=r"the (training loss|gradient norm) is (nan|inf) at step [12]; nothing was written"):
        tune_baseline(str(tiny_model_dir), _config(learning_rate=1e30, method="full"), progress=False)
    assert not any((cache / "tuned").glob("*")) if (cache / "tuned").exists() else True


def test_spin_hf_loads_the_adapter_checks_the_base_and_masks_the_merged_weights(tiny_model_dir, cache, tmp_path):
    import torch
    from peft import PeftModel
    from tiny_model import build_tiny_llama
    from transformers import AutoModelForCausalLM

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.tune.job import tune_baseline

    adapter = tune_baseline(str(tiny_model_dir), _config(), progress=False).path
    lm = SpinHFLM(pretrained=str(tiny_model_dir), peft=str(adapter), device="cpu", dtype="float32", batch_size=1)
    reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), str(adapter)).eval()
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.equal(lm.model(ids).logits, reference(ids).logits)
    assert lm.get_model_info()["spin"]["mode"] == "none"
    # Another base model: refused naming both fingerprints.
    other = build_tiny_llama(tmp_path / "other", seed=1)
    with pytest.raises(FingerprintMismatchError, match=r"trained on a base model with fingerprint [0-9a-f]{16}\.\.\..*loaded model's is"):
        SpinHFLM(pretrained=str(other), peft=str(adapter), device="cpu", dtype="float32", batch_size=1)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_adapter_trained_in_float32_is_accepted_on_its_base_loaded_in_half_precision(tiny_model_dir, cache, tmp_path,
                                                                                    dtype):
    """spin-eval run --dtype bfloat16 --baselines: the shared model is the same base, rounded; another base
    in the same dtype is still refused."""
    from tiny_model import build_tiny_llama

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.tune.job import tune_baseline

    result = tune_baseline(str(tiny_model_dir), _config(), progress=False)
    assert set(result.provenance["base_model_fingerprints_rounded"]) == {"bfloat16", "float16"}
    lm = SpinHFLM(pretrained=str(tiny_model_dir), peft=str(result.path), device="cpu", dtype=dtype, batch_size=1)
    assert lm.get_model_info()["spin"]["mode"] == "none"
    other = build_tiny_llama(tmp_path / "other", seed=1)
    with pytest.raises(FingerprintMismatchError, match="trained on a base model with fingerprint"):
        SpinHFLM(pretrained=str(other), peft=str(result.path), device="cpu", dtype=dtype, batch_size=1)


def test_spin_hf_mask_on_a_merged_adapter(tiny_model_dir, cache, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.constants import MASK_FORMAT_VERSION
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask, model_fingerprint
    from spin_eval.tune.job import tune_baseline

    adapter = tune_baseline(str(tiny_model_dir), _config(), progress=False).path
    merged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), str(adapter)).merge_and_unload()
    name = "model.layers.0.mlp.down_proj.weight"
    shape = tuple(merged.state_dict()[name].shape)
    mask = SpinMask(
        indices={name: torch.arange(0, 40, dtype=torch.int64)}, shapes={name: shape},
        metadata={"format_version": MASK_FORMAT_VERSION, "model_fingerprint": model_fingerprint(merged, "mlp"),
                  "target": "mlp", "p": 0.0, "q": 0.0, "selection": "paper", "calibration": {}, "model_name": "tiny",
                  "spin_eval_version": "0", "score_kind": "hand-made test fixture"},
    )
    path = tmp_path / "m.safetensors"
    save_mask(mask, path)
    lm = SpinHFLM(pretrained=str(tiny_model_dir), peft=str(adapter), mask=str(path), device="cpu", dtype="float32", batch_size=1)
    weight = dict(lm.model.named_parameters())[name]
    assert torch.count_nonzero(weight.flatten()[:40]) == 0
    assert torch.equal(weight.flatten()[40:], merged.state_dict()[name].flatten()[40:])


def test_cli_tune_writes_the_artifact_and_refuses_bad_numbers_in_one_line(tiny_model_dir, cache, tmp_path, capsys):
    from spin_eval.cli import main

    out = tmp_path / "cli-adapter"
    code = main(["tune", "--model", str(tiny_model_dir), "--nsamples", "4", "--steps", "2", "--batch-size", "2",
                 "--max-length", "64", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and (out / "adapter_model.safetensors").is_file()
    assert f"peft={out}" in printed and "trained" in printed
    code = main(["tune", "--model", str(tiny_model_dir), "--steps", "two"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--steps 'two': not a number" in err
    code = main(["tune", "--model", str(tiny_model_dir), "--lora-dropout", "1.5"])
    assert code == 2 and "dropout must lie in [0, 1)" in capsys.readouterr().err


@pytest.mark.slow
def test_run_evaluates_baselines_on_the_same_documents_with_one_model_load(tiny_model_dir, cache, tmp_path):
    from run_fixtures import QUESTIONS, write_mc_task

    import spin_eval.run.main as run_mod
    from spin_eval.cli import main
    from spin_eval.results import load_run

    (tmp_path / "tasks").mkdir()
    tasks = write_mc_task(tmp_path / "tasks", "tunetest_mc", QUESTIONS)
    out = tmp_path / "run"
    loads = []
    real_load = run_mod.load_shared_model
    run_mod.load_shared_model = lambda settings: loads.append(1) or real_load(settings)
    try:
        code = main(["run", "--model", str(tiny_model_dir), "--tasks", "tunetest_mc", "--include-path", str(tasks),
                     "--limit", "6", "--p", "0.05", "--q", "0.05", "--nsamples", "3", "--batch-size", "4",
                     "--bootstrap-iters", "0", "--controls", "none", "--baselines", "sft-privacy,full-mix",
                     "--tune-steps", "2", "-o", str(out)])
    finally:
        run_mod.load_shared_model = real_load
    assert code == 0 and len(loads) == 1
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    baselines = manifest["stages"]["baselines"]["baselines"]
    assert baselines["sft-privacy"]["kind"] == "peft" and baselines["full-mix"]["kind"] == "delta"
    runs = {name: load_run(out / "runs" / name) for name in ("base", "spin", "sft-privacy", "full-mix")}
    docs = {name: sorted(r.samples["tunetest_mc"]["none"]) for name, r in runs.items()}
    assert docs["base"] == docs["sft-privacy"] == docs["full-mix"] == docs["spin"]
    args = runs["sft-privacy"].model_args
    assert args.get("peft") == baselines["sft-privacy"]["path"] and runs["full-mix"].model_args.get("delta")
    assert len(docs["base"]) == 6


@pytest.mark.parametrize("method", ["lora", "full"])
def test_use_finetuned_then_clear_restores_the_base_exactly(tiny_model_dir, cache, method):
    import torch

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.tune.job import tune_baseline

    path = tune_baseline(str(tiny_model_dir), _config(method=method, learning_rate=1e-2), progress=False).path
    lm = SpinHFLM(pretrained=str(tiny_model_dir), device="cpu", dtype="float32", batch_size=1)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        before = lm.model(ids).logits.clone()
        lm.use_finetuned(path, "peft" if method == "lora" else "delta")
        tuned = lm.model(ids).logits.clone()
        lm.clear_finetuned()
        after = lm.model(ids).logits
    assert not torch.allclose(before, tuned, atol=1e-6)
    assert torch.equal(before, after)


def test_cli_tune_never_writes_over_its_data(tiny_model_dir, cache, tmp_path, capsys):
    from spin_eval.cli import main

    (tmp_path / "out").mkdir()
    data = tmp_path / "out" / "rows.jsonl"
    data.write_text('{"prompt": "a", "response": "b"}\n')
    assert main(["tune", "--model", str(tiny_model_dir), "--data", str(data), "-o", str(data)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["tune", "--model", str(tiny_model_dir), "--data", str(data), "-o", str(tmp_path / "out")]) == 2
    assert "--data" in capsys.readouterr().err and data.read_text().startswith('{"prompt"')
