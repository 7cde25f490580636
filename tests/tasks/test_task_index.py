"""spin_eval.task_index: lm-eval's built-in index is read only when a requested task (or group member) needs it."""

from __future__ import annotations

import pytest

from spin_eval.paths import tasks_dir
from spin_eval.task_index import defined_here, task_manager_for


@pytest.mark.parametrize("tasks, builtin", [
    (["spin_suite"], False),                       # a shipped group: all members shipped
    (["spin_bbq_mini", "spin_capability"], False),
    (["arc_easy"], True),                          # a public task
    (["spin_bbq_mini", "arc_easy"], True),
    (["spin_capability_full"], True),              # a shipped group naming public tasks
    (["no_such_task"], True),                      # unknown: the full index, for the error's close matches
])
def test_builtin_index_only_when_needed(tasks, builtin):
    manager = task_manager_for([str(tasks_dir())], tasks)
    assert ("arc_easy" in manager.all_tasks) is builtin
    known = set(manager.all_tasks)
    assert all(t in known for t in tasks if t != "no_such_task")


def test_inline_group_members_and_tags_count_as_not_defined_here(tmp_path):
    (tmp_path / "g.yaml").write_text("group: g_inline\ntask:\n  - task: inline_x\n    dataset_path: json\n")
    from lm_eval.tasks import TaskManager

    local = TaskManager(include_path=[str(tmp_path), str(tasks_dir())], include_defaults=False)
    assert "g_inline" in local.all_tasks
    assert not defined_here(local, ["g_inline"])
    assert defined_here(local, ["spin_suite", "spin_bbq"])
