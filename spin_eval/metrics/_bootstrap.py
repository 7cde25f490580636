"""Seeded bootstrap standard errors for corpus-level statistics that lm-eval cannot bootstrap itself.

lm-eval 0.4.13 only bootstraps a fixed list of its own aggregation functions; for any custom aggregation it
reports ``"N/A"``. The tasks therefore report ``<metric>_stderr`` values from the project's one bootstrap
(:func:`spin_eval.stats.bootstrap_stderr`) with the fixed settings below.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

from spin_eval import stats

#: Resamples per standard error. Fixed (not lm-eval's ``--bootstrap_iters``) so results are reproducible.
BOOTSTRAP_ITERS = stats.DEFAULT_RESAMPLES
#: Seed of the local generator used for every bootstrap.
BOOTSTRAP_SEED = 1234


def bootstrap_stderr(
    n: int, statistic: Callable[[np.ndarray], float], *, iters: int = BOOTSTRAP_ITERS, seed: int = BOOTSTRAP_SEED
) -> float:
    """:func:`spin_eval.stats.bootstrap_stderr` with the tasks' fixed resamples and seed."""
    return stats.bootstrap_stderr(n, statistic, iters=iters, seed=seed)


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
    return stats.bootstrap_stderr(len(clusters), statistic, iters=iters, seed=seed, clusters=clusters)
