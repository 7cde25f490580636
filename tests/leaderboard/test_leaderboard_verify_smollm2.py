"""Slow: leaderboard verify on the real embedded SmolLM2 (a reduced run: one multiple-choice and one
generation task), including a forged per-document score that every static check accepts."""

from __future__ import annotations

import hashlib
import json

import pytest

from spin_eval.cli import main


@pytest.mark.slow
def test_verify_smollm2_and_a_tampered_document_score(tmp_path, capsys):
    pytest.importorskip("gguf")
    from spin_eval.fileio import sha256_json
    from spin_eval.leaderboard.checks import evidence_samples
    from spin_eval.leaderboard.evidence import evidence_bytes, evidence_path, load_evidence
    from spin_eval.leaderboard.pack import compute_headline
    from spin_eval.leaderboard.reproduce import choose_documents

    run = tmp_path / "run"
    assert main(["run", "--tasks", "spin_capability_mc_mini,spin_pii_leakage_mini", "--limit", "8", "--gen-limit", "3",
                 "--nsamples", "4", "--controls", "none", "--bootstrap-iters", "0", "--no-report", "-o", str(run)]) == 0
    sub = tmp_path / "sub" / "smol.json"
    assert main(["leaderboard", "submit", str(run), "-o", str(sub)]) == 0
    capsys.readouterr()
    assert main(["leaderboard", "verify", str(sub), "--docs", "2", "--seed", "3"]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED: 8 per-document results of spin, base")

    # A forger flips the score of a document the check will draw, and makes every number follow from it.
    doc = json.loads(sub.read_text())
    task = "spin_capability_mc_mini"
    ref = doc["evidence"]["spin"][task]
    spin_rows = {t: [json.loads(x) for x in evidence_path(sub.parent, r["sha256"]).read_text().splitlines()]
                 for t, r in doc["evidence"]["spin"].items()}
    rows = spin_rows[task]
    target = choose_documents(spin_rows, 2, 3)[task][0]  # the draw verify makes with --docs 2 --seed 3
    row = next(r for r in rows if r["doc_id"] == target)
    row["acc"] = 1.0 - row["acc"]
    data = evidence_bytes(rows)
    digest = hashlib.sha256(data).hexdigest()
    evidence_path(sub.parent, digest).write_bytes(data)
    doc["evidence"]["spin"][task] = {"sha256": digest, "documents": ref["documents"], "bytes": len(data)}
    doc["results"]["spin"]["results"][task]["acc,none"] = sum(r["acc"] for r in rows) / len(rows)
    doc["samples"] = evidence_samples(doc["results"], load_evidence(doc, sub.parent, where="forger"), where="forger")
    doc["headline"] = json.loads(json.dumps(compute_headline(doc["results"], doc["samples"])))
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    sub.write_text(json.dumps(doc))
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "board")]) == 0  # consistent: accepted
    capsys.readouterr()
    assert main(["leaderboard", "verify", str(sub), "--docs", "2", "--seed", "3"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"MISMATCH: spin/{task} doc {target}: acc: submitted")
