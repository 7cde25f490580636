"""Leaderboard submissions that can be checked: per-document evidence, duplicates and identity, hostile
text, signatures and verification records (fake runs; no model)."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from run_fixtures import write_fake_suite_run

from spin_eval.cli import main
from spin_eval.fileio import sha256_json
from spin_eval.leaderboard.build import build_leaderboard
from spin_eval.leaderboard.evidence import evidence_bytes, evidence_path
from spin_eval.leaderboard.pack import compute_headline
from spin_eval.leaderboard.record import record_path, write_record
from spin_eval.safetext import csv_cell, one_line

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}
GOOD = {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.1}
OTHER = {"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1}


def _submit(tmp_path, name, spin, *, run=None):
    run = run or write_fake_suite_run(tmp_path / f"run-{name}", base=BASE, spin=spin)
    out = tmp_path / f"{name}.json"
    assert main(["leaderboard", "submit", str(run), "-o", str(out), "--name", name]) == 0
    return out


def _reseal(path, doc):
    """What a forger does after editing: re-hash the results and the content, so only deeper checks catch it."""
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    path.write_text(json.dumps(doc))


def _rewrite_evidence(path, doc, variant, task, rows):
    data = evidence_bytes(rows)
    digest = hashlib.sha256(data).hexdigest()
    evidence_path(path.parent, digest).write_bytes(data)
    doc["evidence"][variant][task] = {"sha256": digest, "documents": len({r["doc_id"] for r in rows}), "bytes": len(data)}


def _rows(path, doc, variant, task):
    ref = doc["evidence"][variant][task]
    return [json.loads(line) for line in evidence_path(path.parent, ref["sha256"]).read_text().splitlines()]


def _reason(board, path):
    reasons = {src: reason for src, reason in board.rejected}
    assert str(path) in reasons, f"{path} was not rejected: {board.rejected}"
    return reasons[str(path)]


def test_submit_packs_evidence_and_build_accepts_it(tmp_path):
    path = _submit(tmp_path, "good", GOOD)
    doc = json.loads(path.read_text())
    assert set(doc["evidence"]) == {"base", "spin"}
    ref = doc["evidence"]["spin"]["spin_pii_leakage_mini"]
    assert ref["documents"] == 40  # 20 pairs
    data = evidence_path(tmp_path, ref["sha256"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ref["sha256"] and len(data) == ref["bytes"]
    board = build_leaderboard([path])
    assert [e.name for e in board.entries] == ["good"] and not board.rejected
    assert not board.entries[0].verified and board.entries[0].flags == []


def test_evidence_file_changed_is_rejected(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    file = evidence_path(tmp_path, doc["evidence"]["spin"]["spin_bbq_mini"]["sha256"])
    file.write_text(file.read_text().replace('"biased":1', '"biased":0', 1))
    assert "evidence spin/spin_bbq_mini" in _reason(build_leaderboard([path]), path)
    assert "sha256 mismatch" in _reason(build_leaderboard([path]), path)


def test_missing_evidence_folder_is_rejected(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    for f in (tmp_path / "evidence").iterdir():
        f.unlink()
    assert "not found beside the submission" in _reason(build_leaderboard([path]), path)


def test_submission_without_evidence_field_is_rejected(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    del doc["evidence"]
    _reseal(path, doc)
    assert "no per-document evidence" in _reason(build_leaderboard([path]), path)


def test_fewer_documents_than_claimed_is_rejected(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    rows = _rows(path, doc, "spin", "spin_capability_mc_mini")
    _rewrite_evidence(path, doc, "spin", "spin_capability_mc_mini", rows[:-1])
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "spin_capability_mc_mini: evidence for 19 documents but the results claim 20" in reason


def test_numbers_that_do_not_follow_from_samples_are_rejected(tmp_path):
    """A forger improves the privacy result and the headline consistently and re-hashes everything; only
    the per-document samples still tell the truth."""
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    doc["results"]["spin"]["results"]["spin_pii_leakage_mini"]["pair_score,none"] = 1.0
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    assert doc["headline"]["privacy"] == pytest.approx(100.0)
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "variant 'spin': spin_pii_leakage_mini/pair_score" in reason
    assert "results and samples disagree" in reason


def test_samples_field_that_does_not_follow_from_the_evidence_is_rejected(tmp_path):
    """The headline's paired CIs come from the submission's ``samples`` field: a forger who rewrites it (every
    privacy document of spin now leaks nothing) and recomputes a consistent headline is caught, because build
    derives that field from the evidence files."""
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    forged = doc["samples"]["spin"]["spin_pii_leakage_mini"]
    assert forged and all("pair_score" in e["values"] for e in forged.values())
    for entry in forged.values():
        entry["values"]["pair_score"] = {**entry["values"]["pair_score"], "leak": 0, "leak_any": 0, "correct": 1}
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    assert doc["headline"]["trust_change_ci"] != json.loads(path.read_text())["headline"]["trust_change_ci"]
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "tampered: 'samples' spin/spin_pii_leakage_mini document" in reason and "the evidence gives" in reason


def test_evidence_samples_equal_what_submit_stores(tmp_path):
    """The samples derived from the evidence are exactly the field ``submit`` wrote (so build can require it)."""
    from spin_eval.leaderboard.checks import evidence_samples
    from spin_eval.leaderboard.evidence import load_evidence

    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    derived = evidence_samples(doc["results"], load_evidence(doc, path.parent, where="t"), where="t")
    assert derived == doc["samples"] and set(derived) == {"base", "spin"}
    assert sum(len(docs) for docs in derived["spin"].values()) >= 60


@pytest.mark.parametrize("field, forged", [
    ("trust_change_ci", [5.0, 6.0]),  # a narrower interval than the samples give
    ("capability_not_in_points", {"spin_ppl/word_perplexity": {"baseline": 20.0, "value": 19.0, "delta": -1.0}}),
    ("tax_status", "no-trust-gain"),
])
def test_every_headline_field_must_follow_from_the_samples(tmp_path, field, forged):
    """Not only the ranked columns: CIs, statuses and the capability metrics not in points are recomputed."""
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    assert doc["headline"][field] != forged
    doc["headline"][field] = forged
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert f"tampered: headline.{field}" in reason and " but the included results give " in reason


def test_same_run_twice_is_ranked_once(tmp_path):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=GOOD)
    first = _submit(tmp_path, "first", GOOD, run=run)
    again = _submit(tmp_path, "renamed", GOOD, run=run)
    board = build_leaderboard([first, again, first])
    assert [e.name for e in board.entries] == ["first"]
    assert len(board.rejected) == 2
    for _, reason in board.rejected:
        assert f"duplicate: the same evaluated content as {first}" in reason


def test_same_model_and_mask_with_other_numbers_are_flagged(tmp_path, capsys):
    a = _submit(tmp_path, "a", GOOD)
    b = _submit(tmp_path, "b", OTHER)
    out = tmp_path / "board"
    assert main(["leaderboard", "build", str(a), str(b), "-o", str(out)]) == 0
    board = json.loads((out / "leaderboard.json").read_text())
    flags = {e["name"]: e["flags"] for e in board["entries"]}
    assert len(flags["a"]) == 1 and "same model and mask as 'b'" in flags["a"][0]
    assert "capability 60.00 vs 50.00" in flags["a"][0]
    assert "same model and mask as 'a'" in flags["b"][0]
    assert "flagged:" in capsys.readouterr().err
    assert "same model and mask" in (out / "leaderboard.html").read_text()


HOSTILE = "=HYPERLINK(\"http://x\") <script>alert('x')</script> \"q\" \x1b[2J\x1b]0;pwned\x07 \u202eevil\r\nline2"


def test_hostile_text_is_escaped_everywhere(tmp_path, capsys):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    doc["name"] = HOSTILE
    _reseal(path, doc)
    out = tmp_path / "board"
    assert main(["leaderboard", "build", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    for text in (printed.out, printed.err, (out / "leaderboard.csv").read_text()):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "line2\n" not in text
    html = (out / "leaderboard.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    row = next(csv.DictReader((out / "leaderboard.csv").open()))
    assert row["name"].startswith("'=HYPERLINK(")  # not a formula in a spreadsheet
    board = json.loads((out / "leaderboard.json").read_text())
    assert board["entries"][0]["name"] == HOSTILE  # JSON keeps the exact text (json escapes it)


def test_safe_text_helpers():
    assert one_line("a\x1b[31mb\nc") == "a\\x1b[31mb\\nc"
    assert csv_cell("+1") == "'+1" and csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("-2") == "'-2"
    assert csv_cell("plain") == "plain"


def test_signatures(tmp_path, capsys):
    pytest.importorskip("cryptography")
    keys, other = tmp_path / "keys", tmp_path / "other"
    assert main(["leaderboard", "keygen", str(keys), "--name", "alice"]) == 0
    assert main(["leaderboard", "keygen", str(other), "--name", "mallory"]) == 0
    assert main(["leaderboard", "keygen", str(keys), "--name", "alice"]) == 2  # never overwritten
    signed = _submit(tmp_path, "signed", GOOD)
    unsigned = _submit(tmp_path, "unsigned", OTHER)
    assert main(["leaderboard", "sign", str(signed), "--key", str(keys / "alice.key")]) == 0

    board = build_leaderboard([signed, unsigned])  # no keys required: both ranked
    status = {e.name: e.signature for e in board.entries}
    assert status["unsigned"] is None and status["signed"].startswith("signed, key ")

    board = build_leaderboard([signed, unsigned], trusted_keys=keys)
    assert [e.name for e in board.entries] == ["signed"] and board.entries[0].signature == "signed by alice"
    assert "unsigned, but --trusted-keys requires a signature by one of alice" in _reason(board, unsigned)

    board = build_leaderboard([signed], trusted_keys=other)
    assert "not among --trusted-keys" in _reason(board, signed)

    doc = json.loads(signed.read_text())  # edit after signing, re-hash: the signature no longer fits
    doc["name"] = "someone else"
    sig = doc["integrity"]["signature"]
    _reseal(signed, doc)
    doc["integrity"]["signature"] = sig
    signed.write_text(json.dumps(doc))
    assert "signature does not verify" in _reason(build_leaderboard([signed]), signed)


def test_verified_column_and_verified_only(tmp_path):
    a = _submit(tmp_path, "a", GOOD)
    b = _submit(tmp_path, "b", OTHER)
    doc_a = json.loads(a.read_text())
    write_record(record_path(a), doc_a, "verified", {"documents_per_task": 5, "seed": 1, "date": "d"})
    write_record(record_path(b), doc_a, "verified", {"documents_per_task": 5, "seed": 1, "date": "d"})  # not b's
    board = build_leaderboard([a, b])
    verified = {e.name: (e.verified, e.verification) for e in board.entries}
    assert verified["a"][0] and not verified["b"][0]
    assert "another submission" in verified["b"][1]
    board = build_leaderboard([a, b], verified_only=True)
    assert [e.name for e in board.entries] == ["a"]
    assert "--verified-only" in _reason(board, b)
    recs = tmp_path / "records"
    write_record(record_path(b, recs), json.loads(b.read_text()), "mismatch", {})
    board = build_leaderboard([a, b], verifications=recs)
    assert not any(e.verified for e in board.entries)
    assert {e.name: e.verification for e in board.entries}["b"] == "verify said mismatch"


def test_evidence_of_other_documents_is_rejected_by_task_hash(tmp_path):
    path = _submit(tmp_path, "s", GOOD)
    doc = json.loads(path.read_text())
    rows = _rows(path, doc, "base", "spin_overrefusal_mini")
    rows[0]["prompt_hash"] = hashlib.sha256(b"another prompt").hexdigest()
    _rewrite_evidence(path, doc, "base", "spin_overrefusal_mini", rows)
    _reseal(path, doc)
    reason = _reason(build_leaderboard([path]), path)
    assert "variant 'base'" in reason and "spin_overrefusal_mini: the evidence is not the documents/prompts" in reason
