"""The run's masks stage: the SPIN mask (given, or from the mask cache / built) and every control mask, written
into ``OUT/masks/``; the names of the run's variants and their mask files.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import copy_file_atomic
from spin_eval.run.settings import MASK_ONLY_CONTROLS, SCORE_CONTROLS, RunSettings


def spin_config_for(settings: RunSettings, model_spec: Any):
    """The SpinConfig of the run's SPIN mask (``spin_eval.spin.settings``'s ratio rule: p per model, q = p)."""
    from dataclasses import fields

    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.settings import make_settings

    given = {f.name: getattr(settings, f.name) for f in fields(SpinConfig) if getattr(settings, f.name) is not None}
    return make_settings(given, model_spec, where="spin-eval run")[0]


def build_masks(lm: Any, settings: RunSettings, model_spec: Any, masks_dir: Path, *, force: bool) -> dict[str, Path]:
    """Write ``spin.safetensors`` and ``control-<selection>.safetensors`` into ``masks_dir``; reuse existing ones."""
    from dataclasses import replace

    from spin_eval.spin.io import load_mask, save_mask

    masks_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {name: masks_dir / file for name, file in mask_files(settings).items()}
    if not force and all(p.is_file() for p in out.values()):
        return out

    from spin_eval.spin.build import control_mask, load_or_build_masks

    model, tokenizer = lm.model, lm.tokenizer
    spin_path = out["spin"]
    config = None
    if settings.mask is not None:
        given = Path(settings.mask)
        spin_mask = load_mask(given)  # MaskError names the file when unreadable
        if force or not spin_path.is_file():
            copy_file_atomic(given, spin_path)
        cfg = spin_mask.metadata.get("config")
        if any(c in SCORE_CONTROLS for c in settings.controls):
            if not isinstance(cfg, dict):
                raise InputError(
                    f"--mask {given}: its metadata has no 'config', so score-based controls "
                    f"({', '.join(SCORE_CONTROLS)}) cannot be rebuilt; use --controls random,magnitude-random"
                )
            from spin_eval.spin.config import SpinConfig

            config = SpinConfig.from_dict(cfg)
    else:
        config = spin_config_for(settings, model_spec)
        if force or not spin_path.is_file():
            print(f"[masks] SPIN mask (p={config.p:g}, q={config.q:g}, nsamples={config.nsamples}): looking in the "
                  "mask cache, building it on a miss", file=sys.stderr)
            started = time.time()
            _, cached = load_or_build_masks(model, tokenizer, config, (config.selection,),
                                            batch_size=settings.score_batch_size)[config.selection]
            built = Path(cached).stat().st_mtime >= started - 1  # a cache hit leaves the file untouched
            print(f"[masks] SPIN mask {'built and cached' if built else 'loaded from the mask cache'}: {cached}",
                  file=sys.stderr)
            copy_file_atomic(cached, spin_path)
        spin_mask = load_mask(spin_path)

    todo = [c for c in settings.controls if force or not out[f"control-{c}"].is_file()]
    for c in todo:
        if c in MASK_ONLY_CONTROLS:
            print(f"[masks] control {c}", file=sys.stderr)
            save_mask(control_mask(model, spin_mask, c, settings.control_seed), out[f"control-{c}"])
    scored = tuple(c for c in todo if c in SCORE_CONTROLS)
    if scored:
        print(f"[masks] controls {', '.join(scored)} (one scoring pass, or the mask cache)", file=sys.stderr)
        built = load_or_build_masks(model, tokenizer, replace(config, control_seed=settings.control_seed), scored,
                                    batch_size=settings.score_batch_size)
        for c, (_, cached) in built.items():
            copy_file_atomic(cached, out[f"control-{c}"])
    from spin_eval.tune.sizes import spin_size_variants

    for name, n in spin_size_variants(settings.data_sizes).items():
        if force or not out[name].is_file():
            print(f"[masks] {name}: SPIN mask with nsamples={n} (the mask cache, or built)", file=sys.stderr)
            sized = replace(config, nsamples=n)
            _, cached = load_or_build_masks(model, tokenizer, sized, (sized.selection,),
                                            batch_size=settings.score_batch_size)[sized.selection]
            copy_file_atomic(cached, out[name])
    return out


def mask_files(settings: RunSettings) -> dict[str, str]:
    """``{variant: file name in OUT/masks}``: ``spin``, each control, each ``spin-nN`` of ``--data-sizes``."""
    from spin_eval.tune.sizes import spin_size_variants

    out = {"spin": "spin.safetensors"}
    out.update({f"control-{c}": f"control-{c}.safetensors" for c in settings.controls})
    out.update({name: f"{name}.safetensors" for name in spin_size_variants(settings.data_sizes)})
    return out


def variant_names(settings: RunSettings) -> list[str]:
    """Every variant of a run, in evaluation order: base, spin, controls, SPIN per size, baselines."""
    from spin_eval.tune.sizes import baseline_variants

    names = ["base", *mask_files(settings)]
    return names + list(baseline_variants(settings.baselines, settings.data_sizes, steps=None, seed=0))
