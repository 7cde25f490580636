"""Verdicts: SPIN against each control mask, per metric, with Holm-adjusted significance per pair."""

from __future__ import annotations

import math

from spin_eval import stats
from spin_eval.report.model import Delta, MetricRow, Verdict, metric_label
from spin_eval.report.tax import fmt_p as _fmt_p
from spin_eval.results.paired import paired_delta

#: Offset of the verdicts' resampling seed from the report's (independent of the deltas vs baseline).
VERDICT_SEED_OFFSET = 7


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
                label = metric_label(row)
                shown = f"{d.delta * row.scale:+.2f}"
                ci = (
                    f" [{d.ci_low * row.scale:+.2f}, {d.ci_high * row.scale:+.2f}]"
                    if d.ci_low is not None and d.ci_high is not None and math.isfinite(d.ci_low)
                    else ""
                )
                holm = "Holm " + _fmt_p(p_holm)
                ptxt = f"{_fmt_p(d.p_value)}, {holm} over {len(pair)} metric{'s' if len(pair) != 1 else ''}"
                fb = " (stderr fallback)" if d.source == "stderr-fallback" else ""
                base_txt = "" if vs_base else " SPIN does not differ significantly from the baseline either."
                if significant:
                    better = (d.improvement or 0) > 0
                    text = (
                        f"{label}: SPIN ({s.name}) differs significantly from control {c.name} "
                        f"(delta {shown}{ci}, {ptxt}{fb}); SPIN is {'better' if better else 'worse'} than the "
                        f"control, so the effect is specific to the selected weights.{base_txt}"
                    )
                else:
                    text = (
                        f"{label}: SPIN ({s.name}) does not differ significantly from control {c.name} "
                        f"(delta {shown}{ci}, {ptxt}{fb}); the effect is not specific to SPIN.{base_txt}"
                    )
                out.append(
                    Verdict(row.key, s.name, c.name, d.delta, d.ci_low, d.ci_high, d.p_value, d.test,
                            row.scale, vs_base, significant, text, row.headline, p_holm, d.improvement)
                )
    out.sort(key=lambda v: not v.headline)  # stable: headline metrics first, then row order
    return out

