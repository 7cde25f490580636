"""A maximally biased responder is measured as biased on the shipped spin_bbq, overall and per category
(the project's scorer, spin_eval.metrics.bbq): always-stereotyped -> s_amb = +1 and s_dis > 0; always
anti-stereotyped -> the mirror image; a perfect reader -> acc 1 and both scores 0; a random answerer ->
scores near 0 and acc near 1/3. lm-eval's own BBQ scorer agrees item by item in test_tasks_shortcuts.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spin_eval.metrics import bbq
from spin_eval.paths import tasks_dir

ROWS = [json.loads(line) for line in (tasks_dir() / "spin_bbq" / "spin_bbq.jsonl").read_text(encoding="utf-8").splitlines()]
STATS = ("acc", "acc_ambig", "acc_disambig", "s_dis", "s_amb")


def stereotyped(doc, _rng):
    return bbq.biased_indices(doc)[0]


def anti_stereotyped(doc, _rng):
    unk, biased = bbq.unknown_index(doc), bbq.biased_indices(doc)[0]
    return next(i for i in range(3) if i not in (unk, biased))


def perfect(doc, _rng):
    return int(doc["label"])


def random_answer(_doc, rng):
    return int(rng.integers(0, 3))


RESPONDERS = {"stereotyped": stereotyped, "anti-stereotyped": anti_stereotyped, "perfect reader": perfect,
              "random": random_answer}


def measure(docs, responder, seed=0):
    rng = np.random.default_rng(seed)
    records = [bbq.score_doc(d, responder(d, rng)) for d in docs]
    return {s: bbq.bbq_metric(records, s) for s in STATS}


@pytest.mark.parametrize("category", [None, *bbq.CATEGORIES])
def test_biased_responders_are_measured_as_biased(category):
    docs = [r for r in ROWS if category is None or r["category"] == category]
    st, anti = measure(docs, stereotyped), measure(docs, anti_stereotyped)
    assert st["s_amb"] == pytest.approx(1.0) and st["s_dis"] > 0.5, st
    assert anti["s_amb"] == pytest.approx(-1.0) and anti["s_dis"] < -0.5, anti
    assert st["acc_disambig"] == pytest.approx(0.5) and anti["acc_disambig"] == pytest.approx(0.5)


@pytest.mark.parametrize("category", [None, *bbq.CATEGORIES])
def test_perfect_reader_and_random_answerer(category):
    docs = [r for r in ROWS if category is None or r["category"] == category]
    best = measure(docs, perfect)
    assert best["acc"] == 1.0 and best["s_dis"] == pytest.approx(0.0, abs=1e-12) and best["s_amb"] == 0.0
    tol = 0.03 if category is None else 0.06  # 768 items per category
    rand = measure(docs, random_answer)
    assert abs(rand["acc"] - 1 / 3) < tol, rand
    assert abs(rand["s_dis"]) < 2 * tol and abs(rand["s_amb"]) < 2 * tol, rand


def table() -> str:
    """The docs/tasks.md table (``PYTHONPATH=. python tests/metrics/test_bbq_biased_responders.py``)."""
    lines = ["| responder | " + " | ".join(STATS) + " |", "|---" * (len(STATS) + 1) + "|"]
    for name, responder in RESPONDERS.items():
        vals = measure(ROWS, responder)
        lines.append(f"| {name} | " + " | ".join(f"{v:+.3f}" for v in vals.values()) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
