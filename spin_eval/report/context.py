"""Turn a :class:`~spin_eval.report.model.Comparison` into the template context: formatted strings and
SVG geometry. Pure: the templates only lay these out, so HTML and Markdown show the same numbers.

Numbers: metrics in [0, 1] (rates, accuracies, bias scores in [-1, 1]) are shown in points (x100) with two
decimals; others in their own units with four significant digits.
"""

from __future__ import annotations

import math
from typing import Any

from spin_eval.report.charts import bar_chart, heat_map
from spin_eval.report.evaluation import fmt_calibration
from spin_eval.report.model import (
    FAMILIES,
    Answer,
    Comparison,
    Delta,
    EvaluationSettings,
    FamilyChange,
    HeadlineCheck,
    MetricRow,
)

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


def _layer_sort_key(layer: str) -> tuple[int, Any]:
    return (0, int(layer)) if layer.isdigit() else (1, layer)


# ------------------------------------------------------------------------------------------ context

def fmt_mde(check: HeadlineCheck) -> str:
    """The MDE as shown (points for metrics in points)."""
    if check.mde is None or not math.isfinite(check.mde):
        return "n/a"
    return f"{check.mde * check.scale:.2f}" if check.scale != 1.0 else f"{check.mde:.4g}"


OUTCOME_CSS = {"specific": "better", "not specific": "ns", "undetermined": "muted"}


def _change_css(fc: FamilyChange) -> str:
    """``better``/``worse`` when the interval excludes 0, else ''."""
    if fc.ci_low is None or fc.ci_high is None or not (math.isfinite(fc.ci_low) and math.isfinite(fc.ci_high)):
        return ""
    return "better" if fc.ci_low > 0 else "worse" if fc.ci_high < 0 else ""


def check_context(c: HeadlineCheck) -> dict:
    """One headline metric of one variant: baseline -> value, change [CI], p, MDE, headroom."""
    css = ""
    if c.significant and c.improvement is not None:
        css = "better" if c.improvement > 0 else "worse" if c.improvement < 0 else ""
    return {
        "metric": c.metric, "variant": c.variant, "family": c.family,
        "baseline": fmt_num(c.baseline, c.scale), "value": fmt_num(c.value, c.scale),
        "delta": fmt_signed(c.delta, c.scale), "ci": fmt_ci(c.ci_low, c.ci_high, c.scale),
        "p": fmt_p(c.p_value), "css": css, "unit": "pts" if c.scale != 1.0 else "",
        "mde": fmt_mde(c), "n": c.n_paired if c.n_paired else "n/a", "headroom": c.headroom, "headroom_note": c.headroom_note,
        "below_mde": c.mde is not None and c.delta is not None and abs(c.delta) < c.mde,
    }


def answer_context(a: Answer, colour) -> dict:
    """The answer block: one row per variant, one verdict per SPIN x control, the plain statements."""
    rows = []
    for v in a.variants:
        rows.append({
            "variant": v.variant, "kind": v.kind, "colour": colour(v.variant),
            "trust": fmt_change(v.trust), "trust_css": _change_css(v.trust),
            "capability": fmt_change(v.capability), "capability_css": _change_css(v.capability),
            "tax": "undefined" if v.tax_per_point is None else f"{v.tax_per_point:.2f}",
            "tax_ci": "" if v.tax_ci_low is None or v.tax_ci_high is None
            else f"[{v.tax_ci_low:.2f}, {v.tax_ci_high:.2f}]",
            "tax_why": {"defined": "", "missing": "no capability or trust metric",
                        "no-trust-gain": "no significant trust gain"}.get(v.status, v.status),
            "unitless": [check_context(c) for c in v.unitless],
            "specificity": [{"control": s.control, "outcome": s.outcome, "reason": s.reason,
                             "css": OUTCOME_CSS[s.outcome]} for s in v.specificity],
        })
    return {"rows": rows, "statements": a.statements,
            "sensitivity": [check_context(c) for c in a.sensitivity],
            "flagged": [check_context(c) for c in a.sensitivity if c.headroom != "ok"]}



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

    verdicts = [{"text": v.text, "significant": v.significant, "headline": v.headline,
                 "metric": v.metric.replace(",none", ""), "spin": v.spin, "control": v.control,
                 "delta": fmt_signed(v.delta, v.scale), "ci": fmt_ci(v.ci_low, v.ci_high, v.scale),
                 "p": fmt_p(v.p_value), "p_holm": fmt_p(v.p_holm),
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
        "answer": answer_context(c.answer, lambda n: _colour(c, n)),
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
