"""``spin-eval run --budget MINUTES``: how many documents per task, to minimise the widest headline CI. Pure.

The run first evaluates a few documents of every task (the *pilot*, on the unmasked model) and measures
each task's seconds per document. With ``n`` paired documents, a headline metric's 95% half-width is about
``spread / sqrt(n)`` (:func:`spread_from_pilot`), so for a common target half-width ``h`` a task needs
``(spread / h)^2`` documents. :func:`plan` finds the smallest ``h`` whose documents, evaluated once per
variant, fit into the seconds left, within ``[pilot, available]`` per task: the widest headline interval is
as narrow as the budget allows, and cheap tasks (log-likelihood) get more documents than costly ones
(generation, ~15x per document), whose share is set by the same rule, not by a fixed ratio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

#: z of a two-sided 95% interval.
Z95 = 1.959964
#: Pilot documents per task (log-likelihood / generation); they also give the per-document cost.
PILOT_DOCS = 8
PILOT_GEN_DOCS = 3
#: A generation pilot fills one batch of the run's batch size (at most this many documents): a batch of
#: B answers costs about as long as its longest answer, so 3 documents at a time cost ~3x as much per
#: document as the run's batches of 8 (measured: bench/bench_generate.py) and the plan starved generation.
PILOT_GEN_DOCS_MAX = 16


def pilot_docs(generative: bool, batch_size: int | str, available: int) -> int:
    """Documents a task's pilot evaluates: ``PILOT_DOCS`` (log-likelihood), or one full batch of the run's
    ``batch_size`` for a generation task (``PILOT_GEN_DOCS`` to ``PILOT_GEN_DOCS_MAX``; ``auto``: 8)."""
    if not generative:
        return min(PILOT_DOCS, available)
    batch = batch_size if isinstance(batch_size, int) else 8
    return min(max(PILOT_GEN_DOCS, min(batch, PILOT_GEN_DOCS_MAX)), available)


@dataclass(frozen=True)
class TaskCost:
    task: str
    available: int
    """Documents in the task."""
    seconds_per_doc: float
    """Measured on the pilot, per variant."""
    spread: float
    """Half-width of the headline change's 95% interval with one document (half-width = spread / sqrt(n))."""
    minimum: int = 1
    """Fewest documents to evaluate (the pilot's)."""


@dataclass
class Allocation:
    docs: dict[str, int] = field(default_factory=dict)
    half_width: dict[str, float] = field(default_factory=dict)
    """Predicted 95% half-width (metric units, e.g. 0.05 = 5 points) of each task's headline change."""
    seconds: float = 0.0
    """Predicted evaluation seconds over all variants."""
    budget_seconds: float = 0.0
    widest: float = math.inf
    reason: str = ""

    def describe(self) -> str:
        """One line for the report and the run's output."""
        parts = ", ".join(f"{t} {n}" for t, n in self.docs.items())
        return (f"allocated by --budget ({self.budget_seconds / 60:.1f} min left for evaluation): {parts}; "
                f"{self.reason}")


def spread_from_pilot(values: Sequence[Sequence[float]] | Sequence[float], floor_p: bool = True) -> float:
    """``spread`` of a task from its pilot's per-document 0/1 headline values (one list per metric, or one list).

    A paired change between two variants whose per-document scores differ independently has variance up to
    ``2 p (1 - p)`` per document; ``p`` is smoothed (``(x + 1) / (n + 2)``) so that a pilot at 0% or 100%
    still gets documents. The widest of the task's headline metrics counts. Without values: the worst case
    ``p = 0.5``.
    """
    lists = [values] if values and not isinstance(values[0], (list, tuple)) else list(values)  # type: ignore[index]
    best = 0.0
    for vals in lists or [[]]:
        vals = [float(v) for v in vals if v is not None and math.isfinite(float(v))]
        p = (sum(vals) + 1) / (len(vals) + 2) if floor_p else (sum(vals) / len(vals) if vals else 0.5)
        best = max(best, Z95 * math.sqrt(2 * p * (1 - p)))
    return best


def _docs_for(h: float, costs: Sequence[TaskCost]) -> dict[str, int]:
    out = {}
    for c in costs:
        need = math.ceil((c.spread / h) ** 2) if c.spread > 0 else c.minimum
        out[c.task] = max(min(c.minimum, c.available), min(need, c.available))
    return out


def _seconds(docs: dict[str, int], costs: Sequence[TaskCost], n_variants: int) -> float:
    return sum(docs[c.task] * c.seconds_per_doc for c in costs) * n_variants


def plan(costs: Sequence[TaskCost], budget_seconds: float, n_variants: int) -> Allocation:
    """Documents per task minimising the widest predicted half-width within ``budget_seconds``.

    Every task gets at least its ``minimum`` (even over budget: the pilot is already paid for the baseline
    and a task without documents has no answer), at most all its documents.
    """
    if n_variants < 1:
        raise ValueError("n_variants must be >= 1")
    costs = list(costs)
    alloc = Allocation(budget_seconds=max(0.0, budget_seconds))
    if not costs:
        alloc.reason = "no task to allocate"
        return alloc
    full = {c.task: c.available for c in costs}
    if _seconds(full, costs, n_variants) <= budget_seconds:
        docs, why = full, "every document fits into the budget"
    else:
        lo, hi = 1e-6, max(c.spread for c in costs) / math.sqrt(max(1, min(c.minimum for c in costs))) + 1.0
        for _ in range(80):  # bisection on the target half-width: seconds(h) falls as h grows
            mid = math.sqrt(lo * hi)
            if _seconds(_docs_for(mid, costs), costs, n_variants) <= budget_seconds:
                hi = mid
            else:
                lo = mid
        docs = _docs_for(hi, costs)
        why = ("documents per task chosen so that every headline 95% interval is predicted to be at most "
               f"+/-{hi * 100:.1f} points (spread / sqrt(n) from the pilot), using the measured seconds per "
               "document of each task")
        if _seconds(docs, costs, n_variants) > budget_seconds:
            why = "the budget does not cover even the pilot's documents per task; the pilot sizes are used"
    alloc.docs = docs
    alloc.half_width = {c.task: (c.spread / math.sqrt(docs[c.task]) if docs[c.task] else math.inf) for c in costs}
    alloc.seconds = _seconds(docs, costs, n_variants)
    alloc.widest = max(alloc.half_width.values())
    alloc.reason = why
    return alloc
