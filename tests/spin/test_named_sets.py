"""Named calibration sets (spin_eval.spin.namedsets): the coupled selection by brute force, the default pair equal
to the paper selection, and every bad input a one-line InputError naming the flag."""

from __future__ import annotations

import pytest
import torch

from spin_eval.errors import InputError
from spin_eval.spin.namedsets import (
    DEFAULT_SETS,
    check_named_sets,
    coupled_indices,
    parse_couple,
    parse_set_flag,
)
from spin_eval.spin.selection import select_paper, top_k_indices, top_sets

DEFAULT = [(n, None) for n in DEFAULT_SETS]


def test_coupled_is_the_intersection_of_set_minus_general_by_brute_force():
    gen = torch.Generator().manual_seed(0)
    scores = {n: torch.rand(40, 30, generator=gen) for n in ("general", "a", "b", "c")}
    p, q = 0.05, 0.2
    tops = {n: top_k_indices(s, int((p if n == "general" else q) * s.numel())) for n, s in scores.items()}
    got = coupled_indices(tops, ("a", "b", "c"), "general")
    g = set(tops["general"].tolist())
    want = sorted(set.intersection(*[set(tops[n].tolist()) - g for n in ("a", "b", "c")]))
    assert got.tolist() == want and got.dtype == torch.int64
    two = coupled_indices(tops, ("a", "b"), "general")
    assert set(got.tolist()) <= set(two.tolist())  # a third objective can only narrow the coupled set
    sets = top_sets(scores["general"], scores["a"], scores["b"], p, q)
    assert two.tolist() == select_paper(scores["general"], scores["a"], scores["b"], p, q).tolist()
    assert sets.numel == 1200


def test_default_sets_validate_and_named_sets_extend_them():
    assert check_named_sets(DEFAULT).is_default
    sets = check_named_sets([*DEFAULT, ("safety", "s.jsonl"), ("helpfulness", "h.jsonl")],
                            parse_couple("safety,helpfulness"))
    assert sets.couple == ("safety", "helpfulness") and not sets.is_default
    assert parse_set_flag("safety=data/s.jsonl") == ("safety", "data/s.jsonl")


@pytest.mark.parametrize("call, words", [
    (lambda: parse_set_flag("safety"), ["--set", "NAME=FILE"]),
    (lambda: parse_set_flag("Safety!=x"), ["--set", "lower-case"]),
    (lambda: check_named_sets([*DEFAULT, ("fairness", "f.jsonl")]), ["--set", "fairness given twice"]),
    (lambda: check_named_sets(DEFAULT, ("fairness", "kindness")), ["--couple", "unknown set kindness", "--set NAME=FILE"]),
    (lambda: check_named_sets(DEFAULT, ("fairness",)), ["--couple", "at least two"]),
    (lambda: check_named_sets(DEFAULT, ("general", "privacy")), ["--couple", "also the general set"]),
    (lambda: check_named_sets(DEFAULT, ("fairness", "privacy"), "nope"), ["--general nope", "unknown set"]),
    (lambda: check_named_sets([*DEFAULT, ("x", "x.jsonl")], ("fairness", "privacy", "x"), selection="reference"),
     ["--selection reference", "two"]),
    (lambda: parse_couple("a,,b"), ["--couple", "empty name"]),
])
def test_bad_input_is_one_line_naming_the_flag(call, words):
    with pytest.raises(InputError) as exc:
        call()
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)
