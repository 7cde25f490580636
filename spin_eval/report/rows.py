"""The report's metric rows (one per task/metric/filter, facts from the catalog) and their deltas.

Every delta is the results layer's :func:`~spin_eval.results.paired.paired_delta`; per-category rows
(catalog ``detail_of``) get a plain delta, their statistics being in the breakdown tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from spin_eval.report.model import Cell, MetricRow, Settings, metric_label
from spin_eval.results.facts import FAMILIES, MetricFacts, metric_facts
from spin_eval.results.load import RunResults
from spin_eval.results.paired import PairedResult, detail_delta, paired_delta


def _scale(facts: MetricFacts, values: list[float | None]) -> float:
    """100 (shown in points) for metrics in points; unknown metrics: when every value lies in [-1, 1]."""
    if facts.points is not None:
        return 100.0 if facts.points else 1.0
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return 100.0 if finite and all(-1.0 <= v <= 1.0 for v in finite) else 1.0


def metric_rows(runs: Sequence[RunResults], notes: list[str]) -> tuple[list[MetricRow], dict[str, MetricFacts]]:
    """Rows of every metric any run reports (metrics undefined in every run left out, with a note)."""
    keys: dict[tuple[str, str, str], None] = {}
    for r in runs:
        for task, entries in r.metrics.items():
            for key in entries:
                metric, _, filt = key.partition(",")
                keys[(task, metric, filt)] = None
    rows: list[MetricRow] = []
    facts_of: dict[str, MetricFacts] = {}
    for task, metric, filt in keys:
        hib = None
        for r in runs:
            hib = r.higher_is_better.get(task, {}).get(metric, hib)
        facts = metric_facts(task, metric, hib)
        scale = _scale(facts, [r.metric_value(task, metric, filt) for r in runs])
        row = MetricRow(task, metric, filt, facts.family, facts.direction, facts.headline, scale, facts.catalog,
                        detail=facts.detail_of is not None)
        for r in runs:
            n_s = r.n_samples.get(task, {})
            n = n_s.get("effective") if isinstance(n_s, dict) else None
            row.values[r.name] = Cell(r.metric_value(task, metric, filt), r.stderr(task, metric, filt),
                                      int(n) if isinstance(n, (int, float)) else None)
        rows.append(row)
        facts_of[row.key] = facts
    undefined = [rw for rw in rows
                 if not any(c.value is not None and math.isfinite(c.value) for c in rw.values.values())]
    if undefined:
        names = ", ".join(metric_label(rw) for rw in undefined[:6]) + (" ..." if len(undefined) > 6 else "")
        notes.append(
            f"{len(undefined)} metrics are undefined (NaN) in every run and are left out, e.g. categories with "
            f"no evaluated document: {names}"
        )
        rows = [rw for rw in rows if rw not in undefined]
    fam_order = {f: i for i, f in enumerate(FAMILIES)}
    rows.sort(key=lambda rw: (fam_order.get(rw.family, 9), rw.task, not rw.headline, rw.metric, rw.filter))
    unknown = sorted({rw.task for rw in rows if not rw.catalog})
    if unknown:
        notes.append(
            "the metric catalog (spin_eval.metrics.catalog) does not know the metrics of "
            + ", ".join(unknown)
            + ": they are shown as 'not in the tax (no facts)', directions from lm-eval's higher_is_better, "
            "aggregates are means; declare their facts with --metric-facts FILE.yaml (docs/public-tasks.md)"
        )
    return rows, facts_of


def baseline_deltas(
    rows: list[MetricRow], facts_of: dict[str, MetricFacts], runs: Sequence[RunResults], base: RunResults,
    settings: Settings, notes: list[str],
) -> dict[tuple[str, str], PairedResult]:
    """Fill ``row.deltas`` (every run against the baseline); returns the paired results by (row key, run)."""
    from tqdm.auto import tqdm

    work: dict[tuple[str, str], PairedResult] = {}
    jobs = [(row, r) for row in rows for r in runs if r.name != base.name]
    for row, r in tqdm(jobs, desc="paired statistics", unit="metric", disable=not settings.progress):
        facts = facts_of[row.key]
        if row.detail:
            row.deltas[r.name] = detail_delta(base, r, facts, row.filter)
            continue
        result = paired_delta(base, r, facts, row.filter, settings.paired(), notes)
        row.deltas[r.name] = result.delta
        work[(row.key, r.name)] = result
    if jobs and any(rw.detail for rw in rows):
        notes.append(
            "per-category metrics (e.g. s_amb_age, leak_rate_type_email) show their delta without interval "
            "or p-value; their per-category values are in the breakdown tables"
        )
    return work
