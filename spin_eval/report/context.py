"""Turn a :class:`~spin_eval.report.model.Comparison` into the template context: formatted strings and
SVG geometry. Pure: the templates only lay these out, so HTML and Markdown show the same numbers.

Numbers (:mod:`spin_eval.results.numbers`): metrics in [0, 1] (rates, accuracies, bias scores in [-1, 1]) in
points (x100) with one decimal; others in their own units with three significant digits; intervals with
the precision of their estimate; p-values with two significant digits. The answer block is
:mod:`spin_eval.report.answer_view`.
"""

from __future__ import annotations

from typing import Any

from spin_eval.metrics.objectives import tax_columns
from spin_eval.report.answer_view import OUTCOME_CSS, answer_context, title
from spin_eval.report.charts import bar_chart, heat_map
from spin_eval.report.evaluation import fmt_calibration
from spin_eval.report.model import (
    FAMILIES,
    Comparison,
    Delta,
    EvaluationSettings,
    FamilyChange,
    MetricRow,
)
from spin_eval.report.plane import plane_context, plane_markdown
from spin_eval.results import numbers
from spin_eval.results.numbers import fmt_value
from spin_eval.results.wording import family_points, outcome_text, tax_cells

#: Colour per variant column (the baseline is always grey). No red and no green: those mean "significant
#: regression" and "significant improvement" in the tables, a variant's colour must not read as either.
PALETTE = ("#2563eb", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#78716c", "#1e3a8a", "#a16207")
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
    "safety": "Safety",
    "overrefusal": "Over-refusal",
    "capability": "Capability",
    "other": "Other: not in the tax (no facts)",
}


def fmt_num(value: float | None, scale: float = 1.0) -> str:
    """A metric value: points with one decimal for [0, 1] metrics (``scale`` 100), else 3 significant digits."""
    return fmt_value(value, scale)


def fmt_signed(value: float | None, scale: float = 1.0) -> str:
    return fmt_value(value, scale, signed=True)


def fmt_ci(low: float | None, high: float | None, scale: float = 1.0, like: float | None = None) -> str:
    """``[low, high]`` with the precision of the estimate ``like``."""
    return numbers.fmt_ci(low, high, scale, like=like)


fmt_p = numbers.fmt_p


def fmt_change(fc: FamilyChange) -> dict:
    points, ci = family_points(fc)
    return {"points": points, "ci": ci, "metrics": fc.metrics, "fallback": fc.fallback,
            "text": f"{points} {ci}".strip()}


def _delta_cell(d: Delta | None, row: MetricRow) -> dict:
    if d is None:
        return {"delta": "", "ci": "", "p": "", "mark": "", "source": "", "css": "", "test": ""}
    css = ""
    if d.significant and d.improvement is not None:
        css = "better" if d.improvement > 0 else "worse" if d.improvement < 0 else ""
    source = {"paired-samples": "", "stderr-fallback": "stderr", "detail": "detail", "unavailable": "n/a"}[d.source]
    return {
        "delta": fmt_signed(d.delta, row.scale),
        "ci": fmt_ci(d.ci_low, d.ci_high, row.scale, d.delta),
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
                "group": r.task,
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
    for t in c.tax:
        tax.append({
            "variant": t.variant,
            "kind": t.kind,
            "capability": fmt_change(t.capability),
            "fairness": fmt_change(t.fairness),
            "privacy": fmt_change(t.privacy),
            "overrefusal": fmt_change(t.overrefusal),
            "trust": fmt_change(t.trust),
            "safety": fmt_change(t.safety) if t.safety is not None else fmt_change(FamilyChange(None, None, None)),
            "tax": tax_cells(t)[0], "tax_ci": tax_cells(t)[1], "tax_why": tax_cells(t)[2],
            "summary": t.summary,
        })

    verdicts = [{"text": v.text, "significant": v.significant, "headline": v.headline,
                 "metric": v.metric.replace(",none", ""), "spin": v.spin, "control": v.control,
                 "delta": fmt_signed(v.delta, v.scale), "ci": fmt_ci(v.ci_low, v.ci_high, v.scale, v.delta),
                 "p": fmt_p(v.p_value), "p_holm": fmt_p(v.p_holm), "outcome": v.outcome,
                 "outcome_text": outcome_text(v.outcome), "outcome_css": OUTCOME_CSS.get(v.outcome, ""),
                 "better": v.improvement is not None and v.improvement > 0,
                 "vs_base": v.spin_vs_baseline_significant} for v in c.verdicts]

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
            masks.append({"name": name, "map": None, "total": "0", "fraction": "", "shade": ""})  # mask file absent
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
        "answer": answer_context(c.answer, lambda n: _colour(c, n), c.baseline),
        "task_hashes": task_hashes,
        "title": f"spin-eval report: {title(c)}",
        "baseline": c.baseline,
        "names": names,
        "others": others,
        "variants": variants,
        "families": families,
        "tax": tax,
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
        "data_sources": c.data_sources,
        "tax_columns": tax_columns(c.objectives),
        "trust_names": " and ".join([", ".join(c.objectives[:-1]), c.objectives[-1]]),
        "plane": plane_context(c.plane) if c.plane is not None else None,
        "plane_md": "\n".join(plane_markdown(plane_context(c.plane))) if c.plane is not None else "",
    }
