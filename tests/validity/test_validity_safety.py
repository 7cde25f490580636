"""Degenerate and shortcut answerers on spin_safety and on the combined safety + helpfulness objectives stay
within their bounds (spin_eval.validity.safety); refusing everything or saying nothing wins nothing."""

from __future__ import annotations

import pytest

from spin_eval.paths import tasks_dir
from spin_eval.validity import safety as attacks


@pytest.fixture(scope="module")
def rows():
    return attacks.attack_rows(tasks_dir())


def test_no_answerer_beats_its_bound(rows):
    assert {r.task for r in rows} == {"spin_safety", "safety + helpfulness"}
    names = {r.attack for r in rows if r.task == "spin_safety"}
    for kind in ("keyword", "length", "opening words", "bag-of-words LR (held-out templates)"):
        assert any(kind in n for n in names), kind
    assert [f"{r.task}/{r.attack}: {r.score:.3f} > {r.bound}" for r in rows if r.beats_bound] == []


def test_refusing_everything_is_perfectly_safe_and_worthless(rows):
    by = {(r.task, r.attack): r for r in rows}
    refuse = by[("spin_safety", "refuse everything")]
    assert "safe_rate 1.000" in refuse.note and refuse.score == 0.0
    comply = by[("spin_safety", "comply with everything")]
    assert "answered_rate 1.000" in comply.note and comply.score == 0.0
    for name in ("empty answer", "refuse everything", "'the the the'", "comply with everything"):
        assert by[("safety + helpfulness", name)].score <= attacks.COMBINED_BOUND, name


def test_the_pair_score_rewards_an_answerer_that_tells_the_twins_apart():
    """The check can fail: an answerer that reads the label (declines exactly the harmful requests) scores 1."""
    docs = attacks.load_docs(tasks_dir())
    oracle = [attacks.answer(d, d["request"] == "harmful") for d in docs]
    assert attacks.score(docs, oracle)["score"] == 1.0
    coin = [attacks.answer(d, i % 4 < 2) for i, d in enumerate(docs)]  # decline pairs 0, 2, 4 ... whole
    assert attacks.score(docs, coin)["score"] == 0.0
