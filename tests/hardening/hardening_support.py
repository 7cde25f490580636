"""Helpers of the hardening tests: forge mask files the way an attacker would (bypassing save_mask)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def tiny_model(tiny_model_dir: Path):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    return model.eval()


def valid_metadata(model: Any, indices: dict) -> dict[str, Any]:
    from spin_eval import __version__
    from spin_eval.constants import MASK_FORMAT_VERSION
    from spin_eval.spin.mask import model_fingerprint

    counts = {name: int(idx.numel()) for name, idx in indices.items()}
    return {
        "format_version": MASK_FORMAT_VERSION, "spin_eval_version": __version__, "model_name": "tiny",
        "model_fingerprint": model_fingerprint(model, "mlp"), "p": 0.01, "q": 0.01, "target": "mlp",
        "selection": "paper", "score_kind": "hand-made", "calibration": {}, "counts": counts,
        "total": sum(counts.values()), "numel_total": 0,
    }


def forge_mask(path: Path, indices: dict, shapes: dict, metadata: Any, *, raw_metadata: str | None = None) -> Path:
    """Write a mask file with exactly these tensors and metadata (no validation on the way)."""
    import torch
    from safetensors.torch import save

    tensors = {}
    for name, idx in indices.items():
        tensors[f"indices/{name}"] = idx
        tensors[f"shape/{name}"] = torch.tensor(list(shapes[name]), dtype=torch.int64)
    text = raw_metadata if raw_metadata is not None else json.dumps(metadata)
    path.write_bytes(save(tensors, metadata={"spin_eval_mask": text}))
    return path


def mlp_indices(model: Any) -> tuple[dict, dict]:
    import torch

    name = "model.layers.0.mlp.up_proj.weight"
    shape = tuple(dict(model.named_parameters())[name].shape)
    return {name: torch.tensor([0, 3, 5], dtype=torch.int64)}, {name: shape}
