"""lm-eval's task manager for a set of requested tasks, without indexing lm-eval's ~14,000 built-in YAMLs
when none is needed.

``TaskManager()`` parses every YAML under ``lm_eval/tasks`` (about 6 s of a 2-core machine per process).
When every requested name, and every member of every requested group (recursively), is defined in the
include paths (the shipped ``tasks/`` folder and ``--include-path``), the manager is built from those paths
alone; otherwise (a public benchmark such as ``arc_easy``, a group naming one, an unknown name whose error
message lists close matches) it is lm-eval's full one. The tasks loaded are the same either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def defined_here(task_manager: Any, names: Iterable[str]) -> bool:
    """Whether ``names`` and, for groups, all their members (recursively) are entries of ``task_manager``'s
    index, with no inline task definitions and no tags (conservative: anything else says False)."""
    index = task_manager.task_index
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        entry = index.get(name)
        if entry is None:
            return False
        kind = getattr(getattr(entry, "kind", None), "name", "")
        if kind == "TASK":
            continue
        members = (getattr(entry, "cfg", None) or {}).get("task") if kind == "GROUP" else None
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            return False
        todo += members
    return True


def task_manager_for(include_path: Sequence[str], tasks: Iterable[str], metadata: dict | None = None) -> Any:
    """A ``TaskManager`` over ``include_path`` that can load ``tasks``: lm-eval's built-in index only when
    one of them (or a group member) is not defined in ``include_path``."""
    from lm_eval.tasks import TaskManager

    include = [str(p) for p in include_path]
    local = TaskManager(include_path=include, include_defaults=False, metadata=metadata)
    if defined_here(local, tasks):
        return local
    return TaskManager(include_path=include, metadata=metadata)
