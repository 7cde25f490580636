"""The mask panel: zeroed weights per layer and module, and the overlap (Jaccard) between the masks.

Reads the mask files the runs name (the only file access of the report's model), through
``spin_eval.spin.io.load_mask``; an unreadable mask gives a note, not an error.
"""

from __future__ import annotations

import re

import numpy as np

from spin_eval.report.model import MaskLayer, MaskPanel, Variant
from spin_eval.results.load import RunResults
from spin_eval.stats import mask_jaccard

_LAYER_RE = re.compile(r"(?:^|\.)(?:layers|h|blocks|layer)\.(\d+)\.(?:.*\.)?([A-Za-z_0-9]+)\.weight$")


def _split_param(name: str) -> tuple[str, str]:
    m = _LAYER_RE.search(name)
    if m:
        return m.group(1), m.group(2)
    parts = name.split(".")
    return "-", parts[-2] if len(parts) > 1 else name


def _note_margins(panel: MaskPanel, variant: str, meta: dict) -> None:
    """A note per mask with recorded margins: how many top-k boundaries are closer than the scoring precision,
    and each unstable one (the wording of ``spin-eval mask info``)."""
    from spin_eval.spin.margins import margin_summary

    summary = margin_summary(meta)
    if summary is not None:
        panel.notes.append(f"{variant}: {summary.headline()}")
        panel.notes.extend(f"{variant}: {line}" for line in summary.unstable_lines())


def mask_panel(variants: list[Variant], by_name: dict[str, RunResults]) -> MaskPanel:
    panel = MaskPanel()
    indices: dict[str, dict[str, np.ndarray] | None] = {}
    from spin_eval.spin.io import load_mask

    for v in variants:
        if v.spin_mode in (None, "none"):
            continue
        panel.variants.append(v.name)
        mask = None
        file = by_name[v.name].mask_file
        if file:
            try:
                mask = load_mask(file)
            except Exception as exc:  # a corrupt mask must not stop the report
                panel.notes.append(f"{v.name}: mask file {file} unreadable ({exc}); counts from metadata, no overlap")
        else:
            panel.notes.append(
                f"{v.name}: mask file {v.mask_path or '(no mask_path recorded)'} not found; per-layer counts from "
                "the mask metadata, no overlap"
            )
        counts: dict[str, int] = {}
        shapes: dict[str, tuple] = {}
        if mask is not None:
            indices[v.name] = {k: np.asarray(t.cpu().numpy() if hasattr(t, "cpu") else t, dtype=np.int64)
                               for k, t in mask.indices.items()}
            counts = {k: int(a.size) for k, a in indices[v.name].items()}
            shapes = dict(mask.shapes)
            meta = mask.metadata
        else:
            indices[v.name] = None
            meta = (by_name[v.name].spin or {}).get("mask_metadata") or {}
            counts = {str(k): int(n) for k, n in (meta.get("counts") or {}).items()}
        _note_margins(panel, v.name, meta)
        v_meta_counts = counts
        layers = []
        for pname, n in sorted(v_meta_counts.items()):
            layer, module = _split_param(pname)
            shape = shapes.get(pname)
            numel = int(np.prod(shape)) if shape else None
            layers.append(MaskLayer(layer, module, int(n), numel))
        panel.layers[v.name] = layers
    for a in panel.variants:
        panel.overlap[a] = {}
        for b in panel.variants:
            ia, ib = indices.get(a), indices.get(b)
            if ia is None or ib is None:
                panel.overlap[a][b] = 1.0 if a == b else None
                continue
            panel.overlap[a][b] = mask_jaccard(ia, ib)
    return panel

