"""Turn a :class:`~spin_eval.report.compare.Comparison` into the template context: formatted strings and
SVG geometry. Pure: the templates only lay these out, so HTML and Markdown show the same numbers.

Numbers: metrics in [0, 1] (rates, accuracies, bias scores in [-1, 1]) are shown in points (x100) with two
decimals; others in their own units with four significant digits.
"""

from __future__ import annotations

import math
from typing import Any

from spin_eval.report.evaluation import fmt_calibration
from spin_eval.report.model import FAMILIES, Comparison, Delta, EvaluationSettings, FamilyChange, MetricRow

#: Colour per variant column (the baseline is always grey).
PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f")
BASELINE_COLOUR = "#6b7280"
#: Plain-language hints for well-known metric names (shown next to breakdown titles).
METRIC_HINTS = {
    "s_amb": "BBQ bias score in ambiguous contexts (0 = unbiased)",
    "s_dis": "BBQ bias score in disambiguated contexts (0 = unbiased)",
    "acc_ambig": "accuracy in ambiguous contexts",
    "acc_disambig": "accuracy in disambiguated contexts",
    "leak_rate": "share of answers that leak the planted PII",
    "refusal_rate": "share of answers that refuse",
}
ARROWS = {"higher": "↑", "lower": "↓", "zero": "→0"}
FAMILY_TITLES = {
    "fairness": "Fairness",
    "privacy": "Privacy",
    "overrefusal": "Over-refusal",
    "capability": "Capability",
    "other": "Other (not in the metric catalog)",
}


def fmt_num(value: float | None, scale: float = 1.0) -> str:
    """A metric value: points with two decimals for [0, 1] metrics (``scale`` 100), else 4 digits."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if scale != 1.0:
        return f"{value * scale:.2f}"
    return f"{value:.4g}"


def fmt_signed(value: float | None, scale: float = 1.0) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if scale != 1.0:
        return f"{value * scale:+.2f}"
    return f"{value:+.4g}"


def fmt_ci(low: float | None, high: float | None, scale: float = 1.0) -> str:
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"[{fmt_signed(low, scale)}, {fmt_signed(high, scale)}]"


def fmt_p(p: float | None) -> str:
    """``p=0.123`` / ``p<0.001`` (``p n/a`` when missing)."""
    if p is None or not math.isfinite(p):
        return "p n/a"
    if p < 0.001:
        return "p<0.001"
    return f"p={p:.3f}"


def _pts(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:+.2f}"


def fmt_change(fc: FamilyChange) -> dict:
    ci = "" if fc.ci_low is None or fc.ci_high is None else f"[{_pts(fc.ci_low)}, {_pts(fc.ci_high)}]"
    return {
        "points": _pts(fc.points),
        "ci": ci,
        "metrics": fc.metrics,
        "fallback": fc.fallback,
        "text": "n/a" if fc.points is None else f"{_pts(fc.points)} {ci}".strip(),
    }


def _delta_cell(d: Delta | None, row: MetricRow) -> dict:
    if d is None:
        return {"delta": "", "ci": "", "p": "", "mark": "", "source": "", "css": "", "test": ""}
    css = ""
    if d.significant and d.improvement is not None:
        css = "better" if d.improvement > 0 else "worse" if d.improvement < 0 else ""
    source = {"paired-samples": "", "stderr-fallback": "stderr", "detail": "detail", "unavailable": "n/a"}[d.source]
    return {
        "delta": fmt_signed(d.delta, row.scale),
        "ci": fmt_ci(d.ci_low, d.ci_high, row.scale),
        "p": fmt_p(d.p_value) if d.source in ("paired-samples", "stderr-fallback") else "",
        "mark": d.mark,
        "source": source,
        "css": css,
        "test": d.test,
        "n": d.n_paired,
    }


def _colour(comparison: Comparison, name: str) -> str:
    if name == comparison.baseline:
        return BASELINE_COLOUR
    others = [v.name for v in comparison.variants if v.name != comparison.baseline]
    return PALETTE[others.index(name) % len(PALETTE)] if name in others else PALETTE[0]


# --------------------------------------------------------------------------------------- SVG charts


def nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return m * base
    return 10 * base


def bar_chart(groups: list[dict], *, width: int = 640, bar_h: int = 14, unit: str = "") -> dict | None:
    """Geometry of a grouped horizontal bar chart with optional CI whiskers.

    ``groups``: ``[{"label": str, "bars": [{"label", "value", "low", "high", "colour"}]}]`` (values
    already scaled). Returns ``None`` when nothing is finite."""
    vals: list[float] = []
    for g in groups:
        for b in g["bars"]:
            for k in ("value", "low", "high"):
                x = b.get(k)
                if x is not None and math.isfinite(x):
                    vals.append(float(x))
    if not vals:
        return None
    lo, hi = min(min(vals), 0.0), max(max(vals), 0.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    left, right = 150, 60
    plot_w = width - left - right

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * plot_w

    y = 24
    bars, whiskers, labels = [], [], []
    for g in groups:
        labels.append({"x": 6, "y": y + 10, "text": g["label"][:34], "bold": True})
        y += 14
        for b in g["bars"]:
            v = b.get("value")
            if v is not None and math.isfinite(v):
                x0, x1 = sorted((sx(0.0), sx(v)))
                bars.append({"x": round(x0, 1), "y": y, "w": round(max(x1 - x0, 1.0), 1), "h": bar_h,
                             "fill": b["colour"], "title": f"{b['label']}: {v:+.2f}{unit}" if b.get("signed")
                             else f"{b['label']}: {v:.2f}{unit}",
                             "text": f"{v:+.2f}" if b.get("signed") else f"{v:.2f}",
                             "tx": round(max(sx(v), sx(0.0)) + 4, 1), "ty": y + bar_h - 3})
            low, high = b.get("low"), b.get("high")
            if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
                whiskers.append({"x1": round(sx(low), 1), "x2": round(sx(high), 1), "y": y + bar_h / 2,
                                 "y1": y + 2, "y2": y + bar_h - 2})
            labels.append({"x": 18, "y": y + bar_h - 3, "text": b["label"][:30], "bold": False})
            y += bar_h + 4
        y += 10
    step = nice_step((hi - lo) / 5)
    ticks = []
    t = math.ceil(lo / step) * step
    while t <= hi + 1e-9:
        ticks.append({"x": round(sx(t), 1), "text": f"{t:g}" if abs(t) > 1e-9 else "0"})
        t += step
    return {
        "width": width,
        "height": y + 18,
        "zero": round(sx(0.0), 1),
        "top": 18,
        "bottom": y,
        "bars": bars,
        "whiskers": whiskers,
        "labels": labels,
        "ticks": ticks,
        "axis_y": y + 12,
    }


def heat_map(cells: list[dict], layers: list[str], modules: list[str]) -> dict:
    """Geometry of a layer x module heat map; ``cells``: ``{layer, module, value (0-1), text, title}``."""
    cw, ch, left, top = 78, 18, 52, 40
    rects = []
    for c in cells:
        i, j = layers.index(c["layer"]), modules.index(c["module"])
        v = max(0.0, min(1.0, c["value"]))
        # white -> deep red
        r, g, b = 255, int(255 - 200 * v), int(255 - 210 * v)
        rects.append({"x": left + j * cw, "y": top + i * ch, "w": cw - 2, "h": ch - 2,
                      "fill": f"rgb({r},{g},{b})", "text": c["text"], "title": c["title"],
                      "dark": v > 0.6})
    return {
        "width": left + cw * max(1, len(modules)) + 10,
        "height": top + ch * max(1, len(layers)) + 8,
        "rects": rects,
        "cols": [{"x": left + j * cw + (cw - 2) / 2, "text": m[:11]} for j, m in enumerate(modules)],
        "rows": [{"y": top + i * ch + ch - 6, "text": f"L{layer}"} for i, layer in enumerate(layers)],
        "cw": cw,
    }


def _layer_sort_key(layer: str) -> tuple[int, Any]:
    return (0, int(layer)) if layer.isdigit() else (1, layer)


# ------------------------------------------------------------------------------------------ context


def _per_run(values: dict[str, int | None]) -> str:
    """One number when every run agrees, else ``name n`` pairs."""
    shown = {name: "n/a" if v is None else str(v) for name, v in values.items()}
    if len(set(shown.values())) <= 1:
        return next(iter(shown.values()), "n/a")
    return ", ".join(f"{name} {v}" for name, v in shown.items())


def evaluation_context(ev: EvaluationSettings) -> dict:
    """The evaluation-settings panel: one summary line, per-task documents, per-run settings, caveats."""
    tasks = []
    for td in ev.tasks:
        if td.min_flips is None:
            detect = "n/a"
        elif td.min_flips_points is None:
            detect = f"none (needs {td.min_flips} documents)"
        else:
            detect = f"{td.min_flips} docs = {td.min_flips_points:.1f} pts"
        tasks.append({
            "task": td.task,
            "original": _per_run(td.original),
            "effective": _per_run(td.effective),
            "paired": "n/a" if td.n_paired is None else str(td.n_paired),
            "detect": detect,
            "few": td.few,
        })
    runs = [{
        "name": r.name,
        "limit": r.limit,
        "gen_limit": r.gen_limit,
        "documents": r.documents,
        "calibration": fmt_calibration(r.calibration_nsamples),
        "other": ", ".join(f"{k}={v}" for k, v in r.other.items()),
    } for r in ev.runs]
    return {
        "summary": ev.summary,
        "comparable": ev.comparable,
        "differences": ev.differences,
        "caveats": ev.caveats,
        "tasks": tasks,
        "runs": runs,
        "min_paired_docs": ev.min_paired_docs,
    }


def build_context(comparison: Comparison) -> dict:
    c = comparison
    names = [v.name for v in c.variants]
    others = [n for n in names if n != c.baseline]
    variants = []
    for v in c.variants:
        variants.append({
            "name": v.name,
            "label": v.label,
            "kind": v.kind,
            "colour": _colour(c, v.name),
            "model": v.model,
            "model_type": v.model_type,
            "selection": v.selection or "",
            "pq": "" if v.p is None and v.q is None else f"p={v.p:g} q={v.q:g}" if v.p is not None and v.q is not None else "",
            "zeroed": "" if v.weights_zeroed is None else f"{v.weights_zeroed:,}",
            "fraction": "" if v.fraction_zeroed is None else f"{v.fraction_zeroed * 100:.4f}%",
            "sha": (v.mask_sha256 or "")[:12],
            "control_of": (v.control_of or "")[:12],
        })

    families = []
    for fam in FAMILIES:
        rows = [r for r in c.rows if r.family == fam]
        if not rows:
            continue
        out_rows = []
        for r in rows:
            out_rows.append({
                "key": r.key,
                "task": r.task,
                "metric": r.metric if r.filter == "none" else f"{r.metric} ({r.filter})",
                "arrow": ARROWS.get(r.direction, ""),
                "direction": r.direction,
                "headline": r.headline,
                "detail": r.detail,
                "catalog": r.catalog,
                "unit": "pts" if r.scale != 1.0 else "",
                "values": [
                    {
                        "value": fmt_num(r.values[n].value if n in r.values else None, r.scale),
                        "stderr": fmt_num(r.values[n].stderr if n in r.values else None, r.scale),
                    }
                    for n in names
                ],
                "deltas": [_delta_cell(r.deltas.get(n), r) for n in others],
            })
        families.append({"name": fam, "title": FAMILY_TITLES[fam], "rows": out_rows})

    tax = []
    tax_groups = []
    for t in c.tax:
        tax.append({
            "variant": t.variant,
            "kind": t.kind,
            "capability": fmt_change(t.capability),
            "fairness": fmt_change(t.fairness),
            "privacy": fmt_change(t.privacy),
            "overrefusal": fmt_change(t.overrefusal),
            "trust": fmt_change(t.trust),
            "tax": "undefined" if t.tax_per_point is None else f"{t.tax_per_point:.2f}",
            "tax_ci": "" if t.tax_ci_low is None or t.tax_ci_high is None
            else f"[{t.tax_ci_low:.2f}, {t.tax_ci_high:.2f}]",
            "summary": t.summary,
        })
        colour = _colour(c, t.variant)
        bars = []
        for label, fc in (("capability", t.capability), ("trust", t.trust)):
            if fc.points is not None:
                bars.append({"label": label, "value": fc.points, "low": fc.ci_low, "high": fc.ci_high,
                             "colour": colour, "signed": True})
        if bars:
            tax_groups.append({"label": f"{t.variant} ({t.kind})", "bars": bars})
    tax_chart = bar_chart(tax_groups, unit=" pts") if tax_groups else None

    verdicts = [{"text": v.text, "significant": v.significant, "headline": v.headline, "metric": v.metric, "spin": v.spin,
                 "control": v.control, "delta": fmt_signed(v.delta, v.scale), "ci": fmt_ci(v.ci_low, v.ci_high, v.scale),
                 "p": fmt_p(v.p_value)} for v in c.verdicts]

    breakdowns = []
    for b in c.breakdowns:
        groups = []
        rows = []
        for label in b.rows:
            vals = b.values[label]
            rows.append({"label": label, "n": b.counts.get(label, 0),
                         "values": [fmt_num(vals.get(n), b.scale) for n in names]})
            groups.append({"label": label, "bars": [
                {"label": n, "value": (vals.get(n) * b.scale) if vals.get(n) is not None else None,
                 "colour": _colour(c, n)} for n in names]})
        breakdowns.append({
            "title": f"{b.task}: {b.metric} by {' x '.join(b.fields)}",
            "hint": METRIC_HINTS.get(b.metric, ""),
            "task": b.task,
            "metric": b.metric,
            "fields": b.fields,
            "unit": "pts" if b.scale != 1.0 else "",
            "rows": rows,
            "chart": bar_chart(groups, bar_h=11),
        })

    masks = []
    for name in c.masks.variants:
        layers = c.masks.layers.get(name, [])
        if not layers:
            masks.append({"name": name, "map": None, "total": "0"})
            continue
        layer_names = sorted({m.layer for m in layers}, key=_layer_sort_key)
        modules = sorted({m.module for m in layers})
        has_numel = all(m.numel for m in layers)
        peak = max((m.count / m.numel if has_numel else m.count) for m in layers) or 1
        cells = []
        for m in layers:
            frac = m.count / m.numel if has_numel else None
            value = (frac if has_numel else m.count) / peak
            cells.append({
                "layer": m.layer, "module": m.module, "value": value,
                "text": f"{m.count:,}",
                "title": f"layer {m.layer} {m.module}: {m.count:,} zeroed"
                + (f" ({frac * 100:.4f}% of {m.numel:,})" if frac is not None else ""),
            })
        present = {(m.layer, m.module) for m in layers}
        for layer in layer_names:
            for module in modules:
                if (layer, module) not in present:
                    cells.append({"layer": layer, "module": module, "value": 0.0, "text": "0",
                                  "title": f"layer {layer} {module}: none zeroed"})
        v = c.variant(name)
        masks.append({
            "name": name,
            "map": heat_map(cells, layer_names, modules),
            "total": f"{sum(m.count for m in layers):,}",
            "fraction": "" if v.fraction_zeroed is None else f"{v.fraction_zeroed * 100:.4f}%",
            "shade": "fraction of the matrix" if has_numel else "count",
        })
    overlap = {
        "names": c.masks.variants,
        "rows": [
            {"name": a, "values": ["n/a" if c.masks.overlap[a].get(b) is None else f"{c.masks.overlap[a][b]:.3f}"
                                   for b in c.masks.variants]}
            for a in c.masks.variants
        ],
    }

    flips = [
        {
            "task": f.task, "metric": f.metric, "variant": f.variant, "n_paired": f.n_paired,
            "n_changed": f.n_changed, "n_better": f.n_better, "n_worse": f.n_worse,
            "shown": [vars(x) for x in f.shown],
        }
        for f in c.flips
        if f.n_changed
    ]

    tasks = sorted({t for r in c.provenance.runs for t in r["task_hashes"]})
    task_hashes = []
    for t in tasks:
        hashes = [(r["task_hashes"].get(t) or "")[:16] for r in c.provenance.runs]
        present = {h for h in hashes if h}
        task_hashes.append({"task": t, "hashes": [h or "n/a" for h in hashes], "same": len(present) <= 1})

    return {
        "task_hashes": task_hashes,
        "title": f"spin-eval report: {len(names)} variants vs {c.baseline}",
        "baseline": c.baseline,
        "names": names,
        "others": others,
        "variants": variants,
        "families": families,
        "tax": tax,
        "tax_chart": tax_chart,
        "verdicts": verdicts,
        "breakdowns": breakdowns,
        "masks": masks,
        "mask_notes": c.masks.notes,
        "overlap": overlap,
        "flips": flips,
        "provenance": c.provenance,
        "notes": c.notes,
        "definitions": c.definitions,
        "settings": c.settings,
        "confidence_pct": f"{c.settings.confidence * 100:g}",
        "alpha": f"{c.settings.alpha:g}",
        "evaluation": evaluation_context(c.evaluation),
    }
