"""Property tests (hypothesis) for the leaderboard's readers (issue 29 item 6): any evidence file bytes,
any evidence row, and non-finite or huge numbers anywhere in a submission give either a ranked entry or
a one-line rejection, never another exception; a non-finite number is never ranked."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spin_eval.fileio import sha256_json

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
numbers = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" * 5000, "1e308", "0.5"])


@pytest.fixture(scope="module")
def packed() -> Path:
    from run_fixtures import write_fake_suite_run

    from spin_eval.cli import main

    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-lb-"))
    run = write_fake_suite_run(folder / "run", base={"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2},
                               spin={"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1})
    assert main(["leaderboard", "submit", str(run), "-o", str(folder / "sub" / "s.json")]) == 0
    return folder / "sub"


def _copy(packed: Path) -> Path:
    dest = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-lb-")) / "sub"
    shutil.copytree(packed, dest)
    return dest / "s.json"


def _build(path: Path):
    from spin_eval.leaderboard.build import build_leaderboard

    board = build_leaderboard([path])
    assert len(board.entries) + len(board.rejected) == 1
    for _, reason in board.rejected:
        assert "\n" not in reason and len(reason) < 2000
    return board


def _reseal(path: Path, doc: dict) -> None:
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    path.write_text(json.dumps(doc))


def _replace_evidence(path: Path, data: bytes, *, reseal: bool) -> None:
    doc = json.loads(path.read_text())
    ref = doc["evidence"]["spin"]["spin_bbq_mini"]
    digest = hashlib.sha256(data).hexdigest() if reseal else ref["sha256"]
    (path.parent / "evidence" / f"{digest}.jsonl").write_bytes(data)
    if reseal:
        ref.update(sha256=digest, bytes=len(data))
        _reseal(path, doc)


@FUZZ
@given(st.binary(max_size=400), st.booleans())
def test_evidence_reader_any_bytes(packed, data, reseal):
    path = _copy(packed)
    _replace_evidence(path, data, reseal=reseal)
    assert not _build(path).entries


@FUZZ
@given(st.integers(0, 19), st.sampled_from(["doc_id", "s_amb", "doc_hash", "metrics", "filter", "resps"]), numbers)
def test_evidence_rows_with_any_number(packed, line, field, number):
    path = _copy(packed)
    doc = json.loads(path.read_text())
    file = path.parent / "evidence" / f"{doc['evidence']['spin']['spin_bbq_mini']['sha256']}.jsonl"
    rows = file.read_text().splitlines()
    row = json.loads(rows[line])
    row[field] = "@@"
    rows[line] = json.dumps(row).replace('"@@"', number)
    _replace_evidence(path, ("\n".join(rows) + "\n").encode(), reseal=True)
    board = _build(path)
    if number != "0.5" and number != "1e308":
        assert not board.entries


@FUZZ
@given(st.sampled_from(["results.spin.results.spin_bbq_mini.s_amb,none", "results.base.date", "headline.fairness",
                        "headline.privacy", "results.spin.config.random_seed", "model.fingerprint", "name"]), numbers)
def test_submission_fields_with_any_number(packed, field, number):
    path = _copy(packed)
    doc = json.loads(path.read_text())
    node = doc
    *parents, last = field.split(".")
    for key in parents:
        node = node[key]
    node[last] = "@@"
    _reseal(path, doc)
    path.write_text(path.read_text().replace('"@@"', number))
    board = _build(path)
    if number not in ("0.5", "1e308"):
        assert not board.entries
    for e in board.entries:
        assert all(v is None or abs(v) < float("inf") for v in (e.headline.get(c) for c in ("fairness", "privacy")))
