"""One alignment tax: the report, the leaderboard and `spin-eval run`'s summary agree for the same runs."""

from __future__ import annotations

import math

import pytest
from run_fixtures import write_fake_suite_run

from spin_eval.leaderboard.pack import make_submission
from spin_eval.report import compare_runs
from spin_eval.results.runfolder import load_runs
from spin_eval.run.summary import summarize

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}
CASES = {
    # trust +20 points, clearly significant: tax = 10 capability points lost / 20 trust points gained
    "defined": ({"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1}, 0.5),
    # no change at all
    "no change": (dict(BASE), None),
    # trust up by one document of 20 (+2.5 points): a point estimate above 0 but not significant; the old
    # leaderboard gave a tax here while the report said "undefined"
    "not significant": ({"capability": 0.55, "leak": 0.45, "refusal": 0.1, "bias": 0.2}, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_report_leaderboard_and_summary_give_one_tax(tmp_path, case):
    spin, expected = CASES[case]
    run_dir = write_fake_suite_run(tmp_path / "run", base=BASE, spin=spin)
    report_tax = compare_runs(load_runs([run_dir]), "base").tax
    assert [t.variant for t in report_tax] == ["spin"]
    entry = report_tax[0]
    board = make_submission(run_dir)["headline"]
    summary = summarize(run_dir, ["base", "spin"])

    if expected is None:
        assert entry.tax_per_point is None and board["alignment_tax"] is None
        assert "tax undefined" in entry.summary
    else:
        assert entry.tax_per_point == pytest.approx(expected)
        assert board["alignment_tax"] == pytest.approx(entry.tax_per_point, rel=1e-12)
        assert board["alignment_tax_ci"] == pytest.approx([entry.tax_ci_low, entry.tax_ci_high], rel=1e-12)
    assert math.isclose(board["trust_change"], entry.trust.points, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(board["capability_change"], entry.capability.points, rel_tol=1e-12, abs_tol=1e-12)
    assert f"alignment tax: {entry.summary}" in summary.splitlines()
