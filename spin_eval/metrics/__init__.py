"""Pure metric functions for the spin-eval tasks (``tasks/``) and the catalog the report reads.

Nothing here reads files or imports torch / lm-eval. Each task's ``utils.py`` calls these functions; the
report recomputes metrics from lm-eval's per-document values with :func:`spin_eval.metrics.catalog.metric_info`.
"""

from spin_eval.metrics.catalog import MetricInfo, all_metrics, headline_metrics, metric_info

__all__ = ["MetricInfo", "all_metrics", "headline_metrics", "metric_info"]
