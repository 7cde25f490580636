"""lm-eval group rows (``mmlu``, ``mmlu_stem``, ...) recomputed from their subtasks' logged samples.

lm-eval logs samples per leaf task only; a group's row is its ``aggregate_metric_list`` over the subtasks.
For ``weight_by_size: True`` at every level (lm-eval 0.4.13's ``mmlu`` and its categories) that is the plain
mean over every document of every leaf subtask, so the group's samples are the leaves' records pooled, each
document key prefixed with its subtask (``mmlu_anatomy/<doc_hash>``) so documents pair across runs. Pure.
"""

from __future__ import annotations

from typing import Any


def leaves(groups: dict[str, list[str]], group: str, _seen: frozenset[str] = frozenset()) -> list[str]:
    """The leaf tasks under ``group`` (recursively through lm-eval's ``group_subtasks``), in order."""
    out: list[str] = []
    for sub in groups.get(group, []):
        if sub in _seen:  # a cycle in a hand-edited results file: ignore, never loop
            continue
        out += leaves(groups, sub, _seen | {group}) if sub in groups else [sub]
    return out


def pooled_samples(groups: dict[str, list[str]], samples: dict[str, dict[str, dict[str, Any]]]
                   ) -> dict[str, dict[str, dict[str, Any]]]:
    """group -> filter -> prefixed doc key -> record, for every group whose leaves all have samples."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for group in groups:
        subs = leaves(groups, group)
        if not subs or group in samples or any(s not in samples for s in subs):
            continue
        pooled: dict[str, dict[str, Any]] = {}
        for sub in subs:
            for filt, records in samples[sub].items():
                pooled.setdefault(filt, {}).update({f"{sub}/{key}": rec for key, rec in records.items()})
        out[group] = pooled
    return out
