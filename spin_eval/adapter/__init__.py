"""The ``spin_hf`` lm-eval model adapter and its registration hook.

``lm_eval --model spin_hf --model_args pretrained=...,mask=PATH`` evaluates a model with a SPIN mask
applied; see ``docs/adapter.md``. ``SpinHFLM`` is loaded lazily (it imports torch and lm-eval), so
importing this package stays cheap: the start-up hook in ``spin_eval_register.pth`` imports it in every
interpreter of the environment.
"""

from __future__ import annotations

from spin_eval.adapter.registration import SPIN_HF_NAME, SPIN_HF_TARGET, install, register_spin_hf

__all__ = ["SPIN_HF_NAME", "SPIN_HF_TARGET", "SpinHFLM", "install", "register_spin_hf"]


def __getattr__(name: str):
    if name == "SpinHFLM":
        from spin_eval.adapter.spin_hf import SpinHFLM

        return SpinHFLM
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
