"""The pilot of ``spin-eval run --budget``: a few documents of every task on the unmasked model, timed.

Gives each task's seconds per document and the spread of its headline 0/1 values, which
:func:`spin_eval.run.budget.plan` turns into documents per task. The pilot's documents are the first
of each task's stratified order, so they are also the first the planned run evaluates.
"""

from __future__ import annotations

import math
import time
from typing import Any

from spin_eval.run.budget import Z95, TaskCost, pilot_docs, spread_from_pilot


def task_spread(task: str, samples: list[dict]) -> float:
    """The task's ``spread`` (:func:`spin_eval.run.budget.spread_from_pilot`) from its pilot samples.

    Only headline metrics count: a task without one (e.g. the judged generation forms of the awareness
    tasks) gets spread 0, so the plan gives it its pilot-sized minimum and spends the budget on the
    intervals the answer is made of. A record-valued headline score in [-1, 1] (the BBQ bias score) has no
    0/1 proxy: its worst case counts, a paired per-document difference of variance up to 2
    (``Z95 * sqrt(2)``, twice a 0/1 metric's worst case), since it is scored on about half the documents
    (the ambiguous ones) and spans twice a rate's range. A headline metric not in points (word perplexity)
    takes a rate's worst case (p = 0.5)."""
    from spin_eval.metrics.catalog import metric_info

    metrics = {m for s in samples for m in s.get("metrics", [])}
    lists, wide, unitless = [], False, False
    for m in sorted(metrics):
        info = metric_info(task, m)
        if info is None or not info.headline:
            continue
        if not info.points:  # word perplexity: in the answer, but no 0/1 proxy; a rate's worst case
            unitless = True
            continue
        vals = [s.get(m) for s in samples]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            lists.append([float(v) for v in vals])
        else:
            wide = True
    if not (lists or wide or unitless):
        return 0.0
    return max(spread_from_pilot(lists) if lists else 0.0, Z95 * math.sqrt(2.0) if wide else 0.0,
               spread_from_pilot([]) if unitless else 0.0)


#: The model calls lm-eval makes per request type; the pilot times only these (not task loading).
REQUEST_METHODS = ("loglikelihood", "loglikelihood_rolling", "generate_until")


class _ModelClock:
    """Times the model's request methods on one instance while active (the per-document cost, without
    lm-eval's per-call overhead of building the task, which a full run pays once, not per document)."""

    def __init__(self, lm: Any) -> None:
        self.lm, self.seconds = lm, 0.0

    def __enter__(self) -> _ModelClock:
        for name in REQUEST_METHODS:
            original = getattr(self.lm, name, None)
            if original is None:
                continue

            def timed(*args, _original=original, **kwargs):
                start = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start

            setattr(self.lm, name, timed)
        return self

    def __exit__(self, *exc) -> None:
        for name in REQUEST_METHODS:
            self.lm.__dict__.pop(name, None)


def measure(lm: Any, tasks: dict[str, Any], order: dict[str, list[int]], *, task_manager: Any, batch_size: int,
            device: str) -> list[TaskCost]:
    """Evaluate the first pilot documents of every task (``tasks``: name -> lm-eval Task, ``order``: name ->
    its stratified document order) and return their costs."""
    import lm_eval

    from spin_eval.lmeval_rows import samples_argument

    costs = []
    for name, task in tasks.items():
        generative = getattr(task, "OUTPUT_TYPE", None) == "generate_until"
        k = pilot_docs(generative, batch_size, len(order[name]))
        with _ModelClock(lm) as clock:
            res = lm_eval.simple_evaluate(model=lm, tasks=[name], samples=samples_argument({name: order[name][:k]}),
                                          log_samples=True, task_manager=task_manager, batch_size=batch_size,
                                          device=device, bootstrap_iters=0)
        seconds = clock.seconds / max(1, k)
        samples = (res or {}).get("samples", {}).get(name, [])
        spread = task_spread(name, samples)
        costs.append(TaskCost(name, len(order[name]), seconds if math.isfinite(seconds) else 1.0, spread, k))
    return costs
