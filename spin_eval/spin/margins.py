"""How close each top-k boundary of a mask came to a tie, in words: one wording for ``mask info`` and the report.

A mask records per matrix and calibration set the relative gap between the k-th and (k+1)-th score and,
for the reference selection, how many sorted positions a one-entry change would move
(``spin_eval.spin.selection``). A gap under ``UNSTABLE_GAP`` is closer than the scoring precision: the
mask there depends on rounding. Pure functions over the metadata dict; no torch, so `spin-eval mask info`
and the report's text need none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: A top-k boundary whose relative gap (k-th - (k+1)-th score) / k-th is below this is "unstable": float32
#: arithmetic in another order (other kernels, hardware) moved SmolLM2 scores by up to 6e-7 (docs/spin.md).
UNSTABLE_GAP = 1e-6


@dataclass(frozen=True)
class Boundary:
    matrix: str
    set_name: str
    gap: float
    shift: int


@dataclass(frozen=True)
class MarginSummary:
    boundaries: int
    """Top-k boundaries recorded (matrices x sets with a boundary)."""
    unstable: list[Boundary] = field(default_factory=list)
    smallest: float | None = None

    def headline(self) -> str:
        return (f"{len(self.unstable)} of {self.boundaries} top-k boundaries closer than {UNSTABLE_GAP:g} (relative "
                "gap of the k-th and (k+1)-th score)" + ("" if self.smallest is None else f"; smallest gap {self.smallest:.3g}"))

    def unstable_lines(self) -> list[str]:
        return [f"unstable: the mask there depends on rounding: {b.matrix} {b.set_name} gap {b.gap:.3g} "
                f"(reference selection: a one-entry change moves {b.shift} positions)" for b in self.unstable]


def natural_key(name: str) -> tuple:
    """Sort key reading digit runs as numbers: layers.2 before layers.10. Pure."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def margin_summary(meta: dict[str, Any]) -> MarginSummary | None:
    """The boundaries of a mask's metadata (None: not recorded, mask format 1)."""
    margins = meta.get("margins")
    if margins is None:
        return None
    rows = [Boundary(name, set_name, float(m["gap"]), int(m["shift"]))
            for name, sets in sorted(margins.items(), key=lambda item: natural_key(item[0]))
            for set_name, m in sets.items() if m is not None]
    return MarginSummary(boundaries=len(rows), unstable=[b for b in rows if b.gap < UNSTABLE_GAP],
                         smallest=min((b.gap for b in rows), default=None))
