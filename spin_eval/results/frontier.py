"""The trust-capability frontier of a sweep: one point per (curve, ratio), dose-response trends, the best ratio.

Definitions (docs/sweep.md):

- a **point** is one variant against ``base``: its trust change (x) and capability change (y) in points
  with paired 95% intervals, and its alignment tax, all from :mod:`spin_eval.results.headline` (the
  report's definitions). A **curve** is SPIN or one control over the sweep's ratios.
- the **dose-response trend** of a headline metric (and of the trust and capability changes) on a curve is
  the least-squares slope of the paired change (points, positive = better) against ``ln(weights zeroed)``.
  Its interval and p-value come from the paired bootstrap resamples: every variant's deltas are
  recomputed on the SAME document resamples (``paired_delta`` seeds them per task, and every variant
  evaluates the same documents), so the slope is recomputed per resample, which carries the correlation
  between points that share the base run and the documents. p-value: two-sided normal approximation
  ``z = slope / sd(resampled slopes)``. Points that zero nothing are left out; fewer than two distinct
  doses leave the trend undefined.
- **SPIN versus a control**: the difference of the two slopes, per resample (same resamples), tested the
  same way.
- the **Pareto-best ratio** at a capability allowance A (points): among SPIN points whose capability
  change is no worse than ``-A`` and whose trust change's interval lies above 0, the one with the largest
  trust change. When no point's trust interval lies above 0 the frontier says so ("none distinguishable
  from zero"). Every point also carries ``pareto``: no other point of its curve has both a larger trust
  and a larger capability change (point estimates).
- **reference points**: fine-tuning baselines evaluated in the sweep (``--baselines``), measured against
  ``base`` the same way (trust, capability, tax, paired intervals) but outside every curve: no trend,
  no Pareto mark, never the best ratio. They show where the paper's alternative lies on the same plane.

Pure: loaded runs in, numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from spin_eval import stats
from spin_eval.results.facts import TRUST_FAMILIES
from spin_eval.results.headline import AlignmentTax, FamilyChange, alignment_tax, family_changes, headline_deltas
from spin_eval.results.load import RunResults
from spin_eval.results.paired import PairedSettings

#: Default capability allowance (points) for the Pareto-best ratio.
DEFAULT_ALLOWANCE = 1.0
SPIN_CURVE = "spin"
#: The curve name of reference points (fine-tuning baselines).
REFERENCE_CURVE = "finetuned"


@dataclass(frozen=True)
class PointInput:
    """One evaluated sweep variant."""

    name: str
    curve: str
    """``spin`` or the control's selection name."""
    p: float
    q: float
    weights_zeroed: int
    run: RunResults


@dataclass
class FrontierPoint:
    name: str
    curve: str
    p: float
    q: float
    weights_zeroed: int
    trust: FamilyChange
    capability: FamilyChange
    tax: AlignmentTax
    metrics: dict[str, FamilyChange] = field(default_factory=dict)
    """Per headline metric (``task/metric,filter``) and family: the change in points with its interval."""
    pareto: bool = False
    n_paired: dict[str, int] = field(default_factory=dict)


@dataclass
class Trend:
    curve: str
    metric: str
    n_points: int
    slope: float | None
    """Points of change per unit of ln(weights zeroed)."""
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    note: str = ""


@dataclass
class TrendDifference:
    metric: str
    control: str
    difference: float | None
    """SPIN's slope minus the control's."""
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    sentence: str
    p_adjusted: float | None = None
    """Holm-adjusted over this control's comparisons (every metric's trend difference); the verdict uses it."""
    spin_slope: float | None = None
    control_slope: float | None = None


@dataclass
class BestRatio:
    allowance: float
    name: str | None
    p: float | None
    q: float | None
    trust: FamilyChange | None
    capability: FamilyChange | None
    sentence: str


@dataclass
class Frontier:
    baseline: str
    points: list[FrontierPoint]
    trends: list[Trend]
    differences: list[TrendDifference]
    best: BestRatio
    notes: list[str] = field(default_factory=list)
    references: list[FrontierPoint] = field(default_factory=list)
    """Fine-tuning baselines as reference points (curve ``REFERENCE_CURVE``; not in trends or the best)."""

    def curves(self) -> list[str]:
        return list(dict.fromkeys(p.curve for p in self.points))


# --------------------------------------------------------------------------------------------- statistics


def ols_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``y`` on ``x``; ``y`` may be (points,) or (points, resamples). Pure."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    xc = x - x.mean()
    sxx = float(np.sum(xc**2))
    if sxx == 0:
        raise ValueError("all doses are equal")
    yc = y - y.mean(axis=0)
    return np.tensordot(xc, yc, axes=(0, 0)) / sxx


def bootstrap_z_test(estimate: float, resamples: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """(ci_low, ci_high, two-sided p) of ``estimate`` from its resamples: percentile interval, normal p."""
    low, high = stats.percentile_interval(resamples, confidence)
    sd = float(np.std(resamples, ddof=1)) if resamples.size > 1 else float("nan")
    if not math.isfinite(sd) or sd == 0:
        p = 1.0 if estimate == 0 else 0.0 if math.isfinite(sd) else float("nan")
    else:
        p = math.erfc(abs(estimate) / sd / math.sqrt(2))
    return low, high, p


def trend(curve: str, metric: str, doses: list[int], changes: list[float], resamples: list[np.ndarray] | None,
          confidence: float = stats.DEFAULT_CONFIDENCE) -> Trend:
    """The dose-response trend of one metric on one curve (see module docstring). Pure."""
    usable = [(d, c, r if resamples is not None else None) for d, c, r in
              zip(doses, changes, resamples if resamples is not None else [None] * len(doses))
              if d > 0 and c is not None and math.isfinite(c)]
    if len({d for d, _, _ in usable}) < 2:
        return Trend(curve, metric, len(usable), None, None, None, None,
                     "fewer than two distinct numbers of weights zeroed")
    x = np.log([d for d, _, _ in usable])
    slope = float(ols_slope(x, np.array([c for _, c, _ in usable])))
    if any(r is None for _, _, r in usable):
        return Trend(curve, metric, len(usable), slope, None, None, None, "no paired resamples (stderr fallback)")
    boot = ols_slope(x, np.vstack([r for _, _, r in usable]))
    low, high, p = bootstrap_z_test(slope, boot, confidence)
    return Trend(curve, metric, len(usable), slope, low, high, p)


def _slope_resamples(points: list[FrontierPoint], resamples: dict[str, dict[str, np.ndarray]], metric: str):
    use = [pt for pt in points if pt.weights_zeroed > 0 and metric in resamples.get(pt.name, {})]
    if len({pt.weights_zeroed for pt in use}) < 2:
        return None, None
    x = np.log([pt.weights_zeroed for pt in use])
    est = float(ols_slope(x, np.array([pt.metrics[metric].points for pt in use])))
    return est, ols_slope(x, np.vstack([resamples[pt.name][metric] for pt in use]))


def trend_difference(metric: str, control: str, spin_points: list[FrontierPoint], control_points: list[FrontierPoint],
                     resamples: dict[str, dict[str, np.ndarray]], confidence: float, alpha: float) -> TrendDifference:
    """SPIN's slope minus the control's, on the same resamples. Pure."""
    a, ra = _slope_resamples(spin_points, resamples, metric)
    b, rb = _slope_resamples(control_points, resamples, metric)
    if a is None or b is None or ra.shape != rb.shape:
        return TrendDifference(metric, control, None, None, None, None,
                               f"{metric}: SPIN's trend cannot be compared with {control}'s (too few points or "
                               "no aligned resamples)")
    diff = a - b
    low, high, p = bootstrap_z_test(diff, ra - rb, confidence)
    out = TrendDifference(metric, control, diff, low, high, p, "", spin_slope=a, control_slope=b)
    return _with_verdict(out, p, 1, alpha)


def _with_verdict(d: TrendDifference, p_adjusted: float, family: int, alpha: float) -> TrendDifference:
    """``d`` with its Holm-adjusted p-value and the sentence whose verdict rests on it."""
    d.p_adjusted = p_adjusted
    verdict = "differs from" if p_adjusted < alpha else "is not distinguishable from"
    holm = f", Holm-adjusted over {family} comparisons p={p_adjusted:.3g}" if family > 1 else ""
    d.sentence = (f"{d.metric}: SPIN's trend ({d.spin_slope:+.2f} points per ln-unit of weights zeroed) {verdict} "
                  f"{d.control}'s ({d.control_slope:+.2f}); difference {d.difference:+.2f} [{d.ci_low:+.2f}, "
                  f"{d.ci_high:+.2f}], p={d.p_value:.3g}{holm}")
    return d


def adjust_differences(differences: list[TrendDifference], alpha: float) -> list[TrendDifference]:
    """Holm adjustment within each control's family of trend comparisons (one per metric), so that with
    many metrics a single small p-value is not read as "SPIN's trend differs". Sets ``p_adjusted`` and the
    sentence of each difference in place and returns the same list."""
    for control in dict.fromkeys(d.control for d in differences):
        family = [d for d in differences if d.control == control and d.p_value is not None]
        for d, adjusted in zip(family, stats.holm_adjust([d.p_value for d in family])):
            _with_verdict(d, adjusted, len(family), alpha)
    return differences


# ------------------------------------------------------------------------------------------------ frontier


def _point(item: PointInput, base: RunResults, settings: PairedSettings, resamples: dict,
           trust_families: tuple[str, ...] = TRUST_FAMILIES) -> FrontierPoint:
    deltas = headline_deltas(base, item.run, settings)
    fams = family_changes(deltas, settings.confidence, trust_families)
    metrics: dict[str, FamilyChange] = {}
    res: dict[str, np.ndarray] = {}
    n_paired: dict[str, int] = {}
    for d in deltas:
        delta = d.result.delta
        if delta.improvement is None:
            continue
        resampled = d.result.improvement_resamples
        if resampled is not None:
            low, high = stats.percentile_interval(resampled * 100.0, settings.confidence)
            res[d.key] = resampled * 100.0
        else:
            low = high = None
        metrics[d.key] = FamilyChange(delta.improvement * 100.0, low, high, [d.key], delta.source != "paired-samples")
        n_paired[d.key] = delta.n_paired
    for fam in ("trust", "capability"):
        change, fam_res = fams[fam]
        if change.points is not None:
            metrics[fam] = change
            if fam_res is not None:
                res[fam] = fam_res
    resamples[item.name] = res
    return FrontierPoint(item.name, item.curve, item.p, item.q, item.weights_zeroed, fams["trust"][0],
                         fams["capability"][0], alignment_tax(deltas, settings.confidence, trust_families), metrics,
                         n_paired=n_paired)


def _mark_pareto(points: list[FrontierPoint]) -> None:
    for pt in points:
        if pt.trust.points is None or pt.capability.points is None:
            continue
        pt.pareto = not any(
            o is not pt and o.curve == pt.curve and o.trust.points is not None and o.capability.points is not None
            and o.trust.points >= pt.trust.points and o.capability.points >= pt.capability.points
            and (o.trust.points > pt.trust.points or o.capability.points > pt.capability.points)
            for o in points)


def best_ratio(points: list[FrontierPoint], allowance: float) -> BestRatio:
    """The Pareto-best SPIN ratio at a capability allowance (see module docstring). Pure."""
    spin = [pt for pt in points if pt.curve == SPIN_CURVE and pt.trust.points is not None]
    gained = [pt for pt in spin if pt.trust.ci_low is not None and pt.trust.ci_low > 0]
    if not gained:
        return BestRatio(allowance, None, None, None, None, None,
                         "No SPIN ratio's trust change is distinguishable from zero (no 95% interval lies above 0), "
                         "so none is named best.")
    within = [pt for pt in gained if pt.capability.points is not None and pt.capability.points >= -allowance]
    if not within:
        return BestRatio(allowance, None, None, None, None, None,
                         f"SPIN gains trust at {', '.join(pt.name for pt in gained)}, but every such ratio loses more "
                         f"than the allowance of {allowance:g} capability points.")
    pt = max(within, key=lambda x: x.trust.points)
    return BestRatio(allowance, pt.name, pt.p, pt.q, pt.trust, pt.capability,
                     f"Best SPIN ratio within a capability allowance of {allowance:g} points: p={pt.p:g}, q={pt.q:g} "
                     f"({pt.weights_zeroed} weights zeroed): trust {pt.trust.points:+.2f} "
                     f"[{pt.trust.ci_low:+.2f}, {pt.trust.ci_high:+.2f}], capability {pt.capability.points:+.2f} "
                     f"[{_fmt(pt.capability.ci_low)}, {_fmt(pt.capability.ci_high)}] points.")


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f}"


def build_frontier(base: RunResults, items: list[PointInput], settings: PairedSettings = PairedSettings(),
                   allowance: float = DEFAULT_ALLOWANCE, references: list[PointInput] = (),
                   trust_families: tuple[str, ...] = TRUST_FAMILIES) -> Frontier:
    """Points, trends per curve and metric, SPIN-versus-control trend differences and the best ratio, and
    ``references`` (fine-tuning baselines) measured the same way but kept out of all of them;
    ``trust_families``: the run's objective families (the trust axis). Pure."""
    resamples: dict[str, dict[str, np.ndarray]] = {}
    reference_points = [_point(it, base, settings, {}, trust_families) for it in references]
    points = [_point(it, base, settings, resamples, trust_families) for it in items]
    _mark_pareto(points)
    notes = []
    metrics = list(dict.fromkeys(k for pt in points for k in pt.metrics))
    for key in metrics:
        ns = {pt.n_paired.get(key) for pt in points if key in pt.n_paired}
        if len(ns) > 1:
            notes.append(f"{key}: variants paired different numbers of documents ({sorted(ns)}); its trend's "
                         "resamples are not aligned across ratios")
    curves = list(dict.fromkeys(pt.curve for pt in points))
    by_curve = {c: sorted([pt for pt in points if pt.curve == c], key=lambda pt: pt.weights_zeroed) for c in curves}
    trends = []
    for c in curves:
        for key in metrics:
            pts = [pt for pt in by_curve[c] if key in pt.metrics]
            res = [resamples[pt.name].get(key) for pt in pts]
            trends.append(trend(c, key, [pt.weights_zeroed for pt in pts], [pt.metrics[key].points for pt in pts],
                                None if any(r is None for r in res) else res, settings.confidence))
    differences = [trend_difference(key, c, by_curve.get(SPIN_CURVE, []), by_curve[c], resamples,
                                    settings.confidence, settings.alpha)
                   for c in curves if c != SPIN_CURVE for key in metrics]
    adjust_differences(differences, settings.alpha)
    return Frontier(base.name, points, trends, differences, best_ratio(points, allowance), notes, reference_points)
