"""``--objectives`` on ``spin-eval run`` and ``sweep``: the tasks and calibration sets a declared conflict
implies when the user gives none. Pure.

* tasks: the objectives' suite (``spin_eval.metrics.objectives.SUITE_OF``: ``spin_suite`` for fairness,privacy,
  ``spin_suite_safety`` for safety,helpfulness) unless ``--tasks``/``--suite`` were given; another pair of
  objectives needs ``--tasks``;
* calibration: the mask couples the objectives' shipped sets (``safety.jsonl``, ``helpfulness.jsonl`` beside
  the default three) as named sets (``--set safety=... --set helpfulness=... --couple safety,helpfulness``),
  unless ``--mask``, ``--set`` or ``--couple`` were given. The mask's metadata names them.
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
    """SPIN settings coupling the objectives' shipped sets (named sets) where the user named none."""
    objectives = tuple(objectives)
    if objectives == DEFAULT_OBJECTIVES or given.get("mask") or given.get("sets") or given.get("couple"):
        return given
    shipped = [o for o in objectives if o not in ("fairness", "privacy")]
    sets = ";".join(f"{o}={data_dir / SHIPPED_SETS[o]}" for o in shipped)
    return {**given, **({"sets": sets} if sets else {}), "couple": ";".join(objectives)}
