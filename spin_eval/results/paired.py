"""The one paired delta: a metric of one run against a reference run on the documents both share.

:func:`paired_delta` pairs documents by their key (lm-eval's ``doc_hash``), recomputes the metric with the
catalog's aggregate on every bootstrap resample of both runs (whole clusters of documents when the
documents carry a ``cluster_id``), and tests the difference: exact McNemar for 0/1 scores with a plain
mean, the sign-flip permutation test otherwise (on ``|score|`` for closer-to-zero metrics). Without
per-document samples it falls back to lm-eval's reported stderr (normal approximation, runs treated as
independent; labelled ``stderr-fallback``). Report, ``spin-eval check``, leaderboard and the run summary
all use it. Pure: loaded runs in, numbers out.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from spin_eval import stats
from spin_eval.results.facts import MetricFacts, improvement
from spin_eval.results.load import RunResults

Source = Literal["paired-samples", "stderr-fallback", "detail", "unavailable"]


@dataclass
class Delta:
    """variant - reference for one metric."""

    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    """``mcnemar-exact``, ``permutation``, ``stderr-normal`` (fallback) or ``none``."""
    source: Source
    """``detail``: a per-category metric; its paired statistics are left out (see the breakdowns)."""
    n_paired: int = 0
    significant: bool = False
    mark: str = ""
    improvement: float | None = None
    """The delta oriented so that positive is better (same units as ``delta``)."""


@dataclass(frozen=True)
class PairedSettings:
    n_resamples: int = stats.DEFAULT_RESAMPLES
    confidence: float = stats.DEFAULT_CONFIDENCE
    alpha: float = stats.DEFAULT_ALPHA
    seed: int = 0


@dataclass
class PairedResult:
    delta: Delta
    improvement_resamples: np.ndarray | None
    """The oriented delta on each resample (metric units), for intervals of derived quantities."""


def task_seed(seed: int, task: str) -> int:
    """The seed of a task's resamples: metrics of one task are resampled jointly, tasks independently."""
    return (seed * 1_000_003 + zlib.crc32(task.encode("utf-8"))) % (2**32)


def paired_values(
    ref: RunResults, other: RunResults, task: str, metric: str, filt: str
) -> tuple[list[str], list[Any], list[Any]] | None:
    """(doc keys, reference values, other values) of the documents both runs logged, sorted by key."""
    sa = ref.samples.get(task, {}).get(filt)
    sb = other.samples.get(task, {}).get(filt)
    if not sa or not sb:
        return None
    ka, va, vb = [], [], []
    for k in sorted(set(sa) & set(sb)):
        x, y = sa[k].values.get(metric), sb[k].values.get(metric)
        if x is None or y is None:
            continue
        ka.append(k)
        va.append(x)
        vb.append(y)
    return (ka, va, vb) if ka else None


def cluster_keys(run: RunResults, task: str, filt: str, keys: list[str]) -> list[str] | None:
    """The documents' ``cluster_id`` (a document without one is its own cluster); None when no document
    has one (every document is then resampled on its own)."""
    records = run.samples.get(task, {}).get(filt) or {}
    clusters = [records[k].cluster if k in records else None for k in keys]
    if all(c is None for c in clusters):
        return None
    return [f"cluster:{c}" if c is not None else f"doc:{k}" for c, k in zip(clusters, keys)]


def paired_delta(
    ref: RunResults,
    other: RunResults,
    facts: MetricFacts,
    filt: str = "none",
    settings: PairedSettings = PairedSettings(),
    notes: list[str] | None = None,
) -> PairedResult:
    """``other - ref`` for one metric with its interval and p-value (see the module docstring)."""
    notes = notes if notes is not None else []
    key = f"{facts.task}/{facts.metric}" + ("" if filt == "none" else f" ({filt})")  # as readers see it
    paired = paired_values(ref, other, facts.task, facts.metric, filt)
    agg = facts.aggregate
    if paired is not None and agg is None and not (stats.is_numeric_vector(paired[1]) and stats.is_numeric_vector(paired[2])):
        notes.append(
            f"{key}: per-document values are not numbers and the metric catalog has no aggregate for "
            "it; paired statistics skipped"
        )
        paired = None
    if paired is not None:
        keys, va, vb = paired
        seed = task_seed(settings.seed, facts.task)
        clusters = cluster_keys(ref, facts.task, filt, keys)
        try:
            boot = stats.paired_bootstrap(va, vb, agg, n_resamples=settings.n_resamples,
                                          confidence=settings.confidence, seed=seed, clusters=clusters)
            if facts.direction == "zero":
                p = stats.paired_permutation_test(
                    va, vb, agg, statistic=lambda sa, sb: abs(sb) - abs(sa),
                    n_resamples=settings.n_resamples, seed=seed + 1, clusters=clusters,
                )
                test = "permutation"
            else:
                p, test = stats.paired_p_value(va, vb, agg, n_resamples=settings.n_resamples, seed=seed + 1,
                                               clusters=clusters)
        except (ValueError, TypeError, KeyError, ZeroDivisionError) as exc:
            notes.append(f"{key}: paired statistics failed ({exc}); using lm-eval's stderr")
        else:
            sig = bool(p is not None and math.isfinite(p) and p < settings.alpha)
            return PairedResult(
                Delta(
                    delta=boot.delta, ci_low=boot.ci_low, ci_high=boot.ci_high, p_value=p, test=test,
                    source="paired-samples", n_paired=boot.n, significant=sig,
                    mark=stats.significance_mark(p, settings.alpha),
                    improvement=float(improvement(facts.direction, boot.stat_a, boot.stat_b)),
                ),
                improvement(facts.direction, boot.resampled_a, boot.resampled_b),
            )
    return _stderr_fallback(ref, other, facts, filt, settings)


def _stderr_fallback(ref: RunResults, other: RunResults, facts: MetricFacts, filt: str,
                     settings: PairedSettings) -> PairedResult:
    va, vb = ref.metric_value(facts.task, facts.metric, filt), other.metric_value(facts.task, facts.metric, filt)
    sa, sb = ref.stderr(facts.task, facts.metric, filt), other.stderr(facts.task, facts.metric, filt)
    if va is None or vb is None:
        return PairedResult(Delta(None, None, None, None, "none", "unavailable"), None)
    if sa is None or sb is None or not (math.isfinite(sa) and math.isfinite(sb)):
        return PairedResult(Delta(vb - va, None, None, None, "none", "unavailable",
                                  improvement=float(improvement(facts.direction, va, vb))), None)
    # approximate for closer-to-zero metrics: tests a != b, not |a| != |b|
    nd = stats.normal_delta_from_stderr(va, sa, vb, sb, confidence=settings.confidence)
    rng = np.random.default_rng(task_seed(settings.seed, facts.task + "#stderr"))
    draw_a = rng.normal(va, sa, settings.n_resamples)
    draw_b = rng.normal(vb, sb, settings.n_resamples)
    p = nd.p_value
    sig = bool(math.isfinite(p) and p < settings.alpha)
    return PairedResult(
        Delta(nd.delta, nd.ci_low, nd.ci_high, p, "stderr-normal", "stderr-fallback", 0, sig,
              stats.significance_mark(p, settings.alpha), float(improvement(facts.direction, va, vb))),
        improvement(facts.direction, draw_a, draw_b),
    )


def detail_delta(ref: RunResults, other: RunResults, facts: MetricFacts, filt: str = "none") -> Delta:
    """A per-category metric's plain delta (its statistics are in the breakdowns)."""
    va, vb = ref.metric_value(facts.task, facts.metric, filt), other.metric_value(facts.task, facts.metric, filt)
    if va is None or vb is None or not (math.isfinite(va) and math.isfinite(vb)):
        return Delta(None, None, None, None, "none", "unavailable")
    return Delta(vb - va, None, None, None, "none", "detail", improvement=float(improvement(facts.direction, va, vb)))
