"""Frontier statistics on hand-made inputs: OLS slope vs scipy, bootstrap SE vs closed form, best ratio."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sstats

from spin_eval.results.frontier import (
    FrontierPoint,
    best_ratio,
    bootstrap_z_test,
    ols_slope,
    trend,
    trend_difference,
)
from spin_eval.results.headline import AlignmentTax, FamilyChange


def test_ols_slope_equals_scipy_linregress():
    x = np.log([343, 1173, 11202, 40000])
    y = np.array([0.5, 1.1, 2.9, 3.2])
    assert ols_slope(x, y) == pytest.approx(sstats.linregress(x, y).slope, rel=1e-12)
    cols = np.vstack([y, 2 * y]).T  # (points, resamples)
    assert ols_slope(x, cols) == pytest.approx([sstats.linregress(x, y).slope, 2 * sstats.linregress(x, y).slope])


def test_trend_interval_and_p_match_the_closed_form_for_independent_noise():
    # resamples = true change + independent normal noise of sd s_i: the slope's sd is
    # sqrt(sum (x_i - xbar)^2 s_i^2) / Sxx in closed form
    rng = np.random.default_rng(0)
    doses = [300, 1200, 11000]
    x = np.log(doses)
    y = [0.2, 0.9, 2.4]
    sd = np.array([0.5, 0.6, 0.8])
    res = [yi + rng.normal(0, si, 200_000) for yi, si in zip(y, sd)]
    t = trend("spin", "trust", doses, y, res)
    xc = x - x.mean()
    se = math.sqrt(float(np.sum(xc**2 * sd**2))) / float(np.sum(xc**2))
    slope = sstats.linregress(x, y).slope
    assert t.slope == pytest.approx(slope)
    assert t.p_value == pytest.approx(2 * sstats.norm.sf(abs(slope) / se), rel=0.02)
    assert t.ci_low == pytest.approx(slope - 1.959964 * se, abs=0.01)
    assert t.ci_high == pytest.approx(slope + 1.959964 * se, abs=0.01)


def test_trend_needs_two_doses_and_skips_empty_masks():
    t = trend("spin", "trust", [0, 500], [0.0, 1.0], [np.zeros(10), np.ones(10)])
    assert t.slope is None and "fewer than two" in t.note
    assert trend("spin", "m", [100, 1000], [1.0, 2.0], None).p_value is None


def _pt(name, curve, weights, trust, cap, trust_ci=None, cap_ci=(None, None)):
    lo, hi = trust_ci or (trust - 1, trust + 1)
    tax = AlignmentTax(*(FamilyChange(None, None, None),) * 5, None, None, None, "missing")
    return FrontierPoint(name, curve, weights * 1e-7, weights * 1e-7, weights, FamilyChange(trust, lo, hi),
                         FamilyChange(cap, *cap_ci), tax, {"trust": FamilyChange(trust, lo, hi)})


def test_spin_trend_against_control_uses_the_same_resamples():
    spin = [_pt("s1", "spin", 100, 1.0, 0), _pt("s2", "spin", 1000, 3.0, 0)]
    ctrl = [_pt("c1", "random", 100, 1.0, 0), _pt("c2", "random", 1000, 1.0, 0)]
    common = np.random.default_rng(1).normal(0, 1, 4000)  # shared noise (the base run): cancels in the difference
    own = np.random.default_rng(2).normal(0, 0.05, (4, 4000))
    res = {"s1": {"trust": 1.0 + common + own[0]}, "s2": {"trust": 3.0 + common + own[1]},
           "c1": {"trust": 1.0 + common + own[2]}, "c2": {"trust": 1.0 + common + own[3]}}
    d = trend_difference("trust", "random", spin, ctrl, res, 0.95, 0.05)
    assert d.difference == pytest.approx(2.0 / math.log(10))
    assert d.p_value < 1e-6 and "differs from" in d.sentence
    same = trend_difference("trust", "random", spin, spin, {**res}, 0.95, 0.05)
    assert same.difference == 0 and "not distinguishable" in same.sentence


def test_best_ratio_within_the_allowance_or_none():
    pts = [_pt("a", "spin", 100, 0.5, 0.0, (-0.5, 1.5)), _pt("b", "spin", 1000, 2.0, -0.5, (0.5, 3.5)),
           _pt("c", "spin", 10000, 4.0, -3.0, (2.0, 6.0)), _pt("r", "random", 1000, 9.0, 0.0, (8, 10))]
    best = best_ratio(pts, allowance=1.0)
    assert best.name == "b" and "p=0.0001" in best.sentence
    assert best_ratio(pts, allowance=5.0).name == "c"
    none = best_ratio([pts[0]], allowance=1.0)
    assert none.name is None and "distinguishable from zero" in none.sentence
    assert best_ratio(pts[1:3], allowance=0.1).name is None


def test_bootstrap_z_test_degenerate():
    assert bootstrap_z_test(0.0, np.zeros(10), 0.95)[2] == 1.0


def test_trend_differences_are_holm_adjusted_per_control():
    """Eight metrics give eight chances: a raw p of 0.04 alone must not make the report say "differs"."""
    from spin_eval.results.frontier import TrendDifference, adjust_differences

    def diff(metric, control, p):
        return TrendDifference(metric, control, -1.0, -2.0, -0.1, p, "", spin_slope=-1.0, control_slope=0.0)

    ds = [diff("a", "random", 0.01), diff("b", "random", 0.04), diff("c", "random", 0.5), diff("a", "other", 0.04)]
    adjust_differences(ds, 0.05)
    assert [round(d.p_adjusted, 6) for d in ds] == [0.03, 0.08, 0.5, 0.04]
    assert "differs from random's" in ds[0].sentence and "Holm-adjusted over 3 comparisons p=0.03" in ds[0].sentence
    assert "b: SPIN's trend (-1.00 points per ln-unit of weights zeroed) is not distinguishable" in ds[1].sentence
    assert "differs from other's" in ds[3].sentence and "Holm" not in ds[3].sentence  # a family of one


def test_baselines_are_reference_points_outside_the_curves(monkeypatch):
    """A fine-tuning baseline far better than SPIN is shown, but never enters a trend, the Pareto marks or the
    best ratio; the report draws it as an unjoined point and lists it in the table."""
    from types import SimpleNamespace

    import spin_eval.results.frontier as frontier
    from spin_eval.report.frontier_report import SweepReport, frontier_context, render_frontier
    from spin_eval.results.frontier import REFERENCE_CURVE, PointInput, build_frontier

    made = {"s1": _pt("s1", "spin", 100, 1.0, -0.1, (0.2, 1.8)), "s2": _pt("s2", "spin", 1000, 2.0, -0.5, (1.0, 3.0)),
            "sft-privacy": _pt("sft-privacy", REFERENCE_CURVE, 0, 9.0, 5.0, (8.0, 10.0))}
    def point(item, base, settings, resamples, _trust_families=None):
        resamples[item.name] = {"trust": made[item.name].trust.points + np.random.default_rng(0).normal(0, 0.3, 500)}
        return made[item.name]

    monkeypatch.setattr(frontier, "_point", point)
    run = SimpleNamespace(name="base")
    items = [PointInput(n, "spin", 1e-5, 1e-5, made[n].weights_zeroed, run) for n in ("s1", "s2")]
    refs = [PointInput("sft-privacy", REFERENCE_CURVE, 0.0, 0.0, 0, run)]
    f = build_frontier(run, items, references=refs, allowance=1.0)
    assert [p.name for p in f.points] == ["s1", "s2"] and [p.name for p in f.references] == ["sft-privacy"]
    assert f.best.name == "s2" and f.curves() == ["spin"]
    assert all(t.curve == "spin" for t in f.trends) and not f.differences
    assert not made["sft-privacy"].pareto  # not compared with the curves' points
    report = SweepReport("folder", "tiny", f, {"points": [], "overlaps": []})
    ctx = frontier_context(report)
    (ref,) = [c for c in ctx["chart"]["curves"] if c["label"].startswith("fine-tuning baselines")]
    assert ref["path"] == "" and [p["label"] for p in ref["points"]] == ["sft-privacy"]
    assert ctx["chart"]["curves"][0]["path"]  # SPIN's curve is still joined
    row = ctx["rows"][-1]
    assert row["curve"] == "reference: sft-privacy" and row["trust"] == "+9.00 [+8.00, +10.00]"
    html = render_frontier(report, "html")
    assert html.count("<polyline") == 1 and "sft-privacy" in html
    assert '"references"' in render_frontier(report, "json")
