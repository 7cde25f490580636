"""``spin-eval run/sweep --objectives``: the declared conflict picks the default tasks and the mask's coupled
calibration sets, is recorded in the manifest (only when not the default, so older folders keep resuming)
and reaches the report and the summary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from spin_eval.cli import main
from spin_eval.errors import InputError
from spin_eval.run.objectives import objective_calibration, objective_tasks
from spin_eval.run.settings import RunSettings
from spin_eval.spin.calibration_data import DATA_DIR

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))


def test_default_objectives_keep_the_key_and_the_manifest():
    default = RunSettings()
    assert RunSettings(objectives=("fairness", "privacy")).key() == default.key()
    assert "objectives" not in default.record()
    safety = RunSettings(objectives=("safety", "helpfulness"))
    assert safety.key() != default.key() and safety.record()["objectives"] == ("safety", "helpfulness")
    with pytest.raises(InputError, match="unknown objective"):
        RunSettings(objectives=("safety", "kindness"))


def test_objectives_choose_tasks_and_coupled_sets_unless_given():
    pair = ("safety", "helpfulness")
    assert objective_tasks(pair, None) == ("spin_suite_safety",)
    assert objective_tasks(pair, ("my_task",)) == ("my_task",)
    assert objective_tasks(("fairness", "privacy"), None) is None
    with pytest.raises(InputError, match="--objectives fairness,safety: no shipped suite.*--tasks"):
        objective_tasks(("fairness", "safety"), None)
    got = objective_calibration(pair, {"p": 1e-4}, DATA_DIR)
    assert got == {"p": 1e-4, "couple": "safety;helpfulness",
                   "sets": f"safety={DATA_DIR / 'safety.jsonl'};helpfulness={DATA_DIR / 'helpfulness.jsonl'}"}
    assert (DATA_DIR / "safety.jsonl").is_file() and (DATA_DIR / "helpfulness.jsonl").is_file()
    assert objective_calibration(("fairness", "safety"), {}, DATA_DIR) == {
        "sets": f"safety={DATA_DIR / 'safety.jsonl'}", "couple": "fairness;safety"}
    assert objective_calibration(pair, {"mask": "m.safetensors"}, DATA_DIR) == {"mask": "m.safetensors"}
    assert objective_calibration(("fairness", "privacy"), {}, DATA_DIR) == {}


def test_run_cli_passes_the_objectives_to_the_pipeline(monkeypatch, tmp_path, capsys):
    import spin_eval.cli.run as cli_run
    import spin_eval.run.main as run_main
    from spin_eval.run.manifest import RunOutcome

    seen = {}

    def fake_pipeline(settings, out_dir, **_kw):
        seen["settings"] = settings
        return RunOutcome(Path(out_dir), ["base"], summary="(summary)")

    monkeypatch.setattr(run_main, "run_pipeline", fake_pipeline)
    monkeypatch.setattr(cli_run, "_preflight", lambda settings: None)
    assert main(["run", "--objectives", "safety,helpfulness", "--limit", "4", "-o", str(tmp_path / "o")]) == 0
    s = seen["settings"]
    assert s.objectives == ("safety", "helpfulness") and s.tasks == ("spin_suite_safety",)
    assert s.spin.couple == "safety;helpfulness" and s.spin.sets.endswith("helpfulness.jsonl") and s.spin.fairness is None
    from spin_eval.spin.config import SpinConfig

    named = SpinConfig(sets=s.spin.sets, couple=s.spin.couple).named_sets()
    assert named.names == ("general", "safety", "helpfulness")
    assert main(["run", "--limit", "4", "-o", str(tmp_path / "d")]) == 0
    assert seen["settings"].objectives == ("fairness", "privacy") and seen["settings"].tasks == ("spin_suite",)
    assert seen["settings"].spin.fairness is None
    assert main(["run", "--objectives", "safety", "-o", str(tmp_path / "x")]) == 2
    assert "--objectives" in capsys.readouterr().err


def test_summary_columns_and_tax_follow_the_objectives(tmp_path):
    import shutil

    from test_report_objectives import _runs

    from spin_eval.run.summary import summarize

    _runs(tmp_path / "src")
    for name in ("base", "spin"):
        shutil.copytree(tmp_path / "src" / name, tmp_path / "out" / "runs" / name)
    text = summarize(tmp_path / "out", ["base", "spin"], objectives=("safety", "helpfulness"))
    header = text.splitlines()[0]
    assert "safety ↑" in header and "overrefusal ↓" in header and "fairness" not in header
    assert "alignment tax" in text and "trust" in text
    default = summarize(tmp_path / "out", ["base", "spin"]).splitlines()[0]
    assert "fairness ↑" in default and "privacy ↑" in default and "safety" not in default


def test_sweep_cli_passes_the_objectives(monkeypatch, tmp_path):
    import spin_eval.run.sweep as sweep

    seen = {}

    def fake_sweep(settings, out_dir, **_kw):
        seen["settings"] = settings
        return sweep.SweepOutcome(Path(out_dir), ["base"])

    monkeypatch.setattr(sweep, "run_sweep", fake_sweep)
    assert main(["sweep", "--objectives", "safety,helpfulness", "-o", str(tmp_path / "s")]) == 0
    run = seen["settings"].run
    assert run.objectives == ("safety", "helpfulness") and run.tasks == ("spin_suite_safety",)
    assert run.spin.couple == "safety;helpfulness" and "helpfulness=" in run.spin.sets
    assert seen["settings"].record()["run"]["objectives"] == ("safety", "helpfulness")
    assert main(["sweep", "-o", str(tmp_path / "d")]) == 0
    assert seen["settings"].run.tasks == ("spin_suite",)
    assert "objectives" not in seen["settings"].record()["run"]
