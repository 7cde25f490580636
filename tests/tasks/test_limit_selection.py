"""A limited run's documents are stratified: BBQ's categories count in both bias scores at any limit >= strata."""

from __future__ import annotations

from collections import Counter

import pytest

from spin_eval.paths import tasks_dir
from spin_eval.taskdata import interleave_strata, limit_indices, read_jsonl

BBQ_STRATA = ("category", "context_condition", "question_polarity")


def _bbq_in_task_order():
    rows = read_jsonl(tasks_dir() / "spin_bbq" / "spin_bbq.jsonl")
    keys = [tuple(r[c] for c in BBQ_STRATA) for r in rows]
    order = interleave_strata(keys)  # what spin_bbq's process_docs (select_docs) does
    return [rows[i] for i in order], len(set(keys))


@pytest.mark.parametrize("extra", [0, 1, 24, 200])
def test_every_bbq_category_in_both_contexts_at_any_limit_from_the_number_of_strata(extra):
    docs, n_strata = _bbq_in_task_order()
    categories = {d["category"] for d in docs}
    k = n_strata + extra
    picked = [docs[i] for i in limit_indices(len(docs), k, interleaved=True)]
    seen = Counter((d["category"], d["context_condition"]) for d in picked)
    assert {c for c, ctx in seen if ctx == "ambig"} == categories
    assert {c for c, ctx in seen if ctx == "disambig"} == categories
    per_stratum = Counter(tuple(d[c] for c in BBQ_STRATA) for d in picked)
    assert max(per_stratum.values()) - min(per_stratum.values()) <= 1  # balanced


def test_a_systematic_sample_of_the_interleaved_order_would_miss_categories():
    # the bug this replaced: 60 "evenly spread" documents of the interleaved order alias with the strata
    docs, _ = _bbq_in_task_order()
    spread = [docs[i] for i in limit_indices(len(docs), 60, interleaved=False)]
    ambig = {d["category"] for d in spread if d["context_condition"] == "ambig"}
    assert len(ambig) < len({d["category"] for d in docs})


def test_limit_indices_other_tasks_are_spread_evenly():
    assert limit_indices(10, 5, interleaved=False) == [1, 3, 5, 7, 9]
    assert limit_indices(10, 5, interleaved=True) == [0, 1, 2, 3, 4]
    assert limit_indices(3, 5, interleaved=True) == [0, 1, 2]
