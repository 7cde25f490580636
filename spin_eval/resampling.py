"""THE bootstrap of the project: which documents (or whole clusters of documents) each resample draws, and
the tasks' bootstrap standard error. Pure; every draw uses a local ``numpy.random.default_rng(seed)``.

Documents are drawn with replacement, or whole clusters when the documents carry a cluster key (e.g. the
BBQ template a document was made from), so that documents sharing a template do not count as independent
evidence (cluster bootstrap). :mod:`spin_eval.stats` builds the paired deltas and tests on these draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Default number of bootstrap / permutation resamples: the project's one default (the report, the gate's
#: policy, ``spin-eval run --bootstrap-iters`` and the tasks' standard errors).
DEFAULT_RESAMPLES = 1000


def bootstrap_indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """``n_resamples`` x ``n`` document indices drawn with replacement from a seeded generator.

    The same ``(n, n_resamples, seed)`` gives the same indices, so metrics of one task that are
    bootstrapped with the same seed are resampled jointly.
    """
    if n <= 0:
        raise ValueError("bootstrap_indices: n must be positive (no paired documents)")
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(n_resamples, n))


Clusters = Sequence[Any] | None
"""Per-document cluster keys (None: every document is its own cluster)."""


def cluster_members(clusters: Sequence[Any]) -> list[np.ndarray]:
    """Document indices of each cluster, clusters in order of first appearance."""
    order: dict[Any, list[int]] = {}
    for i, c in enumerate(clusters):
        order.setdefault(c, []).append(i)
    return [np.asarray(members, dtype=np.int64) for members in order.values()]


def resample_indices(n: int, n_resamples: int, seed: int, clusters: Clusters = None) -> np.ndarray | list[np.ndarray]:
    """The bootstrap resamples of ``n`` documents: an ``n_resamples`` x ``n`` index array, or with
    ``clusters`` (one key per document) a list of index arrays, each the concatenated members of as many
    clusters as there are, drawn with replacement (resamples then differ in length)."""
    if clusters is None:
        return bootstrap_indices(n, n_resamples, seed)
    if len(clusters) != n:
        raise ValueError(f"cluster keys: {len(clusters)} for {n} documents")
    members = cluster_members(clusters)
    picks = bootstrap_indices(len(members), n_resamples, seed)
    return [np.concatenate([members[c] for c in row]) for row in picks]


def bootstrap_stderr(
    n: int,
    statistic: Callable[[np.ndarray], float],
    *,
    iters: int = DEFAULT_RESAMPLES,
    seed: int = 1234,
    clusters: Clusters = None,
) -> float:
    """Standard deviation of ``statistic(idx)`` over ``iters`` resamples ``idx`` of ``range(n)``.

    For the tasks' own ``<metric>_stderr`` (lm-eval cannot bootstrap custom aggregations). ``statistic``
    receives an int index array. With ``clusters`` (one key per row, e.g. the template) whole clusters are
    resampled; with fewer than two distinct clusters it falls back to rows. Resamples where the statistic
    is undefined (NaN) are dropped; NaN is returned when fewer than two remain or ``n < 2``.
    """
    if n < 2:
        return math.nan
    if clusters is not None and len(set(clusters)) < 2:
        clusters = None
    resamples = resample_indices(n, iters, seed, clusters)
    values = [v for v in (statistic(idx) for idx in resamples) if not math.isnan(v)]
    if len(values) < 2:
        return math.nan
    return float(np.std(values, ddof=1))
