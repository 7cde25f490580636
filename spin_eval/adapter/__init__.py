"""The ``spin_hf`` lm-eval model adapter and its registration hook.

``lm_eval --model spin_hf --model_args pretrained=...,mask=PATH`` evaluates a model with a SPIN mask
applied; see ``docs/adapter.md``. Everything here loads lazily: ``SpinHFLM`` imports torch and lm-eval,
and ``spin_eval.adapter.registration`` runs inside ``import lm_eval`` (via ``spin_eval_register.pth``).
"""

from __future__ import annotations

import importlib

__all__ = ["SPIN_HF_NAME", "SPIN_HF_TARGET", "SpinHFLM", "install", "register_spin_hf"]

_LAZY = {
    "SpinHFLM": "spin_eval.adapter.spin_hf",
    "SPIN_HF_NAME": "spin_eval.adapter.registration",
    "SPIN_HF_TARGET": "spin_eval.adapter.registration",
    "install": "spin_eval.adapter.registration",
    "register_spin_hf": "spin_eval.adapter.registration",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
