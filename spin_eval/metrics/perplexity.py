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
