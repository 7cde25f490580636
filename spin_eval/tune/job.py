"""``tune_baseline``: load the base model, draw the data, train (or reuse the cached artifact), save."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.tune.config import TuneConfig
from spin_eval.tune.data import tokenized_examples, training_data
from spin_eval.tune.store import (
    FINGERPRINT_TARGET,
    cache_key,
    copy_artifact,
    package_versions,
    read_provenance,
    recipe,
    rounded_fingerprints,
    save_artifact,
    tuned_cache_dir,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TuneResult:
    path: Path  # the artifact folder (the cache entry, or --output when given)
    cached: bool  # reused from the cache, no training
    provenance: dict[str, Any]


def tune_baseline(
    model_spec: str,
    config: TuneConfig,
    *,
    output: Path | None = None,
    device: str = "cpu",
    progress: bool = True,
) -> TuneResult:
    """Fine-tune ``model_spec`` per ``config`` into the content-addressed cache (once per recipe); copy the
    artifact to ``output`` when given (which must not exist yet)."""
    from spin_eval.modelspec import load_model_and_tokenizer, resolve_model_spec
    from spin_eval.spin.mask import model_fingerprint

    if output is not None and output.exists():
        raise InputError(f"tune -o {output}: exists already; choose a new folder (artifacts are never overwritten)")
    from spin_eval.tune.train import (
        is_main_process,
        per_device_batch_size,
        rank_device,
        wait_for_main_process,
        world_size,
    )

    per_device_batch_size(config, world_size())  # a batch the processes cannot share fails before any load
    data = training_data(config)  # bad data files fail here, before the model loads
    spec = resolve_model_spec(model_spec)
    model, tokenizer = load_model_and_tokenizer(spec, dtype="float32", device=rank_device(device))
    fingerprint = model_fingerprint(model, FINGERPRINT_TARGET)
    key = cache_key(fingerprint, config.to_dict(), list(data.sources))
    cached_dir = tuned_cache_dir() / key
    cached = read_provenance(cached_dir) is not None
    if not cached:
        from spin_eval.tune.train import prepare_model, train, trainable_state

        examples = tokenized_examples(tokenizer, data, config)
        rounded = rounded_fingerprints(model)  # before training changes any weight (full fine-tuning)
        model = prepare_model(model, config)
        base_state = trainable_state(model) if config.method == "full" else {}
        losses = train(model, tokenizer, config, examples, progress=progress)
        provenance = dict(
            recipe(fingerprint, config.to_dict(), list(data.sources)),
            base_model=spec.spec,
            base_model_fingerprints_rounded=rounded,
            data_sources=list(data.sources),
            losses=losses,
            versions=package_versions(),
            artifact="peft-adapter" if config.method != "full" else "delta-weights",
        )
        if is_main_process():  # data-parallel ranks hold the same weights: rank 0 writes, the others wait
            save_artifact(model, base_state, provenance, cached_dir)
            logger.info("tune: trained %s on %s and cached it in %s", config.method, config.data, cached_dir)
        wait_for_main_process()
    provenance = read_provenance(cached_dir)
    if output is not None and is_main_process():
        copy_artifact(cached_dir, output)
    wait_for_main_process()
    return TuneResult(path=output if output is not None else cached_dir, cached=cached, provenance=provenance)
