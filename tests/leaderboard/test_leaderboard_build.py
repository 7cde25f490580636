"""spin-eval leaderboard: submit validates against the schema; build ranks correctly and rejects bad files."""

from __future__ import annotations

import csv
import json

import pytest
from run_fixtures import write_fake_suite_run

from spin_eval.cli import main
from spin_eval.errors import InputError
from spin_eval.leaderboard.build import build_leaderboard
from spin_eval.leaderboard.checks import verify_submission
from spin_eval.leaderboard.pack import compute_headline, make_submission

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}


def _submit(tmp_path, name, spin, *, versions=None):
    run = write_fake_suite_run(tmp_path / f"run-{name}", base=BASE, spin=spin, versions=versions)
    out = tmp_path / f"{name}.json"
    assert main(["leaderboard", "submit", str(run), "-o", str(out), "--name", name]) == 0
    return out


def test_headline_numbers_by_hand(tmp_path):
    sub = make_submission(write_fake_suite_run(tmp_path / "r", base=BASE,
                                               spin={"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1}))
    h = sub["headline"]
    assert h["variant"] == "spin"
    assert h["capability"] == pytest.approx(50.0)
    assert h["privacy"] == pytest.approx(80.0)      # 1 - leak rate 0.2
    assert h["fairness"] == pytest.approx(90.0)     # 1 - |s_amb| 0.1
    assert h["overrefusal"] == pytest.approx(10.0)
    # trust 85 vs base mean(80, 50) = 65 -> +20; capability 50 vs 60 -> -10; tax = 10 / 20
    assert h["trust_change"] == pytest.approx(20.0)
    assert h["alignment_tax"] == pytest.approx(0.5)
    verify_submission(json.loads(json.dumps(sub)), where="mem")


def test_build_ranks_and_rejects_tampered(tmp_path):
    good = _submit(tmp_path, "good", {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.05})
    mid = _submit(tmp_path, "mid", {"capability": 0.55, "leak": 0.3, "refusal": 0.1, "bias": 0.1})
    bad = _submit(tmp_path, "bad", {"capability": 0.4, "leak": 0.45, "refusal": 0.3, "bias": 0.2})
    tampered = _submit(tmp_path, "tampered", {"capability": 0.3, "leak": 0.5, "refusal": 0.3, "bias": 0.3})
    doc = json.loads(tampered.read_text())
    doc["headline"]["privacy"] = 99.0  # better-looking number, hash left as it was
    tampered.write_text(json.dumps(doc))
    rehashed = _submit(tmp_path, "rehashed", {"capability": 0.3, "leak": 0.5, "refusal": 0.3, "bias": 0.3})
    doc = json.loads(rehashed.read_text())
    doc["headline"]["privacy"] = 99.0
    from spin_eval.fileio import sha256_json

    doc["integrity"]["content_sha256"] = sha256_json({k: v for k, v in doc.items() if k != "integrity"})
    rehashed.write_text(json.dumps(doc))
    malformed = tmp_path / "malformed.json"
    malformed.write_text(json.dumps({"kind": "spin-eval-submission"}))

    out = tmp_path / "board"
    code = main(["leaderboard", "build", str(bad), str(tampered), str(good), str(malformed), str(mid), str(rehashed),
                 "-o", str(out)])
    assert code == 0
    board = json.loads((out / "leaderboard.json").read_text())
    assert [e["name"] for e in board["entries"]] == ["good", "mid", "bad"]
    assert board["entries"][0]["ranks"]["privacy"] == 1
    reasons = {r["source"].split("/")[-1]: r["reason"] for r in board["rejected"]}
    assert "content hash mismatch" in reasons["tampered.json"]
    assert "headline 'privacy'" in reasons["rehashed.json"]
    assert "schema violation" in reasons["malformed.json"]
    rows = list(csv.DictReader((out / "leaderboard.csv").open()))
    assert [r["name"] for r in rows] == ["good", "mid", "bad"]
    html = (out / "leaderboard.html").read_text()
    assert "good" in html and "content hash mismatch" in html


def test_other_task_version_is_ranked_apart_not_rejected(tmp_path):
    """A submission on another task version is not comparable: it is ranked in its own task-set group,
    never rejected because the others disagree (issue 29: a majority cannot define the task set)."""
    a = _submit(tmp_path, "a", {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.05})
    b = _submit(tmp_path, "b", {"capability": 0.6, "leak": 0.2, "refusal": 0.05, "bias": 0.05})
    old = _submit(tmp_path, "old", {"capability": 0.7, "leak": 0.0, "refusal": 0.0, "bias": 0.0},
                  versions={"spin_capability_mc_mini": 0.5, "spin_pii_leakage_mini": 1.0,
                            "spin_overrefusal_mini": 1.0, "spin_bbq_mini": 1.0})
    board = build_leaderboard([a, b, old])
    assert not board.rejected
    assert [(e.group, e.position, e.name) for e in board.entries] == [(1, 1, "a"), (1, 2, "b"), (2, 1, "old")]
    assert board.groups[1]["tasks"]["spin_capability_mc_mini"]["version"] == 0.5
    out = tmp_path / "board"
    assert main(["leaderboard", "build", str(a), str(b), str(old), "-o", str(out)]) == 0
    assert "Task set 2" in (out / "leaderboard.html").read_text()


def test_html_escapes_names(tmp_path):
    sub = _submit(tmp_path, "<script>alert(1)</script>", {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.05})
    out = tmp_path / "b"
    assert main(["leaderboard", "build", str(sub), "-o", str(out)]) == 0
    html = (out / "leaderboard.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_submit_bad_input_exits_2(tmp_path, capsys):
    assert main(["leaderboard", "submit", str(tmp_path / "missing"), "-o", str(tmp_path / "s.json")]) == 2
    assert "missing" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()
    junk = tmp_path / "junk.json"
    junk.write_text("{{")
    assert main(["leaderboard", "build", str(junk), "-o", str(tmp_path / "o")]) == 2


def test_compute_headline_no_base_has_no_tax(tmp_path):
    sub = make_submission(write_fake_suite_run(tmp_path / "r", base=BASE, spin=BASE))
    assert sub["headline"]["alignment_tax"] is None  # no trust gain
    results = {"model": sub["results"]["spin"]}
    assert compute_headline(results)["alignment_tax"] is None
    with pytest.raises(InputError):
        verify_submission({"schema_version": 1}, where="x")


def test_perplexity_change_with_ci_and_control_comparison_reaches_the_entry(tmp_path):
    from run_fixtures import write_fake_run

    from spin_eval.leaderboard.pack import unitless_changes
    from spin_eval.results.load import load_run

    task = "spin_capability_ppl_mini"
    n = 30
    # (log-likelihood, words) per document; SPIN loses 0.3 nats per word everywhere, the control nothing
    base = [[-4.0 * 10 - (i % 3), 10] for i in range(n)]
    spin = [[ll - 3.0, w] for ll, w in base]
    runs = {}
    for name, vals in (("base", base), ("spin", spin), ("control-random", base)):
        write_fake_run(tmp_path / name, {task: {"word_perplexity": vals}},
                       higher_is_better={task: {"word_perplexity": False}})
        runs[name] = load_run(tmp_path / name, name=name)
    out = unitless_changes(runs, "spin")
    entry = out[f"{task}/word_perplexity"]
    assert entry["value"] > entry["baseline"] and entry["delta"] == pytest.approx(entry["value"] - entry["baseline"])
    assert entry["ci"][0] is not None and entry["ci"][0] > 0 and entry["significant"]
    assert entry["vs_controls"]["control-random"]["significant"]
