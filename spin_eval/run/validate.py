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


def check_spin_settings(settings: Any) -> None:
    """The run's SPIN settings checked the way SpinConfig / ScoringOptions will check them, before any model
    is loaded (``--nsamples 0`` used to be refused only at the mask build, after the model load)."""
    from spin_eval.spin.config import ScoringOptions, SpinConfig

    for name, flag in _SPIN_FLAGS.items():
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if "seed" in name else 1):
            raise InputError(f"{flag} {value!r:.40}: must be a {'non-negative' if 'seed' in name else 'positive'} integer")
    ScoringOptions(batch_size=settings.score_batch_size)
    try:
        SpinConfig(p=0.0, q=0.0, target=settings.target, selection=settings.selection, nsamples=settings.nsamples,
                   seed=settings.seed, control_seed=settings.control_seed, chat_template=settings.chat_template,
                   max_length=settings.max_length, general=settings.general, fairness=settings.fairness,
                   privacy=settings.privacy, sets=settings.sets, couple=settings.couple,
                   general_set=settings.general_set)
    except InputError as exc:
        raise InputError(f"spin-eval run: {exc}") from None


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
