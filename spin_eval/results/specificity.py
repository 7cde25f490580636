"""Is SPIN's effect specific to its coupled weights? One verdict per SPIN x control pair. Pure.

Input: per headline metric, SPIN's paired change against the baseline and against the control (both
already tested; the control comparison Holm-adjusted over the pair's metrics) and the control's change
against the baseline. Rule (docs/report.md, "Answer"):

- SPIN changed no headline metric significantly against the baseline: **undetermined at this sample size**
  (there is no effect to attribute);
- SPIN differs significantly from the control, in the direction of its own effect, on at least one metric
  it changed: **specific** (listing those metrics);
- every metric SPIN changed was changed significantly, the same way, by the control too, and SPIN does not
  differ from it: **not specific**;
- otherwise (SPIN's effect is neither told apart from the control nor reproduced by it):
  **undetermined at this sample size**.
"""

from __future__ import annotations

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
    reproduced = all(e.control_vs_base_significant
                     and _sign(e.control_vs_base_improvement) == _sign(e.spin_vs_base_improvement) for e in effects)
    if reproduced:
        return Specificity(spin, control, "not specific",
                           f"the control changes {', '.join(names)} the same way and SPIN does not differ from it",
                           names)
    return Specificity(spin, control, "undetermined",
                       f"SPIN changed {', '.join(names)}, but at this sample size it is neither told apart from the "
                       "control nor reproduced by it", names)
