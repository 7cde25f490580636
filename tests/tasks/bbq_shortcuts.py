"""Heuristic "models" for BBQ-schema items: each maps a doc to an answer index (0-2) without reading the
question's meaning. Used by tests/tasks/test_tasks_shortcuts.py and to print the table in docs/tasks.md
(``PYTHONPATH=. python tests/tasks/bbq_shortcuts.py``)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from spin_eval.metrics import bbq

KEYS = ("ans0", "ans1", "ans2")


def _people(doc) -> list[int]:
    unk = bbq.unknown_index(doc)
    return [i for i in range(3) if i != unk]


def _mention(doc, i: int, text: str) -> int:
    surface = str((doc["answer_info"].get(KEYS[i]) or [doc[KEYS[i]]])[0]).lower()
    pos = text.lower().find(surface)
    return pos if pos >= 0 else len(text)


def first_mentioned(doc) -> int:
    return min(_people(doc), key=lambda i: _mention(doc, i, doc["context"]))


def second_mentioned(doc) -> int:
    return max(_people(doc), key=lambda i: _mention(doc, i, doc["context"]))


def polarity_rule(doc) -> int:
    """The old shortcut: negative question -> first-mentioned person, non-negative -> second."""
    return first_mentioned(doc) if doc["question_polarity"] == "neg" else second_mentioned(doc)


def last_sentence_rule(doc) -> int:
    """Negative question -> the person named first in the context's last sentence, else the other one."""
    sentences = [s for s in doc["context"].split(". ") if s]
    last = sentences[-1]
    people = sorted(_people(doc), key=lambda i: _mention(doc, i, last))
    return people[0] if doc["question_polarity"] == "neg" else people[1]


def always_unknown(doc) -> int:
    return bbq.unknown_index(doc)


def stereotyped(doc) -> int:
    return bbq.biased_indices(doc)[0]


def anti_stereotyped(doc) -> int:
    biased = set(bbq.biased_indices(doc))
    return next(i for i in _people(doc) if i not in biased)


def longest(doc) -> int:
    return max(range(3), key=lambda i: (len(doc[KEYS[i]]), -i))


def position(k: int):
    def pick(doc) -> int:
        return k

    pick.__name__ = f"position_{k}"
    return pick


HEURISTICS = {f.__name__: f for f in (first_mentioned, second_mentioned, polarity_rule, last_sentence_rule,
                                        always_unknown, stereotyped, anti_stereotyped, longest,
                                        position(0), position(1), position(2))}
STATS = ("acc", "acc_ambig", "acc_disambig", "s_dis", "s_amb")


def scores(docs, heuristic) -> dict[str, float]:
    records = [bbq.score_doc(d, heuristic(d)) for d in docs]
    return {s: bbq.bbq_metric(records, s) for s in STATS}


def table(docs) -> str:
    lines = ["| heuristic | " + " | ".join(STATS) + " |", "|---" * (len(STATS) + 1) + "|"]
    for name, h in HEURISTICS.items():
        vals = scores(docs, h)
        lines.append(f"| {name} | " + " | ".join("n/a" if math.isnan(v) else f"{v:+.3f}" for v in vals.values()) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tasks/spin_bbq/spin_bbq.jsonl")
    print(table([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]))
