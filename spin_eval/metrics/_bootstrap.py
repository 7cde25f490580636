"""Seeded bootstrap standard errors for corpus-level statistics that lm-eval cannot bootstrap itself.

lm-eval 0.4.13 only bootstraps a fixed list of its own aggregation functions; for any custom aggregation it
reports ``"N/A"``. The tasks therefore report ``<metric>_stderr`` values computed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence

import numpy as np

#: Resamples per standard error. Fixed (not lm-eval's ``--bootstrap_iters``) so results are reproducible.
BOOTSTRAP_ITERS = 1000
#: Seed of the local generator used for every bootstrap.
BOOTSTRAP_SEED = 1234


def bootstrap_stderr(
    n: int,
    statistic: Callable[[np.ndarray], float],
    *,
    iters: int = BOOTSTRAP_ITERS,
    seed: int = BOOTSTRAP_SEED,
) -> float:
    """Standard deviation of ``statistic(idx)`` over ``iters`` resamples ``idx`` of ``range(n)`` with replacement.

    ``statistic`` receives an int index array and returns the statistic on those rows. Resamples where the
    statistic is undefined (NaN) are dropped; NaN is returned when fewer than two remain or ``n < 2``.
    """
    if n < 2:
        return math.nan
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(iters):
        idx = rng.integers(0, n, size=n)
        value = statistic(idx)
        if not math.isnan(value):
            values.append(value)
    if len(values) < 2:
        return math.nan
    return float(np.std(values, ddof=1))


def cluster_bootstrap_stderr(
    clusters: Sequence[Hashable],
    statistic: Callable[[np.ndarray], float],
    *,
    iters: int = BOOTSTRAP_ITERS,
    seed: int = BOOTSTRAP_SEED,
) -> float:
    """Like :func:`bootstrap_stderr`, but resampling whole clusters (``clusters[i]`` is row ``i``'s cluster,
    e.g. its template) with replacement: rows of one cluster are correlated, so resampling rows one by one
    understates the error. With a single cluster it falls back to resampling rows."""
    n = len(clusters)
    labels: dict[Hashable, list[int]] = {}
    for i, c in enumerate(clusters):
        labels.setdefault(c, []).append(i)
    if len(labels) < 2:
        return bootstrap_stderr(n, statistic, iters=iters, seed=seed)
    members = [np.asarray(rows) for rows in labels.values()]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(iters):
        picks = rng.integers(0, len(members), size=len(members))
        value = statistic(np.concatenate([members[p] for p in picks]))
        if not math.isnan(value):
            values.append(value)
    if len(values) < 2:
        return math.nan
    return float(np.std(values, ddof=1))
