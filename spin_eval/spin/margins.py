"""The top-k margins a mask records, summarised: which boundaries are closer than the scoring precision.

Every mask built since format 2 records, per matrix and calibration set, ``{"gap", "shift"}``
(``selection.top_k_with_margin``): ``gap`` is the relative gap between the k-th and (k+1)-th score,
``shift`` how many sorted positions of the set a swap of its last member for the first outsider moves
(what the positional ``reference`` selection sees of that one-entry change). A boundary whose gap is
below ``UNSTABLE_GAP`` is "unstable": the mask there depends on rounding. ``mask info`` and the HTML
report show them from :func:`summarize_margins`. Pure functions over the metadata mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Kept equal to ``spin_eval.spin.selection.UNSTABLE_GAP`` (tested): float32 arithmetic in another order
#: moved SmolLM2 scores by up to 6e-7 (docs/spin.md). Here so the report need not import torch for it.
UNSTABLE_GAP = 1e-6


@dataclass(frozen=True)
class Boundary:
    """One matrix's top-k boundary in one calibration set."""

    param: str
    set_name: str
    gap: float
    shift: int


@dataclass(frozen=True)
class MarginSummary:
    """``recorded`` False for masks that keep no margins (format 1); ``boundaries`` counts the recorded
    ones (a set selecting 0 or every entry of a matrix has none); ``unstable`` in natural parameter order."""

    recorded: bool
    boundaries: int = 0
    unstable: tuple[Boundary, ...] = field(default_factory=tuple)
    smallest_gap: float | None = None

    @property
    def max_shift(self) -> int:
        """The most positions one entry crossing an unstable boundary moves (reference selection)."""
        return max((b.shift for b in self.unstable), default=0)


def natural_key(name: str) -> tuple:
    """Sort key reading digit runs as numbers: layers.2 before layers.10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def summarize_margins(metadata: dict[str, Any], threshold: float = UNSTABLE_GAP) -> MarginSummary:
    """The margins of mask ``metadata`` (its ``margins`` field, as ``load_mask`` validated it)."""
    margins = metadata.get("margins")
    if not isinstance(margins, dict):
        return MarginSummary(recorded=False)
    rows = [Boundary(str(param), str(set_name), float(m["gap"]), int(m["shift"]))
            for param, sets in sorted(margins.items(), key=lambda item: natural_key(str(item[0])))
            if isinstance(sets, dict)
            for set_name, m in sets.items() if isinstance(m, dict)]
    return MarginSummary(
        recorded=True, boundaries=len(rows), unstable=tuple(b for b in rows if b.gap < threshold),
        smallest_gap=min((b.gap for b in rows), default=None),
    )


def margin_sentence(summary: MarginSummary, threshold: float = UNSTABLE_GAP) -> str:
    """One line: how many boundaries are unstable, the smallest gap, what a reference mask risks."""
    if not summary.recorded:
        return "not recorded (mask format 1: rebuild the mask to see how close its boundaries are)"
    text = (f"{len(summary.unstable)} of {summary.boundaries} top-k boundaries closer than {threshold:g} "
            "(relative gap of the k-th and (k+1)-th score)")
    if summary.smallest_gap is not None:
        text += f"; smallest gap {summary.smallest_gap:.3g}"
    if summary.unstable:
        text += (f"; unstable: the mask there depends on rounding (reference selection: one entry crossing "
                 f"such a boundary moves up to {summary.max_shift:,} positions)")
    return text
