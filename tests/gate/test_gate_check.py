"""spin-eval check: pass for identical runs, fail for a hurt metric, exit 2 on bad input, CI outputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from run_fixtures import write_fake_run

from spin_eval.cli import main
from spin_eval.errors import InputError
from spin_eval.gate.check import run_check
from spin_eval.gate.policy import load_policy, policy_from_dict
from spin_eval.results.runfolder import resolve_run as load_variant

N = 60
GOOD = [1.0 if i % 5 else 0.0 for i in range(N)]  # accuracy 0.8
ALSO = [1.0 if i % 3 else 0.0 for i in range(N)]


def _tasks(acc):
    return {"spin_capability": {"acc": acc}, "spin_overrefusal": {"refusal_rate": [0.0] * (N - 6) + [1.0] * 6}}


def test_identical_runs_pass(tmp_path, capsys):
    write_fake_run(tmp_path / "a", _tasks(GOOD))
    write_fake_run(tmp_path / "b", _tasks(GOOD))
    md, junit = tmp_path / "out.md", tmp_path / "out.xml"
    code = main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "b"),
                 "--markdown", str(md), "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out and "spin_capability/acc" in out
    assert "PASS" in md.read_text()
    suite = ET.parse(junit).getroot()
    assert suite.get("failures") == "0"
    assert int(suite.get("tests")) == 3  # two metrics + the fingerprint check


def test_hurt_metric_fails_with_significance(tmp_path, capsys):
    hurt = [0.0 if i < 30 else v for i, v in enumerate(GOOD)]  # 0.8 -> 0.4 on the same docs
    write_fake_run(tmp_path / "a", _tasks(GOOD))
    write_fake_run(tmp_path / "b", _tasks(hurt))
    junit = tmp_path / "j.xml"
    code = main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "b"), "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "spin_capability/acc" in out
    failed = [tc.get("name") for tc in ET.parse(junit).getroot().iter("testcase") if tc.find("failure") is not None]
    assert failed == ["spin_capability/acc"]


def test_lower_is_better_direction_and_small_change_passes(tmp_path):
    # refusal rate up by 1/60 (one doc): under max_regression 0.02 -> pass; up by 20 docs -> fail.
    base = _tasks(GOOD)
    small = _tasks(GOOD)
    small["spin_overrefusal"]["refusal_rate"] = [0.0] * (N - 7) + [1.0] * 7
    big = _tasks(GOOD)
    big["spin_overrefusal"]["refusal_rate"] = [0.0] * (N - 26) + [1.0] * 26
    hib = {"spin_capability": {"acc": True}, "spin_overrefusal": {"refusal_rate": False}}
    a = load_variant(write_fake_run(tmp_path / "a", base, higher_is_better=hib))
    s = load_variant(write_fake_run(tmp_path / "s", small, higher_is_better=hib))
    b = load_variant(write_fake_run(tmp_path / "b", big, higher_is_better=hib))
    policy = load_policy()
    assert run_check(a, s, policy).passed
    res = run_check(a, b, policy)
    assert not res.passed
    (bad,) = [m for m in res.metrics if m.status == "fail"]
    assert bad.metric == "refusal_rate" and bad.regression == pytest.approx(20 / N)
    assert bad.ci_low > 0  # the paired CI of the delta excludes 0
    # an improvement (fewer refusals) is never a regression
    assert run_check(b, a, policy).passed


def test_significant_only_false_fails_on_size_alone(tmp_path):
    one_worse = list(GOOD)
    one_worse[1] = 0.0
    one_worse[2] = 0.0  # -2/60 = -0.033: not significant with 2 discordant docs
    a = load_variant(write_fake_run(tmp_path / "a", _tasks(GOOD)))
    b = load_variant(write_fake_run(tmp_path / "b", _tasks(one_worse)))
    assert run_check(a, b, load_policy()).passed
    strict = policy_from_dict({"default": {"max_regression": 0.01, "significant_only": False}}, "strict")
    assert not run_check(a, b, strict).passed


def test_fingerprint_mismatch_fails(tmp_path):
    a = load_variant(write_fake_run(tmp_path / "a", _tasks(GOOD)))
    b = load_variant(write_fake_run(tmp_path / "b", _tasks(GOOD), fingerprint="0" * 64))
    res = run_check(a, b, load_policy())
    assert not res.passed
    assert any("fingerprint" in f for f in res.failures)
    lax = policy_from_dict({"require_same_fingerprint": False}, "lax")
    assert run_check(a, b, lax).passed


def test_missing_samples_fall_back_to_stderr(tmp_path):
    a = load_variant(write_fake_run(tmp_path / "a", _tasks(GOOD), with_samples=False))
    b = load_variant(write_fake_run(tmp_path / "b", _tasks(GOOD), with_samples=False))
    res = run_check(a, b, load_policy())
    assert res.passed
    assert all("stderr" in m.method for m in res.metrics)


@pytest.mark.parametrize(
    "policy_text",
    ["alpha: 2\n", "default: {max_regression: -1}\n", "bogus_key: 1\n", "rules: [{task: x, colour: red}]\n", "[1, 2\n"],
)
def test_bad_policy_exits_2(tmp_path, capsys, policy_text):
    write_fake_run(tmp_path / "a", _tasks(GOOD))
    policy = tmp_path / "p.yaml"
    policy.write_text(policy_text)
    code = main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "a"), "--policy", str(policy)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(policy) in err


def test_bad_run_paths_exit_2(tmp_path, capsys):
    write_fake_run(tmp_path / "a", _tasks(GOOD))
    (tmp_path / "empty").mkdir()
    assert main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "nope")]) == 2
    assert main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "empty")]) == 2
    assert "no results_*.json" in capsys.readouterr().err
    broken = tmp_path / "broken" / "m"
    broken.mkdir(parents=True)
    (broken / "results_x.json").write_text("{not json")
    with pytest.raises(InputError, match="results_x.json"):
        load_variant(tmp_path / "broken")


def test_default_policy_loads():
    policy = load_policy()
    assert policy.rule_for("spin_pii_leakage", "leak_rate").max_regression == 0.0
    assert policy.rule_for("spin_capability", "acc") == policy.default


def _catalog_tasks(acc):
    """Tasks the metric catalog knows: their aggregates are recomputed from the samples by the gate."""
    return {"spin_capability_mc": {"acc": acc}}


def _edit_results(folder, task, key, value):
    import json

    (path,) = folder.glob("*/results_*.json")
    data = json.loads(path.read_text())
    data["results"][task][key] = value
    path.write_text(json.dumps(data))
    return path


def test_results_that_disagree_with_their_samples_are_refused(tmp_path, capsys):
    # the candidate's samples show accuracy 0.8 -> 0.27, but its results file still says 0.8
    hurt = [0.0 if i < 30 else v for i, v in enumerate(GOOD)]
    hurt = [0.0 if 30 <= i < 40 else v for i, v in enumerate(hurt)]
    write_fake_run(tmp_path / "a", _catalog_tasks(GOOD))
    write_fake_run(tmp_path / "b", _catalog_tasks(hurt))
    results = _edit_results(tmp_path / "b", "spin_capability_mc", "acc,none", 0.8)
    code = main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "b")])
    err = capsys.readouterr().err.strip().splitlines()[-1]  # (above it: the progress bar)
    assert code == 2
    assert err.startswith(f"spin-eval: error: {results}: spin_capability_mc/acc: the results file reports 0.8 but its "
                          "samples give 0.266667")
    # the same samples with an honest results file: judged, and the regression fails the gate
    _edit_results(tmp_path / "b", "spin_capability_mc", "acc,none", sum(hurt) / len(hurt))
    assert main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "b")]) == 1


def test_sample_values_of_the_wrong_type_are_refused(tmp_path, capsys):
    write_fake_run(tmp_path / "a", _catalog_tasks(GOOD))
    write_fake_run(tmp_path / "b", _catalog_tasks(GOOD))
    (samples,) = (tmp_path / "b").glob("*/samples_spin_capability_mc_*.jsonl")
    samples.write_text(samples.read_text().replace('"acc": 1.0', '"acc": "x"'))
    code = main(["check", "--baseline", str(tmp_path / "a"), "--candidate", str(tmp_path / "b")])
    err = capsys.readouterr().err
    # refused by the samples reader (spin_eval.lmeval_rows) before any aggregate is computed
    assert code == 2 and "samples_spin_capability_mc" in err and "'acc' = 'x' must be a number" in err


def test_metrics_unknown_to_the_catalog_are_taken_as_reported(tmp_path):
    # lm-eval's aggregate of an unknown metric may not be a mean (e.g. BLEU): no recomputation, no refusal
    write_fake_run(tmp_path / "a", _tasks(GOOD))
    write_fake_run(tmp_path / "b", _tasks(GOOD))
    _edit_results(tmp_path / "b", "spin_capability", "acc,none", 0.5)
    res = run_check(load_variant(tmp_path / "a"), load_variant(tmp_path / "b"), load_policy())
    (acc,) = [m for m in res.metrics if m.metric == "acc"]
    assert acc.candidate == 0.5 and acc.n_paired == N
