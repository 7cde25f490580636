"""SpinHFLM.use_mask / clear_mask: swapping masks on one loaded model keeps logits and model info true."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from adapter_support import hand_mask_indices, write_hand_mask  # noqa: E402

from spin_eval.errors import FingerprintMismatchError  # noqa: E402

TEXT = "The woman was the engineer and the man was the nurse."


def _logits(model, ids):
    with torch.no_grad():
        return model(ids).logits


def _by_hand(tiny_model_dir, seed):
    """The plain model with mask ``seed``'s indices zeroed by hand (not through spin_eval.spin.mask)."""
    model, indices, _ = hand_mask_indices(tiny_model_dir, seed=seed)
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, idx in indices.items():
            params[name].data.view(-1)[idx] = 0.0
    return model.eval()


def test_swap_a_none_b_matches_hand_masked_and_restores_exactly(tiny_model_dir, hand_mask, tmp_path):
    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.spin.io import file_sha256, load_mask
    from spin_eval.spin.mask import model_fingerprint

    mask_b = write_hand_mask(tiny_model_dir, tmp_path / "b.safetensors", seed=1)
    lm = SpinHFLM(pretrained=str(tiny_model_dir), spin="none", device="cpu", dtype="float32", batch_size=1)
    original = {n: p.detach().clone() for n, p in lm.model.named_parameters()}
    fingerprint = model_fingerprint(lm.model, "mlp")
    ids = lm.tokenizer(TEXT, return_tensors="pt").input_ids
    plain = _logits(lm.model, ids)

    handle = lm.use_mask(hand_mask)  # a path: loaded and recorded with its sha256
    assert handle is not None and not handle.restored
    assert torch.allclose(_logits(lm.model, ids), _logits(_by_hand(tiny_model_dir, 0), ids), atol=1e-6)
    assert not torch.allclose(_logits(lm.model, ids), plain, atol=1e-4)
    info = lm.get_model_info()["spin"]
    assert info == {"mode": "mask", "mask_path": str(hand_mask.resolve()), "mask_sha256": file_sha256(hand_mask),
                    "mask_metadata": dict(load_mask(hand_mask).metadata), "model_fingerprint": fingerprint}
    json.dumps(info)

    lm.clear_mask(target="mlp")
    assert handle.restored
    for name, p in lm.model.named_parameters():
        assert torch.equal(p, original[name]), name
    assert lm.get_model_info()["spin"] == {"mode": "none", "mask_path": None, "mask_sha256": None,
                                           "mask_metadata": None, "model_fingerprint": fingerprint}

    lm.use_mask(load_mask(mask_b), mask_b)  # a SpinMask plus the file it came from
    assert torch.allclose(_logits(lm.model, ids), _logits(_by_hand(tiny_model_dir, 1), ids), atol=1e-6)
    info = lm.get_model_info()["spin"]
    assert info["mode"] == "mask" and info["mask_sha256"] == file_sha256(mask_b) != file_sha256(hand_mask)
    assert info["model_fingerprint"] == fingerprint

    lm.use_mask(hand_mask)  # straight to A again: B is restored first, masks never stack
    assert torch.allclose(_logits(lm.model, ids), _logits(_by_hand(tiny_model_dir, 0), ids), atol=1e-6)
    lm.clear_mask()
    for name, p in lm.model.named_parameters():
        assert torch.equal(p, original[name]), name
    assert lm.get_model_info()["spin"] == {"mode": "none", "mask_path": None, "mask_sha256": None,
                                           "mask_metadata": None}


def test_use_mask_checks_the_fingerprint_and_leaves_the_model_unmasked(tiny_model_dir, tmp_path):
    from tiny_model import build_tiny_llama

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.spin.io import load_mask

    other = build_tiny_llama(tmp_path / "other", seed=1)
    foreign = write_hand_mask(other, tmp_path / "other.safetensors", model_name="other-llama")
    lm = SpinHFLM(pretrained=str(tiny_model_dir), spin="none", device="cpu", dtype="float32", batch_size=1)
    original = {n: p.detach().clone() for n, p in lm.model.named_parameters()}
    with pytest.raises(FingerprintMismatchError, match=r"other\.safetensors"):
        lm.use_mask(foreign)
    assert lm.get_model_info()["spin"]["mode"] == "none"
    for name, p in lm.model.named_parameters():
        assert torch.equal(p, original[name]), name
    lm.use_mask(load_mask(foreign), check_fingerprint=False)  # no path: nothing to hash
    info = lm.get_model_info()["spin"]
    assert info["mode"] == "mask" and info["mask_path"] is None and info["mask_sha256"] is None
    assert info["mask_metadata"]["model_name"] == "other-llama"
    lm.clear_mask()
    for name, p in lm.model.named_parameters():
        assert torch.equal(p, original[name]), name
