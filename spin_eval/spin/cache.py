"""The mask cache: ``load_or_build_mask(s)`` keep SPIN masks under ``spin_eval.paths.cache_dir()/masks/``
keyed (``cache_key``) by the mask format version, the model fingerprint, every SpinConfig field and the
calibration files' sha256s; the batch size only where it is not proven irrelevant (``batch_key``)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from spin_eval.constants import MASK_FORMAT_VERSION
from spin_eval.errors import MaskError
from spin_eval.spin.config import SpinConfig

logger = logging.getLogger(__name__)


def cache_key(fingerprint: str, config: SpinConfig, calibration: dict[str, dict[str, Any]],
              batched_on: str | None = None) -> str:
    """sha256 over the mask format version, model fingerprint, every config field and calibration sha256s;
    plus ``batched_on`` (see :func:`batch_key`) where the batch size is not proven irrelevant."""
    payload = {
        "format_version": MASK_FORMAT_VERSION,
        "model_fingerprint": fingerprint,
        "config": config.to_dict(),
        "calibration_sha256": {k: v["sha256"] for k, v in sorted(calibration.items())},
    }
    if batched_on is not None:
        payload["batched_on"] = batched_on
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def batch_key(model: Any, batch_size: int) -> str | None:
    """None where the batch size cannot change the mask: batch 1, or the CPU (batched per-sample gradients
    are tested bit-equal to one-at-a-time there). Elsewhere (CUDA kernels may choose by shape; not
    verified) ``"<device type>:batch<B>"``, so a batched GPU build never answers for another batch size."""
    from spin_eval.spin.scoring import _device

    device = _device(model).type
    return None if batch_size <= 1 or device == "cpu" else f"{device}:batch{batch_size}"


def _load_model(spec_or_model: Any, tokenizer: Any) -> tuple[Any, Any, str | None]:
    if isinstance(spec_or_model, str) or hasattr(spec_or_model, "pretrained"):
        from spin_eval.modelspec import load_model_and_tokenizer

        model, loaded_tok = load_model_and_tokenizer(spec_or_model)
        return model, tokenizer or loaded_tok, getattr(spec_or_model, "name", None)
    return spec_or_model, tokenizer, None


def load_or_build_masks(spec_or_model: Any, tokenizer: Any, config: SpinConfig, selections: tuple[str, ...],
                        cache_dir: str | Path | None = None, *, batch_size: int = 1, progress: bool = True):
    """:func:`_load_or_build_masks` holding the mask cache's lock (``spin_eval.outputs.cache_lock``): one
    writer of the cache at a time; concurrent builders wait, then load what the first one built."""
    from spin_eval.outputs import cache_lock
    from spin_eval.paths import cache_dir as default_cache_dir

    with cache_lock(Path(cache_dir) if cache_dir is not None else default_cache_dir() / "masks"):
        return _load_or_build_masks(spec_or_model, tokenizer, config, selections, cache_dir, batch_size=batch_size,
                                    progress=progress)


def _load_or_build_masks(
    spec_or_model: Any,
    tokenizer: Any,
    config: SpinConfig,
    selections: tuple[str, ...],
    cache_dir: str | Path | None = None,
    *,
    batch_size: int = 1,
    progress: bool = True,
) -> dict[str, tuple[Any, Path]]:
    """``{selection: (SpinMask, path)}`` from the mask cache; the missing ones are built from one scoring pass.

    ``spec_or_model`` is a loaded model or a model spec (string / ModelSpec, loaded with
    ``spin_eval.modelspec.load_model_and_tokenizer``; ``tokenizer`` may then be None). The batch size
    changes how fast, never what (exact grid sums; batched = one-at-a-time bit for bit on the CPU): it is
    not part of the key, except for batched builds on other devices (``batch_key``).
    """
    import dataclasses

    from spin_eval.paths import cache_dir as default_cache_dir
    from spin_eval.spin.io import load_mask, save_mask
    from spin_eval.spin.mask import model_fingerprint

    model, tokenizer, model_name = _load_model(spec_or_model, tokenizer)
    from spin_eval.spin.build import build_masks, calibration_metadata, calibration_sets

    sets = calibration_sets(config)
    calibration = calibration_metadata(sets, config)
    fingerprint = model_fingerprint(model, config.target)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "masks"
    out: dict[str, tuple[Any, Path]] = {}
    paths = {}
    for sel in selections:
        key = cache_key(fingerprint, dataclasses.replace(config, selection=sel), calibration, batch_key(model, batch_size))
        path = root / f"{key[:40]}.safetensors"
        paths[sel] = path
        if path.is_file():
            try:
                mask = load_mask(path)
                if mask.metadata.get("model_fingerprint") == fingerprint:
                    logger.info("SPIN mask cache hit: %s", path)
                    out[sel] = (mask, path)
            except MaskError as exc:
                logger.warning("ignoring unreadable cached mask %s (%s); rebuilding", path, exc)
    missing = tuple(sel for sel in selections if sel not in out)
    if missing:
        built = build_masks(model, tokenizer, config, missing, batch_size=batch_size, progress=progress,
                            model_name=model_name, fingerprint=fingerprint)
        for sel, mask in built.items():
            save_mask(mask, paths[sel])
            out[sel] = (mask, paths[sel])
    return {sel: out[sel] for sel in selections}


def load_or_build_mask(spec_or_model: Any, tokenizer: Any, config: SpinConfig, cache_dir: str | Path | None = None, *,
                       batch_size: int = 1, progress: bool = True):
    """``(SpinMask, path)`` of ``config.selection`` from the mask cache, building and caching it on a miss."""
    return load_or_build_masks(spec_or_model, tokenizer, config, (config.selection,), cache_dir,
                               batch_size=batch_size, progress=progress)[config.selection]
