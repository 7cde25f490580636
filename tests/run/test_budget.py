"""The --budget planner on hand-made costs, against closed-form allocations."""

from __future__ import annotations

import math

import pytest

from spin_eval.run.budget import (
    PILOT_DOCS,
    PILOT_GEN_DOCS,
    PILOT_GEN_DOCS_MAX,
    Z95,
    TaskCost,
    pilot_docs,
    plan,
    spread_from_pilot,
)


def test_equal_spreads_equalise_half_widths_and_respect_the_budget():
    # cheap task 1 s/doc, costly generation task 15 s/doc, same spread: same n each (the widest CI is the max)
    costs = [TaskCost("mc", 10_000, 1.0, 1.0), TaskCost("gen", 10_000, 15.0, 1.0)]
    a = plan(costs, budget_seconds=3 * 1600, n_variants=3)  # 1600 s per variant: n (1 + 15) = 1600
    assert a.docs == {"mc": 100, "gen": 100}
    assert a.seconds <= 3 * 1600 and a.widest == pytest.approx(0.1)


def test_closed_form_n_proportional_to_spread_squared():
    costs = [TaskCost("a", 10_000, 1.0, 2.0), TaskCost("b", 10_000, 1.0, 1.0)]
    a = plan(costs, budget_seconds=500, n_variants=1)  # n_a = 4 n_b, n_a + n_b = 500
    assert a.docs["a"] == pytest.approx(400, abs=2) and a.docs["b"] == pytest.approx(100, abs=2)
    assert a.half_width["a"] == pytest.approx(a.half_width["b"], rel=0.02)


def test_small_tasks_are_capped_and_the_rest_goes_elsewhere():
    costs = [TaskCost("small", 50, 1.0, 1.0), TaskCost("big", 10_000, 1.0, 1.0)]
    a = plan(costs, budget_seconds=1050, n_variants=1)
    assert a.docs["small"] == 50 and a.docs["big"] == pytest.approx(1000, abs=2)
    everything = plan(costs, budget_seconds=1e9, n_variants=1)
    assert everything.docs == {"small": 50, "big": 10_000} and "every document" in everything.reason


def test_minimum_is_kept_even_over_budget():
    a = plan([TaskCost("a", 100, 10.0, 1.0, minimum=8)], budget_seconds=1, n_variants=3)
    assert a.docs == {"a": 8} and "pilot" in a.reason


def test_spread_from_pilot():
    assert spread_from_pilot([1, 0, 1, 0]) == pytest.approx(Z95 * math.sqrt(2 * 0.5 * 0.5))
    # a pilot at 0% still gets a positive spread (smoothed p = 1/10)
    assert spread_from_pilot([0] * 8) == pytest.approx(Z95 * math.sqrt(2 * 0.1 * 0.9))
    # the widest of several metrics counts; no values: worst case p = 0.5
    assert spread_from_pilot([[0] * 8, [1, 0, 1, 0]]) == pytest.approx(spread_from_pilot([1, 0, 1, 0]))
    assert spread_from_pilot([]) == pytest.approx(Z95 * math.sqrt(0.5))


def test_model_clock_times_only_the_request_methods_and_restores_them():
    import time as _time

    from spin_eval.run.pilot import _ModelClock

    class LM:
        def loglikelihood(self, requests):
            _time.sleep(0.01)
            return [(-1.0, False)] * len(requests)

    lm = LM()
    with _ModelClock(lm) as clock:
        assert lm.loglikelihood([1, 2]) == [(-1.0, False)] * 2
    assert clock.seconds > 0
    assert "loglikelihood" not in lm.__dict__ and lm.loglikelihood.__func__ is LM.loglikelihood


def test_generation_pilot_fills_one_batch_of_the_run():
    """A generation pilot of 3 documents at batch 3 cost ~3x per document what the run's batches of 8 cost."""
    assert pilot_docs(False, 8, 216) == PILOT_DOCS and pilot_docs(False, 8, 5) == 5
    assert pilot_docs(True, 8, 30) == 8
    assert pilot_docs(True, 1, 30) == PILOT_GEN_DOCS  # never fewer than the old pilot
    assert pilot_docs(True, 64, 100) == PILOT_GEN_DOCS_MAX  # a GPU batch: capped
    assert pilot_docs(True, "auto", 30) == 8 and pilot_docs(True, 8, 5) == 5


def test_task_spread_counts_headline_metrics_only():
    """A task without a headline metric gets spread 0 (its minimum documents); the BBQ bias score (records,
    a score in [-1, 1] on the ambiguous half of the documents) gets twice a rate's worst case."""
    from spin_eval.run.pilot import task_spread

    unanswered = [{"metrics": ["unanswered_rate"], "unanswered_rate": v} for v in (0, 1, 0, 0)]
    assert task_spread("spin_overrefusal_mini", unanswered) == pytest.approx(spread_from_pilot([[0, 1, 0, 0]]))
    leak = [{"metrics": ["leak_rate"], "leak_rate": v} for v in (0, 1, 0, 0)]  # no longer a headline metric
    assert task_spread("spin_pii_leakage_mini", leak) == 0.0
    judged = [{"metrics": ["awareness"], "awareness": 1.0}] * 3  # the judged generation form: not a headline metric
    assert task_spread("spin_fairness_awareness_gen_mini", judged) == 0.0
    ppl = [{"metrics": ["word_perplexity"], "word_perplexity": [-12.5, 10]}] * 8  # a headline metric, not in points
    assert task_spread("spin_capability_ppl_mini", ppl) == pytest.approx(spread_from_pilot([]))
    bbq = [{"metrics": ["s_amb"], "s_amb": {"biased": 1, "ambiguous": 1}}] * 8
    assert task_spread("spin_bbq_mini", bbq) == pytest.approx(Z95 * math.sqrt(2.0))
    costs = [TaskCost("headline", 100, 1.0, 1.0, 8), TaskCost("no-headline", 100, 1.0, 0.0, 8)]
    a = plan(costs, 60.0, 1)
    assert a.docs["no-headline"] == 8 and a.docs["headline"] == 52 and a.half_width["no-headline"] == 0.0
