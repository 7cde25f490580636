"""spin_eval.stats on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from spin_eval import stats


def test_bootstrap_ci_covers_known_delta_and_is_seeded():
    rng = np.random.default_rng(7)
    a = (rng.random(400) < 0.5).astype(float)
    b = a.copy()
    flip = rng.choice(400, size=40, replace=False)  # 40 docs go 0->1 or stay 1: known delta below
    b[flip] = 1.0
    known = b.mean() - a.mean()
    res = stats.paired_bootstrap(a, b, n_resamples=1000, seed=3)
    assert res.delta == pytest.approx(known)
    assert res.ci_low <= known <= res.ci_high
    assert res.ci_low > 0.0  # only improvements: the interval excludes 0
    again = stats.paired_bootstrap(a, b, n_resamples=1000, seed=3)
    assert (again.ci_low, again.ci_high) == (res.ci_low, res.ci_high)
    assert res.resampled_a.shape == (1000,)


def test_bootstrap_with_custom_aggregate_matches_mean():
    a = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    b = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    vec = stats.paired_bootstrap(a, b, n_resamples=200, seed=1)
    gen = stats.paired_bootstrap(a, b, lambda xs: sum(xs) / len(xs), n_resamples=200, seed=1)
    assert gen.delta == pytest.approx(2 / 6)
    assert (gen.ci_low, gen.ci_high) == pytest.approx((vec.ci_low, vec.ci_high))


def test_bootstrap_rejects_unpaired_and_empty():
    with pytest.raises(ValueError, match="length"):
        stats.paired_bootstrap([1.0, 0.0], [1.0])
    with pytest.raises(ValueError, match="no paired"):
        stats.paired_bootstrap([], [])


def test_permutation_p_of_identical_runs_is_one():
    a = [0.2, 0.5, 0.9, 0.1, 0.7] * 20
    assert stats.paired_permutation_test(a, list(a), n_resamples=500, seed=0) == 1.0
    assert stats.paired_permutation_test(a, list(a), lambda xs: float(np.median(xs))) == 1.0


def test_permutation_exact_small_case_by_hand():
    # diffs b-a = [1, 1, 1]: the 8 sign patterns give |mean| = 1 twice (all +, all -): p = 2/8
    p = stats.paired_permutation_test([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], n_resamples=10)
    assert p == pytest.approx(0.25)


def test_permutation_detects_a_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    b = a + 0.5 + rng.normal(scale=0.1, size=200)
    p = stats.paired_permutation_test(a, b, n_resamples=999, seed=2)
    assert p == pytest.approx(1 / 1000)


def test_mcnemar_known_table():
    # table: both correct 10, a only 2, b only 8, neither 5 -> binomial(8 of 10, 0.5) two-sided
    a = [1] * 10 + [1] * 2 + [0] * 8 + [0] * 5
    b = [1] * 10 + [0] * 2 + [1] * 8 + [0] * 5
    assert stats.mcnemar_table(a, b) == (10, 2, 8, 5)
    expected = 2 * sum(math.comb(10, k) for k in range(8, 11)) / 2**10  # = 0.109375
    assert stats.mcnemar_exact(a, b) == pytest.approx(expected)
    assert stats.mcnemar_exact(a, b) == pytest.approx(binomtest(8, 10, 0.5).pvalue)
    assert stats.mcnemar_exact(a, a) == 1.0
    p, test = stats.paired_p_value(a, b)
    assert test == "mcnemar-exact" and p == pytest.approx(expected)
    p2, test2 = stats.paired_p_value([0.5, 0.2], [0.1, 0.3])
    assert test2 == "permutation" and 0.0 < p2 <= 1.0


def test_normal_fallback_and_ratio_and_jaccard():
    nd = stats.normal_delta_from_stderr(0.5, 0.03, 0.6, 0.04)
    assert nd.delta == pytest.approx(0.1)
    assert nd.ci_high - nd.delta == pytest.approx(1.959964 * 0.05, rel=1e-5)
    assert nd.p_value == pytest.approx(0.0455, abs=1e-3)
    num = np.array([1.0, 2.0, 3.0, 4.0])
    assert stats.ratio_interval(num, np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx((1.075, 3.925))
    assert all(math.isnan(x) for x in stats.ratio_interval(num, np.array([-1.0, 1.0, 2.0, 3.0])))
    assert stats.mask_jaccard({"w": np.array([1, 2, 3])}, {"w": np.array([2, 3, 4])}) == pytest.approx(0.5)
    assert stats.mask_jaccard({"w": [1, 2]}, {"v": [1, 2]}) == 0.0  # other parameters do not overlap
    assert stats.mask_jaccard({}, {"w": np.array([], dtype=np.int64)}) == 1.0
    assert stats.significance_mark(0.0005) == "***"
    assert stats.significance_mark(0.2) == ""
    assert stats.significance_mark(math.nan) == ""


def test_holm_adjust_by_hand():
    # sorted p: 0.01, 0.02, 0.04 -> 3*0.01=0.03, 2*0.02=0.04, 1*0.04=0.04 (monotone)
    assert stats.holm_adjust([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert stats.holm_adjust([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    out = stats.holm_adjust([math.nan, 0.01])
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.01)
