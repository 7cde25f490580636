"""Attacks on the output folder of `spin-eval run` AND `spin-eval sweep` (one folder-safety path, so every
test runs against both): --force deleting the user's files, inputs that are outputs, an existing file or a
dangling link as -o, two commands at once. The model stage is replaced by a sentinel: every attack is
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
from spin_eval.outputs import LOCK_FILE
from spin_eval.run.main import run_pipeline
from spin_eval.run.settings import RunSettings
from spin_eval.run.sweep import SweepSettings, run_sweep

KINDS = ("run", "sweep")
#: The SPIN mask each command writes first (its name in OUT/masks/).
SPIN_MASK = {"run": "masks/spin.safetensors", "sweep": "masks/spin-p3e-05.safetensors"}


class ReachedModelStage(Exception):
    """Raised instead of loading the model: the command got past every folder check."""


@pytest.fixture(autouse=True)
def stop_before_the_model(monkeypatch):
    import spin_eval.modelspec
    import spin_eval.run.sweep

    def sentinel(*args, **kwargs):
        raise ReachedModelStage()

    monkeypatch.setattr(spin_eval.modelspec, "resolve_model_spec", sentinel)
    monkeypatch.setattr(spin_eval.run.sweep, "make_task_manager", sentinel)


def launch(kind: str, out: Path, *, force: bool = False, given: Path | None = None) -> None:
    """``spin-eval run`` (``given`` as --mask) or ``spin-eval sweep`` (``given`` as --from-scores) into ``out``."""
    if kind == "run":
        run_pipeline(RunSettings(mask=None if given is None else str(given)), out, force=force)
    else:
        run_sweep(SweepSettings(from_scores=() if given is None else (str(given),)), out, force=force)


def _user_files(out: Path) -> dict[Path, bytes]:
    files = {out / "masks" / "mine.safetensors": b"the user's own mask",
             out / "masks" / "NOTES.txt": b"notes", out / "runs" / "my-experiment" / "results.json": b"{}",
             out / "my-scores.safetensors": b"the user's own scores"}
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


@pytest.mark.parametrize("kind", KINDS)
def test_force_keeps_files_spin_eval_did_not_write(tmp_path, kind):
    """Was: `run --mask P/masks/mine.safetensors -o P --force` deleted P/masks and P/runs first; `sweep --force`
    (and `sweep --from-scores P/my-scores.safetensors -o P --force`) did the same."""
    out = tmp_path / "P"
    files = _user_files(out)
    given = out / ("masks/mine.safetensors" if kind == "run" else "my-scores.safetensors")
    # the run's --mask bytes are no mask: refused (MaskError) before anything is removed
    with pytest.raises((ReachedModelStage, MaskError, InputError)):
        launch(kind, out, force=True, given=given)
    for path, data in files.items():
        assert path.read_bytes() == data


@pytest.mark.parametrize("kind", KINDS)
def test_force_removes_exactly_what_the_manifest_recorded(tmp_path, kind):
    out = tmp_path / "P"
    files = _user_files(out)
    with pytest.raises(ReachedModelStage):
        launch(kind, out)
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert SPIN_MASK[kind] in manifest["outputs"] and "runs/base" in manifest["outputs"]
    (out / SPIN_MASK[kind]).write_bytes(b"written by the command")
    (out / "runs" / "base").mkdir()
    with pytest.raises(ReachedModelStage):
        launch(kind, out, force=True)
    assert not (out / SPIN_MASK[kind]).exists() and not (out / "runs" / "base").exists()
    for path, data in files.items():
        assert path.read_bytes() == data


@pytest.mark.parametrize("kind", KINDS)
def test_an_output_path_holding_a_foreign_file_is_refused(tmp_path, kind):
    out = tmp_path / "P"
    (out / "masks").mkdir(parents=True)
    (out / SPIN_MASK[kind]).write_bytes(b"not spin-eval's")
    for force in (False, True):
        with pytest.raises(InputError, match=f"{SPIN_MASK[kind]} exists but was not written by spin-eval"):
            launch(kind, out, force=force)
    assert (out / SPIN_MASK[kind]).read_bytes() == b"not spin-eval's"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("inside", ["spin", "masks/score_sums.safetensors", "runs/base/m/results.json",
                                    "spin-eval-run.json"])
def test_an_input_that_is_an_output_is_refused(tmp_path, kind, inside):
    out = tmp_path / "P"
    given = out / (SPIN_MASK[kind] if inside == "spin" else inside)
    given.parent.mkdir(parents=True)
    given.write_bytes(b"input")
    for force in (False, True):
        with pytest.raises(InputError, match="is an output of this"):
            launch(kind, out, force=force, given=given)
    assert given.read_bytes() == b"input"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", ["file", "file/sub", "dangling", "dangling/sub"])
def test_an_output_folder_that_cannot_be_made_is_refused_before_any_work(tmp_path, kind, bad):
    (tmp_path / "file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="-o"):
        launch(kind, tmp_path / bad)
    assert (tmp_path / "file").read_text() == "x" and not (tmp_path / "nowhere").exists()


def _hold_lock(out: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from pathlib import Path; from spin_eval.outputs import folder_lock\n"
        f"with folder_lock(Path({str(out)!r})):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_command_refuses_naming_the_holder_then_takes_over_a_dead_holders_lock(tmp_path, kind):
    out = tmp_path / "P"
    holder = _hold_lock(out)
    try:
        with pytest.raises(InputError, match=f"another spin-eval command is writing there \\(pid {holder.pid} "):
            launch(kind, out)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert f"pid {holder.pid}" in (out / LOCK_FILE).read_text()  # the dead holder's lock file stays behind
    with pytest.raises(ReachedModelStage):
        launch(kind, out)
    assert f"pid {os.getpid()}" in (out / LOCK_FILE).read_text()


def test_a_manifest_without_outputs_list_still_records_what_its_settings_write(tmp_path):
    """Run manifests written before the ``outputs`` field: their settings say which paths the run wrote."""
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


def test_a_sweep_manifest_without_outputs_list_records_its_points(tmp_path):
    """Sweep manifests written before the ``outputs`` field: their points name the masks they wrote."""
    out = tmp_path / "P"
    files = _user_files(out)
    legacy = {"format_version": 1, "kind": "sweep", "stages": {"scores": {"status": "done"}},
              "variants": {"base": {"status": "done"}, "spin-p0.1": {"status": "done"}},
              "sweep": {"points": [{"p": 0.1, "q": 0.1, "spin": "spin-p0.1",
                                    "controls": {"random": "random-p0.1"}}]}}
    (out / "spin-eval-run.json").write_text(json.dumps(legacy))
    for rel in ("masks/spin-p0.1.safetensors", "masks/random-p0.1.safetensors", "masks/score_sums.safetensors",
                "runs/spin-p0.1/m/results.json"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"written by the old sweep")
    with pytest.raises(ReachedModelStage):
        launch("sweep", out, force=True)
    assert not list((out / "masks").glob("*p0.1*")) and not (out / "runs" / "spin-p0.1").exists()
    for path, data in files.items():
        assert path.read_bytes() == data
