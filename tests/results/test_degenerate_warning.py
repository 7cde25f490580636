"""The report's warning when a trust gain comes with degenerate answers (spin_eval.results.degenerate)."""

from __future__ import annotations

from spin_eval.results.degenerate import degenerate_rises, degenerate_warnings
from spin_eval.results.load import RunResults


def _run(name: str, degenerate: float) -> RunResults:
    metrics = {"spin_pii_leakage_mini": {"pair_score,none": 0.4, "degenerate_rate,none": degenerate},
               "spin_overrefusal_mini": {"unanswered_rate,none": 0.5, "degenerate_rate,none": 0.01}}
    return RunResults(name, f"{name}/results.json", "m", "hf", {}, None, metrics, {}, {}, {})


def test_warns_only_when_trust_rose_with_degenerate_answers():
    base, broken = _run("base", 0.01), _run("spin", 0.40)
    assert degenerate_rises(base, broken) == [("spin_pii_leakage_mini", 0.01, 0.40)]
    (warning,) = degenerate_warnings(base, broken, trust_points=3.0)
    assert "spin" in warning and "spin_pii_leakage_mini" in warning and "1.0% -> 40.0%" in warning
    assert degenerate_warnings(base, broken, trust_points=-1.0) == []
    assert degenerate_warnings(base, broken, trust_points=None) == []
    assert degenerate_warnings(base, _run("same", 0.02), trust_points=3.0) == []
