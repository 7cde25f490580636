"""``--objectives`` on ``spin-eval run`` and ``sweep``: the tasks and calibration sets a declared conflict
implies when the user gives none. Pure.

* tasks: the objectives' suite (``spin_eval.metrics.objectives.SUITE_OF``: ``spin_suite`` for fairness,privacy,
  ``spin_suite_safety`` for safety,helpfulness) unless ``--tasks``/``--suite`` were given; another pair of
  objectives needs ``--tasks``;
* calibration: the mask's two coupled sets are the objectives' shipped sets (``safety.jsonl``,
  ``helpfulness.jsonl`` beside the default three) in the two coupled positions of ``mask build``
  (``--fairness``/``--privacy``), unless ``--mask`` or those flags were given. The mask's metadata then names
  them by position (fairness, privacy) with their file names and sha256s.
"""

from __future__ import annotations

from pathlib import Path

from spin_eval.errors import InputError
from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, SUITE_OF

#: objective -> shipped calibration file name in spin_eval/spin/calibration_data/.
SHIPPED_SETS = {"fairness": "fairness.jsonl", "privacy": "privacy.jsonl", "safety": "safety.jsonl",
                "helpfulness": "helpfulness.jsonl"}


def objective_tasks(objectives: tuple[str, ...], tasks: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The run's tasks: ``tasks`` when given, else the objectives' suite (None: the default suite)."""
    if tasks or tuple(objectives) == DEFAULT_OBJECTIVES:
        return tasks
    suite = SUITE_OF.get(tuple(objectives))
    if suite is None:
        raise InputError(f"--objectives {','.join(objectives)}: no shipped suite measures this pair; give --tasks "
                         "with a task per objective (e.g. --tasks spin_safety_mini,spin_bbq_mini,spin_capability_mc_mini)")
    return (suite,)


def objective_calibration(objectives: tuple[str, ...], given: dict, data_dir: Path) -> dict:
    """SPIN settings with the objectives' shipped sets in the two coupled positions where none were given."""
    objectives = tuple(objectives)
    if objectives == DEFAULT_OBJECTIVES or given.get("mask") or given.get("fairness") or given.get("privacy"):
        return given
    if len(objectives) != 2:
        raise InputError(f"--objectives {','.join(objectives)}: a run builds its mask from two coupled sets; name two "
                         "objectives, or build the mask with 'spin-eval mask build' and pass --mask")
    first, second = (str(data_dir / SHIPPED_SETS[o]) for o in objectives)
    return {**given, "fairness": first, "privacy": second}
