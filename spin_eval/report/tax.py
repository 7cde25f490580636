"""The alignment-tax entries of the report: the results layer's one definition, plus its one-line summary.

The numbers come from :func:`spin_eval.results.headline.alignment_tax` over the same paired deltas the
metric rows show; :func:`tax_summary` is the sentence the report, and ``spin-eval run``'s summary, print.
"""

from __future__ import annotations

import math

from spin_eval.report.model import FamilyChange, MetricRow, TaxEntry, Variant
from spin_eval.results.facts import MetricFacts
from spin_eval.results.headline import AlignmentTax, HeadlineDelta, alignment_tax, counts_for_tax
from spin_eval.results.paired import PairedResult


def fmt_p(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "p n/a"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def fmt_change_line(fc: FamilyChange) -> str:
    """``+1.23 pts [-0.50, +2.90]`` (``n/a`` without a value)."""
    if fc.points is None:
        return "n/a"
    return f"{fc.points:+.2f} pts [{fc.ci_low:+.2f}, {fc.ci_high:+.2f}]"


def tax_summary(name: str, tax: AlignmentTax) -> str:
    """One line: capability and trust changes with intervals, and the tax or why it is undefined."""
    cap, trust = tax.capability, tax.trust
    if tax.status == "missing":
        return (f"{name}: not enough metrics for an alignment tax (capability {fmt_change_line(cap)}, "
                f"trust {fmt_change_line(trust)})")
    if tax.status != "defined":
        return (f"{name}: capability {fmt_change_line(cap)}, trust {fmt_change_line(trust)}; tax undefined: no "
                "significant trust gain (the trust change's interval does not lie above 0)")
    return (f"{name}: capability {fmt_change_line(cap)}, trust {fmt_change_line(trust)}; "
            f"tax {tax.tax_per_point:.2f} capability pts per trust pt [{tax.tax_ci_low:.2f}, {tax.tax_ci_high:.2f}]")


def tax_entry(v: Variant, rows: list[MetricRow], facts_of: dict[str, MetricFacts],
              work: dict[tuple[str, str], PairedResult], confidence: float) -> TaxEntry:
    items = [HeadlineDelta(rw.key, rw.family, work[(rw.key, v.name)]) for rw in rows
             if (rw.key, v.name) in work and counts_for_tax(facts_of[rw.key], rw.filter)]
    tax = alignment_tax(items, confidence)
    return TaxEntry(**vars(tax), variant=v.name, kind=v.kind, summary=tax_summary(v.name, tax))
