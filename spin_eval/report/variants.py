"""The report's columns: one :class:`Variant` per run (baseline, SPIN, control or other) and the baseline."""

from __future__ import annotations

from pathlib import Path

from spin_eval.errors import InputError
from spin_eval.report.model import Variant
from spin_eval.results.load import RunResults
from spin_eval.spin.config import CONTROL_SELECTIONS as _SPIN_CONTROLS

#: ``mask_metadata.selection`` values (or prefixes) that mark a control mask.
CONTROL_SELECTIONS: tuple[str, ...] = tuple(_SPIN_CONTROLS) + ("uniform", "magnitude", "control")

def _fmt_ratio(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def _is_control(meta: dict) -> bool:
    if meta.get("control_of"):
        return True
    sel = str(meta.get("selection") or "").lower()
    return any(sel.startswith(c) for c in CONTROL_SELECTIONS)


def variant_from_run(run: RunResults) -> Variant:
    spin = run.spin or {}
    meta = spin.get("mask_metadata") or {}
    mode = spin.get("mode")
    has_mask = bool(spin) and mode not in (None, "none")
    kind = "other"
    if has_mask:
        kind = "control" if _is_control(meta) else "spin"
    elif run.model_args.get("peft") or run.model_args.get("delta"):
        kind = "finetuned"  # a fine-tuning baseline (spin-eval run --baselines, or hf's peft=/delta=)
    total = meta.get("total")
    numel = meta.get("numel_total")
    sha = spin.get("mask_sha256")
    if has_mask:
        sel = meta.get("selection") or "mask"
        parts = [f"{'control: ' if kind == 'control' else 'SPIN '}{sel}"]
        if meta.get("p") is not None or meta.get("q") is not None:
            parts.append(f"p={_fmt_ratio(meta.get('p'))} q={_fmt_ratio(meta.get('q'))}")
        calibration = (meta.get("config") or {}).get("calibration") if isinstance(meta.get("config"), dict) else None
        if calibration and calibration != "aware":
            parts.append(f"{calibration} calibration data")
        if total is not None:
            parts.append(f"{int(total):,} w zeroed")
        if sha:
            parts.append(str(sha)[:8])
        label = ", ".join(parts)
    else:
        label = f"{run.model_type} {Path(run.model).name or run.model}"
        extra = {k: v for k, v in run.model_args.items() if k not in ("pretrained", "spin", "mask")}
        if extra:
            label += " (" + ", ".join(f"{k}={v}" for k, v in sorted(extra.items())[:3]) + ")"
        if mode == "none":
            label += ", no mask"
    return Variant(
        name=run.name,
        label=label,
        kind=kind,
        model=run.model,
        model_type=run.model_type,
        path=run.path,
        spin_mode=mode,
        selection=meta.get("selection"),
        p=meta.get("p"),
        q=meta.get("q"),
        weights_zeroed=int(total) if total is not None else None,
        numel_total=int(numel) if numel is not None else None,
        fraction_zeroed=(float(total) / float(numel)) if total is not None and numel else None,
        mask_sha256=sha,
        mask_path=spin.get("mask_path"),
        control_of=meta.get("control_of"),
        model_fingerprint=meta.get("model_fingerprint"),
    )


def pick_baseline(variants: list[Variant], baseline: str | None) -> Variant:
    if baseline is None:
        for v in variants:
            if v.kind == "other":
                return v
        return variants[0]
    for v in variants:
        if v.name == baseline or v.label == baseline:
            return v
    matches = [v for v in variants if v.name.startswith(baseline)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(v.name for v in variants)
    raise InputError(f"--baseline {baseline!r}: no run has that name; choose one of: {names}")

