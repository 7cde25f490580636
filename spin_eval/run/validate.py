"""Validate before loading: the inputs of ``spin-eval run`` checked before the memory plan, the model load
or any deletion by ``--force`` (issue 29). Each check is cheap (no model, no lm-eval evaluation): the SPIN
settings' ranges, the ``--mask`` file (read and validated as a mask, not yet against the model), the
calibration files (parsed: ``spin_eval.preflight``) and the task names (lm-eval's task index).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spin_eval.errors import InputError

#: The run's flag of each SPIN setting whose range SpinConfig / ScoringOptions check.
_SPIN_FLAGS = {"nsamples": "--nsamples", "max_length": "--max-length", "seed": "--seed",
               "control_seed": "--control-seed", "score_batch_size": "--score-batch-size"}


def check_spin_settings(given: dict[str, Any]) -> None:
    """The run's given SPIN settings (flat names: ``nsamples``, ``score_batch_size``, ...) checked with the run's
    flag names before SpinConfig / ScoringOptions check them (and before any model is loaded)."""
    for name, flag in _SPIN_FLAGS.items():
        value = given.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if "seed" in name else 1):
            raise InputError(f"{flag} {value!r:.40}: must be a {'non-negative' if 'seed' in name else 'positive'} integer")
    if given.get("max_length") is not None and given["max_length"] < 2:
        raise InputError(f"--max-length {given['max_length']}: leaves no room for a response; use >= 2")


def check_mask_file(path: str | None, flag: str = "--mask") -> None:
    """``path`` is a readable mask file (metadata and indices valid); MaskError / InputError otherwise."""
    if path is None:
        return
    if not Path(path).is_file():
        raise InputError(f"{flag} {path}: no such file; build one with 'spin-eval mask build' or drop {flag}")
    from spin_eval.spin.io import load_mask

    load_mask(path)


def check_run_inputs(settings: Any) -> Any:
    """Every input of a run checked before anything is loaded or removed; returns the lm-eval task manager
    built on the way (reused by the run, so the task index is read once)."""
    from spin_eval.run.evaluate import check_tasks_exist, make_task_manager

    check_mask_file(settings.mask)
    task_manager = make_task_manager(settings)
    check_tasks_exist(task_manager, settings.tasks)
    return task_manager
