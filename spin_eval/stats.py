"""Pure statistics for comparing two evaluated variants of a model on the same documents.

Every function here takes per-document values of two runs that are *paired* (index ``i`` of ``a`` and of
``b`` is the same document) and returns plain numbers or small frozen dataclasses. Nothing touches files;
every random draw uses a local ``numpy.random.default_rng(seed)``, so the same inputs give the same output.

- :func:`resample_indices`: THE bootstrap of the project (paired deltas here, the tasks' own stderr via
  :func:`bootstrap_stderr`): documents drawn with replacement from a seeded generator, or whole clusters
  of documents when the documents carry a cluster key (e.g. the BBQ template a document was made from), so
  that documents sharing a template do not count as independent evidence (cluster bootstrap).
- :func:`paired_bootstrap`: delta ``aggregate(b) - aggregate(a)`` with a percentile confidence interval,
  resampling documents (or clusters) with replacement and recomputing the aggregate for both runs on each
  resample (Efron & Tibshirani 1993, ch. 13). The resampled statistics are kept so that derived quantities (a mean
  over several metrics, the alignment tax ratio) get intervals from the same resamples.
- :func:`paired_permutation_test`: two-sided sign-flip test. Under H0 (both runs exchangeable per document)
  swapping a document's two values does not change the distribution of the delta. Exact enumeration when
  ``2**n`` is at most ``n_resamples``, else Monte Carlo with the ``(k + 1) / (m + 1)`` estimator
  (Phipson & Smyth 2010), which is never 0. With clusters, a whole cluster's pairs are swapped together.
- :func:`mcnemar_exact`: exact McNemar test for 0/1 scores, a two-sided binomial test on the discordant
  pairs (``scipy.stats.binomtest``).
- :func:`normal_delta_from_stderr`: the fallback when per-document samples are missing: the delta of two
  reported means with a normal-approximation interval that treats the runs as independent (wider than a
  paired interval would be; labelled as such by the report).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Default number of bootstrap / permutation resamples.
DEFAULT_RESAMPLES = 1000
#: Default confidence level of the intervals.
DEFAULT_CONFIDENCE = 0.95
#: Default significance level for the marks in the report.
DEFAULT_ALPHA = 0.05

Aggregate = Callable[[Sequence[Any]], float]


@dataclass(frozen=True)
class BootstrapResult:
    """A paired bootstrap of ``aggregate(b) - aggregate(a)``."""

    stat_a: float
    """The aggregate of run ``a`` on all paired documents."""
    stat_b: float
    """The aggregate of run ``b`` on all paired documents."""
    delta: float
    """``stat_b - stat_a``."""
    ci_low: float
    """Lower end of the percentile interval of the delta."""
    ci_high: float
    """Upper end of the percentile interval of the delta."""
    n: int
    """Number of paired documents."""
    confidence: float
    """Confidence level of the interval, e.g. 0.95."""
    resampled_a: np.ndarray = field(repr=False, compare=False)
    """The aggregate of ``a`` on each resample (length ``n_resamples``; NaN where undefined)."""
    resampled_b: np.ndarray = field(repr=False, compare=False)
    """The aggregate of ``b`` on each resample (same resamples as ``resampled_a``)."""


@dataclass(frozen=True)
class NormalDelta:
    """A delta of two independently reported means with a normal-approximation interval and z-test."""

    delta: float
    ci_low: float
    ci_high: float
    p_value: float


def mean_aggregate(values: Sequence[Any]) -> float:
    """The arithmetic mean (NaN for an empty sequence, never a silent 0)."""
    if len(values) == 0:
        return math.nan
    return float(np.mean(np.asarray(values, dtype=float)))


def is_binary(values: Sequence[Any]) -> bool:
    """True when every value is a number equal to 0 or 1 (bools included)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return arr.ndim == 1 and arr.size > 0 and bool(np.all((arr == 0.0) | (arr == 1.0)))


def is_numeric_vector(values: Sequence[Any]) -> bool:
    """True when the values are plain numbers (so the mean can be vectorised)."""
    if len(values) == 0:
        return False
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return arr.ndim == 1


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


def _cluster_members(clusters: Sequence[Any]) -> list[np.ndarray]:
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
    members = _cluster_members(clusters)
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


def _check_pair(a: Sequence[Any], b: Sequence[Any]) -> int:
    if len(a) != len(b):
        raise ValueError(f"paired values differ in length: {len(a)} vs {len(b)} (pair documents first)")
    if len(a) == 0:
        raise ValueError("no paired documents: the two runs share no document")
    return len(a)


def _resample_stats(
    values: Sequence[Any], idx: np.ndarray | list[np.ndarray], aggregate: Aggregate | None
) -> np.ndarray:
    if aggregate is None:
        arr = np.asarray(values, dtype=float)
        if isinstance(idx, np.ndarray):
            return arr[idx].mean(axis=1)
        return np.array([arr[row].mean() for row in idx], dtype=float)
    out = np.empty(len(idx), dtype=float)
    items = list(values)
    for r, row in enumerate(idx):
        try:
            out[r] = float(aggregate([items[i] for i in row]))
        except (ZeroDivisionError, ValueError, TypeError, IndexError):
            out[r] = math.nan
    return out


def percentile_interval(samples: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """The percentile interval of bootstrap samples, ignoring NaN resamples (NaN if all are NaN)."""
    finite = np.asarray(samples, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return math.nan, math.nan
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def paired_bootstrap(
    a: Sequence[Any],
    b: Sequence[Any],
    aggregate: Aggregate | None = None,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    clusters: Clusters = None,
) -> BootstrapResult:
    """Paired bootstrap of ``aggregate(b) - aggregate(a)`` over shared documents.

    ``aggregate=None`` means the mean of numeric values (vectorised); any other callable receives a list
    of per-document values (numbers or the tuples a task's ``process_results`` logs) and returns a float.
    ``clusters``: one key per document; whole clusters are resampled (see :func:`resample_indices`).
    """
    n = _check_pair(a, b)
    agg = aggregate
    if agg is None and not (is_numeric_vector(a) and is_numeric_vector(b)):
        raise ValueError("paired_bootstrap: values are not numbers; pass the metric's aggregate function")
    full = agg or mean_aggregate
    stat_a, stat_b = float(full(list(a))), float(full(list(b)))
    idx = resample_indices(n, n_resamples, seed, clusters)
    res_a = _resample_stats(a, idx, agg)
    res_b = _resample_stats(b, idx, agg)
    low, high = percentile_interval(res_b - res_a, confidence)
    return BootstrapResult(
        stat_a=stat_a,
        stat_b=stat_b,
        delta=stat_b - stat_a,
        ci_low=low,
        ci_high=high,
        n=n,
        confidence=confidence,
        resampled_a=res_a,
        resampled_b=res_b,
    )


def paired_permutation_test(
    a: Sequence[Any],
    b: Sequence[Any],
    aggregate: Aggregate | None = None,
    *,
    statistic: Callable[[float, float], float] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    clusters: Clusters = None,
) -> float:
    """Two-sided paired sign-flip permutation p-value for a difference between the two runs.

    The test statistic is ``|statistic(aggregate(a'), aggregate(b'))|`` with ``statistic`` defaulting to
    ``stat_b - stat_a``; each document's pair of values is swapped with probability 1/2. Identical runs
    give p = 1. Exact when ``2**n <= n_resamples``.
    """
    n = _check_pair(a, b)
    stat = statistic or (lambda sa, sb: sb - sa)
    full = aggregate or mean_aggregate
    if aggregate is None and not (is_numeric_vector(a) and is_numeric_vector(b)):
        raise ValueError("paired_permutation_test: values are not numbers; pass the metric's aggregate")
    observed = abs(stat(float(full(list(a))), float(full(list(b)))))
    if not math.isfinite(observed):
        return math.nan
    units = n
    if clusters is not None:
        members = _cluster_members(clusters)
        unit_of = np.empty(n, dtype=np.int64)
        for u, idx in enumerate(members):
            unit_of[idx] = u
        units = len(members)
    exact = units < 63 and 2**units <= n_resamples
    if exact:
        codes = np.arange(2**units, dtype=np.int64)
        swaps = ((codes[:, None] >> np.arange(units, dtype=np.int64)) & 1).astype(bool)
    else:
        rng = np.random.default_rng(seed)
        swaps = rng.random((n_resamples, units)) < 0.5
    if clusters is not None:
        swaps = swaps[:, unit_of]  # a cluster's documents are swapped together
    tol = 1e-12 * max(1.0, observed)
    if aggregate is None and statistic is None:
        arr_a = np.asarray(a, dtype=float)
        arr_b = np.asarray(b, dtype=float)
        diff = arr_b - arr_a
        signs = np.where(swaps, -1.0, 1.0)
        null = np.abs((signs * diff).mean(axis=1))
    else:
        items_a, items_b = list(a), list(b)
        null = np.empty(swaps.shape[0], dtype=float)
        for r, row in enumerate(swaps):
            pa = [items_b[i] if s else items_a[i] for i, s in enumerate(row)]
            pb = [items_a[i] if s else items_b[i] for i, s in enumerate(row)]
            try:
                null[r] = abs(stat(float(full(pa)), float(full(pb))))
            except (ZeroDivisionError, ValueError, TypeError):
                null[r] = math.nan
        null = null[np.isfinite(null)]
        if null.size == 0:
            return math.nan
    hits = int(np.sum(null >= observed - tol))
    if exact:
        return min(1.0, hits / null.size)
    return min(1.0, (hits + 1) / (null.size + 1))


def mcnemar_table(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int, int, int]:
    """The 2x2 table of paired 0/1 scores: ``(both 1, a 1 b 0, a 0 b 1, both 0)``."""
    _check_pair(a, b)
    arr_a = np.asarray(a, dtype=float) == 1.0
    arr_b = np.asarray(b, dtype=float) == 1.0
    return (
        int(np.sum(arr_a & arr_b)),
        int(np.sum(arr_a & ~arr_b)),
        int(np.sum(~arr_a & arr_b)),
        int(np.sum(~arr_a & ~arr_b)),
    )


def mcnemar_exact(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Exact two-sided McNemar p-value for paired 0/1 scores (1.0 when no pair is discordant)."""
    from scipy.stats import binomtest

    _, a_only, b_only, _ = mcnemar_table(a, b)
    discordant = a_only + b_only
    if discordant == 0:
        return 1.0
    return float(binomtest(b_only, discordant, 0.5, alternative="two-sided").pvalue)


def paired_p_value(
    a: Sequence[Any],
    b: Sequence[Any],
    aggregate: Aggregate | None = None,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    clusters: Clusters = None,
) -> tuple[float, str]:
    """The paired p-value and the test's name: exact McNemar for 0/1 scores with a mean aggregate and
    independent documents, the sign-flip permutation test otherwise (cluster-wise with ``clusters``)."""
    if aggregate is None and clusters is None and is_binary(a) and is_binary(b):
        return mcnemar_exact(a, b), "mcnemar-exact"
    p = paired_permutation_test(a, b, aggregate, n_resamples=n_resamples, seed=seed, clusters=clusters)
    return p, "permutation"


def normal_delta_from_stderr(
    value_a: float,
    stderr_a: float,
    value_b: float,
    stderr_b: float,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> NormalDelta:
    """``value_b - value_a`` with a normal interval from two independent standard errors (fallback)."""
    from scipy.stats import norm

    delta = float(value_b) - float(value_a)
    se = math.sqrt(float(stderr_a) ** 2 + float(stderr_b) ** 2)
    if not math.isfinite(se):
        return NormalDelta(delta, math.nan, math.nan, math.nan)
    if se == 0.0:
        return NormalDelta(delta, delta, delta, 1.0 if delta == 0.0 else 0.0)
    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = float(2.0 * norm.sf(abs(delta) / se))
    return NormalDelta(delta, delta - z * se, delta + z * se, p)


def ratio_interval(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float]:
    """Percentile interval of ``numerator / denominator`` over paired resamples (NaN where the
    denominator's interval contains 0, since the ratio is then unbounded; resamples with a zero denominator
    are left out)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = np.isfinite(num) & np.isfinite(den)
    if not np.any(ok):
        return math.nan, math.nan
    d_low, d_high = percentile_interval(den[ok], confidence)
    if d_low <= 0.0 <= d_high:
        return math.nan, math.nan
    ok &= den != 0.0
    return percentile_interval(num[ok] / den[ok], confidence)


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error control; Holm 1979), in the input order.

    NaN entries stay NaN and do not count towards the family size."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out.tolist()
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out.tolist()


def mask_jaccard(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Jaccard overlap ``|A & B| / |A | B|`` of two masks given as {parameter name: flat indices}, over all
    parameters together (1.0 for two empty masks). The one overlap used by the report and the gate."""
    inter = union = 0
    for name in set(a) | set(b):
        ia = np.unique(np.asarray(a.get(name, []), dtype=np.int64).ravel())
        ib = np.unique(np.asarray(b.get(name, []), dtype=np.int64).ravel())
        common = np.intersect1d(ia, ib, assume_unique=True).size
        inter += common
        union += ia.size + ib.size - common
    return 1.0 if union == 0 else inter / union


def significance_mark(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> str:
    """``***`` p<0.001, ``**`` p<0.01, ``*`` p<alpha, else empty (also for a missing p-value)."""
    if p_value is None or not math.isfinite(p_value):
        return ""
    if p_value < 0.001:
        return "***"
    if p_value < 0.01:
        return "**"
    if p_value < alpha:
        return "*"
    return ""
