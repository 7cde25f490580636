"""SpinMask, the target layers of a model, the model fingerprint, and apply / restore.

A mask is a set of flat indices per weight matrix (``model.named_parameters()`` key). Applying it
zeroes those entries in place; the returned ``AppliedMask`` keeps the original values so
``restore()`` puts them back. Applying the same mask twice is a no-op the second time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spin_eval.errors import FingerprintMismatchError, InputError, MaskError

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from torch import nn

logger = logging.getLogger(__name__)

#: Module-name parts that mark a Linear as part of the MLP / the attention block.
_MLP_PARTS = ("mlp", "feed_forward", "ffn")
_ATTN_PARTS = ("self_attn", "attn", "attention")
#: Attribute set on a model while masks are applied: the fingerprint of its unmasked target weights.
_APPLIED_ATTR = "_spin_eval_applied_fingerprints"
#: The mask targets: which Linear layers SPIN scores and a mask may zero.
TARGETS = ("mlp", "attn", "all")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def is_fingerprint(value: object) -> bool:
    """True for a well-formed model fingerprint: 64 lowercase hex digits (a sha256)."""
    return isinstance(value, str) and _FINGERPRINT.fullmatch(value) is not None


def module_in_target(module_name: str, target: str) -> bool:
    """Whether the Linear named ``module_name`` (e.g. ``model.layers.0.mlp.up_proj``) is in ``target``.

    Decided by the names of the modules above it (``mlp`` / ``feed_forward`` / ``ffn`` for the MLP,
    ``self_attn`` / ``attn`` / ``attention`` for attention): the LM head and embeddings never are."""
    parts = module_name.split(".")[:-1]
    is_mlp = any(p in _MLP_PARTS for p in parts)
    is_attn = any(p in _ATTN_PARTS for p in parts)
    return (target in ("mlp", "all") and is_mlp) or (target in ("attn", "all") and is_attn)


def param_in_target(param_name: str, target: str) -> bool:
    """Whether ``param_name`` (a ``named_parameters()`` key) is the weight of a Linear in ``target``."""
    module_name, _, leaf = param_name.rpartition(".")
    return leaf == "weight" and bool(module_name) and module_in_target(module_name, target)


@dataclass
class SpinMask:
    """Coupled (or control) weights of one model: flat int64 indices per parameter, sorted ascending."""

    indices: dict[str, "torch.Tensor"]
    shapes: dict[str, tuple[int, ...]]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: int(idx.numel()) for name, idx in self.indices.items()}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def numel_total(self) -> int:
        total = 0
        for shape in self.shapes.values():
            n = 1
            for d in shape:
                n *= int(d)
            total += n
        return total


def target_linears(model: "nn.Module", target: str = "mlp") -> dict[str, "nn.Module"]:
    """The Linear layers SPIN scores, keyed by their weight's ``named_parameters()`` name, in model order.

    ``mlp``: the projections inside each decoder layer's MLP (gate/up/down for Llama); ``attn``: the
    attention projections (q/k/v/o); ``all``: both. The LM head and embeddings are never targets.
    """
    from torch import nn

    if target not in TARGETS:
        raise InputError(f"target={target!r} is unknown; choose mlp, attn or all")
    found: dict[str, nn.Module] = {}
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and name and module_in_target(name, target):
            found[f"{name}.weight"] = module
    if not found:
        raise InputError(
            f"the model ({type(model).__name__}) has no Linear layers for target={target!r}; SPIN expects "
            "decoder layers with '.mlp.' / '.self_attn.' submodules (Llama-style); try another --target"
        )
    return found


def model_fingerprint(model: "nn.Module", target: str = "mlp") -> str:
    """sha256 over the names, shapes and float32 bytes of the target weights (as they are now).

    Weights are cast to float32 before hashing, so a bf16 checkpoint loaded as bf16 or as float32
    gets the same fingerprint. Call it before masking (``apply_mask`` does).
    """
    import torch

    digest = hashlib.sha256()
    with torch.no_grad():
        for name, module in target_linears(model, target).items():
            weight = module.weight.detach().to(device="cpu", dtype=torch.float32).contiguous()
            digest.update(f"{name}:{tuple(weight.shape)}\n".encode())
            digest.update(weight.numpy().tobytes())
    return digest.hexdigest()


@dataclass
class AppliedMask:
    """Handle of an applied mask; ``restore()`` writes the original values back (once)."""

    model: "nn.Module"
    mask: SpinMask
    originals: dict[str, "torch.Tensor"]
    base_fingerprint: str | None
    restored: bool = False

    def restore(self) -> None:
        import torch

        if self.restored:
            return
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for name, values in self.originals.items():
                flat = params[name].data.view(-1)
                flat[self.mask.indices[name].to(flat.device)] = values.to(device=flat.device, dtype=flat.dtype)
        applied = getattr(self.model, _APPLIED_ATTR, None)
        if applied and self.base_fingerprint in applied:
            applied.remove(self.base_fingerprint)
        self.restored = True

    def __enter__(self) -> "AppliedMask":
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()


def check_mask_fits(model: "nn.Module", mask: SpinMask) -> None:
    """MaskError unless every masked parameter exists with the recorded shape, lies in the mask's declared
    target (a mask saying ``target=mlp`` may not zero ``embed_tokens``) and indices are in range."""
    params = dict(model.named_parameters())
    target = mask.metadata.get("target", "mlp")
    if target not in TARGETS:
        raise MaskError(f"mask metadata 'target' = {target!r} is unknown (mlp, attn or all); rebuild the mask")
    in_target = set(target_linears(model, target))
    for name, idx in mask.indices.items():
        if name in params and name not in in_target:
            raise MaskError(
                f"mask zeroes {name!r}, which is not a {target} weight of this model although the mask's "
                f"metadata says target={target}; the mask is corrupt or forged, rebuild it with `spin-eval mask build`"
            )
        if name not in params:
            raise MaskError(
                f"mask names parameter {name!r}, which this model ({type(model).__name__}) does not have; "
                "build the mask for this model with `spin-eval mask build`"
            )
        shape = tuple(params[name].shape)
        if shape != tuple(mask.shapes.get(name, ())):
            raise MaskError(
                f"mask shape for {name!r} is {tuple(mask.shapes.get(name, ()))} but the model has {shape}; "
                "the mask was built for another model"
            )
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= params[name].numel()):
            raise MaskError(f"mask indices for {name!r} are out of range for shape {shape}; the file is corrupt")


def apply_mask(model: "nn.Module", mask: SpinMask, *, check_fingerprint: bool = True) -> AppliedMask:
    """Zero the masked weights in place and return a handle whose ``restore()`` undoes it.

    With ``check_fingerprint`` the model's target weights must hash to ``mask.metadata['model_fingerprint']``
    (FingerprintMismatchError otherwise; MaskError when that is not 64 hex digits: an empty or missing
    fingerprint never skips the check). ``check_fingerprint=False`` is the explicit override; it logs a
    warning naming the mask. Applying a mask to a model that already carries it zeroes nothing new and
    passes the check.
    """
    import torch

    check_mask_fits(model, mask)
    expected = mask.metadata.get("model_fingerprint")
    target = mask.metadata.get("target", "mlp")
    applied: list[str] = getattr(model, _APPLIED_ATTR, None) or []
    if not check_fingerprint:
        logger.warning(
            "FINGERPRINT CHECK OVERRIDDEN: applying a mask built for %r (fingerprint %r) without verifying it "
            "was built for these weights", mask.metadata.get("model_name", "?"), expected,
        )
    elif not is_fingerprint(expected):
        raise MaskError(
            f"mask metadata 'model_fingerprint' = {expected!r} is not a sha256 (64 hex digits), so the mask "
            "cannot be matched to a model; rebuild it with `spin-eval mask build`, or override with "
            "check_fingerprint=False (model_args: spin_force=true) if you trust it"
        )
    if check_fingerprint and expected not in applied:
        actual = model_fingerprint(model, target)
        if actual != expected:
            raise FingerprintMismatchError(
                f"mask was built for a model with fingerprint {expected[:16]}... "
                f"({mask.metadata.get('model_name', '?')}) but this model's {target} weights hash to "
                f"{actual[:16]}...; build a mask for this model, or override with check_fingerprint=False "
                "(CLI/model_args: spin_force=true) if you know the weights only differ harmlessly"
            )
    params = dict(model.named_parameters())
    originals: dict[str, torch.Tensor] = {}
    with torch.no_grad():
        for name, idx in mask.indices.items():
            flat = params[name].data.view(-1)
            idx_dev = idx.to(flat.device)
            originals[name] = flat[idx_dev].detach().clone().cpu()
            flat[idx_dev] = 0
    if is_fingerprint(expected) and expected not in applied:
        applied.append(expected)
        setattr(model, _APPLIED_ATTR, applied)
    return AppliedMask(model=model, mask=mask, originals=originals, base_fingerprint=expected)
