"""The SPIN method (arXiv 2410.16672): calibration, importance scores, coupled-weight selection, masks.

Public API (imported lazily so ``import spin_eval.spin`` stays cheap)::

    from spin_eval.spin import SpinConfig, SpinMask, build_mask, load_or_build_mask
    from spin_eval.spin import save_mask, load_mask, file_sha256, apply_mask, model_fingerprint

Modules: ``config`` (SpinConfig, default_ratio), ``calibration`` (sets, sampling, tokenisation),
``scoring`` (|W| * sum_n |dL_n/dW|), ``selection`` (pure set algebra), ``mask`` (SpinMask, apply /
restore, fingerprint), ``io`` (mask and score files), ``build`` (orchestration and the mask cache).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SpinConfig": "config",
    "default_ratio": "config",
    "SpinMask": "mask",
    "AppliedMask": "mask",
    "apply_mask": "mask",
    "model_fingerprint": "mask",
    "target_linears": "mask",
    "save_mask": "io",
    "load_mask": "io",
    "file_sha256": "io",
    "build_mask": "build",
    "load_or_build_mask": "build",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'spin_eval.spin' has no attribute {name!r}")
    return getattr(importlib.import_module(f"spin_eval.spin.{module}"), name)
