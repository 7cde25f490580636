"""Attacks on the leaderboard (issue 29 item 3, issue 22 item 4), on fake runs (no model):

* identity: a replay with an edited date (resealed) is the same submission; replays cannot outvote
  honest submissions into "mismatched tasks"; evidence repeating another's documents is flagged;
* non-finite numbers in results, samples, headline and evidence are refused, never ranked;
* evidence files that are FIFOs, devices or too large are refused with a one-line error;
* ``verify`` and ``build`` share one ``check_submission()``: string / out-of-range doc ids, non-integer
  seeds and a forged ``samples`` field fail the same way in both, without loading a model;
* the leaderboard decides "results follow from samples" with the results layer's rule and tolerance.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading

import pytest
from run_fixtures import write_fake_suite_run

from spin_eval.cli import main
from spin_eval.fileio import sha256_json
from spin_eval.leaderboard.build import build_leaderboard
from spin_eval.leaderboard.evidence import evidence_bytes, evidence_path
from spin_eval.leaderboard.pack import compute_headline

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}
GOOD = {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.1}
OTHER = {"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1}
V2 = {"spin_capability_mc_mini": 2.0, "spin_pii_leakage_mini": 1.0, "spin_overrefusal_mini": 1.0, "spin_bbq_mini": 1.0}


def _submit(tmp_path, name, spin, *, versions=None, run=None):
    run = run or write_fake_suite_run(tmp_path / f"run-{name}", base=BASE, spin=spin, versions=versions)
    out = tmp_path / f"{name}.json"
    assert main(["leaderboard", "submit", str(run), "-o", str(out), "--name", name]) == 0
    return out


def _reseal(path, doc):
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256",
                        "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    path.write_text(json.dumps(doc))
    return path


def _rows(path, doc, variant, task):
    ref = doc["evidence"][variant][task]
    return [json.loads(x) for x in evidence_path(path.parent, ref["sha256"]).read_text().splitlines()]


def _rewrite_evidence(path, doc, variant, task, rows):
    data = evidence_bytes(rows)
    digest = hashlib.sha256(data).hexdigest()
    evidence_path(path.parent, digest).write_bytes(data)
    doc["evidence"][variant][task] = {"sha256": digest, "documents": len({json.dumps(r["doc_id"]) for r in rows}),
                                      "bytes": len(data)}


def _reason(board, path):
    reasons = {src: reason for src, reason in board.rejected}
    assert str(path) in reasons, f"{path} was not rejected: {board.rejected}"
    assert "\n" not in reasons[str(path)]
    return reasons[str(path)]


def _replay(src, dst, *, date, name):
    """What a stuffer does: copy a submission, edit metadata numbers (dates, name), reseal the hashes."""
    doc = json.loads(src.read_text())
    for results in doc["results"].values():
        results["date"] = date
    doc["created"] = f"2026-0{1 + int(date) % 8}-01T00:00:00+00:00"
    doc["name"] = name
    return _reseal(dst, doc)


# ------------------------------------------------------------------------------------------------- identity


def test_replay_with_edited_date_is_the_same_submission(tmp_path):
    first = _submit(tmp_path, "first", GOOD)
    again = _replay(first, tmp_path / "again.json", date=1234.5, name="someone else")
    board = build_leaderboard([first, again])
    assert [e.name for e in board.entries] == ["first"]
    assert f"duplicate: the same evaluated content as {first}" in _reason(board, again)


def test_replays_cannot_outvote_honest_submissions(tmp_path):
    """Three date-edited replays of one run on other task versions used to define the "reference task
    set" by majority and reject both honest submissions as "mismatched tasks"."""
    a, b = _submit(tmp_path, "a", GOOD), _submit(tmp_path, "b", OTHER)
    stuffer = _submit(tmp_path, "stuffer", {**GOOD, "leak": 0.0}, versions=V2)
    replays = [_replay(stuffer, tmp_path / f"r{i}.json", date=float(i), name=f"r{i}") for i in range(3)]
    board = build_leaderboard([a, b, stuffer, *replays])
    ranked = sorted(e.name for e in board.entries)
    assert ranked == ["a", "b", "stuffer"]
    assert all("duplicate" in _reason(board, r) for r in replays)
    assert not any("mismatched" in reason for _, reason in board.rejected)


def test_other_task_sets_are_ranked_apart_never_rejected(tmp_path):
    """Even distinct runs on other tasks never reject anyone: each task set is ranked in its own group."""
    a, b = _submit(tmp_path, "a", GOOD), _submit(tmp_path, "b", OTHER)
    others = [_submit(tmp_path, f"o{i}", {**OTHER, "leak": 0.05 * i}, versions=V2) for i in range(3)]
    board = build_leaderboard([a, b, *others])
    assert not board.rejected
    groups = {e.name: e.group for e in board.entries}
    assert groups["a"] == groups["b"] and len({groups["o0"], groups["o1"], groups["o2"]}) == 1
    assert groups["a"] != groups["o0"]
    positions = {e.name: e.position for e in board.entries}
    assert sorted(positions[n] for n in ("a", "b")) == [1, 2]  # ranked within its own task set
    assert sorted(positions[n] for n in ("o0", "o1", "o2")) == [1, 2, 3]
    payload = board.to_json()
    assert len(payload["groups"]) == 2 and all(g["tasks"] for g in payload["groups"])


def test_evidence_repeating_another_submission_is_flagged(tmp_path):
    """Same per-document evidence claimed for another model and mask (a new identity, so not a duplicate):
    flagged whatever the name or date."""
    honest = _submit(tmp_path, "honest", GOOD)
    doc = json.loads(honest.read_text())
    doc["model"]["fingerprint"] = "e" * 64
    for results in doc["results"].values():
        spin = results["config"]["spin"]
        if spin.get("mask_metadata"):
            spin["mask_metadata"]["model_fingerprint"] = "e" * 64
        results["date"] = 99.0
    doc["name"] = "my own model"
    copy = _reseal(tmp_path / "copy.json", doc)
    board = build_leaderboard([honest, copy])
    flags = {e.name: e.flags for e in board.entries}
    assert any("repeats the per-document evidence of 'honest'" in f for f in flags["my own model"])
    assert any("repeats the per-document evidence of 'my own model'" in f for f in flags["honest"])


def test_identity_ignores_metadata_but_not_content():
    from spin_eval.leaderboard.identity import document_fingerprints

    row = {"doc_id": 0, "doc_hash": "d", "prompt_hash": "p", "target_hash": "t", "filter": "none",
           "resps": [["-1.234567891", "False"]], "filtered_resps": [["-1.234567891", "False"]], "metrics": ["acc"],
           "acc": 1.0, "doc": {"q": "x"}, "arguments": {}}
    same = dict(row, doc={"q": "x", "note": "edited"}, extra="field")
    other = dict(row, acc=0.0)
    fp = document_fingerprints
    assert fp({"t": [row]}) == fp({"t": [same]}) != fp({"t": [other]})


# --------------------------------------------------------------------------------------------- non-finite


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_results_value_is_refused(tmp_path, bad):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    doc["results"]["spin"]["results"]["spin_bbq_mini"]["s_amb,none"] = bad
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "results.spin.results.spin_bbq_mini.s_amb,none" in reason and "not a finite number" in reason


@pytest.mark.parametrize("where", ["samples", "headline"])
def test_non_finite_samples_or_headline_is_refused(tmp_path, where):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    if where == "samples":
        entry = next(iter(doc["samples"]["spin"]["spin_capability_mc_mini"].values()))
        entry["values"]["acc"] = float("nan")
    else:
        doc["headline"]["fairness"] = float("nan")
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert f"field {where}." in reason and "not a finite number" in reason


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1e999"])
def test_non_finite_evidence_value_is_refused(tmp_path, bad):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    rows = _rows(path, doc, "spin", "spin_capability_mc_mini")
    rows[3]["acc"] = "@@"
    data = evidence_bytes(rows).replace(b'"@@"', bad.encode())
    digest = hashlib.sha256(data).hexdigest()
    evidence_path(path.parent, digest).write_bytes(data)
    doc["evidence"]["spin"]["spin_capability_mc_mini"].update(sha256=digest, bytes=len(data))
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "evidence spin/spin_capability_mc_mini" in reason and "line 4" in reason and "acc" in reason
    assert "not a finite number" in reason


def test_nan_sub_metric_never_lifts_a_family_level():
    """Two fairness headline metrics, the weaker one NaN: the level is undefined, not the stronger alone."""
    from spin_eval.results.headline import family_levels
    from spin_eval.results.load import parse_results

    results = {"results": {"spin_bbq_mini": {"s_amb,none": 0.0},  # goodness 100
                           "spin_fairness_awareness_mini": {"awareness_norm,none": 0.5}}}  # goodness 50
    levels, _ = family_levels(parse_results(results, name="x", path="x"))
    assert levels["fairness"] == 75.0
    results["results"]["spin_fairness_awareness_mini"]["awareness_norm,none"] = float("nan")
    levels, _ = family_levels(parse_results(results, name="x", path="x"))
    assert levels["fairness"] is None


def test_submit_refuses_a_run_with_a_nan_metric(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=GOOD)
    results = next((run / "runs" / "spin").rglob("results_*.json"))
    doc = json.loads(results.read_text())
    doc["results"]["spin_capability_mc_mini"]["acc,none"] = float("nan")
    results.write_text(json.dumps(doc))
    assert main(["leaderboard", "submit", str(run), "-o", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "spin_capability_mc_mini" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s.json").exists()


# ------------------------------------------------------------------------------------------ special files


def _evidence_file(path):
    doc = json.loads(path.read_text())
    return evidence_path(path.parent, doc["evidence"]["spin"]["spin_bbq_mini"]["sha256"])


def test_fifo_evidence_does_not_hang_build(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    file = _evidence_file(path)
    file.unlink()
    os.mkfifo(file)
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("board", build_leaderboard([path])), daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # release the blocked reader before failing
        fd = os.open(file, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail("build hangs on an evidence file that is a FIFO")
    assert "not a regular file" in _reason(box["board"], path)


def test_evidence_symlink_to_a_device_is_refused(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    file = _evidence_file(path)
    file.unlink()
    file.symlink_to("/dev/zero")
    assert "not a regular file" in _reason(build_leaderboard([path]), path)


def test_oversized_evidence_is_refused_before_reading(tmp_path, monkeypatch):
    from spin_eval.leaderboard import submission_io as submission_io

    path = _submit(tmp_path, "s", GOOD)
    monkeypatch.setattr(submission_io, "MAX_EVIDENCE_BYTES", 100)
    assert "over the limit of" in _reason(build_leaderboard([path]), path)


def test_fifo_submission_is_refused(tmp_path, capsys):
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    board = build_leaderboard([fifo])
    assert "not a regular file" in _reason(board, fifo)


# --------------------------------------------------------------------------------- one check_submission()


def _edit_rows(path, task, edit):
    doc = json.loads(path.read_text())
    for variant in ("base", "spin"):
        rows = _rows(path, doc, variant, task)
        edit(rows)
        _rewrite_evidence(path, doc, variant, task, rows)
    return _reseal(path, doc)


def _verify(path, capsys):
    capsys.readouterr()
    code = main(["leaderboard", "verify", str(path), "--docs", "2", "--seed", "1", "--model", "/nonexistent/model"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("doc_id, expected", [("7", "doc_id"), (10**6, "doc_id 1000000"), (-1, "doc_id -1")])
def test_bad_doc_id_is_one_line_exit_2_in_verify_and_refused_by_build(tmp_path, capsys, doc_id, expected):
    path = _submit(tmp_path, "s", GOOD)

    def edit(rows):
        rows[0]["doc_id"] = doc_id

    _edit_rows(path, "spin_overrefusal_mini", edit)
    assert expected in _reason(build_leaderboard([path]), path)
    code, out = _verify(path, capsys)
    assert code == 2 and out.startswith("CANNOT-VERIFY: ") and expected in out.splitlines()[0]


@pytest.mark.parametrize("seed", ["abc", 1.5, True, None])
def test_non_integer_seed_is_refused_by_both(tmp_path, capsys, seed):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    doc["results"]["spin"]["config"]["random_seed"] = seed
    _reseal(path, doc)
    if seed is None:  # null: not recorded, lm-eval's default is used; accepted
        assert [e.name for e in build_leaderboard([path]).entries] == ["s"]
        return
    assert "random_seed" in _reason(build_leaderboard([path]), path)
    code, out = _verify(path, capsys)
    assert code == 2 and "random_seed" in out.splitlines()[0]


def test_verify_rejects_a_forged_samples_field_like_build(tmp_path, capsys):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    for entry in doc["samples"]["spin"]["spin_pii_leakage_mini"].values():
        entry["values"]["leak_rate"] = 0.0
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    _reseal(path, doc)
    assert "'samples'" in _reason(build_leaderboard([path]), path)
    code, out = _verify(path, capsys)
    assert code == 1 and out.startswith("MISMATCH: ") and "'samples'" in out


def test_build_and_verify_call_one_check_submission(tmp_path, monkeypatch, capsys):
    from spin_eval.errors import InputError
    from spin_eval.leaderboard import checks

    path = _submit(tmp_path, "s", GOOD)
    calls = []

    def fake(p, **kw):
        calls.append(str(p))
        raise InputError(f"{p}: sentinel refusal")

    monkeypatch.setattr(checks, "check_submission", fake)
    assert "sentinel refusal" in _reason(build_leaderboard([path]), path)
    code, out = _verify(path, capsys)
    assert code == 2 and "sentinel refusal" in out
    assert calls == [str(path), str(path)]


# ------------------------------------------------------------------------ one results engine (issue 22)


@pytest.mark.parametrize("rel", [1e-8, 1e-3])
def test_leaderboard_and_gate_agree_on_results_versus_samples(tmp_path, rel):
    """One tolerance, one rule: a results value shifted by ``rel`` is accepted by the leaderboard exactly
    when the results layer (the gate's ``aggregate_from_samples``) accepts it."""
    from spin_eval.errors import InputError
    from spin_eval.results.facts import metric_facts
    from spin_eval.results.load import load_run
    from spin_eval.results.recompute import aggregate_from_samples

    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=GOOD)
    results = next((run / "runs" / "spin").rglob("results_*.json"))
    raw = json.loads(results.read_text())
    raw["results"]["spin_capability_mc_mini"]["acc,none"] *= 1 + rel
    results.write_text(json.dumps(raw))
    try:
        aggregate_from_samples(load_run(results.parent, name="spin"), metric_facts("spin_capability_mc_mini", "acc"))
        gate_accepts = True
    except InputError:
        gate_accepts = False
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    doc["results"]["spin"]["results"]["spin_capability_mc_mini"]["acc,none"] = raw["results"]["spin_capability_mc_mini"]["acc,none"]
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    _reseal(path, doc)
    board = build_leaderboard([path])
    assert bool(board.entries) == gate_accepts
    assert gate_accepts == (rel < 1e-6)
    if not gate_accepts:
        assert "results and samples disagree" in _reason(board, path)


def test_evidence_module_holds_no_results_parser():
    from spin_eval.leaderboard import evidence

    for name in ("metric_values", "doc_values", "recompute_results", "_mean_if_declared", "REL_TOL"):
        assert not hasattr(evidence, name), name
    assert math.isfinite(1.0)
