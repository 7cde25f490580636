"""Metrics a run reports that neither the catalog nor ``--metric-facts`` knows: evaluated and shown (the
report's family "not in the tax (no facts)"), never silently dropped, never in the tax. Pure."""

from __future__ import annotations

from spin_eval.metrics.catalog import metric_info
from spin_eval.results.load import RunResults


def metrics_without_facts(run: RunResults) -> list[str]:
    """``task/metric`` of every reported metric without facts, sorted (groups' rows included)."""
    return sorted({f"{task}/{key.partition(',')[0]}" for task, metrics in run.metrics.items() for key in metrics
                   if metric_info(task, key) is None})


def summary_line(run: RunResults, limit: int = 8) -> str | None:
    """One line for the run summary, or None when every metric has facts."""
    names = metrics_without_facts(run)
    if not names:
        return None
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    return (f"not in the tax (no facts): {shown}; shown in the report; declare their facts with "
            "--metric-facts FILE.yaml (docs/public-tasks.md)")
