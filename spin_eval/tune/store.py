"""Fine-tuned artifacts on disk: provenance, the content-addressed cache, atomic folders, base checks.

An artifact is a folder lm-eval loads unchanged:

- LoRA / DoRA: a PEFT adapter (``adapter_config.json`` + ``adapter_model.safetensors``), loaded by
  ``lm_eval --model hf --model_args pretrained=BASE,peft=DIR`` and by ``spin_hf`` with ``peft=DIR``;
- full fine-tuning: delta weights (``config.json`` + ``model.safetensors`` holding tuned - base, zero
  where nothing was trained), loaded by ``--model hf --model_args pretrained=BASE,delta=DIR``.

Both carry ``spin_eval_tune.json``: base model and its fingerprint (the target weights SPIN masks),
the TuneConfig, the data drawn (name, sha256, rows), the logged losses and the package versions. The
cache key hashes the base fingerprint, the config and the data sha256s, so the same recipe is trained
once. Folders are written by ``spin_eval.fileio.write_folder_atomic`` (the one folder swap, shared with
``spin-eval export``): a temporary sibling renamed into place, so an interrupted run leaves no half-written
artifact and a re-run trains again; a cache entry another process finished first is kept.
"""

from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

from spin_eval.errors import FingerprintMismatchError, InputError
from spin_eval.fileio import sha256_json, write_folder_atomic

PROVENANCE_FILE = "spin_eval_tune.json"
FORMAT = "spin-eval-tune"
FORMAT_VERSION = 1
#: Fingerprint target recorded for the base model (the weights a SPIN mask is checked against).
FINGERPRINT_TARGET = "mlp"


def package_versions() -> dict[str, str]:
    out = {}
    for name in ("spin-eval", "torch", "transformers", "peft", "accelerate"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def recipe(base_fingerprint: str, config_dict: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    """What decides the artifact (and nothing else): the cache key is its sha256."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "base_model_fingerprint": base_fingerprint,
        "config": config_dict,
        "data": [{"sha256": s["sha256"], "nsamples": s["nsamples"]} for s in sources],
    }


def cache_key(base_fingerprint: str, config_dict: dict[str, Any], sources: list[dict[str, Any]]) -> str:
    return sha256_json(recipe(base_fingerprint, config_dict, sources))


def tuned_cache_dir() -> Path:
    from spin_eval.paths import cache_dir

    return cache_dir() / "tuned"


def read_provenance(folder: str | Path) -> dict[str, Any] | None:
    """The provenance record of an artifact folder, or None for a folder spin-eval did not write."""
    path = Path(folder) / PROVENANCE_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: unreadable provenance ({type(exc).__name__}); re-run 'spin-eval tune'") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise InputError(f"{path}: not a spin-eval tune record (field 'format' must be {FORMAT!r})")
    fingerprint = record.get("base_model_fingerprint")
    if not (isinstance(fingerprint, str) and len(fingerprint) == 64 and all(c in "0123456789abcdef" for c in fingerprint)):
        raise InputError(f"{path}: field 'base_model_fingerprint' is not 64 hex digits; the file is corrupt")
    return record


#: Dtypes a base model may be evaluated in besides the float32 it is trained in (``spin-eval run --dtype``).
ROUNDED_DTYPES = ("bfloat16", "float16")


def rounded_fingerprints(model: Any) -> dict[str, str]:
    """``{dtype: fingerprint}`` of the base weights rounded to each of ROUNDED_DTYPES: the fingerprint the
    same base model has when loaded in that dtype (``spin_eval.spin.mask.model_fingerprint``'s bytes:
    names, shapes, float32 values), so an adapter trained in float32 is accepted on it."""
    import hashlib

    import torch

    from spin_eval.spin.mask import target_linears

    out = {}
    with torch.no_grad():
        for dtype in ROUNDED_DTYPES:
            digest = hashlib.sha256()
            for name, module in target_linears(model, FINGERPRINT_TARGET).items():
                weight = module.weight.detach().to("cpu").to(getattr(torch, dtype)).to(torch.float32).contiguous()
                digest.update(f"{name}:{tuple(weight.shape)}\n".encode())
                digest.update(weight.numpy().tobytes())
            out[dtype] = digest.hexdigest()
    return out


def check_base_model(folder: str | Path, base_fingerprint: str) -> dict[str, Any] | None:
    """FingerprintMismatchError naming both fingerprints when the artifact was trained on another base (the
    base's float32 fingerprint, or the one it has loaded in bfloat16/float16, recorded at training time)."""
    record = read_provenance(folder)
    rounded = record.get("base_model_fingerprints_rounded") if record is not None else None
    known = {record["base_model_fingerprint"]} if record is not None else set()
    known |= {v for v in rounded.values() if isinstance(v, str)} if isinstance(rounded, dict) else set()
    if record is not None and base_fingerprint not in known:
        raise FingerprintMismatchError(
            f"{folder}: trained on a base model with fingerprint {record['base_model_fingerprint'][:16]}... "
            f"({record.get('base_model', '?')}), but the loaded model's is {base_fingerprint[:16]}...; "
            "load the adapter on the model it was trained on"
        )
    return record


def save_artifact(model: Any, base_state: dict[str, Any], provenance: dict[str, Any], out_dir: Path) -> Path:
    """Save a trained model as an artifact folder. For full fine-tuning the model's weights become the
    deltas (tuned - base, zero where untrained) before saving: the model is consumed."""

    def fill(tmp: Path) -> None:
        import torch

        if provenance["config"]["method"] == "full":
            with torch.no_grad():
                for name, tensor in model.state_dict().items():
                    if name in base_state:
                        tensor.sub_(base_state[name])
                    elif tensor.is_floating_point():
                        tensor.zero_()
        model.save_pretrained(tmp, safe_serialization=True)
        (tmp / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    damaged = out_dir.exists() and read_provenance(out_dir) is None  # e.g. emptied by hand: rewritten
    try:
        return write_folder_atomic(out_dir, fill, replace=damaged)
    except FileExistsError:
        if read_provenance(out_dir) is None:  # not a finished artifact of the same recipe: a real failure
            raise
        return out_dir  # another process (a parallel run) cached the same recipe first


def copy_artifact(src: Path, out_dir: Path) -> Path:
    """Copy a cached artifact to ``out_dir`` (atomic; ``out_dir`` must not exist)."""

    def fill(tmp: Path) -> None:
        for file in sorted(src.iterdir()):
            shutil.copy2(file, tmp / file.name)

    return write_folder_atomic(out_dir, fill)
