"""The shared shape of one adversarial-validation result: a context-blind answerer tried on a shipped task.

Every attack module in this package (bbq.py, awareness.py, privacy.py) returns a list of ``AttackRow``;
``scripts/validate_tasks.py`` prints them as one table and fails when a row beats its bound.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttackRow:
    """One answerer on one task and condition."""

    task: str  # the shipped task, e.g. "spin_bbq"
    attack: str  # the answerer, e.g. "mention order (first)" or "bag-of-words LR (held-out templates)"
    condition: str  # "ambiguous", "disambiguated", "overall", "all", ...
    score: float  # what the answerer achieves on the task's own measure (accuracy, or the headline metric)
    bound: float  # the most a context-blind answerer may achieve; score > bound is a failure
    n: int  # items (or documents) behind the score
    note: str = ""  # how it was trained / evaluated (e.g. "cross-validated by template, 8 folds")

    @property
    def beats_bound(self) -> bool:
        return self.score > self.bound
