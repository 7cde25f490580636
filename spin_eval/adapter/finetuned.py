"""Fine-tuned weights on a loaded model: PEFT adapters (``peft=``) and delta folders (``delta=``).

Used by ``SpinHFLM`` at load time (``peft=DIR``, with or without a mask) and by ``spin-eval run
--baselines``, which evaluates several fine-tuned variants on ONE loaded base model: each is attached
before its evaluation and detached after, restoring the base weights exactly (PEFT's ``unload`` removes
the LoRA/DoRA layers without touching the base weights; a delta's originals are copied and written back).
An artifact written by ``spin-eval tune`` is checked against the base model's fingerprint first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError


def _check_base(model: Any, path: str) -> None:
    from spin_eval.spin.mask import model_fingerprint
    from spin_eval.tune.store import FINGERPRINT_TARGET, check_base_model

    check_base_model(path, model_fingerprint(model, FINGERPRINT_TARGET))


def attach_peft(model: Any, path: str, *, merge: bool) -> Any:
    """``model`` wrapped with the PEFT adapter at ``path`` (merged into the weights when ``merge``)."""
    from peft import PeftConfig, PeftModel

    try:
        peft_config = PeftConfig.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"peft={path}: not a PEFT adapter folder ({exc})".splitlines()[0]) from None
    if merge and getattr(peft_config, "is_prompt_learning", False):
        raise InputError(
            f"peft={path}: a prompt-learning adapter ({peft_config.peft_type}) adds virtual tokens and has no "
            "weights to merge, so a mask cannot be applied with it; use spin=none"
        )
    _check_base(model, path)
    wrapped = PeftModel.from_pretrained(model, path)
    if merge:
        wrapped = wrapped.merge_and_unload()
    wrapped.eval()
    return wrapped


@dataclass
class AttachedDelta:
    """Delta weights added in place; ``restore()`` writes the original values back."""

    model: Any
    originals: dict[str, Any] = field(default_factory=dict)

    def restore(self) -> None:
        import torch

        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for name, original in self.originals.items():
                params[name].copy_(original)
        self.originals = {}


def attach_delta(model: Any, path: str) -> AttachedDelta:
    """Add the delta weights of a ``spin-eval tune --method full`` folder to ``model`` in place (only the
    non-zero tensors, each once, so tied embeddings are not added twice)."""
    import torch
    from safetensors import safe_open

    _check_base(model, path)
    files = sorted(Path(path).glob("*.safetensors"))
    if not files:
        raise InputError(f"delta={path}: no .safetensors files; give a folder written by 'spin-eval tune --method full'")
    params = dict(model.named_parameters())
    attached = AttachedDelta(model)
    with torch.no_grad():
        for file in files:
            with safe_open(str(file), framework="pt") as fh:
                for name in fh.keys():
                    delta = fh.get_tensor(name)
                    if name not in params:
                        if delta.abs().max() == 0:
                            continue
                        raise InputError(f"delta={path}: {file.name} holds {name}, which the model lacks")
                    if delta.abs().max() == 0:
                        continue
                    param = params[name]
                    if tuple(param.shape) != tuple(delta.shape):
                        raise InputError(f"delta={path}: {name} has shape {tuple(delta.shape)}, the model's is {tuple(param.shape)}")
                    attached.originals[name] = param.detach().clone()
                    param.add_(delta.to(device=param.device, dtype=param.dtype))
    return attached
