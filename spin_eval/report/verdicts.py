"""Verdicts: SPIN against each control mask, per metric, with Holm-adjusted significance per pair.

Each metric's outcome is the results layer's one specificity rule over that metric's evidence, its text the
results layer's one wording (:mod:`spin_eval.results.wording`)."""

from __future__ import annotations

import math

from spin_eval import stats
from spin_eval.report.model import Delta, MetricRow, Verdict, metric_label
from spin_eval.results.numbers import fmt_change, fmt_p
from spin_eval.results.paired import paired_delta
from spin_eval.results.specificity import MetricEvidence, specificity
from spin_eval.results.wording import verdict_sentence

#: Offset of the verdicts' resampling seed from the report's (independent of the deltas vs baseline).
VERDICT_SEED_OFFSET = 7


def _evidence(row: MetricRow, spin: str, control: str, d: Delta, significant: bool) -> MetricEvidence:
    """One metric's evidence for the specificity rule (SPIN and control vs baseline, SPIN vs control)."""
    ds, dc = row.deltas.get(spin), row.deltas.get(control)
    ci = (d.ci_low, d.ci_high) if d.ci_low is not None and d.ci_high is not None else None
    return MetricEvidence(metric_label(row), bool(ds and ds.significant), ds.improvement if ds else None,
                          significant, d.improvement, bool(dc and dc.significant), dc.improvement if dc else None,
                          ds.delta if ds else None, ci)


def verdicts(variants, rows, facts_of, by_name, settings, notes) -> list[Verdict]:
    """SPIN vs each control, per metric; significance after Holm adjustment within each pair."""
    spins = [v for v in variants if v.kind == "spin"]
    controls = [v for v in variants if v.kind == "control"]
    out: list[Verdict] = []
    if spins and not controls:
        notes.append("no control mask among the runs: whether SPIN's effect is specific cannot be judged")
    from tqdm.auto import tqdm

    for s in spins:
        for c in controls:
            pair: list[tuple[MetricRow, Delta, bool]] = []
            for row in tqdm(rows, desc=f"{s.name} vs {c.name}", unit="metric", disable=not settings.progress):
                if row.detail:
                    continue
                dw = row.deltas.get(s.name)
                vs_base = bool(dw and dw.significant)
                d = paired_delta(by_name[c.name], by_name[s.name], facts_of[row.key], row.filter,
                                 settings.paired(VERDICT_SEED_OFFSET), notes).delta
                if d.delta is not None:
                    pair.append((row, d, vs_base))
            adjusted = stats.holm_adjust([d.p_value if d.p_value is not None else math.nan for _, d, _ in pair])
            for (row, d, vs_base), p_holm in zip(pair, adjusted):
                p_holm = p_holm if math.isfinite(p_holm) else None
                significant = p_holm is not None and p_holm < settings.alpha
                ev = _evidence(row, s.name, c.name, d, significant)
                outcome = specificity(s.name, c.name, [ev]).outcome
                text = verdict_sentence(
                    metric_label(row), s.name, c.name, fmt_change(d.delta, d.ci_low, d.ci_high, row.scale),
                    fmt_p(d.p_value), fmt_p(p_holm), len(pair), significant, (d.improvement or 0) > 0, outcome,
                    vs_base) + (" (stderr fallback)" if d.source == "stderr-fallback" else "")
                out.append(
                    Verdict(row.key, s.name, c.name, d.delta, d.ci_low, d.ci_high, d.p_value, d.test,
                            row.scale, vs_base, significant, text, row.headline, p_holm, d.improvement,
                            outcome, ev)
                )
    out.sort(key=lambda v: not v.headline)  # stable: headline metrics first, then row order
    return out

