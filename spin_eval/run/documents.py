"""Which documents every variant evaluates: ``--limit``/``--gen-limit`` per task (stratified), or the
``--budget`` plan from a timed pilot (stored in the manifest and reused on resume).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from spin_eval.run.manifest import Manifest
from spin_eval.run.settings import RunSettings


def spread_indices(n: int, k: int) -> list[int]:
    """``k`` of ``n`` document indices spread evenly (a centred systematic sample; all when k >= n). Pure."""
    from spin_eval.taskdata import limit_indices

    return limit_indices(n, k, interleaved=False)


def shipped_task(name: str) -> bool:
    """Whether ``name`` is one of spin-eval's own tasks (its documents are interleaved over strata)."""
    from spin_eval.paths import tasks_dir

    return any(tasks_dir().glob(f"*/{name}.yaml"))


def leaf_tasks(task_dict: dict) -> dict[str, Any]:
    """Flatten lm-eval's nested task dict (groups -> subtasks) into {task name: Task}."""
    out: dict[str, Any] = {}
    for key, value in task_dict.items():
        if isinstance(value, dict):
            out.update(leaf_tasks(value))
        elif value is not None and hasattr(value, "eval_docs"):
            out[getattr(getattr(value, "config", None), "task", None) or str(key)] = value
    return out


def select_documents(
    task_manager: Any, tasks: tuple[str, ...], limit: float | None, gen_limit: float | None = None
) -> dict[str, list[int]] | None:
    """The documents every variant evaluates: ``limit`` per task (``gen_limit`` for generation tasks),
    stratified (:func:`spin_eval.taskdata.limit_indices`): the first N of a shipped task's documents, which
    its ``process_docs`` orders round-robin over every field its headline metrics break down by; spread
    evenly over the documents of any other task. ``None`` (no limit): every document.
    """
    if limit is None and gen_limit is None:
        return None
    import math

    from spin_eval.taskdata import limit_indices

    chosen = {}
    loaded = task_manager.load(list(tasks))
    for name, task in leaf_tasks(loaded["tasks"]).items():
        n = len(task.eval_docs)
        generative = getattr(task, "OUTPUT_TYPE", None) == "generate_until"
        cap = gen_limit if generative else limit
        k = n if cap is None else (math.ceil(n * cap) if cap < 1 else int(cap))
        chosen[name] = limit_indices(n, k, interleaved=shipped_task(name))
    return chosen


#: Seconds of the budget kept for the report stage.
REPORT_RESERVE_S = 60.0


def budget_documents(lm: Any, settings: RunSettings, task_manager: Any, manifest: Manifest, started: float,
                     n_variants: int) -> tuple[dict[str, list[int]], str]:
    """Documents per task for ``--budget``: a timed pilot, then :func:`spin_eval.run.budget.plan`.

    The plan is stored in the manifest (stage ``budget``) and reused when the run resumes."""
    from dataclasses import asdict as _asdict

    from spin_eval.run import pilot
    from spin_eval.run.budget import plan
    from spin_eval.taskdata import limit_indices

    if manifest.stage_done("budget"):
        entry = manifest.data["stages"]["budget"]
        return {t: list(v) for t, v in entry["documents"].items()}, entry["note"]
    tasks = leaf_tasks(task_manager.load(list(settings.tasks))["tasks"])
    order = {name: limit_indices(len(t.eval_docs), len(t.eval_docs), interleaved=shipped_task(name))
             for name, t in tasks.items()}
    print(f"[budget] timing a pilot of every task for --budget {settings.budget:g} min", file=sys.stderr)
    costs = pilot.measure(lm, tasks, order, task_manager=task_manager, batch_size=settings.batch_size,
                          device=settings.device)
    left = settings.budget * 60.0 - (time.perf_counter() - started) - REPORT_RESERVE_S
    alloc = plan(costs, left, n_variants)
    documents = {name: limit_indices(len(order[name]), alloc.docs[name], shipped_task(name)) for name in tasks}
    note = alloc.describe()
    manifest.mark("budget", "done", documents=documents, note=note, allocation=_asdict(alloc),
                  costs=[_asdict(c) for c in costs])
    print(f"[budget] {note}", file=sys.stderr)
    return documents, note
