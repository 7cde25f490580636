"""The facts about one metric that every consumer of results needs, from the metric catalog only.

:func:`metric_facts` resolves a task/metric to its catalog entry. A metric the catalog does not know is
put in the family ``other`` (reported, never part of the alignment tax), its direction is lm-eval's own
``higher_is_better`` flag from the results file, and its aggregate is the mean: nothing is guessed from
task or metric names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from spin_eval.metrics.catalog import metric_info

Family = Literal["fairness", "privacy", "safety", "overrefusal", "capability", "other"]
Direction = Literal["higher", "lower", "zero"]
#: The families in the order every output shows them; ``other``: metrics the catalog does not know.
FAMILIES: tuple[str, ...] = ("fairness", "privacy", "safety", "overrefusal", "capability", "other")
#: The families whose mean change is the trust change of the alignment tax.
TRUST_FAMILIES: tuple[str, ...] = ("fairness", "privacy")


@dataclass(frozen=True)
class MetricFacts:
    task: str
    metric: str
    family: Family
    direction: Direction
    aggregate: Callable[[Sequence[Any]], float] | None
    """None: the arithmetic mean of numeric values (vectorised; McNemar for 0/1 scores)."""
    headline: bool
    points: bool | None
    """Shown in points (x100) and averaged into family changes; None: unknown (decided by the values)."""
    detail_of: tuple[str, str] | None
    groups: tuple[str, ...]
    catalog: bool
    """True when the metric catalog knows the metric."""

    def compute(self, values: Sequence[Any]) -> float:
        """The corpus value of per-document values (the mean where ``aggregate`` is None)."""
        if self.aggregate is None:
            from spin_eval.stats import mean_aggregate

            return mean_aggregate(values)
        return float(self.aggregate(list(values)))


def metric_facts(task: str, metric: str, higher_is_better: bool | None = None) -> MetricFacts:
    """The facts of ``task``/``metric`` (``metric`` may carry lm-eval's ``,filter`` suffix)."""
    info = metric_info(task, metric)
    name = metric.split(",", 1)[0]
    if info is None:
        return MetricFacts(task, name, "other", "lower" if higher_is_better is False else "higher", None, False,
                           None, None, (), False)
    return MetricFacts(
        task, name, info.family, info.direction, None if info.plain_mean else info.aggregate, info.headline,
        info.points, info.detail_of, tuple(info.groups), True,
    )


def improvement(direction: str, a: Any, b: Any) -> Any:
    """The change from ``a`` to ``b`` oriented so that positive is better (works on numpy arrays):
    ``higher``: b - a; ``lower``: a - b; ``zero`` (bias scores, closer to 0 is better): |a| - |b|."""
    import numpy as np

    if direction == "lower":
        return a - b
    if direction == "zero":
        return np.abs(a) - np.abs(b)
    return b - a
