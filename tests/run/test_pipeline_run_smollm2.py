"""Slow: a reduced ``spin-eval run`` on the real embedded SmolLM2 (the full default run takes ~15 minutes,
too long for the suite; bench/bench_run.py measures that one)."""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main


@pytest.mark.slow
def test_reduced_default_run_on_smollm2(tmp_path, capsys):
    pytest.importorskip("gguf")
    out = tmp_path / "run"
    code = main(["run", "--tasks", "spin_bbq_mini,spin_capability_mc_mini", "--limit", "8", "--nsamples", "4",
                 "--controls", "random", "--bootstrap-iters", "0", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "answer (as in the report):" in printed and "spin (spin) vs base:" in printed and "Against control-random:" in printed
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert manifest["model_spec"] == "smollm2"
    assert all(v["status"] == "done" for v in manifest["variants"].values())
    masks = manifest["stages"]["masks"]["masks"]
    assert masks["spin"]["total"] > 0, "the default ratio must zero some weights of SmolLM2"
    assert masks["control-random"]["total"] == masks["spin"]["total"]
    report = json.loads((out / "report.json").read_text())
    assert "spin_bbq_mini" in json.dumps(report)
