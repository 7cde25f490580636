"""spin-eval sweep end to end on the embedded SmolLM2 (slow).

Its own module, so that pytest-xdist (--dist loadscope) can run it beside test_sweep.py's tiny-model
sweep instead of after it in the same worker.
"""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main


@pytest.mark.slow
def test_smollm2_sweep_end_to_end(tmp_path):
    """Two ratios on the embedded SmolLM2, tiny limits: masks nest in size, the frontier report is written."""
    out = tmp_path / "sweep"
    assert main(["sweep", "--ratios", "1e-4,1e-3", "--tasks", "spin_capability_mc_mini,spin_bbq_mini",
                 "--limit", "4", "--nsamples", "4", "-o", str(out)]) == 0
    data = json.loads((out / "report.json").read_text())
    spin = sorted((p for p in data["points"] if p["curve"] == "spin"), key=lambda p: p["p"])
    assert len(spin) == 2 and 0 < spin[0]["weights_zeroed"] < spin[1]["weights_zeroed"]
    assert any(t["curve"] == "magnitude-random" for t in data["trends"])
    assert "<svg" in (out / "report.html").read_text()
