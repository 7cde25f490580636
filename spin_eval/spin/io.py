"""Mask files and partial score files: safetensors tensors + JSON metadata, written atomically. No pickle.

Mask file (one ``.safetensors`` file):
  tensors   ``indices/<param name>``: flat int64 indices into the weight, sorted ascending
            ``shape/<param name>``:   int64 shape of that weight
  metadata  ``__metadata__["spin_eval_mask"]``: the JSON metadata (keys in docs/architecture.md),
            serialised with sorted keys, so identical inputs give byte-identical files.

Score files (``--save-scores`` / ``--shard`` / ``--from-scores``): ``spin_eval.spin.scorefile``, written
and merged one tensor at a time.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spin_eval.constants import MASK_FORMAT_VERSION, MASK_FORMAT_VERSIONS_READ
from spin_eval.errors import InputError, MaskError, SpinEvalError
from spin_eval.fileio import file_sha256, write_bytes_atomic  # noqa: F401  (file_sha256: documented here too)

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from spin_eval.spin.mask import SpinMask

logger = logging.getLogger(__name__)

MASK_METADATA_KEY = "spin_eval_mask"
REQUIRED_MASK_KEYS = (
    "format_version",
    "spin_eval_version",
    "model_name",
    "model_fingerprint",
    "p",
    "q",
    "target",
    "selection",
    "score_kind",
    "calibration",
    "counts",
    "total",
    "numel_total",
)
OPTIONAL_MASK_KEYS = ("control_of", "control_seed", "config", "warnings", "score_arithmetic", "margins")
#: SPIN settings a mask file records once, inside ``config`` (format 3); ``load_mask`` shows them at the top
#: level too, read through ``SpinConfig.from_dict``, so every reader sees the one recorded value.
CONFIG_VIEW_KEYS = ("p", "q", "target", "selection")


def stored_mask_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata as a mask file stores it: with a ``config``, its settings only there (no top-level copies
    of p, q, target, selection, control_seed). Pure."""
    if not isinstance(metadata.get("config"), dict):
        return dict(metadata)
    drop = set(CONFIG_VIEW_KEYS) | {"control_seed"}
    return {k: v for k, v in metadata.items() if k not in drop}


def mask_metadata_view(metadata: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """``metadata`` with p, q, target, selection (and control_seed of a control) at the top level, read from
    ``config`` through ``SpinConfig.from_dict`` (which names unknown keys). A file that still carries top-level
    copies (formats 1-2) must agree with its config. MaskError naming the field otherwise."""
    config = metadata.get("config")
    if not isinstance(config, dict):
        return dict(metadata)
    from spin_eval.spin.config import SpinConfig

    try:
        parsed = SpinConfig.from_dict(config).to_dict()
    except (SpinEvalError, TypeError, ValueError) as exc:
        raise MaskError(f"mask file {path}: metadata field 'config' is not a SpinConfig ({exc}); rebuild the mask "
                        "with `spin-eval mask build`") from exc
    view = dict(metadata)
    keys = CONFIG_VIEW_KEYS + (("control_seed",) if "control_of" in metadata else ())
    for key in keys:
        if key in view and view[key] != parsed[key]:
            raise MaskError(f"mask file {path}: metadata field '{key}' = {view[key]!r:.40} disagrees with its config "
                            f"({parsed[key]!r:.40}); rebuild the mask with `spin-eval mask build`")
        view[key] = parsed[key]
    return view


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def save_mask(mask: "SpinMask", path: str | Path) -> None:
    """Write ``mask`` to ``path`` atomically (byte-identical for identical masks)."""
    import torch
    from safetensors.torch import save

    tensors: dict[str, torch.Tensor] = {}
    for name in sorted(mask.indices):
        idx = mask.indices[name].detach().to(device="cpu", dtype=torch.int64).contiguous()
        tensors[f"indices/{name}"] = idx
        tensors[f"shape/{name}"] = torch.tensor(list(mask.shapes[name]), dtype=torch.int64)
    metadata = stored_mask_metadata(mask.metadata)
    metadata.setdefault("format_version", MASK_FORMAT_VERSION)
    metadata["counts"] = {name: int(mask.indices[name].numel()) for name in sorted(mask.indices)}
    metadata["total"] = int(sum(metadata["counts"].values()))
    metadata["numel_total"] = int(mask.numel_total)
    data = save(tensors, metadata={MASK_METADATA_KEY: _dumps(metadata)})
    write_bytes_atomic(path, data)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_ratio(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value <= 1


def _parse_metadata_json(text: str, path: Path, what: str) -> dict[str, Any]:
    """The JSON object stored in a safetensors header; MaskError for invalid, deeply nested or non-object JSON."""
    from spin_eval.bounded import LARGE, loads_json

    try:  # bounded: depth, number length, no literal that overflows to infinity
        metadata = loads_json(text, f"{what} file {path}: metadata", LARGE, fix="rebuild it")
    except InputError as exc:
        raise MaskError(str(exc)) from None
    if not isinstance(metadata, dict):
        raise MaskError(f"{what} file {path}: metadata is not a JSON object; rebuild it")
    return metadata


def validate_mask_metadata(metadata: dict[str, Any], path: str | Path) -> None:
    """MaskError naming the field unless every known metadata field has its documented type.

    The fingerprint must be a sha256 (64 lowercase hex digits): an empty or null one would let the mask
    be applied to any model with the same parameter names. The target must be mlp, attn or all."""
    from spin_eval.spin.mask import TARGETS, is_fingerprint

    def bad(field: str, expected: str) -> MaskError:
        return MaskError(f"mask file {path}: metadata field '{field}' = {metadata.get(field)!r:.80} must be "
                         f"{expected}; rebuild the mask with `spin-eval mask build`")

    if not is_fingerprint(metadata["model_fingerprint"]):
        raise bad("model_fingerprint", "a sha256 of the model's target weights (64 lowercase hex digits)")
    if metadata["target"] not in TARGETS:
        raise bad("target", "one of " + ", ".join(TARGETS))
    for key in ("spin_eval_version", "model_name", "selection", "score_kind"):
        if not isinstance(metadata[key], str):
            raise bad(key, "a string")
    for key in ("p", "q"):
        if not _is_ratio(metadata[key]):
            raise bad(key, "a number between 0 and 1")
    for key in ("total", "numel_total"):
        if not _is_int(metadata[key]) or metadata[key] < 0:
            raise bad(key, "a non-negative integer")
    counts = metadata["counts"]
    if not isinstance(counts, dict) or not all(_is_int(c) and c >= 0 for c in counts.values()):
        raise bad("counts", "a mapping of parameter name to a non-negative integer")
    calibration = metadata["calibration"]
    entry_types = {"name": str, "sha256": str, "nsamples": int, "seed": int}
    if not isinstance(calibration, dict) or not all(
        isinstance(entry, dict) and all(isinstance(entry.get(k), t) and not isinstance(entry.get(k), bool)
                                        for k, t in entry_types.items())
        for entry in calibration.values()
    ):
        raise bad("calibration", "a mapping of set name to {name, sha256, nsamples, seed}")
    for key, kind, expected in (("control_of", str, "a string"), ("control_seed", int, "an integer"),
                                ("config", dict, "a mapping"), ("score_arithmetic", dict, "a mapping")):
        value = metadata.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise bad(key, expected + " or absent")
    if not _valid_margins(metadata.get("margins", {})):
        raise bad("margins", "a mapping of parameter name to {set: null or {gap: number, shift: integer}}")
    warnings = metadata.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise bad("warnings", "a list of strings")


def _valid_margins(margins: Any) -> bool:
    def entry_ok(entry: Any) -> bool:
        return entry is None or (isinstance(entry, dict) and isinstance(entry.get("gap"), (int, float))
                                 and not isinstance(entry.get("gap"), bool) and _is_int(entry.get("shift")))

    return isinstance(margins, dict) and all(
        isinstance(sets, dict) and all(entry_ok(e) for e in sets.values()) for sets in margins.values())


def _read_safetensors(path: Path, what: str) -> tuple[dict[str, "torch.Tensor"], dict[str, str]]:
    from safetensors import safe_open
    from safetensors.torch import load

    if not path.is_file():
        raise MaskError(f"{what} file {path} does not exist; check the path")
    raw = path.read_bytes()
    try:
        tensors = load(raw)
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
    except Exception as exc:  # safetensors raises several types for bad headers / truncation
        raise MaskError(
            f"{what} file {path} is corrupt or truncated ({type(exc).__name__}: {exc}); rebuild it"
        ) from None
    return tensors, meta


def load_mask(path: str | Path) -> "SpinMask":
    """Read a mask file; MaskError naming the file when it is missing, corrupt, truncated or inconsistent."""
    import torch

    from spin_eval.spin.mask import SpinMask, param_in_target

    path = Path(path)
    tensors, meta = _read_safetensors(path, "mask")
    if MASK_METADATA_KEY not in meta:
        raise MaskError(f"{path} is a safetensors file but not a spin-eval mask (no '{MASK_METADATA_KEY}' metadata)")
    metadata = mask_metadata_view(_parse_metadata_json(meta[MASK_METADATA_KEY], path, "mask"), path)
    missing = [k for k in REQUIRED_MASK_KEYS if k not in metadata]
    if missing:
        raise MaskError(f"mask file {path}: metadata lacks {', '.join(missing)}; rebuild the mask")
    if not _is_int(metadata["format_version"]) or metadata["format_version"] not in MASK_FORMAT_VERSIONS_READ:
        raise MaskError(
            f"mask file {path} has format_version {metadata['format_version']!r}; this spin-eval reads "
            f"{', '.join(map(str, MASK_FORMAT_VERSIONS_READ))}; rebuild the mask with this version"
        )
    validate_mask_metadata(metadata, path)
    unknown = sorted(set(metadata) - set(REQUIRED_MASK_KEYS) - set(OPTIONAL_MASK_KEYS))
    if unknown:
        logger.warning("mask file %s: unknown metadata keys %s (ignored)", path, ", ".join(unknown))
    indices: dict[str, torch.Tensor] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for key, tensor in tensors.items():
        kind, _, name = key.partition("/")
        if kind == "indices":
            indices[name] = tensor
        elif kind == "shape":
            if tensor.dtype != torch.int64 or tensor.dim() != 1 or bool((tensor < 0).any()):
                raise MaskError(f"mask file {path}: shape of {name!r} is not a flat non-negative int64 tensor; rebuild the mask")
            shapes[name] = tuple(int(d) for d in tensor.tolist())
        else:
            raise MaskError(f"mask file {path}: unexpected tensor {key!r}; rebuild the mask")
    for name, idx in indices.items():
        if name not in shapes:
            raise MaskError(f"mask file {path}: no shape for {name!r}; rebuild the mask")
        if idx.dtype != torch.int64 or idx.dim() != 1:
            raise MaskError(f"mask file {path}: indices for {name!r} are not a flat int64 tensor; rebuild the mask")
        numel = 1
        for d in shapes[name]:
            numel *= d
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= numel):
            raise MaskError(f"mask file {path}: indices for {name!r} are out of range for {shapes[name]}")
        if idx.numel() > 1 and not bool((idx[1:] > idx[:-1]).all()):
            raise MaskError(f"mask file {path}: indices for {name!r} are not sorted and unique; rebuild the mask")
        if metadata["counts"].get(name) != idx.numel():
            raise MaskError(f"mask file {path}: counts[{name!r}] disagrees with the stored indices; rebuild the mask")
    if set(metadata["counts"]) != set(indices):
        raise MaskError(f"mask file {path}: counts and stored tensors name different parameters; rebuild the mask")
    outside = sorted(name for name in indices if not param_in_target(name, metadata["target"]))
    if outside:
        raise MaskError(
            f"mask file {path}: zeroes {outside[0]!r}, which is not a {metadata['target']} weight although the "
            f"metadata says target={metadata['target']}; the file is corrupt or forged, rebuild the mask"
        )
    return SpinMask(indices=indices, shapes=shapes, metadata=metadata)


# Partial score files live in spin_eval.spin.scorefile (streamed); their names stay importable from here.
from spin_eval.spin.scorefile import (  # noqa: E402,F401
    SCORES_METADATA_KEY,
    ScoreFiles,
    load_score_sums,
    merge_score_files,
    save_score_sums,
    write_score_file,
)
