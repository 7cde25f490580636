"""Perplexity aggregates over lm-eval's per-document ``(loglikelihood, weight)`` pairs (pure).

lm-eval's rolling-loglikelihood tasks store, per document, ``[loglikelihood, n_words]`` for
``word_perplexity`` and ``[loglikelihood, n_bytes]`` for ``byte_perplexity`` / ``bits_per_byte``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _totals(pairs: Sequence[Sequence[float]]) -> tuple[float, float]:
    ll = sum(float(p[0]) for p in pairs)
    weight = sum(float(p[1]) for p in pairs)
    return ll, weight


def weighted_perplexity(pairs: Sequence[Sequence[float]]) -> float:
    """exp(-sum(ll) / sum(weight)); NaN when the total weight is 0."""
    ll, weight = _totals(pairs)
    return math.exp(-ll / weight) if weight else math.nan


def bits_per_byte(pairs: Sequence[Sequence[float]]) -> float:
    """-sum(ll) / sum(bytes) / ln 2; NaN when there are no bytes."""
    ll, weight = _totals(pairs)
    return -ll / weight / math.log(2) if weight else math.nan


def weighted_perplexity_stderr(pairs: Sequence[Sequence[float]]) -> float:
    """Bootstrap standard error of :func:`weighted_perplexity` (documents resampled, seeded)."""
    import numpy as np

    from spin_eval.metrics._bootstrap import bootstrap_stderr

    ll = np.array([float(p[0]) for p in pairs])
    weight = np.array([float(p[1]) for p in pairs])

    def stat(idx):
        w = weight[idx].sum()
        return math.exp(-ll[idx].sum() / w) if w else math.nan

    return bootstrap_stderr(len(pairs), stat)
