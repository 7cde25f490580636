"""Attacks on mask files: empty/null/forged fingerprints, indices outside the declared target, mistyped
or deeply nested metadata. Each must be refused with a one-line MaskError, never applied silently."""

from __future__ import annotations

import logging

import pytest
import torch
from hardening_support import forge_mask, mlp_indices, tiny_model, valid_metadata

from spin_eval.errors import MaskError
from spin_eval.spin.io import load_mask
from spin_eval.spin.mask import SpinMask, apply_mask


@pytest.fixture()
def model(tiny_model_dir):
    return tiny_model(tiny_model_dir)


@pytest.mark.parametrize("fingerprint", ["", None, "abc", "F" * 64, "0" * 63, 12345])
def test_malformed_fingerprint_is_refused_on_load(model, tmp_path, fingerprint):
    indices, shapes = mlp_indices(model)
    meta = valid_metadata(model, indices) | {"model_fingerprint": fingerprint}
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, meta)
    with pytest.raises(MaskError, match="model_fingerprint"):
        load_mask(path)


@pytest.mark.parametrize("fingerprint", ["", None])
def test_empty_fingerprint_never_skips_the_check_on_apply(model, fingerprint):
    """An in-memory mask with a falsy fingerprint used to be applied to any model."""
    indices, shapes = mlp_indices(model)
    meta = valid_metadata(model, indices) | {"model_fingerprint": fingerprint}
    before = model.model.layers[0].mlp.up_proj.weight.detach().clone()
    with pytest.raises(MaskError, match="model_fingerprint"):
        apply_mask(model, SpinMask(indices=indices, shapes=shapes, metadata=meta))
    assert torch.equal(model.model.layers[0].mlp.up_proj.weight, before)


def test_override_is_explicit_and_logged(model, caplog):
    indices, shapes = mlp_indices(model)
    meta = valid_metadata(model, indices) | {"model_fingerprint": ""}
    with caplog.at_level(logging.WARNING, logger="spin_eval.spin.mask"):
        apply_mask(model, SpinMask(indices=indices, shapes=shapes, metadata=meta), check_fingerprint=False).restore()
    assert "FINGERPRINT CHECK OVERRIDDEN" in caplog.text


def test_embed_tokens_under_target_mlp_is_refused(model, tmp_path):
    name = "model.embed_tokens.weight"
    shape = tuple(model.model.embed_tokens.weight.shape)
    indices = {name: torch.tensor([0, 1, 2], dtype=torch.int64)}
    meta = valid_metadata(model, indices)
    path = forge_mask(tmp_path / "m.safetensors", indices, {name: shape}, meta)
    with pytest.raises(MaskError, match="embed_tokens.*target=mlp"):
        load_mask(path)
    before = model.model.embed_tokens.weight.detach().clone()
    with pytest.raises(MaskError, match="not a mlp weight"):
        apply_mask(model, SpinMask(indices=indices, shapes={name: shape}, metadata=meta))
    assert torch.equal(model.model.embed_tokens.weight, before)


def test_attention_weight_under_target_mlp_is_refused(model, tmp_path):
    name = "model.layers.0.self_attn.q_proj.weight"
    shape = tuple(dict(model.named_parameters())[name].shape)
    indices = {name: torch.tensor([1], dtype=torch.int64)}
    path = forge_mask(tmp_path / "m.safetensors", indices, {name: shape}, valid_metadata(model, indices))
    with pytest.raises(MaskError, match="self_attn"):
        load_mask(path)


@pytest.mark.parametrize("field,value", [
    ("counts", ["not", "a", "dict"]), ("counts", {"model.layers.0.mlp.up_proj.weight": "3"}),
    ("calibration", {"general": "x"}), ("calibration", [1]), ("p", "0.01"), ("q", float("nan")),
    ("p", True), ("total", -1), ("numel_total", 1.5), ("model_name", 7), ("target", "everything"),
    ("warnings", "one string"), ("config", [1]), ("control_seed", "1"), ("format_version", True),
])
def test_mistyped_metadata_gives_mask_error(model, tmp_path, field, value):
    indices, shapes = mlp_indices(model)
    meta = valid_metadata(model, indices) | {field: value}
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, meta)
    with pytest.raises(MaskError, match=field if field != "q" else "q"):
        load_mask(path)


def test_deeply_nested_metadata_gives_mask_error(model, tmp_path):
    indices, shapes = mlp_indices(model)
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, None, raw_metadata="[" * 100_000 + "]" * 100_000)
    with pytest.raises(MaskError, match="nested too deeply|not valid JSON"):
        load_mask(path)


def test_shape_tensor_of_wrong_dtype_gives_mask_error(model, tmp_path):
    from safetensors.torch import save

    indices, shapes = mlp_indices(model)
    (name,) = indices
    meta = valid_metadata(model, indices)
    import json

    data = save({f"indices/{name}": indices[name], f"shape/{name}": torch.tensor([[1.5]])},
                metadata={"spin_eval_mask": json.dumps(meta)})
    path = tmp_path / "m.safetensors"
    path.write_bytes(data)
    with pytest.raises(MaskError, match="shape"):
        load_mask(path)


def test_valid_forged_mask_still_loads(model, tmp_path):
    """The helpers above forge correctly: an untampered file loads and applies."""
    indices, shapes = mlp_indices(model)
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, valid_metadata(model, indices))
    mask = load_mask(path)
    apply_mask(model, mask).restore()
