"""The answer block: what a reader needs first, assembled from the numbers the report already holds.

Per variant against the baseline: the capability and trust changes with intervals, the alignment tax,
the capability metrics not in points (perplexity, bits per byte) with change, interval and p-value, and
for SPIN one verdict per control (:mod:`spin_eval.results.specificity`). Next to every headline metric:
the minimal detectable effect and the baseline's headroom (:mod:`spin_eval.results.sensitivity`).
Inputs that cannot answer (a single run, no SPIN run, no control, a task without paired documents, runs
of different task versions) become plain statements, never an empty verdict.
"""

from __future__ import annotations

import math

import numpy as np

from spin_eval.report.model import (
    Answer,
    AnswerVariant,
    Breakdown,
    EvaluationSettings,
    HeadlineCheck,
    MetricRow,
    Provenance,
    TaxEntry,
    Variant,
    Verdict,
    metric_label,
)
from spin_eval.results import sensitivity
from spin_eval.results.paired import PairedResult
from spin_eval.results.specificity import MetricEvidence, Specificity, specificity
from spin_eval.results.wording import variant_sentences


def _se(result: PairedResult | None, row: MetricRow, variant: str, confidence: float) -> float | None:
    if result is not None and result.improvement_resamples is not None:
        res = np.asarray(result.improvement_resamples, dtype=float)
        res = res[np.isfinite(res)]
        if res.size > 1:
            return float(np.std(res, ddof=1))
    d = row.deltas.get(variant)
    return sensitivity.se_from_interval(d.ci_low, d.ci_high, confidence) if d is not None else None


def _check(row: MetricRow, variant: str, baseline: str, work: dict, confidence: float,
           smallest: dict[str, float]) -> HeadlineCheck:
    d = row.deltas.get(variant)
    base_cell = row.values.get(baseline)
    cell = row.values.get(variant)
    base_value = base_cell.value if base_cell else None
    state = sensitivity.headroom(base_value, row.direction, row.scale != 1.0)
    return HeadlineCheck(
        metric=metric_label(row), variant=variant, baseline=base_value, value=cell.value if cell else None,
        delta=d.delta if d else None, ci_low=d.ci_low if d else None, ci_high=d.ci_high if d else None,
        p_value=d.p_value if d else None, significant=bool(d and d.significant),
        improvement=d.improvement if d else None, scale=row.scale, family=row.family,
        n_paired=d.n_paired if d else 0,
        mde=sensitivity.mde_with_floor(sensitivity.mde_from_se(_se(work.get((row.key, variant)), row, variant,
                                                                      confidence)),
                                       smallest.get(row.task) if row.scale != 1.0 else None),
        headroom=state, headroom_note=sensitivity.headroom_text(state, row.direction),
        ci_half_width=None if d is None or d.ci_low is None or d.ci_high is None else (d.ci_high - d.ci_low) / 2,
    )


def _evidence(spin: str, control: str, verdicts: list[Verdict]) -> list[MetricEvidence]:
    """The headline metrics' evidence of one pair, exactly as the per-metric verdicts used it."""
    return [v.evidence for v in verdicts
            if v.spin == spin and v.control == control and v.headline and v.evidence is not None]


def _statements(variants: list[Variant], baseline: str, evaluation: EvaluationSettings,
                provenance: Provenance, checks: list[HeadlineCheck]) -> list[str]:
    out: list[str] = []
    others = [v for v in variants if v.name != baseline]
    if not others:
        out.append(f"Only one run ({baseline}): there is nothing to compare it with, so no change, tax or "
                   "verdict can be given. Add a SPIN run and a control run to the report.")
    elif not any(v.kind == "spin" for v in others):
        out.append("No SPIN run among the variants (none has a SPIN mask): changes are shown, specificity "
                   "verdicts are not.")
    for td in evaluation.tasks:
        if td.n_paired == 0:
            out.append(f"{td.task}: no document is shared with {baseline} (0 paired documents), so its metrics "
                       "have no change, interval or verdict; evaluate every variant on the same documents.")
    for task in sorted({t for r in provenance.runs for t in r.get("task_versions", {})}):
        versions = {r["name"]: r["task_versions"][task] for r in provenance.runs if task in r.get("task_versions", {})}
        if len(set(versions.values())) > 1:
            listing = ", ".join(f"{n} v{x}" for n, x in versions.items())
            out.append(f"{task}: the runs used different task versions ({listing}); changes mix two task "
                       "definitions. Re-run them with one version.")
    flagged = sorted({c.metric for c in checks if c.headroom != "ok"})
    if flagged:
        one = len(flagged) == 1
        out.append(f"{len(flagged)} headline metric{'' if one else 's'} {'sits' if one else 'sit'} at a bound for "
                   f"the baseline and can only move one way ({', '.join(flagged)}); {'it is' if one else 'they are'} "
                   "kept in the family averages (see Sensitivity).")
    return out


def coverage_statements(breakdowns: list[Breakdown]) -> list[str]:
    """A task whose breakdowns (same fields) cover different categories: the limit was too small for every
    stratum (e.g. BBQ's ambiguous bias score without data for some categories)."""
    out: list[str] = []
    by_task: dict[tuple[str, tuple[str, ...]], list[Breakdown]] = {}
    for b in breakdowns:
        by_task.setdefault((b.task, tuple(b.fields)), []).append(b)
    for (task, fields), items in by_task.items():
        union = sorted({label for b in items for label in b.rows})
        short = [b for b in items if len(b.rows) < len(union)]
        if not short:
            continue
        listing = "; ".join(f"{b.metric} has data for {len(b.rows)} of {len(union)} (missing "
                            f"{', '.join(x for x in union if x not in b.rows)})" for b in short)
        out.append(f"{task}: the limit is too small to cover every {' x '.join(fields)} in each headline metric "
                   f"({listing}); raise --limit to at least the task's number of strata (BBQ: 9 categories x 2 "
                   "contexts x 2 polarities = 36) so every category counts in every score.")
    return out


def build_answer(variants: list[Variant], baseline: str, rows: list[MetricRow], tax: list[TaxEntry],
                 verdicts: list[Verdict], work: dict[tuple[str, str], PairedResult],
                 evaluation: EvaluationSettings, provenance: Provenance, confidence: float,
                 breakdowns: list[Breakdown] = ()) -> Answer:
    headline_rows = [r for r in rows if r.headline and not r.detail and r.catalog]
    others = [v for v in variants if v.name != baseline]
    controls = [v.name for v in others if v.kind == "control"]
    # the least change an exact paired test can reach; infinite where too few documents can reach none
    smallest = {td.task: (math.inf if td.min_flips_points is None else td.min_flips_points / 100.0)
                for td in evaluation.tasks if td.min_flips is not None}
    checks = [_check(r, v.name, baseline, work, confidence, smallest) for v in others for r in headline_rows]
    # capability metrics not in points (word perplexity, bits per byte), headline or not: never in the tax
    unitless_rows = [r for r in rows if r.family == "capability" and r.scale == 1.0 and r.catalog and not r.detail]
    answer = Answer(sensitivity=checks)
    by_variant = {t.variant: t for t in tax}
    for v in others:
        t = by_variant[v.name]
        unitless = [_check(r, v.name, baseline, work, confidence, smallest) for r in unitless_rows]
        spec: list[Specificity] = []
        if v.kind == "spin":
            if not controls:
                spec.append(Specificity(v.name, "", "undetermined",
                                        "no control mask among the runs: add one (e.g. --controls random)"))
            for c in controls:
                spec.append(specificity(v.name, c, _evidence(v.name, c, verdicts)))
        av = AnswerVariant(v.name, v.kind, t.capability, t.trust, t.tax_per_point, t.tax_ci_low, t.tax_ci_high,
                           t.status, unitless, spec)
        av.sentences = variant_sentences(av, [c for c in checks if c.variant == v.name], baseline)
        answer.variants.append(av)
    answer.statements = _statements(variants, baseline, evaluation, provenance, checks)
    answer.statements += coverage_statements(list(breakdowns))
    return answer


def answer_lines(answer: Answer) -> list[str]:
    """The answer as plain text lines (``spin-eval run``'s summary): the statements, then each variant's
    sentences, the same strings the report shows first."""
    return [f"note: {s}" for s in answer.statements] + [s for v in answer.variants for s in v.sentences]
