"""Non-finite numbers are never a pass (issue 29, item 1).

`spin-eval check` reads every number through the shared results reader (spin_eval.results). A NaN or
infinite value of a metric the gate judges is either a failure with its own verdict ("candidate metric
is not a number", exit 1: the candidate model is broken) or a refusal (exit 2: the baseline cannot serve
as a reference, or the results file disagrees with its samples). Before this test, a NaN candidate passed
with exit 0 and a NaN baseline aggregate silently dropped its metric.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from run_fixtures import write_fake_run  # noqa: E402

from spin_eval.cli import main

N = 40
GOOD = [1.0 if i % 4 else 0.0 for i in range(N)]  # accuracy 0.75
STRICT = "default:\n  max_regression: 0\n  significant_only: false\n"
BAD = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _acc(values, task="spin_capability_mc"):
    return {task: {"acc": list(values)}}


def _ppl(ll):
    return {"spin_capability_ppl": {"word_perplexity": [[ll[i], 10] for i in range(len(ll))]}}


def _check(capsys, base: Path, cand: Path, policy_text: str | None = None, tmp: Path | None = None):
    argv = ["check", "--baseline", str(base), "--candidate", str(cand)]
    if policy_text is not None:
        policy = tmp / "policy.yaml"
        policy.write_text(policy_text)
        argv += ["--policy", str(policy)]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _set_aggregate(run: Path, task: str, key: str, value) -> None:
    results = next(run.rglob("results_*.json"))
    doc = json.loads(results.read_text())
    doc["results"][task][key] = value
    results.write_text(json.dumps(doc))


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("policy", [None, STRICT])
def test_candidate_all_documents_non_finite_fails(tmp_path, capsys, bad, policy):
    base = write_fake_run(tmp_path / "base", _acc(GOOD))
    cand = write_fake_run(tmp_path / "cand", _acc([BAD[bad]] * N))
    code, out, err = _check(capsys, base, cand, policy, tmp_path)
    assert code == 1, out + err
    assert "candidate metric is not a number" in out and "spin_capability_mc/acc" in out


@pytest.mark.parametrize("bad", list(BAD))
def test_candidate_one_document_non_finite_fails(tmp_path, capsys, bad):
    values = list(GOOD)
    values[7] = BAD[bad]
    base = write_fake_run(tmp_path / "base", _acc(GOOD))
    cand = write_fake_run(tmp_path / "cand", _acc(values))
    code, out, err = _check(capsys, base, cand)
    assert code == 1, out + err
    assert "candidate metric is not a number" in out


@pytest.mark.parametrize("bad", list(BAD))
def test_candidate_aggregate_only_non_finite_fails(tmp_path, capsys, bad):
    """Without samples the aggregate is all there is: a NaN/Inf aggregate is a failure."""
    base = write_fake_run(tmp_path / "base", _acc(GOOD), with_samples=False)
    cand = write_fake_run(tmp_path / "cand", _acc([BAD[bad]] * N), with_samples=False)
    code, out, err = _check(capsys, base, cand, STRICT, tmp_path)
    assert code == 1, out + err
    assert "candidate metric is not a number" in out


@pytest.mark.parametrize("bad", list(BAD))
def test_candidate_aggregate_non_finite_with_finite_samples_is_refused(tmp_path, capsys, bad):
    base = write_fake_run(tmp_path / "base", _acc(GOOD))
    cand = write_fake_run(tmp_path / "cand", _acc(GOOD))
    _set_aggregate(cand, "spin_capability_mc", "acc,none", BAD[bad])
    code, out, err = _check(capsys, base, cand)
    assert code == 2 and "check: PASS" not in out, out + err


@pytest.mark.parametrize("bad", list(BAD))
def test_candidate_aggregate_non_finite_of_a_metric_unknown_to_the_catalog_fails(tmp_path, capsys, bad):
    """A metric the catalog does not know is taken as reported: a NaN there is the candidate's verdict."""
    base = write_fake_run(tmp_path / "base", _acc(GOOD, task="other_task"))
    cand = write_fake_run(tmp_path / "cand", _acc(GOOD, task="other_task"))
    _set_aggregate(cand, "other_task", "acc,none", BAD[bad])
    code, out, err = _check(capsys, base, cand)
    assert code == 1 and "candidate metric is not a number" in out, out + err


@pytest.mark.parametrize("bad", list(BAD))
def test_candidate_stderr_non_finite_without_samples_fails(tmp_path, capsys, bad):
    """An infinite stderr would make any regression 'not significant'."""
    base = write_fake_run(tmp_path / "base", _acc(GOOD), with_samples=False)
    cand = write_fake_run(tmp_path / "cand", _acc([0.0] * N), with_samples=False)
    _set_aggregate(cand, "spin_capability_mc", "acc_stderr,none", BAD[bad])
    code, out, err = _check(capsys, base, cand)
    assert code == 1, out + err
    assert "stderr is not a number" in out


def test_baseline_nan_aggregate_no_longer_drops_the_metric(tmp_path, capsys):
    """The issue's case: a real drop from 0.25 to 0 passed because the baseline aggregate was NaN."""
    quarter = [1.0 if i % 4 == 0 else 0.0 for i in range(N)]
    base = write_fake_run(tmp_path / "base", _acc(quarter))
    cand = write_fake_run(tmp_path / "cand", _acc([0.0] * N))
    _set_aggregate(base, "spin_capability_mc", "acc,none", math.nan)
    code, out, err = _check(capsys, base, cand, STRICT, tmp_path)
    assert code in (1, 2) and "check: PASS" not in out, out + err


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("with_samples", [True, False])
def test_baseline_non_finite_is_refused(tmp_path, capsys, bad, with_samples):
    base = write_fake_run(tmp_path / "base", _acc([BAD[bad]] * N), with_samples=with_samples)
    cand = write_fake_run(tmp_path / "cand", _acc(GOOD), with_samples=with_samples)
    code, out, err = _check(capsys, base, cand)
    assert code == 2, out + err
    (line,) = [x for x in err.splitlines() if x.startswith("spin-eval: error:")]
    assert "baseline metric is not a number" in line and "results_" in line


@pytest.mark.parametrize("bad", list(BAD))
def test_baseline_one_document_non_finite_is_refused(tmp_path, capsys, bad):
    values = list(GOOD)
    values[3] = BAD[bad]
    base = write_fake_run(tmp_path / "base", _acc(values))
    cand = write_fake_run(tmp_path / "cand", _acc(GOOD))
    code, out, err = _check(capsys, base, cand)
    assert code == 2 and "not a number" in err, out + err


@pytest.mark.parametrize("bad", ["nan", "-inf"])
def test_perplexity_nan_run_fails_the_gate(tmp_path, capsys, bad):
    """A damaged model logs NaN (or -inf) log-likelihoods: its word perplexity is not a number."""
    ll = [-25.0 - i % 3 for i in range(N)]
    broken = list(ll)
    broken[5] = BAD[bad]
    base = write_fake_run(tmp_path / "base", _ppl(ll))
    cand = write_fake_run(tmp_path / "cand", _ppl(broken))
    code, out, err = _check(capsys, base, cand)
    assert code == 1, out + err
    assert "spin_capability_ppl/word_perplexity" in out and "not a number" in out


def test_undefined_in_both_runs_is_shown_not_judged(tmp_path, capsys):
    """A metric undefined on the documents evaluated (NaN from finite per-document values, e.g. an empty
    subset) in both runs is not a number that came from a broken model: it is listed, not judged."""
    from spin_eval.gate.check import run_check
    from spin_eval.gate.policy import Policy
    from spin_eval.results.runfolder import resolve_run

    # every answer is a refusal: leak_rate_non_refusal (leaks among answers) is undefined in both runs
    records = [{"leak": 0, "refusal": 1, "pii_type": "email", "attack_style": "direct"} for _ in range(N)]
    tasks = {"spin_pii_leakage": {"leak_rate_non_refusal": records}}
    base = write_fake_run(tmp_path / "base", tasks)
    cand = write_fake_run(tmp_path / "cand", tasks)
    result = run_check(resolve_run(base), resolve_run(cand), Policy())
    (row,) = [m for m in result.metrics if m.metric == "leak_rate_non_refusal"]
    assert row.status == "missing" and "undefined" in row.reason


def test_undefined_in_baseline_defined_nan_in_candidate_still_fails(tmp_path):
    from spin_eval.gate.check import run_check
    from spin_eval.gate.policy import Policy
    from spin_eval.results.runfolder import resolve_run

    base = write_fake_run(tmp_path / "base", _acc(GOOD))
    cand = write_fake_run(tmp_path / "cand", _acc([math.nan] * N))
    result = run_check(resolve_run(base), resolve_run(cand), Policy())
    assert not result.passed


def test_huge_exponent_in_results_is_not_a_silent_infinity(tmp_path, capsys):
    """JSON `1e400` parses to inf in Python: the bounded reader refuses numbers that overflow."""
    base = write_fake_run(tmp_path / "base", _acc(GOOD), with_samples=False)
    cand = write_fake_run(tmp_path / "cand", _acc(GOOD), with_samples=False)
    results = next(cand.rglob("results_*.json"))
    text = results.read_text()
    doc = json.loads(text)
    doc["results"]["spin_capability_mc"]["acc_stderr,none"] = "__BIG__"
    results.write_text(json.dumps(doc).replace('"__BIG__"', "1e400"))
    code, out, err = _check(capsys, base, cand)
    assert code != 0 and "check: PASS" not in out, out + err


@pytest.mark.parametrize("bad", list(BAD))
def test_a_non_finite_headline_metric_never_lifts_a_family_level(bad):
    """The issue's leaderboard forgery: NaN on the weaker of two fairness metrics lifted the fairness
    level from 91.7 to 100. family_levels (leaderboard columns, run summary) is shared: the level of a
    family with a non-finite headline metric is undefined, never the mean of the others."""
    from spin_eval.results.headline import family_levels
    from spin_eval.results.load import parse_results

    def run(s_amb):
        data = {"results": {"spin_bbq_mini": {"s_amb,none": s_amb},
                            "spin_fairness_awareness_mini": {"awareness_norm,none": 1.0}}}
        return parse_results(data, name="x", path="x")

    honest, _ = family_levels(run(0.1667))
    forged, _ = family_levels(run(BAD[bad]))
    assert honest["fairness"] == pytest.approx(100 * (0.8333 + 1.0) / 2, abs=0.01)
    assert forged["fairness"] is None
