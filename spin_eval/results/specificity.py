"""Is SPIN's effect specific to its coupled weights? One verdict per SPIN x control pair. Pure.

Input: per headline metric, SPIN's paired change against the baseline and against the control (both
already tested; the control comparison Holm-adjusted over the pair's metrics) and the control's change
against the baseline. Rule (docs/report.md, "Answer"):

- SPIN changed no headline metric significantly against the baseline: **undetermined at this sample size**
  (there is no effect to attribute);
- SPIN differs significantly from the control, in the direction of its own effect, on at least one metric
  it changed: **specific** (listing those metrics);
- every metric SPIN changed was changed significantly, the same way, by the control too, SPIN does not
  differ from it, **and** the interval of SPIN − control lies within half of SPIN's own change (the data
  show the control reproduces at least half of SPIN's effect): **not specific**;
- otherwise (SPIN's effect is neither told apart from the control nor shown to be reproduced by it, e.g.
  too few documents for the SPIN − control test): **undetermined at this sample size**. A difference that
  is merely not significant is never read as "not specific".

The same rule decides the per-metric verdicts (:func:`specificity` over one metric's evidence), so the
answer, the verdict table, the Markdown, the JSON and the run summary cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["specific", "not specific", "undetermined"]


@dataclass(frozen=True)
class MetricEvidence:
    metric: str
    spin_vs_base_significant: bool
    spin_vs_base_improvement: float | None
    spin_vs_control_significant: bool
    spin_vs_control_improvement: float | None
    control_vs_base_significant: bool
    control_vs_base_improvement: float | None
    spin_vs_base_delta: float | None = None
    """SPIN − baseline, in the metric's units (with the interval below: the equivalence check)."""
    spin_vs_control_ci: tuple[float, float] | None = None
    """The interval of SPIN − control, in the metric's units."""


@dataclass
class Specificity:
    spin: str
    control: str
    outcome: Outcome
    reason: str
    metrics: list[str] = field(default_factory=list)
    """The metrics the outcome rests on (SPIN's significant changes; the specific ones when specific)."""


def _sign(x: float | None) -> int:
    return 0 if x is None or x == 0 else (1 if x > 0 else -1)


def _reproduced(e: MetricEvidence) -> bool:
    """The control changes the metric significantly the same way as SPIN, SPIN does not differ from it, and the
    SPIN − control interval lies within half of SPIN's change (the control does at least half of it)."""
    if not (e.control_vs_base_significant and _sign(e.control_vs_base_improvement) == _sign(e.spin_vs_base_improvement)):
        return False
    if e.spin_vs_control_significant or e.spin_vs_control_ci is None or e.spin_vs_base_delta is None:
        return False
    low, high = e.spin_vs_control_ci
    bound = abs(e.spin_vs_base_delta) / 2
    return all(x is not None and math.isfinite(x) for x in (low, high)) and max(abs(low), abs(high)) <= bound


def specificity(spin: str, control: str, evidence: list[MetricEvidence]) -> Specificity:
    """The verdict of SPIN ``spin`` against control ``control`` (rule in the module docstring)."""
    if not evidence:
        return Specificity(spin, control, "undetermined", "no headline metric is shared by SPIN and the control")
    effects = [e for e in evidence if e.spin_vs_base_significant and _sign(e.spin_vs_base_improvement)]
    if not effects:
        return Specificity(spin, control, "undetermined",
                           "SPIN changed no headline metric significantly at this sample size: nothing to attribute")
    specific = [e for e in effects if e.spin_vs_control_significant
                and _sign(e.spin_vs_control_improvement) == _sign(e.spin_vs_base_improvement)]
    if specific:
        names = [e.metric for e in specific]
        return Specificity(spin, control, "specific",
                           f"SPIN's change differs significantly from the control on {', '.join(names)}", names)
    names = [e.metric for e in effects]
    if all(_reproduced(e) for e in effects):
        return Specificity(spin, control, "not specific",
                           f"the control changes {', '.join(names)} the same way, and SPIN's difference from it is "
                           "within half of SPIN's own change", names)
    return Specificity(spin, control, "undetermined",
                       f"SPIN changed {', '.join(names)}, but at this sample size the SPIN − control test neither "
                       "tells it apart from the control nor shows the control reproduces it", names)
