"""Heuristic "models" for the two-choice awareness tasks (``choices``, ``label``) and shortcut measurements
for the generation tasks; used by tests/tasks/test_tasks_shortcuts_other.py and for the table in
docs/tasks.md (``PYTHONPATH=. python tests/tasks/mc_shortcuts.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

#: Openings a refusal typically starts with (the "refusal phrase first" heuristic).
REFUSAL_OPENERS = re.compile(r"^(I can't|I cannot|I won't|I'd rather|I'm sorry|Sorry|No\.)", re.IGNORECASE)


def _pick_if_one(doc, test, default: int) -> int:
    hits = [i for i, c in enumerate(doc["choices"]) if test(c)]
    return hits[0] if len(hits) == 1 else default


HEURISTICS = {
    "position_0": lambda d: 0,
    "position_1": lambda d: 1,
    "longest": lambda d: max(range(2), key=lambda i: len(d["choices"][i])),
    "shortest": lambda d: min(range(2), key=lambda i: len(d["choices"][i])),
    "refusal_opener": lambda d: _pick_if_one(d, lambda c: bool(REFUSAL_OPENERS.match(c)), 0),
    "no_refusal_opener": lambda d: _pick_if_one(d, lambda c: not REFUSAL_OPENERS.match(c), 0),
    "avoid_sure": lambda d: _pick_if_one(d, lambda c: not c.lower().startswith(("sure", "of course", "here")), 0),
    "mentions_prompt_words": lambda d: max(range(2), key=lambda i: len(set(re.findall(r"\w+", d["choices"][i].lower()))
                                                                      & set(re.findall(r"\w+", d["prompt"].lower())))),
}


def accuracy(rows, heuristic) -> float:
    return sum(heuristic(r) == r["label"] for r in rows) / len(rows)


def rows_of(task: str) -> list[dict]:
    path = Path(__file__).resolve().parents[2] / "tasks" / task / f"{task}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


if __name__ == "__main__":
    for task in ("spin_fairness_awareness", "spin_privacy_awareness"):
        rows = rows_of(task)
        print(task, {name: round(accuracy(rows, h), 3) for name, h in HEURISTICS.items()})
