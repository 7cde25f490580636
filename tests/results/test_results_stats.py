"""The one bootstrap: cluster resampling (whole clusters of documents) and cluster-wise permutation."""

from __future__ import annotations

import numpy as np
import pytest

from spin_eval import stats
from spin_eval.resampling import bootstrap_indices
from spin_eval.results.facts import metric_facts
from spin_eval.results.load import RunResults, SampleRecord
from spin_eval.results.paired import PairedSettings, cluster_keys, paired_delta

# 4 templates x 10 documents; within a template every document changes the same way
SIZES = 10
CLUSTER_DELTA = [1.0, 0.0, 1.0, -1.0]
CLUSTERS = [c for c in range(4) for _ in range(SIZES)]
A = [0.0 if d >= 0 else 1.0 for d in CLUSTER_DELTA for _ in range(SIZES)]
B = [a + d for a, d in zip(A, [d for d in CLUSTER_DELTA for _ in range(SIZES)])]


def test_resamples_are_whole_clusters():
    rows = stats.resample_indices(len(CLUSTERS), 50, seed=3, clusters=CLUSTERS)
    for row in rows:
        assert len(row) == len(CLUSTERS)  # equal cluster sizes: 4 clusters drawn, 10 documents each
        counts = np.bincount(np.asarray(CLUSTERS)[row], minlength=4)
        assert all(c % SIZES == 0 for c in counts)


def test_cluster_bootstrap_equals_bootstrap_of_cluster_means():
    boot = stats.paired_bootstrap(A, B, n_resamples=500, seed=11, clusters=CLUSTERS)
    picks = bootstrap_indices(4, 500, 11)  # the same draws, made by hand over the 4 clusters
    by_hand = np.asarray(CLUSTER_DELTA)[picks].mean(axis=1)
    assert (boot.ci_low, boot.ci_high) == pytest.approx(stats.percentile_interval(by_hand))
    flat = stats.paired_bootstrap(A, B, n_resamples=500, seed=11)
    assert boot.delta == pytest.approx(flat.delta) == pytest.approx(0.25)
    # 40 documents treated as independent give a narrower, over-confident interval
    assert flat.ci_high - flat.ci_low < boot.ci_high - boot.ci_low


def test_cluster_permutation_swaps_whole_clusters():
    a, b = [0.0] * 20, [1.0] * 20
    clusters = [i // 10 for i in range(20)]  # two clusters
    # exact over 2**2 cluster swaps: only "no swap" and "swap both" are as extreme as observed
    assert stats.paired_permutation_test(a, b, clusters=clusters) == pytest.approx(0.5)
    assert stats.paired_permutation_test(a, b) < 0.001
    p, test = stats.paired_p_value(a, b, clusters=clusters)
    assert test == "permutation" and p == pytest.approx(0.5)


def _run(name: str, values: list[float], clusters: list[int] | None) -> RunResults:
    records = {
        f"h{i}": SampleRecord(f"h{i}", i, {} if clusters is None else {"cluster_id": clusters[i]}, "", "", "",
                              {"acc": v})
        for i, v in enumerate(values)
    }
    return RunResults(name, name, "m", "hf", {}, None, {"spin_capability_mc": {"acc,none": float(np.mean(values))}},
                      {}, {}, {}, samples={"spin_capability_mc": {"none": records}})


def test_paired_delta_resamples_the_documents_cluster_ids():
    base, other = _run("base", A, CLUSTERS), _run("spin", B, CLUSTERS)
    keys = sorted(base.samples["spin_capability_mc"]["none"])
    assert len(set(cluster_keys(base, "spin_capability_mc", "none", keys))) == 4
    assert cluster_keys(_run("x", A, None), "spin_capability_mc", "none", keys) is None
    facts = metric_facts("spin_capability_mc", "acc")
    clustered = paired_delta(base, other, facts, settings=PairedSettings(n_resamples=400)).delta
    flat = paired_delta(_run("base", A, None), _run("spin", B, None), facts,
                        settings=PairedSettings(n_resamples=400)).delta
    assert clustered.test == "permutation" and flat.test == "mcnemar-exact"
    assert clustered.delta == pytest.approx(flat.delta)
    assert clustered.ci_high - clustered.ci_low > flat.ci_high - flat.ci_low
    assert clustered.p_value > flat.p_value
