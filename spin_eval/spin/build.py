"""Orchestration: calibration sets -> gradient sums -> scores -> selection -> SpinMask, plus the mask cache.

``build_mask(model, tokenizer, config)`` is the one-call path. The pieces are public for the CLI's
sharded scoring: ``score_sums`` (one shard of the samples) and ``mask_from_sums`` (after merging).
``load_or_build_mask`` caches masks under ``spin_eval.paths.cache_dir()/masks/`` keyed by the model
fingerprint, every SpinConfig field and the calibration files' sha256s (used by ``spin_hf`` spin=auto).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from spin_eval import __version__
from spin_eval.constants import MASK_FORMAT_VERSION
from spin_eval.errors import InputError, MaskError
from spin_eval.spin.calibration import SET_NAMES, CalibrationSet, default_calibration_path, load_calibration
from spin_eval.spin.config import SpinConfig

logger = logging.getLogger(__name__)


def calibration_sets(config: SpinConfig) -> dict[str, CalibrationSet]:
    """The three calibration sets of ``config`` (None -> the shipped default file)."""
    sets = {}
    for name in SET_NAMES:
        source = getattr(config, name)
        if source is None:
            path = default_calibration_path(name)
            if not path.is_file():
                raise InputError(
                    f"the shipped default {name} calibration set {path} is missing; pass --{name} FILE "
                    "(CSV/JSONL with prompt,response) or reinstall spin-eval"
                )
            source = str(path)
        sets[name] = load_calibration(source)
    return sets


def calibration_metadata(sets: dict[str, CalibrationSet], config: SpinConfig) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "name": cal.name,
            "sha256": cal.sha256,
            "nsamples": min(config.nsamples, len(cal.rows)),
            "seed": config.seed,
        }
        for name, cal in sets.items()
    }


def model_name_of(model: Any) -> str:
    from spin_eval.modelspec import display_name

    config = getattr(model, "config", None)
    return display_name(str(getattr(config, "_name_or_path", "") or getattr(model, "name_or_path", "")
                            or type(model).__name__))


def _parse_shard(shard: tuple[int, int] | None) -> tuple[int, int]:
    if shard is None:
        return 0, 1
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise InputError(f"shard {index}/{count} is invalid; use i/n with 0 <= i < n, e.g. --shard 0/4")
    return index, count


def score_sums(
    model: Any,
    tokenizer: Any,
    config: SpinConfig,
    *,
    shard: tuple[int, int] | None = None,
    progress: bool = True,
    sets: dict[str, CalibrationSet] | None = None,
    fingerprint: str | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Sums of per-sample |dL/dW| for the three sets over shard ``i/n`` of the sampled rows.

    Returns ``({set: {param: float64 tensor}}, metadata)``; the metadata identifies the run (fingerprint,
    config, calibration) so ``io.merge_score_files`` can refuse mixing shards of different runs.
    """
    from spin_eval.spin.calibration import sample_rows, tokenize_sample
    from spin_eval.spin.mask import model_fingerprint, target_linears
    from spin_eval.spin.scoring import Sample, gradient_sums

    index, count = _parse_shard(shard)
    sets = sets if sets is not None else calibration_sets(config)
    linears = target_linears(model, config.target)
    fingerprint = fingerprint or model_fingerprint(model, config.target)
    sums: dict[str, dict[str, Any]] = {}
    scored: dict[str, int] = {}
    for set_name, cal in sets.items():
        rows = sample_rows(cal, config.nsamples, config.seed)
        lo, hi = (len(rows) * index) // count, (len(rows) * (index + 1)) // count
        samples = []
        for pos in range(lo, hi):
            prompt, response = rows[pos]
            try:
                ids, labels = tokenize_sample(
                    tokenizer, prompt, response, chat_template=config.chat_template, max_length=config.max_length
                )
            except InputError as exc:
                raise InputError(f"{cal.name}: sampled row {pos}: {exc}") from None
            samples.append(Sample(ids, labels, label=f"{set_name} set {cal.name}, sampled row {pos}"))
        set_sums = gradient_sums(
            model, samples, linears, batch_size=config.batch_size, progress=progress, desc=f"scoring {set_name}"
        )
        # keep finished sets off the accelerator: only one set's accumulators live there at a time
        sums[set_name] = {name: t.cpu() for name, t in set_sums.items()}
        del set_sums
        scored[set_name] = len(samples)
    metadata = {
        "model_fingerprint": fingerprint,
        "model_name": model_name_of(model),
        "config": config.to_dict(),
        "calibration": calibration_metadata(sets, config),
        "shard": [index, count],
        "samples_scored": scored,
    }
    return sums, metadata


def mask_from_sums(
    model: Any,
    sums: dict[str, dict[str, Any]],
    config: SpinConfig,
    *,
    fingerprint: str,
    calibration: dict[str, dict[str, Any]],
    model_name: str | None = None,
):
    """Scores |W| * sums -> selection -> SpinMask with full metadata (warnings included)."""
    from spin_eval.spin.mask import SpinMask, target_linears
    from spin_eval.spin.scoring import SCORE_KIND, importance_scores
    from spin_eval.spin.selection import select_stream

    linears = target_linears(model, config.target)
    missing = [n for s in SET_NAMES for n in linears if n not in sums.get(s, {})]
    if missing:
        raise InputError(f"score sums lack {missing[0]} (and {len(missing) - 1} more); they belong to another target/model")
    def items():  # one matrix's float64 scores at a time
        for name, lin in linears.items():
            scores = tuple(importance_scores(lin.weight, sums[s][name]) for s in SET_NAMES)
            yield name, scores, lin.weight.detach().cpu()

    result = select_stream(
        items(), p=config.p, q=config.q, selection=config.selection, control_seed=config.control_seed
    )
    indices = result.indices
    metadata: dict[str, Any] = {
        "format_version": MASK_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "model_name": model_name or model_name_of(model),
        "model_fingerprint": fingerprint,
        "p": config.p,
        "q": config.q,
        "target": config.target,
        "selection": config.selection,
        "score_kind": SCORE_KIND,
        "calibration": calibration,
        "config": config.to_dict(),
        "warnings": result.warnings,
    }
    if config.is_control:
        metadata["control_of"] = "paper"
        metadata["control_seed"] = config.control_seed
    shapes = {name: tuple(lin.weight.shape) for name, lin in linears.items()}
    mask = SpinMask(indices=indices, shapes=shapes, metadata=metadata)
    metadata["counts"] = mask.counts
    metadata["total"] = mask.total
    metadata["numel_total"] = mask.numel_total
    return mask


def build_mask(model: Any, tokenizer: Any, config: SpinConfig, *, progress: bool = True, model_name: str | None = None):
    """Score the model on the three calibration sets and select the SPIN (or control) weights."""
    from spin_eval.spin.mask import model_fingerprint

    sets = calibration_sets(config)
    fingerprint = model_fingerprint(model, config.target)
    sums, meta = score_sums(model, tokenizer, config, progress=progress, sets=sets, fingerprint=fingerprint)
    return mask_from_sums(
        model, sums, config, fingerprint=fingerprint, calibration=meta["calibration"], model_name=model_name
    )


def cache_key(fingerprint: str, config: SpinConfig, calibration: dict[str, dict[str, Any]]) -> str:
    """sha256 over the mask format version, model fingerprint, every config field and calibration sha256s."""
    payload = {
        "format_version": MASK_FORMAT_VERSION,
        "model_fingerprint": fingerprint,
        "config": config.to_dict(),
        "calibration_sha256": {k: v["sha256"] for k, v in sorted(calibration.items())},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def load_or_build_mask(spec_or_model: Any, tokenizer: Any, config: SpinConfig, cache_dir: str | Path | None = None, *, progress: bool = True):
    """``(SpinMask, path)`` from the mask cache, building and caching it on a miss.

    ``spec_or_model`` is a loaded model or a model spec (string / ModelSpec, loaded with
    ``spin_eval.modelspec.load_model_and_tokenizer``; ``tokenizer`` may then be None).
    """
    from spin_eval.paths import cache_dir as default_cache_dir
    from spin_eval.spin.io import load_mask, save_mask
    from spin_eval.spin.mask import model_fingerprint

    model = spec_or_model
    model_name = None
    if isinstance(spec_or_model, str) or hasattr(spec_or_model, "pretrained"):
        from spin_eval.modelspec import load_model_and_tokenizer

        model, loaded_tok = load_model_and_tokenizer(spec_or_model)
        tokenizer = tokenizer or loaded_tok
        model_name = getattr(spec_or_model, "name", None)
    sets = calibration_sets(config)
    calibration = calibration_metadata(sets, config)
    fingerprint = model_fingerprint(model, config.target)
    key = cache_key(fingerprint, config, calibration)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "masks"
    path = root / f"{key[:40]}.safetensors"
    if path.is_file():
        try:
            mask = load_mask(path)
            if mask.metadata.get("model_fingerprint") == fingerprint:
                logger.info("SPIN mask cache hit: %s", path)
                return mask, path
        except MaskError as exc:
            logger.warning("ignoring unreadable cached mask %s (%s); rebuilding", path, exc)
    sums, meta = score_sums(model, tokenizer, config, progress=progress, sets=sets, fingerprint=fingerprint)
    mask = mask_from_sums(model, sums, config, fingerprint=fingerprint, calibration=calibration, model_name=model_name)
    save_mask(mask, path)
    return mask, path
