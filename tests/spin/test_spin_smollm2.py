"""Slow: a real SPIN mask for the embedded SmolLM2 from the paper's published calibration CSVs."""

from __future__ import annotations

import logging

import pytest
import torch

pytestmark = pytest.mark.slow


def test_smollm2_mask_from_reference_csvs(spin_reference_dir, tmp_path, caplog):
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.io import load_mask, save_mask
    from spin_eval.spin.mask import apply_mask, model_fingerprint

    model, tok = load_model_and_tokenizer("smollm2")
    config = SpinConfig(
        p=1e-3, q=1e-3, nsamples=2, max_length=256,
        general=str(spin_reference_dir / "alpaca_cleaned_no_safety_train_1k.csv"),
        fairness=str(spin_reference_dir / "beaver_train330k_fairness_safe_1k.csv"),
        privacy=str(spin_reference_dir / "beaver_train330k_privacy_safe_1k.csv"),
    )
    sums, meta = build.score_sums(model, tok, config, batch_size=2, progress=False)
    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    mask = build.mask_from_sums(model, sums, config, model_name="HuggingFaceTB/SmolLM2-135M-Instruct", **kw)

    assert len(mask.indices) == 30 * 3  # gate/up/down of 30 decoder layers
    assert 0 < mask.total <= 90 * int(1e-3 * 576 * 1536)
    assert meta["calibration"]["fairness"]["name"] == "beaver_train330k_fairness_safe_1k.csv"
    path = tmp_path / "smollm2.safetensors"
    save_mask(mask, path)
    loaded = load_mask(path)
    handle = apply_mask(model, loaded)
    params = dict(model.named_parameters())
    name = max(loaded.counts, key=loaded.counts.get)
    assert bool((params[name].detach().view(-1)[loaded.indices[name]] == 0).all())
    handle.restore()
    assert model_fingerprint(model) == loaded.metadata["model_fingerprint"]

    # The paper's 5e-7 selects nothing in a 135M model: the build says so loudly.
    paper = SpinConfig(**{**config.to_dict(), "p": 5e-7, "q": 5e-7})
    with caplog.at_level(logging.WARNING, logger="spin_eval"):
        empty = build.mask_from_sums(model, sums, paper, **kw)
    assert empty.total == 0
    assert "NOTHING in all 90 matrices" in caplog.text
    assert torch.isfinite(next(iter(sums["general"].values()))).all()
