"""The run's controls drawn from the SPIN mask equal the SPIN engineer's selection of the same control."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch


@pytest.mark.parametrize("selection", ["random", "magnitude-random"])
def test_derived_control_equals_mask_build_selection(tiny_model_dir, selection):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from spin_eval.pipeline.run import derive_control
    from spin_eval.spin.build import calibration_metadata, calibration_sets, mask_from_sums, score_sums
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.mask import model_fingerprint

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    config = SpinConfig(p=0.05, q=0.05, nsamples=2, control_seed=3)
    sets = calibration_sets(config)
    fp = model_fingerprint(model)
    sums, _ = score_sums(model, tok, config, progress=False, sets=sets, fingerprint=fp)
    calib = calibration_metadata(sets, config)
    spin = mask_from_sums(model, sums, config, fingerprint=fp, calibration=calib)
    reference = mask_from_sums(model, sums, replace(config, selection=selection), fingerprint=fp, calibration=calib)
    derived = derive_control(model, spin, selection, control_seed=3)
    assert spin.total > 0
    assert derived.counts == spin.counts
    for name in spin.indices:
        assert torch.equal(derived.indices[name], reference.indices[name]), name
    assert derived.metadata["selection"] == selection and derived.metadata["control_seed"] == 3
    assert derived.metadata["total"] == spin.total
