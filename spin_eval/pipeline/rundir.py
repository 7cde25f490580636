"""Read evaluated runs from disk: lm-eval output folders, single results files and ``spin-eval run`` folders.

Accepted forms of a run path (``resolve_run``):

* a ``spin-eval run`` output folder (holds ``spin-eval-run.json``); one variant is picked (default ``spin``);
* an lm-eval output folder written with ``--output_path DIR --log_samples``: ``results_*.json`` and
  ``samples_<task>_*.jsonl``, directly in DIR or one level below (lm-eval adds a model-name folder);
* a ``results_*.json`` file; its samples are looked up beside it.

Pure helpers at the bottom turn a loaded run into metric values and per-document values keyed by
``doc_hash`` (paired comparisons match documents by that hash, as the report does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import iter_jsonl, read_json, resolve_inside
from spin_eval.lmeval_rows import validate_sample

#: The manifest ``spin-eval run`` writes into its output folder.
RUN_MANIFEST = "spin-eval-run.json"
#: Sub-folder of a ``spin-eval run`` output folder holding one lm-eval output folder per variant.
RUNS_SUBDIR = "runs"
#: Sub-folder holding the masks a ``spin-eval run`` built or copied.
MASKS_SUBDIR = "masks"


@dataclass
class VariantRun:
    """One evaluated model variant: its lm-eval results and logged samples."""

    name: str
    """Label (``base``, ``spin``, ``control-random`` ... or the folder name)."""
    results_path: Path
    """The ``results_*.json`` file read."""
    results: dict[str, Any]
    """The parsed results file (lm-eval 0.4.13 layout)."""
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Task name -> logged samples (empty where the run was made without ``--log_samples``)."""
    mask_path: Path | None = None
    """The mask file applied to this variant, where it can be found on disk."""

    @property
    def spin(self) -> dict[str, Any]:
        """``config.spin`` written by the ``spin_hf`` adapter (``{"mode": "none"}`` when absent)."""
        spin = (self.results.get("config") or {}).get("spin")
        return spin if isinstance(spin, dict) else {"mode": "none"}

    @property
    def fingerprint(self) -> str | None:
        """The model fingerprint recorded for this run (mask metadata or the run manifest)."""
        meta = self.spin.get("mask_metadata") or {}
        return meta.get("model_fingerprint") or self.spin.get("model_fingerprint")


def _read_json(path: Path, *, missing_ok: bool = False) -> Any:
    return read_json(path, fix="re-create it (re-run the evaluation)", missing_ok=missing_ok)


def find_results_file(folder: Path) -> Path:
    """The newest ``results_*.json`` in ``folder`` or one level below it."""
    candidates = sorted(folder.glob("results_*.json")) + sorted(folder.glob("*/results_*.json"))
    if not candidates:
        raise InputError(
            f"{folder}: no results_*.json found (expected an lm-eval --output_path folder, a results file, "
            f"or a 'spin-eval run' folder)"
        )
    # lm-eval names files results_<ISO date>.json, so the name orders them by time.
    return max(candidates, key=lambda p: p.name)


def _samples_for(results_path: Path, tasks: list[str]) -> dict[str, list[dict[str, Any]]]:
    date_id = results_path.stem[len("results_"):]
    samples: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        exact = results_path.parent / f"samples_{task}_{date_id}.jsonl"
        path = exact if exact.is_file() else None
        if path is None:
            found = sorted(results_path.parent.glob(f"samples_{task}_*.jsonl"), key=lambda p: p.name)
            path = found[-1] if found else None
        if path is None:
            continue
        fix = "the samples file is corrupt; re-run the evaluation"
        samples[task] = [validate_sample(row, where) for where, row in iter_jsonl(path, fix=fix)]
    return samples


def load_variant(path: str | Path, name: str | None = None, mask_path: str | Path | None = None) -> VariantRun:
    """Load one lm-eval output folder or results file."""
    path = Path(path)
    if path.is_file():
        results_path = path
    elif path.is_dir():
        results_path = find_results_file(path)
    else:
        raise InputError(f"{path}: no such file or folder")
    results = _read_json(results_path)
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
        raise InputError(f"{results_path}: field 'results' missing; this is not an lm-eval results file")
    for key in ("configs", "config"):
        if results.get(key) is not None and not isinstance(results[key], dict):
            raise InputError(f"{results_path}: field '{key}' must be an object; this is not an lm-eval results file")
    tasks = sorted((results.get("configs") or results["results"]).keys())
    unsafe = [t for t in tasks if not isinstance(t, str) or "/" in t or "\\" in t or t.startswith(".")]
    if unsafe:
        raise InputError(f"{results_path}: task name {unsafe[0]!r:.60} is not a plain name; the results file is corrupt")
    samples = _samples_for(results_path, tasks)
    spin = (results.get("config") or {}).get("spin") or {}
    resolved_mask = Path(mask_path) if mask_path else None
    if resolved_mask is None and isinstance(spin, dict) and spin.get("mask_path"):
        candidate = Path(spin["mask_path"])
        if not candidate.is_absolute():
            candidate = results_path.parent / candidate
        resolved_mask = candidate if candidate.is_file() else None
    return VariantRun(
        name=name or (path.name if path.is_dir() else results_path.parent.name),
        results_path=results_path,
        results=results,
        samples=samples,
        mask_path=resolved_mask,
    )


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``spin-eval run`` manifest of ``folder``, or None for other folders."""
    manifest = folder / RUN_MANIFEST
    return _read_json(manifest, missing_ok=True)


def resolve_run(path: str | Path, *, variant: str = "spin", mask_path: str | Path | None = None) -> VariantRun:
    """Load a run given as a ``spin-eval run`` folder (picking ``variant``), an lm-eval folder or a results file."""
    path = Path(path)
    if path.is_dir() and (manifest := read_manifest(path)) is not None:
        variants = manifest.get("variants") if isinstance(manifest, dict) else None
        if not isinstance(variants, dict):
            raise InputError(f"{path / RUN_MANIFEST}: field 'variants' missing; re-run 'spin-eval run'")
        if variant not in variants:
            raise InputError(
                f"{path}: variant '{variant}' not in this run (has: {', '.join(sorted(variants)) or 'none'}); "
                f"pass --variant with one of those"
            )
        entry = variants[variant]
        if not isinstance(entry, dict) or entry.get("status") != "done":
            raise InputError(f"{path}: variant '{variant}' is not finished; re-run 'spin-eval run' to complete it")
        folder = resolve_inside(path, f"{RUNS_SUBDIR}/{variant}", f"{path / RUN_MANIFEST}: variant {variant!r}")
        mask = mask_path or (
            resolve_inside(path, entry["mask"], f"{path / RUN_MANIFEST}: variants.{variant}.mask")
            if entry.get("mask") else None
        )
        return load_variant(folder, name=variant, mask_path=mask)
    return load_variant(path, mask_path=mask_path)


# ---------------------------------------------------------------------------------------------- pure helpers


def split_metric_key(key: str) -> tuple[str, str]:
    """``"acc,none"`` -> ``("acc", "none")``."""
    metric, _, filt = key.partition(",")
    return metric, filt or "none"


def metric_values(results: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    """(task, metric, filter) -> value for every numeric metric in a results dict (stderr entries left out)."""
    out: dict[tuple[str, str, str], float] = {}
    for task, entries in (results.get("results") or {}).items():
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            if "," not in key or key.startswith("alias"):
                continue
            metric, filt = split_metric_key(key)
            if metric.endswith("_stderr") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if isinstance(value, float) and math.isnan(value):
                continue
            out[(task, metric, filt)] = float(value)
    return out


def metric_stderr(results: dict[str, Any], task: str, metric: str, filt: str) -> float | None:
    """lm-eval's own standard error for a metric, where it reported one."""
    value = ((results.get("results") or {}).get(task) or {}).get(f"{metric}_stderr,{filt}")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def higher_is_better(results: dict[str, Any], task: str, metric: str) -> bool | None:
    """lm-eval's ``higher_is_better`` flag for a metric, where the results file has one."""
    flag = ((results.get("higher_is_better") or {}).get(task) or {}).get(metric)
    return flag if isinstance(flag, bool) else None


def doc_values(samples: list[dict[str, Any]], metric: str, filt: str) -> dict[str, Any]:
    """Per-document values of ``metric`` keyed by ``doc_hash`` (``doc_id`` added to repeated hashes)."""
    out: dict[str, Any] = {}
    for row in samples:
        if row.get("filter", "none") != filt or metric not in row:
            continue
        key = str(row.get("doc_hash") or row.get("doc_id"))
        if key in out:
            key = f"{key}#{row.get('doc_id')}"
        out[key] = row[metric]
    return out
