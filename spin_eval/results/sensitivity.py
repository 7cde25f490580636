"""How sensitive a run is: the baseline's headroom (floors and ceilings) and the minimal detectable effect.

Pure functions on numbers; the report puts them next to every headline metric's observed change.

- *Headroom*: a metric in points whose baseline sits at a bound of its range can only move one way
  (:func:`headroom`). BBQ ambiguous accuracy at 0.00 can only rise, a leak rate at 0.00 only rise, a bias
  score at 0 can only grow in magnitude. Such metrics stay in the family averages (one tax definition);
  the report flags them (docs/report.md, "Sensitivity").
- *Minimal detectable effect* (MDE): the smallest true change a two-sided paired test at level ``alpha``
  detects with probability ``power``, from the standard error of the paired change:
  ``MDE = (z_{1-alpha/2} + z_{power}) * SE`` (normal approximation; 2.80 SE at alpha 0.05, power 0.8).
  With ``n`` documents and per-document differences of standard deviation ``sd``, ``SE = sd / sqrt(n)``.
  The report takes SE from the paired bootstrap of the observed change and never lets the MDE fall below
  the smallest change an exact paired test can reach with the run's documents (:func:`mde_with_floor`).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

#: Conventional planning values: two-sided alpha 0.05, power 0.8.
DEFAULT_ALPHA = 0.05
DEFAULT_POWER = 0.8
#: How close to a bound counts as "at" it (values are means of 0/1 scores or rates).
BOUND_TOLERANCE = 1e-9

Headroom = Literal["ok", "floor", "ceiling", "zero"]


def z_factor(alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER) -> float:
    """``z_{1-alpha/2} + z_{power}``: the multiple of the standard error a change must reach."""
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha {alpha} and power {power} must lie in (0, 1)")
    nd = NormalDist()
    return nd.inv_cdf(1 - alpha / 2) + nd.inv_cdf(power)


def mde_from_se(se: float | None, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER) -> float | None:
    """The minimal detectable effect of a paired change with standard error ``se`` (None if unknown)."""
    if se is None or not math.isfinite(se) or se < 0:
        return None
    return z_factor(alpha, power) * se


def mde_with_floor(mde: float | None, smallest: float | None) -> float | None:
    """The MDE, but never below ``smallest``: the least change an exact paired test can reach at all with the
    run's documents (e.g. 6 of 60 documents all changing one way for McNemar = 0.10). Without it, two
    identical runs (no discordant document, SE 0) would claim to detect any change."""
    if mde is None:
        return smallest
    return mde if smallest is None else max(mde, smallest)


def mde_paired(sd_diff: float, n: int, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER) -> float | None:
    """The MDE with ``n`` paired documents whose differences have standard deviation ``sd_diff``."""
    if n <= 0:
        return None
    return mde_from_se(sd_diff / math.sqrt(n), alpha, power)


def se_from_interval(low: float | None, high: float | None, confidence: float = 0.95) -> float | None:
    """The standard error implied by a symmetric normal ``confidence`` interval ``[low, high]``."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    return (high - low) / (2 * NormalDist().inv_cdf(0.5 + confidence / 2))


def headroom(value: float | None, direction: str, points: bool) -> Headroom:
    """Where a baseline value sits in its range.

    ``floor``: at 0 of a [0, 1] metric (can only rise); ``ceiling``: at 1 (can only fall); ``zero``: a
    closer-to-zero metric (bias score) at exactly 0 (its magnitude can only grow); ``ok`` otherwise, and for
    metrics not in points (perplexities have no bound that matters here) or unknown values.
    """
    if value is None or not math.isfinite(value) or not points:
        return "ok"
    if direction == "zero":
        if abs(value) <= BOUND_TOLERANCE:
            return "zero"
        return "ceiling" if abs(value) >= 1 - BOUND_TOLERANCE else "ok"
    if value <= BOUND_TOLERANCE:
        return "floor"
    if value >= 1 - BOUND_TOLERANCE:
        return "ceiling"
    return "ok"


def headroom_text(state: Headroom, direction: str) -> str:
    """The sentence a reader sees for a flagged baseline ('' when there is headroom both ways)."""
    if state == "ok":
        return ""
    if state == "zero":
        return "baseline at 0 (unbiased): its magnitude can only grow, so the metric can only get worse"
    bound = "floor (0%)" if state == "floor" else "ceiling (100%)"
    moves = "up" if state == "floor" else "down"
    better = (state == "floor") == (direction == "higher")
    return f"at {bound}: can only move {moves}, i.e. only get {'better' if better else 'worse'}"
