"""The one wording of every verdict, of the alignment tax and of the answer sentences. Pure.

The report's HTML and Markdown, its JSON, ``spin-eval run``'s console summary and the leaderboard render
these strings; none of them words a verdict or the tax itself. Numbers go through
:mod:`spin_eval.results.numbers`, so every number in a sentence is the string the tables show.

The answer sentences take duck-typed inputs (the report's ``AnswerVariant`` and ``HeadlineCheck``): per
variant what changed significantly, what could not be detected (with the smallest change this run could
have detected, the MDE), whether the effect is specific to SPIN against each control, and the tax.
"""

from __future__ import annotations

import math
from typing import Any

from spin_eval.results.numbers import NA, POINT_DECIMALS, fmt_change, fmt_ci, fmt_ratio, fmt_value

#: How an outcome of :func:`spin_eval.results.specificity.specificity` reads.
OUTCOME_TEXT = {
    "specific": "specific to SPIN's weights",
    "not specific": "not specific (the control does the same)",
    "undetermined": "undetermined at this sample size",
}
#: Why the tax is undefined, per status of :class:`spin_eval.results.headline.AlignmentTax`.
TAX_WHY = {
    "defined": "",
    "missing": "undefined: no capability or no trust metric in points",
    "no-trust-gain": "undefined: no significant trust gain (the trust interval does not lie above 0)",
}


def family_points(fc: Any) -> tuple[str, str]:
    """A family change (already in points) as table cells: (``+1.2``, ``[-0.5, +2.9]``)."""
    if fc.points is None:
        return NA, ""
    def pts(x: float | None) -> str:  # already in points: one decimal, as every value in points
        return fmt_value(x, signed=True, places=POINT_DECIMALS)

    ci = "" if fc.ci_low is None or fc.ci_high is None else f"[{pts(fc.ci_low)}, {pts(fc.ci_high)}]"
    return pts(fc.points), ci


def family_text(fc: Any) -> str:
    """A family change: ``+1.2 pts [-0.5, +2.9]`` (``n/a`` without a value)."""
    value, ci = family_points(fc)
    return value if value == NA else f"{value} pts {ci}".strip()


def tax_cells(tax: Any) -> tuple[str, str, str]:
    """(value, interval, why-undefined) of an alignment tax (``tax_per_point``, ``tax_ci_low/high``, ``status``)."""
    if tax.tax_per_point is None:
        return "undefined", "", TAX_WHY.get(tax.status, tax.status).removeprefix("undefined: ").split(" (")[0]
    return fmt_ratio(tax.tax_per_point), fmt_ci(tax.tax_ci_low, tax.tax_ci_high, like=tax.tax_per_point, signed=False), ""


def tax_phrase(tax: Any) -> str:
    """``alignment tax 0.457 [0.2, 0.9] capability pts per trust pt`` or ``alignment tax undefined: why``."""
    value, ci, _ = tax_cells(tax)
    if tax.tax_per_point is None:
        return f"alignment tax {TAX_WHY.get(tax.status, tax.status)}"
    return f"alignment tax {value} {ci} capability pts lost per trust pt gained".replace("  ", " ")


def tax_sentence(name: str, tax: Any) -> str:
    """One line: trust and capability changes with intervals, and the tax or why it is undefined."""
    return (f"{name}: trust {family_text(tax.trust)}, capability {family_text(tax.capability)}; "
            f"{tax_phrase(tax)}")


def outcome_text(outcome: str) -> str:
    return OUTCOME_TEXT.get(outcome, outcome)


def specificity_sentence(spec: Any) -> str:
    """``Against control-x: undetermined at this sample size (why).``"""
    if not spec.control:
        return f"Specific to SPIN? {outcome_text(spec.outcome)}: {spec.reason}."
    return f"Against {spec.control}: {outcome_text(spec.outcome)} ({spec.reason})."


def verdict_sentence(label: str, spin: str, control: str, delta: str, p: str, p_holm: str, n_metrics: int,
                     significant: bool, better: bool, outcome: str, spin_vs_base: bool) -> str:
    """One metric of one SPIN x control pair (the verdict table's row, in words)."""
    over = f"Holm {p_holm} over {n_metrics} metric{'s' if n_metrics != 1 else ''}"
    if significant:
        diff = f"SPIN ({spin}) differs significantly from control {control}: {'better' if better else 'worse'}"
    else:
        diff = f"SPIN ({spin}) and control {control} do not differ significantly"
    base = "" if spin_vs_base else "; SPIN does not differ significantly from the baseline"
    return f"{label}: {diff} (Δ {delta}, {p}, {over}){base}; {outcome_text(outcome)}."


def check_change(c: Any) -> str:
    """A headline check's change with its unit: ``+12.5 pts [+4.0, +21.0]`` or ``+32.1 [+24.0, +42.9]``."""
    text = fmt_change(c.delta, c.ci_low, c.ci_high, c.scale)
    return f"{text.split(' ')[0]} pts {' '.join(text.split(' ')[1:])}".strip() if c.scale != 1.0 and text != NA \
        else text


def mde_text(c: Any) -> str:
    """A check's minimal detectable effect as shown (points for metrics in points)."""
    return fmt_value(c.mde, c.scale)


def _metric_name(c: Any) -> str:
    return c.metric


def variant_sentences(v: Any, checks: list[Any], baseline: str) -> list[str]:
    """The answer for one variant against the baseline, in sentences (see the module docstring)."""
    pool = list(checks) + [u for u in v.unitless if u.metric not in {c.metric for c in checks}]
    sig = [c for c in pool if c.significant and c.delta is not None]
    quiet = [c for c in checks if not c.significant and c.delta is not None]
    head = f"{v.variant} ({v.kind}) vs {baseline}:"
    out = []
    if sig:
        parts = [f"{_metric_name(c)} {check_change(c)} ({'better' if (c.improvement or 0) > 0 else 'worse'})"
                 for c in sig]
        out.append(f"{head} changed significantly: {'; '.join(parts)}.")
    else:
        out.append(f"{head} no metric changed significantly.")
    if quiet:
        def plural(n: int) -> str:
            return f"{n} headline metric{'s' if n != 1 else ''}"

        reach = sorted((c for c in quiet if c.mde is not None and 0 < c.mde < math.inf and c.scale != 1.0),
                       key=lambda c: c.mde)
        never = [c for c in quiet if c.mde is not None and c.mde == math.inf]
        text = f"Not detected: {plural(len(quiet))} did not change significantly"
        if reach:
            lo, hi = mde_text(reach[0]), mde_text(reach[-1])
            span = f"{lo} pts" if lo == hi else f"{lo} to {hi} pts"
            text += (f"; the smallest change this run could have detected is {span} per metric "
                     f"({plural(len(reach))}, Sensitivity)")
        if never:
            text += (f"; {plural(len(never))} ({', '.join(c.metric for c in never)}) had too few documents for any "
                     "change to reach significance")
        out.append(text + ".")
    out.append(f"Trust {family_text(v.trust)}, capability {family_text(v.capability)}; {tax_phrase(v)}.")
    for s in v.specificity:
        out.append(specificity_sentence(s))
    return out
