"""The alignment-tax entries of the report: the results layer's one definition and its one wording.

The numbers come from :func:`spin_eval.results.headline.alignment_tax` over the same paired deltas the
metric rows show; the summary line is :func:`spin_eval.results.wording.tax_sentence`, the sentence the
report, ``spin-eval run``'s summary and the leaderboard's tax all read as.
"""

from __future__ import annotations

from spin_eval.report.model import MetricRow, TaxEntry, Variant
from spin_eval.results.facts import TRUST_FAMILIES, MetricFacts
from spin_eval.results.headline import HeadlineDelta, alignment_tax, counts_for_tax
from spin_eval.results.paired import PairedResult
from spin_eval.results.wording import tax_sentence


def headline_items(v: Variant, rows: list[MetricRow], facts_of: dict[str, MetricFacts],
                   work: dict[tuple[str, str], PairedResult]) -> list[HeadlineDelta]:
    """The paired deltas of ``v`` that enter its family changes (the tax and the fairness-privacy plane)."""
    return [HeadlineDelta(rw.key, rw.family, work[(rw.key, v.name)]) for rw in rows
            if (rw.key, v.name) in work and counts_for_tax(facts_of[rw.key], rw.filter)]


def tax_entry(v: Variant, rows: list[MetricRow], facts_of: dict[str, MetricFacts],
              work: dict[tuple[str, str], PairedResult], confidence: float,
              trust_families: tuple[str, ...] = TRUST_FAMILIES) -> TaxEntry:
    tax = alignment_tax(headline_items(v, rows, facts_of, work), confidence, trust_families)
    return TaxEntry(**vars(tax), variant=v.name, kind=v.kind, summary=tax_sentence(v.name, tax))
