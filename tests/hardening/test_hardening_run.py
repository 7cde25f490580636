"""Attacks on `spin-eval run`'s output folder: --force deleting the user's files, inputs that are outputs,
an existing file as -o, two runs at once. The model stage is replaced by a sentinel: every attack is
decided before any model is loaded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from spin_eval.errors import InputError, MaskError
from spin_eval.pipeline.run import RunSettings, run_pipeline
from spin_eval.pipeline.rundir_safety import LOCK_FILE


class ReachedModelStage(Exception):
    """Raised instead of loading the model: the run got past every folder check."""


@pytest.fixture(autouse=True)
def stop_before_the_model(monkeypatch):
    import spin_eval.modelspec

    def sentinel(*args, **kwargs):
        raise ReachedModelStage()

    monkeypatch.setattr(spin_eval.modelspec, "resolve_model_spec", sentinel)


def _user_files(out: Path) -> dict[Path, bytes]:
    files = {out / "masks" / "mine.safetensors": b"the user's own mask",
             out / "masks" / "NOTES.txt": b"notes", out / "runs" / "my-experiment" / "results.json": b"{}"}
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def test_force_keeps_files_spin_eval_did_not_write(tmp_path):
    """Was: `run --mask P/masks/mine.safetensors -o P --force` deleted P/masks and P/runs first."""
    out = tmp_path / "P"
    files = _user_files(out)
    with pytest.raises((ReachedModelStage, MaskError)):  # the bytes are no mask: refused before anything is removed
        run_pipeline(RunSettings(mask=str(out / "masks" / "mine.safetensors")), out, force=True)
    for path, data in files.items():
        assert path.read_bytes() == data


def test_force_removes_exactly_what_the_manifest_recorded(tmp_path):
    out = tmp_path / "P"
    files = _user_files(out)
    with pytest.raises(ReachedModelStage):
        run_pipeline(RunSettings(), out)
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert "masks/spin.safetensors" in manifest["outputs"] and "runs/base" in manifest["outputs"]
    (out / "masks" / "spin.safetensors").write_bytes(b"written by the run")
    (out / "runs" / "base").mkdir()
    with pytest.raises(ReachedModelStage):
        run_pipeline(RunSettings(), out, force=True)
    assert not (out / "masks" / "spin.safetensors").exists() and not (out / "runs" / "base").exists()
    for path, data in files.items():
        assert path.read_bytes() == data


def test_an_output_path_holding_a_foreign_file_is_refused(tmp_path):
    out = tmp_path / "P"
    (out / "masks").mkdir(parents=True)
    (out / "masks" / "spin.safetensors").write_bytes(b"not spin-eval's")
    for force in (False, True):
        with pytest.raises(InputError, match="masks/spin.safetensors exists but was not written by spin-eval"):
            run_pipeline(RunSettings(), out, force=force)
    assert (out / "masks" / "spin.safetensors").read_bytes() == b"not spin-eval's"


@pytest.mark.parametrize("inside", ["masks/spin.safetensors", "masks/control-magnitude-random.safetensors",
                                    "runs/base/m/results.json", "spin-eval-run.json"])
def test_an_input_that_is_an_output_is_refused(tmp_path, inside):
    out = tmp_path / "P"
    given = out / inside
    given.parent.mkdir(parents=True)
    given.write_bytes(b"input")
    with pytest.raises(InputError, match="is an output of this run"):
        run_pipeline(RunSettings(mask=str(given)), out, force=True)
    assert given.read_bytes() == b"input"


def test_output_folder_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        run_pipeline(RunSettings(), target)


def _hold_lock(out: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from pathlib import Path; from spin_eval.pipeline.rundir_safety import run_folder_lock\n"
        f"with run_folder_lock(Path({str(out)!r})):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_run_refuses_naming_the_holder_then_takes_over_a_dead_holders_lock(tmp_path):
    out = tmp_path / "P"
    holder = _hold_lock(out)
    try:
        with pytest.raises(InputError, match=f"another spin-eval run is writing there \\(pid {holder.pid} "):
            run_pipeline(RunSettings(), out)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert f"pid {holder.pid}" in (out / LOCK_FILE).read_text()  # the dead holder's lock file stays behind
    with pytest.raises(ReachedModelStage):
        run_pipeline(RunSettings(), out)
    assert f"pid {os.getpid()}" in (out / LOCK_FILE).read_text()



def test_a_manifest_without_outputs_list_still_records_what_its_settings_write(tmp_path):
    """Manifests written before the ``outputs`` field: their settings say which paths the run wrote."""
    from dataclasses import asdict

    out = tmp_path / "P"
    files = _user_files(out)
    legacy = {"format_version": 1, "settings": json.loads(json.dumps(asdict(RunSettings()))), "stages": {},
              "variants": {"base": {"status": "running"}}}
    (out / "spin-eval-run.json").write_text(json.dumps(legacy))
    (out / "masks" / "spin.safetensors").write_bytes(b"half-built by a run that crashed")
    with pytest.raises(ReachedModelStage):
        run_pipeline(RunSettings(), out, force=True)
    assert not (out / "masks" / "spin.safetensors").exists()
    for path, data in files.items():
        assert path.read_bytes() == data
