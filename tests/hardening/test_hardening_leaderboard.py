"""Attacks on leaderboard submissions: ../ paths in the run manifest, embedded bytes that are not the mask
evaluated, task hashes/versions declared differently from the included results, spreadsheet formulas."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from pathlib import Path

import pytest
from run_fixtures import write_fake_suite_run  # noqa: E402

from spin_eval.cli import main
from spin_eval.fileio import sha256_json

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}
SPIN = {"capability": 0.6, "leak": 0.1, "refusal": 0.05, "bias": 0.05}


def _run_with_mask(tmp_path: Path, mask_rel: str, mask_bytes: bytes = b"mask bytes") -> Path:
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    manifest = json.loads((run / "spin-eval-run.json").read_text())
    manifest["variants"]["spin"]["mask"] = mask_rel
    (run / "spin-eval-run.json").write_text(json.dumps(manifest))
    (run / "masks").mkdir(exist_ok=True)
    (run / "masks" / "spin.safetensors").write_bytes(mask_bytes)
    results = next((run / "runs" / "spin").rglob("results_*.json"))
    doc = json.loads(results.read_text())
    doc["config"]["spin"]["mask_sha256"] = hashlib.sha256(mask_bytes).hexdigest()
    results.write_text(json.dumps(doc))
    return run


def _submit(run: Path, out: Path, *extra: str) -> int:
    return main(["leaderboard", "submit", str(run), "-o", str(out), *extra])


def _rehash(doc: dict) -> dict:
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"]["content_sha256"] = sha256_json({k: v for k, v in doc.items() if k != "integrity"})
    return doc


def test_embed_mask_does_not_follow_dotdot_paths(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    run = _run_with_mask(tmp_path, "../secret.txt")
    assert _submit(run, tmp_path / "s.json", "--embed-mask") == 2
    assert "leads outside" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()


def test_embed_mask_checks_bytes_against_the_recorded_sha256(tmp_path, capsys):
    run = _run_with_mask(tmp_path, "masks/spin.safetensors")
    (run / "masks" / "spin.safetensors").write_bytes(b"another mask put there after the run")
    assert _submit(run, tmp_path / "s.json", "--embed-mask") == 2
    assert "changed after the run" in capsys.readouterr().err


def test_embedded_bytes_are_verified_at_build(tmp_path):
    run = _run_with_mask(tmp_path, "masks/spin.safetensors")
    sub = tmp_path / "s.json"
    assert _submit(run, sub, "--embed-mask") == 0
    doc = json.loads(sub.read_text())
    assert base64.b64decode(doc["mask"]["file_base64"]) == b"mask bytes"
    doc["mask"]["file_base64"] = base64.b64encode(b"swapped mask").decode()
    sub.write_text(json.dumps(_rehash(doc)))
    honest = tmp_path / "honest.json"
    assert _submit(write_fake_suite_run(tmp_path / "run2", base=BASE, spin=SPIN), honest, "--name", "honest") == 0
    assert main(["leaderboard", "build", str(sub), str(honest), "-o", str(tmp_path / "board")]) == 0
    board = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    assert [e["name"] for e in board["entries"]] == ["honest"] and "embedded mask" in board["rejected"][0]["reason"]


@pytest.mark.parametrize("where", ["declared", "base-results"])
def test_task_hashes_are_compared_from_the_included_results(tmp_path, where):
    subs = []
    for name, spin in (("a", SPIN), ("b", {**SPIN, "leak": SPIN["leak"] / 2})):  # two different runs
        run = write_fake_suite_run(tmp_path / f"run-{name}", base=BASE, spin=spin)
        subs.append(tmp_path / f"{name}.json")
        assert _submit(run, subs[-1], "--name", name) == 0
    other = write_fake_suite_run(tmp_path / "run-other", base=BASE, spin=SPIN, versions={
        "spin_capability_mc_mini": 2.0, "spin_pii_leakage_mini": 1.0, "spin_overrefusal_mini": 1.0, "spin_bbq_mini": 1.0})
    forged = tmp_path / "forged.json"
    assert _submit(other, forged, "--name", "forged") == 0
    doc = json.loads(forged.read_text())
    reference = json.loads(subs[0].read_text())["tasks"]
    if where == "declared":  # evaluated on version 2.0 but declares the others' versions
        doc["tasks"] = reference
    else:  # the ranked variant is consistent; the base variant was evaluated on other documents
        doc = json.loads(subs[1].read_text())
        doc["results"]["base"]["task_hashes"]["spin_bbq_mini"] = "0" * 64
    forged.write_text(json.dumps(_rehash(doc)))
    assert main(["leaderboard", "build", *map(str, subs), str(forged), "-o", str(tmp_path / "board")]) == 0
    board = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    names = [e["name"] for e in board["entries"]]
    assert sorted(names) == ["a", "b"]
    assert any("forged.json" in r["source"] and "task" in r["reason"] for r in board["rejected"])


def test_formulas_are_neutralised_in_leaderboard_csv(tmp_path):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    sub = tmp_path / "s.json"
    evil = '=HYPERLINK("https://evil.example","click")'
    assert _submit(run, sub, "--name", evil) == 0
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "board")]) == 0
    (row,) = csv.DictReader((tmp_path / "board" / "leaderboard.csv").open())
    assert row["name"] == "'" + evil
    assert json.loads((tmp_path / "board" / "leaderboard.json").read_text())["entries"][0]["name"] == evil


def test_names_with_escape_codes_are_printed_safely(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    sub = tmp_path / "s.json"
    assert _submit(run, sub, "--name", "x\x1b[2Jy") == 0
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "board")]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "x\\x1b[2Jy" in captured.out


def test_leaderboard_outputs_onto_inputs_are_refused(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    assert _submit(run, run / "runs" / "spin" / "sub.json") == 2
    sub = tmp_path / "s.json"
    assert _submit(run, sub) == 0
    assert main(["leaderboard", "build", str(sub), "-o", str(sub)]) == 2
    assert "is a file" in capsys.readouterr().err and json.loads(sub.read_text())["kind"] == "spin-eval-submission"


def test_report_does_not_follow_dotdot_variant_names(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    manifest = json.loads((run / "spin-eval-run.json").read_text())
    manifest["variants"]["../../elsewhere"] = {"status": "done"}
    (run / "spin-eval-run.json").write_text(json.dumps(manifest))
    assert main(["report", str(run), "-o", str(tmp_path / "r.md")]) == 2
    assert "leads outside" in capsys.readouterr().err


def test_report_output_onto_its_own_results_file_is_refused(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=SPIN)
    results = next((run / "runs" / "spin").rglob("results_*.json"))
    before = results.read_bytes()
    assert main(["report", str(run), "-o", str(results), "--format", "json"]) == 2
    assert "input" in capsys.readouterr().err and results.read_bytes() == before
