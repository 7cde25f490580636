"""Non-finite numbers in a run: where a NaN or an infinity of one metric comes from (pure).

Every comparison with NaN is false, so a NaN that reaches a threshold switches it off; an infinite
stderr makes every change "not significant". The readers keep such numbers as lm-eval wrote them
(lm-eval writes NaN for a metric that is undefined on the documents evaluated, e.g. an empty subset);
the consumers (the gate, the report, the leaderboard) ask here what a non-finite number means:

- ``document``: a logged per-document value holds NaN or +-Inf (a NaN loss, a -inf log-likelihood):
  the model or the samples file is broken;
- ``aggregate``: the aggregate is not finite and no logged document explains it (no samples to tell);
- ``undefined``: the aggregate is NaN although every logged per-document value of the metric is finite:
  the metric is undefined on these documents (lm-eval's and the catalog's convention), not broken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from spin_eval.results.load import RunResults

Kind = Literal["document", "aggregate", "undefined"]


@dataclass(frozen=True)
class NonFinite:
    """Why one metric of one run is not a number."""

    kind: Kind
    detail: str
    """E.g. ``document 3f2a... logs nan``, ``the aggregate is inf``."""

    @property
    def broken(self) -> bool:
        """True unless the metric is merely undefined on the documents evaluated."""
        return self.kind != "undefined"


def non_finite_number(value: Any, _depth: int = 0) -> float | None:
    """The first NaN/+-Inf number inside ``value`` (a number, or lists/objects of them), else None.
    Booleans and text are not numbers here."""
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    if _depth > 64:
        return None
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            found = non_finite_number(item, _depth + 1)
            if found is not None:
                return found
    return None


def is_finite(value: Any) -> bool:
    """``value`` is a real, finite number (an int, or a finite float; not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def non_finite_document(run: RunResults, task: str, metric: str, filt: str = "none") -> tuple[str, float] | None:
    """``(doc key, value)`` of the first logged document whose value of ``metric`` holds NaN/+-Inf."""
    for key, value in sorted((run.doc_values(task, metric, filt) or {}).items()):
        found = non_finite_number(value)
        if found is not None:
            return key, found
    return None


def metric_non_finite(run: RunResults, task: str, metric: str, filt: str = "none",
                      value: float | None = None) -> NonFinite | None:
    """Why ``metric`` of ``run`` is not a number, or None when every number read for it is finite.

    ``value`` is the aggregate the caller judges (recomputed from the samples, else the results file's);
    by default the results file's aggregate."""
    doc = non_finite_document(run, task, metric, filt)
    if doc is not None:
        return NonFinite("document", f"document {doc[0][:16]} logs {doc[1]}")
    value = run.metric_value(task, metric, filt) if value is None else value
    if value is None or math.isfinite(value):
        return None
    if math.isnan(value) and run.doc_values(task, metric, filt):
        return NonFinite("undefined", "undefined on the documents evaluated (every logged value is finite)")
    return NonFinite("aggregate", f"the aggregate is {value}")


def stderr_non_finite(run: RunResults, task: str, metric: str, filt: str = "none") -> float | None:
    """The results file's stderr of ``metric`` when it is NaN/+-Inf (None when finite or not reported)."""
    value = run.stderr(task, metric, filt)
    return None if value is None or math.isfinite(value) else value
