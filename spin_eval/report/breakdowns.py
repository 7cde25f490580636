"""Breakdown tables: fairness and privacy metrics per category, recomputed from the samples.

Which fields a metric splits by is the catalog's ``groups`` (looked up in the logged per-document value
record when it is a dict, else in the document).
"""

from __future__ import annotations

import math

from spin_eval.report.model import Breakdown
from spin_eval.results.facts import MetricFacts


def breakdowns(rows, facts_of: dict[str, MetricFacts], runs, base) -> list[Breakdown]:
    """Fairness/privacy headline and bias (zero-best) metrics per category, recomputed from samples."""
    out: list[Breakdown] = []
    for row in rows:
        if row.family not in ("fairness", "privacy") or row.detail:
            continue
        if not (row.headline or row.direction == "zero"):
            task_rows = [rw for rw in rows if rw.task == row.task and not rw.detail]
            if any(rw.headline or rw.direction == "zero" for rw in task_rows) or task_rows[0] is not row:
                continue
        samples = base.samples.get(row.task, {}).get(row.filter)
        if not samples:
            continue
        first = next(iter(samples.values()))
        val = first.values.get(row.metric)
        facts = facts_of[row.key]
        where = "value" if isinstance(val, dict) else "doc"
        record = val if where == "value" else first.doc
        fields = [f for f in facts.groups if f in record]
        if not fields:
            continue
        bd = Breakdown(row.task, row.metric, row.family, fields, row.scale)
        groups: dict[str, dict[str, list]] = {}
        for r in runs:
            for rec in (r.samples.get(row.task, {}).get(row.filter) or {}).values():
                v = rec.values.get(row.metric)
                if v is None:
                    continue
                src = v if where == "value" and isinstance(v, dict) else rec.doc
                label = " / ".join(str(src.get(f, "?")) for f in fields)
                groups.setdefault(label, {}).setdefault(r.name, []).append(v)
        for label in sorted(groups):
            cells: dict[str, float | None] = {}
            for r in runs:
                vals = groups[label].get(r.name)
                try:
                    x = facts.compute(vals) if vals else None
                except (ZeroDivisionError, ValueError, TypeError, KeyError):
                    x = None
                cells[r.name] = x if x is not None and math.isfinite(x) else None
            if all(x is None for x in cells.values()):
                continue
            bd.rows.append(label)
            bd.counts[label] = len(groups[label].get(base.name, []))
            bd.values[label] = cells
        if bd.rows:
            out.append(bd)
    return out

