"""The answer block's template context: the sentences, the answer table, the compact table of the capability
metrics not in points, the summary chart and the title. Pure; numbers via :mod:`spin_eval.results.numbers`,
words via :mod:`spin_eval.results.wording` (the same strings the run summary prints)."""

from __future__ import annotations

from spin_eval.report.charts import change_chart
from spin_eval.report.model import Answer, Comparison, HeadlineCheck
from spin_eval.results.numbers import NA, fmt_ci, fmt_p, fmt_relative, fmt_value
from spin_eval.results.wording import family_points, outcome_text, tax_cells

OUTCOME_CSS = {"specific": "better", "not specific": "ns", "undetermined": "muted"}


def fmt_mde(check: HeadlineCheck) -> str:
    """The MDE as shown (points for metrics in points); too few documents for any significant change: none."""
    if check.mde == float("inf"):
        return "none (too few docs)"
    return fmt_value(check.mde, check.scale)


def _change_css(fc) -> str:
    """``better``/``worse`` when the interval excludes 0, else ''."""
    if fc.ci_low is None or fc.ci_high is None:
        return ""
    return "better" if fc.ci_low > 0 else "worse" if fc.ci_high < 0 else ""


def check_context(c: HeadlineCheck) -> dict:
    """One metric of one variant: baseline -> value, change [CI], relative change, p, MDE, headroom."""
    css = ""
    if c.significant and c.improvement is not None:
        css = "better" if c.improvement > 0 else "worse" if c.improvement < 0 else ""
    return {
        "metric": c.metric, "short": c.metric.split("/")[-1], "variant": c.variant, "family": c.family,
        "baseline": fmt_value(c.baseline, c.scale), "value": fmt_value(c.value, c.scale),
        "delta": fmt_value(c.delta, c.scale, signed=True), "ci": fmt_ci(c.ci_low, c.ci_high, c.scale, like=c.delta),
        "relative": fmt_relative(c.delta, c.baseline),
        "p": fmt_p(c.p_value), "css": css, "unit": "pts" if c.scale != 1.0 else "",
        "mde": fmt_mde(c), "n": c.n_paired if c.n_paired else NA, "headroom": c.headroom,
        "headroom_note": c.headroom_note,
        "below_mde": c.mde is not None and c.delta is not None and abs(c.delta) < c.mde,
    }


def _family(fc) -> dict:
    points, ci = family_points(fc)
    return {"points": points, "ci": ci, "text": f"{points} {ci}".strip(), "metrics": fc.metrics,
            "fallback": fc.fallback}


def answer_chart(a: Answer, colour, baseline: str) -> dict | None:
    """Trust and capability change per variant (points, 95% CI), one colour per variant with a legend."""
    groups = []
    for measure in ("trust", "capability"):
        bars = [{"label": v.variant, "value": getattr(v, measure).points, "low": getattr(v, measure).ci_low,
                 "high": getattr(v, measure).ci_high, "colour": colour(v.variant)} for v in a.variants
                if getattr(v, measure).points is not None]
        if bars:
            groups.append({"label": f"{measure} change", "bars": bars})
    legend = [{"label": f"{v.variant} ({v.kind})", "colour": colour(v.variant)} for v in a.variants]
    return change_chart(groups, legend, axis_title=f"change versus {baseline}, points (bars: 95% CI)") \
        if groups else None


def answer_context(a: Answer, colour, baseline: str = "base") -> dict:
    """The answer block: the sentences, one row per variant, the metrics not in points, the chart."""
    rows, unitless = [], []
    for v in a.variants:
        value, ci, why = tax_cells(v)
        rows.append({
            "variant": v.variant, "kind": v.kind, "colour": colour(v.variant),
            "trust": _family(v.trust), "trust_css": _change_css(v.trust),
            "capability": _family(v.capability), "capability_css": _change_css(v.capability),
            "tax": value, "tax_ci": ci, "tax_why": why,
            "sentences": v.sentences,
            "specificity": [{"control": s.control, "outcome": s.outcome, "text": outcome_text(s.outcome),
                             "reason": s.reason, "css": OUTCOME_CSS[s.outcome]} for s in v.specificity],
        })
        unitless += [check_context(c) for c in v.unitless]
    return {"rows": rows, "statements": a.statements, "unitless": unitless,
            "chart": answer_chart(a, colour, baseline),
            "sensitivity": [check_context(c) for c in a.sensitivity],
            "flagged": [check_context(c) for c in a.sensitivity if c.headroom != "ok"]}


def title(c: Comparison) -> str:
    """What was compared: ``spin and 1 control vs base, SmolLM2-135M-Instruct, 9 tasks``."""
    others = [v for v in c.variants if v.name != c.baseline]
    spins = [v.name for v in others if v.kind == "spin"]
    n_controls = sum(v.kind == "control" for v in others)
    rest = [v.name for v in others if v.kind not in ("spin", "control")]
    parts = spins + rest
    if n_controls:
        parts.append(f"{n_controls} control{'s' if n_controls != 1 else ''}")
    what = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else (parts[0] if parts else "no variant")
    models = sorted({_model_name(v.model) for v in c.variants if v.model})
    tasks = sorted({t for r in c.rows for t in [r.task]})
    bits = [f"{what} vs {c.baseline}"] + (models[:1] if len(models) == 1 else
                                          [f"{len(models)} models"] if models else [])
    bits.append(f"{len(tasks)} task{'s' if len(tasks) != 1 else ''}")
    return ", ".join(bits)


def _model_name(model: str) -> str:
    """The last path component of a model spec (``.../SmolLM2-135M-Instruct`` -> ``SmolLM2-135M-Instruct``)."""
    from spin_eval.constants import EMBEDDED_MODEL_NAME, EMBEDDED_MODEL_SPEC

    if model == EMBEDDED_MODEL_SPEC:
        model = EMBEDDED_MODEL_NAME
    tail = model.rstrip("/").replace("\\", "/").split("/")[-1]
    return tail or model
