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


def test_select_docs_is_the_pure_selection_and_caches_by_content():
    """lm-eval calls process_docs on every eval_docs access; select_docs answers repeats from a cache keyed by
    the data's content fingerprint, never another data set's selection."""
    import datasets

    from spin_eval.taskdata import select_docs, select_stratified

    rows = [{"g": g, "i": i} for g in "abc" for i in range(5)]
    ds = datasets.Dataset.from_list(rows)
    want = [rows[i]["i"] for i in interleave_strata([(r["g"],) for r in rows], seed=3)]
    first = select_docs(ds, ["g"], seed=3)
    assert first["i"] == want and select_docs(datasets.Dataset.from_list(rows), ["g"], seed=3) is first
    mini = select_docs(ds, ["g"], per_stratum=2, seed=3)
    assert mini["i"] == [rows[i]["i"] for i in select_stratified([(r["g"],) for r in rows], 2, seed=3)]
    other = [dict(r, g="z" if r["i"] == 0 else r["g"]) for r in rows]  # one stratum more: another answer
    assert select_docs(datasets.Dataset.from_list(other), ["g"], seed=3)["g"].count("z") == 3
