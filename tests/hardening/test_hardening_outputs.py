"""One output-path guard for every command that writes (spin_eval/outputs.py): an output that cannot be made
is one line and exit 2 before any work; no output overwrites an input (results, samples, manifest, mask);
two outputs of one command are never the same file; --force removes only what the command recorded
writing; every command writing a folder takes the folder lock. (`run` and `sweep`'s own folder attacks are in
test_hardening_run.py, run against both.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import forge_mask, mlp_indices, tiny_model, valid_metadata
from run_fixtures import write_fake_suite_run  # noqa: E402

from spin_eval.cli import main

LEVELS = {"capability": 0.5, "leak": 0.5, "refusal": 0.1, "bias": 0.1}


@pytest.fixture()
def run_dir(tmp_path) -> Path:
    """A finished fake run folder (base, spin) with its masks."""
    out = write_fake_suite_run(tmp_path / "OUT", base=LEVELS, spin=LEVELS)
    (out / "masks").mkdir()
    (out / "masks" / "spin.safetensors").write_bytes(b"the run's mask")
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    manifest["outputs"] = ["masks/spin.safetensors", "runs/base", "runs/spin", "report.html"]
    (out / "spin-eval-run.json").write_text(json.dumps(manifest))
    return out


def _real_mask(path: Path, tiny_model_dir: Path) -> Path:
    """A valid mask of the tiny model at ``path`` (so an export with it would go through)."""
    model = tiny_model(tiny_model_dir)
    indices, shapes = mlp_indices(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    return forge_mask(path, indices, shapes, valid_metadata(model, indices))


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the folder lock (which stays behind by design)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".spin-eval.lock"}


def _exit_2_one_line(capsys, argv) -> str:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("spin-eval: error:")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, (code, err)
    return lines[0]


# ---------------------------------------------------------------------------- outputs that cannot be made


def _commands(tmp: Path, run: Path, model: Path, bad: Path) -> dict[str, list]:
    """Every writing command with ``bad`` as its output (the flag named second)."""
    anyfile = tmp / "any.json"
    anyfile.write_text("{}")
    commands = {
        "run -o": ["run", "--model", model, "--tasks", "spin_capability_mc_mini", "--limit", "2", "-o", bad],
        "sweep -o": ["sweep", "--model", model, "--tasks", "spin_capability_mc_mini", "-o", bad],
        "report -o": ["report", run, "-o", bad],
        "check --junit": ["check", "--baseline", run, "--candidate", run, "--junit", bad],
        "check --markdown": ["check", "--baseline", run, "--candidate", run, "--markdown", bad],
        "export -o": ["export", "--model", model, "--mask", run / "masks" / "spin.safetensors", "-o", bad],
        "mask build -o": ["mask", "build", "--model", model, "--nsamples", "2", "-o", bad],
        "mask build --save-scores": ["mask", "build", "--model", model, "--nsamples", "2", "--save-scores", bad,
                                     "-o", tmp / "m.safetensors"],
        "leaderboard submit -o": ["leaderboard", "submit", run, "-o", bad],
        "leaderboard build -o": ["leaderboard", "build", anyfile, "-o", bad],
        "leaderboard verify --record-dir": ["leaderboard", "verify", anyfile, "--record-dir", bad],
        "leaderboard keygen": ["leaderboard", "keygen", bad],
        "tasks generate --output-dir": ["tasks", "generate", "--output-dir", bad],
    }
    assert list(commands) == COMMANDS
    return commands


COMMANDS = ["run -o", "sweep -o", "report -o", "check --junit", "check --markdown", "export -o", "mask build -o",
            "mask build --save-scores", "leaderboard submit -o", "leaderboard build -o",
            "leaderboard verify --record-dir", "leaderboard keygen", "tasks generate --output-dir"]
FILE_OUTPUTS = {"report -o", "check --junit", "check --markdown", "mask build -o", "leaderboard submit -o"}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", ["file/sub", "dangling", "dangling/sub", "file-or-folder"])
def test_an_output_that_cannot_be_made_is_one_line_exit_2_before_any_work(capsys, tmp_path, run_dir, tiny_model_dir,
                                                                          command, bad):
    """Was: exit 3 with a traceback (run -o file/sub or a dangling link, submit -o where evidence is a file,
    build -o file/sub, verify --record-dir FILE), or work done first."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    if bad == "file-or-folder":  # a file where a folder is written, a folder where a file is
        bad = "folder" if command in FILE_OUTPUTS else "file"
        (tmp_path / "folder").mkdir()
    before = _snapshot(run_dir)
    argv = _commands(tmp_path, run_dir, tiny_model_dir, tmp_path / bad)[command]
    line = _exit_2_one_line(capsys, argv)
    assert str(tmp_path / bad.split("/")[0]) in line, line
    assert (tmp_path / "file").read_text() == "x" and not (tmp_path / "nowhere").exists()
    assert _snapshot(run_dir) == before


def test_submit_where_the_evidence_folder_is_a_file(capsys, tmp_path, run_dir):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "evidence").write_text("not a folder")
    line = _exit_2_one_line(capsys, ["leaderboard", "submit", run_dir, "-o", tmp_path / "sub" / "s.json"])
    assert "evidence" in line and not (tmp_path / "sub" / "s.json").exists()


# ------------------------------------------------------------------------------ outputs onto inputs


INSIDE = ["runs/spin/tiny__model/results_2026-01-01T00-00-00.000000.json",
          "runs/spin/tiny__model/samples_spin_bbq_mini_2026-01-01T00-00-00.000000.jsonl",
          "spin-eval-run.json", "masks/spin.safetensors", "runs/spin/junit.xml", "report.html"]


@pytest.mark.parametrize("flag", ["--junit", "--markdown"])
@pytest.mark.parametrize("inside", INSIDE)
def test_check_never_writes_over_a_file_of_a_run_folder(capsys, run_dir, flag, inside):
    """Was: exit 0 with the results / samples / manifest / mask replaced by the JUnit or Markdown; a file
    written inside a recorded output folder would be removed by the next `run --force`."""
    (run_dir / "report.html").write_text("<html>the run's report</html>")
    before = _snapshot(run_dir)
    line = _exit_2_one_line(capsys, ["check", "--baseline", run_dir, "--candidate", run_dir, flag, run_dir / inside])
    assert flag in line
    assert _snapshot(run_dir) == before


def test_check_two_outputs_on_one_file(capsys, tmp_path, run_dir):
    """Was: `check --markdown F --junit F` left only the JUnit."""
    line = _exit_2_one_line(capsys, ["check", "--baseline", run_dir, "--candidate", run_dir,
                                     "--markdown", tmp_path / "F", "--junit", tmp_path / "." / "F"])
    assert "--markdown" in line and "--junit" in line and not (tmp_path / "F").exists()


@pytest.mark.parametrize("inside", ["masks/spin.safetensors", "spin-eval-run.json", INSIDE[0], INSIDE[1]])
def test_report_never_writes_over_what_it_reads(capsys, run_dir, inside):
    """Was: `report OUT -o OUT/masks/spin.safetensors` overwrote the mask it reads."""
    before = _snapshot(run_dir)
    _exit_2_one_line(capsys, ["report", run_dir, "-o", run_dir / inside, "--format", "md"])
    assert _snapshot(run_dir) == before


def test_a_new_file_beside_the_inputs_is_fine(capsys, tmp_path, run_dir):
    assert main(["check", "--baseline", str(run_dir), "--candidate", str(run_dir), "--quiet",
                 "--junit", str(run_dir / "check.xml")]) == 0
    assert (run_dir / "check.xml").read_text().startswith("<?xml")


# ----------------------------------------------------------------------------- export --force


def test_export_force_never_removes_its_mask_or_the_users_files(capsys, tmp_path, tiny_model_dir):
    """Was: `export --mask D/my.safetensors -o D --force` deleted the mask and every other file in D."""
    folder = tmp_path / "D"
    _real_mask(folder / "my.safetensors", tiny_model_dir)
    (folder / "NOTES.txt").write_text("notes")
    before = _snapshot(folder)
    line = _exit_2_one_line(capsys, ["export", "--model", tiny_model_dir, "--mask", folder / "my.safetensors",
                                     "-o", folder, "--force"])
    assert "--mask" in line
    _real_mask(tmp_path / "m.safetensors", tiny_model_dir)
    line = _exit_2_one_line(capsys, ["export", "--model", tiny_model_dir, "--mask", tmp_path / "m.safetensors",
                                     "-o", folder, "--force"])
    assert "not written by spin-eval" in line
    assert _snapshot(folder) == before


# ------------------------------------------------------------------------------------- folder lock


def _hold_lock(out: Path) -> subprocess.Popen:
    code = (
        "import time; from pathlib import Path; from spin_eval.outputs import folder_lock\n"
        f"with folder_lock(Path({str(out)!r})):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.parametrize("command", ["export -o", "leaderboard build -o", "tasks generate --output-dir"])
def test_every_command_writing_a_folder_takes_the_folder_lock(capsys, tmp_path, run_dir, tiny_model_dir, command):
    out = tmp_path / "locked"
    holder = _hold_lock(out)
    try:
        line = _exit_2_one_line(capsys, _commands(tmp_path, run_dir, tiny_model_dir, out)[command])
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert f"pid {holder.pid}" in line
    assert [p.name for p in out.iterdir()] == [".spin-eval.lock"]


# ------------------------------------------------------------------ every command: its own input as output


def _own_input_cases(tmp: Path, run: Path, model: Path) -> dict[str, tuple[list, Path]]:
    """Every writing command with an output that is (or holds, or removes) one of its own inputs, and that input."""
    results = next(run.rglob("results_*.json"))
    calibration = tmp / "general.csv"
    calibration.write_text("text\nhello\n")
    sub_dir = tmp / "subs"
    sub_dir.mkdir()
    (sub_dir / "leaderboard.json").write_text("{}")
    (sub_dir / "sub.verification.json").write_bytes(b"a mask named like a record")
    (sub_dir / "sub.json").write_text("{}")
    _real_mask(tmp / "D" / "my.safetensors", model)
    return {
        "run -o": (["run", "--model", model, "--tasks", "spin_capability_mc_mini", "--limit", "2",
                    "--mask", run / "masks" / "spin.safetensors", "-o", run, "--force"],
                   run / "masks" / "spin.safetensors"),
        "sweep -o": (["sweep", "--model", model, "--tasks", "spin_capability_mc_mini", "--ratios", "0.1",
                      "--from-scores", run / "masks" / "score_sums.safetensors", "-o", run, "--force"],
                     run / "masks" / "score_sums.safetensors"),
        "report -o": (["report", run, "-o", results, "--format", "json"], results),
        "check --junit": (["check", "--baseline", results, "--candidate", run, "--junit", results], results),
        "check --markdown": (["check", "--baseline", run, "--candidate", run, "--markdown",
                              run / "masks" / "spin.safetensors"], run / "masks" / "spin.safetensors"),
        "export -o": (["export", "--model", model, "--mask", tmp / "D" / "my.safetensors", "-o", tmp / "D", "--force"],
                      tmp / "D" / "my.safetensors"),
        "mask build -o": (["mask", "build", "--model", model, "--general", calibration, "-o", calibration], calibration),
        "leaderboard submit -o": (["leaderboard", "submit", run, "-o", run / "sub.json"], results),
        "leaderboard build -o": (["leaderboard", "build", sub_dir / "leaderboard.json", "-o", sub_dir],
                                 sub_dir / "leaderboard.json"),
        "leaderboard verify --record-dir": (["leaderboard", "verify", sub_dir / "sub.json", "--mask",
                                             sub_dir / "sub.verification.json", "--record-dir", sub_dir],
                                            sub_dir / "sub.verification.json"),
    }


@pytest.mark.parametrize("command", ["run -o", "sweep -o", "report -o", "check --junit", "check --markdown",
                                     "export -o", "mask build -o", "leaderboard submit -o", "leaderboard build -o",
                                     "leaderboard verify --record-dir"])
def test_no_command_writes_over_its_own_input(capsys, tmp_path, run_dir, tiny_model_dir, command):
    (run_dir / "masks" / "score_sums.safetensors").write_bytes(b"the user's score sums")
    argv, given = _own_input_cases(tmp_path, run_dir, tiny_model_dir)[command]
    before = given.read_bytes()
    _exit_2_one_line(capsys, argv)
    assert given.read_bytes() == before
    assert not (run_dir / "sub.json").exists()
