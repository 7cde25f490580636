"""Data-parallel `mask build` under torchrun (gloo on the CPU): the same file as one process, one clear
error for ranks that disagree, and no mask when a rank dies."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return env


def _torchrun(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, env=_env(), timeout=timeout)


def _build_args(model, cal_files, out, *extra) -> list[str]:
    return [
        "mask", "build", "--model", str(model), "--general", str(cal_files["general"]),
        "--fairness", str(cal_files["fairness"]), "--privacy", str(cal_files["privacy"]),
        "--nsamples", "4", "--p", "0.05", "--no-progress", "-o", str(out), *extra,
    ]


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
@pytest.mark.parametrize("extra", [(), ("--selection", "magnitude-random", "--batch-size", "2"),
                                   ("--selection", "reference", "--p", "0.02", "--q", "0.1", "--batch-size", "3")])
def test_torchrun_two_ranks_write_the_single_process_file(tiny_model_dir, cal_files, tmp_path, extra):
    from spin_eval.cli import main

    single, ranked = tmp_path / "single.safetensors", tmp_path / "ranked.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, single, *extra)) == 0
    proc = _torchrun("-m", "spin_eval", *_build_args(tiny_model_dir, cal_files, ranked, *extra))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "samples split over 2 ranks" in proc.stdout
    assert ranked.read_bytes() == single.read_bytes()


RANK_SCRIPT = """
import os, sys
from spin_eval.cli import main
rank = int(os.environ["RANK"])
args = sys.argv[1:]
if os.environ.get("DIFFER") == "1" and rank == 1:
    args[args.index("--nsamples") + 1] = "3"  # rank 1 was started with other settings
if os.environ.get("DIE") == "1" and rank == 1:
    import spin_eval.spin.scoring as scoring
    real, calls = scoring.gradient_sums, []
    def dying(*a, **k):
        calls.append(1)
        if len(calls) == 2:  # rank 1 dies while scoring the second set
            os._exit(3)
        return real(*a, **k)
    scoring.gradient_sums = dying
sys.exit(main(args))
"""


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
@pytest.mark.parametrize("case", ["DIFFER", "DIE"])
def test_disagreeing_or_dying_rank_writes_no_mask(tiny_model_dir, cal_files, tmp_path, case, monkeypatch):
    script = tmp_path / "rank.py"
    script.write_text(textwrap.dedent(RANK_SCRIPT))
    out = tmp_path / "mask.safetensors"
    monkeypatch.setenv(case, "1")
    proc = _torchrun(str(script), *_build_args(tiny_model_dir, cal_files, out))
    assert proc.returncode != 0
    assert not out.exists() and not list(tmp_path.glob("*.safetensors*"))
    if case == "DIFFER":
        assert "rank 1 of 2 differs from rank 0 in calibration, config" in proc.stderr


@pytest.mark.slow
def test_torchrun_smollm2_equals_single_process(tmp_path):
    from spin_eval.cli import main

    # 4 samples a set in batches of 2: the single process still adds two batches, each rank scores one and the
    # ranks' sums meet in the exact all-reduce, so the summation orders differ as with more samples (half the CPU).
    # At 1e-3 the mask is not empty (the paper's 5e-7 can select nothing from so few samples), so equal bytes
    # mean equal selected weights, not two empty masks.
    args = ["mask", "build", "--model", "smollm2", "--nsamples", "4", "--batch-size", "2", "--max-length", "256",
            "--p", "1e-3", "--q", "1e-3", "--no-progress", "-o"]
    single, ranked = tmp_path / "single.safetensors", tmp_path / "ranked.safetensors"
    assert main([*args, str(single)]) == 0
    proc = _torchrun("-m", "spin_eval", *args, str(ranked), timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ranked.read_bytes() == single.read_bytes()
    from spin_eval.spin.io import load_mask

    assert load_mask(single).total > 0


def test_device_map_auto_gives_the_plain_build(tiny_model_dir, cal_files, tmp_path):
    """--device-map auto loads through accelerate's big-model path (here: every layer on the CPU)."""
    from spin_eval.cli import main

    plain, mapped = tmp_path / "plain.safetensors", tmp_path / "mapped.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, plain, "--batch-size", "3")) == 0
    assert main(_build_args(tiny_model_dir, cal_files, mapped, "--device-map", "auto")) == 0
    assert mapped.read_bytes() == plain.read_bytes()


def test_offloaded_target_weights_are_refused_before_scoring():
    import torch

    from spin_eval.errors import ScoringError
    from spin_eval.spin.scoring import check_scorable

    with torch.device("meta"):
        offloaded = torch.nn.Linear(4, 4)
    with pytest.raises(ScoringError, match="offloaded by the device map"):
        check_scorable({"model.layers.0.mlp.up_proj.weight": offloaded})
    check_scorable({"model.layers.0.mlp.up_proj.weight": torch.nn.Linear(4, 4)})  # resident: fine


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rank_env(rank: int, port: int, **extra: str) -> dict[str, str]:
    env = _env()
    env.update(WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
               **extra)
    for key in ("TORCHELASTIC_RUN_ID",):
        env.pop(key, None)
    return env


@pytest.mark.slow  # >10 CPU-s: two Python processes with torch
def test_rank_that_never_joins_is_one_line_exit_2(tiny_model_dir, cal_files, tmp_path):
    out = tmp_path / "mask.safetensors"
    proc = subprocess.run([sys.executable, "-m", "spin_eval", *_build_args(tiny_model_dir, cal_files, out),
                           "--join-timeout", "3"], capture_output=True, text=True, cwd=REPO_ROOT,
                          env=_rank_env(0, _free_port()), timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "waits up to 3 s for all ranks to join (--join-timeout)" in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "rank 0 of 2: not all ranks joined" in last and "WORLD_SIZE/RANK" in last and "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.slow  # >10 CPU-s: two Python processes with torch
def test_peer_lost_outside_torchrun_is_one_line_exit_2(tiny_model_dir, cal_files, tmp_path):
    script = tmp_path / "rank.py"
    script.write_text(textwrap.dedent(RANK_SCRIPT))
    out = tmp_path / "mask.safetensors"
    port = _free_port()
    args = [sys.executable, str(script), *_build_args(tiny_model_dir, cal_files, out)]
    procs = [subprocess.Popen(args, cwd=REPO_ROOT, env=_rank_env(r, port, DIE="1"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in (0, 1)]
    results = [p.communicate(timeout=300) for p in procs]
    assert procs[1].returncode == 3  # the rank that died
    assert procs[0].returncode == 2, results[0][1][-2000:]
    last = results[0][1].strip().splitlines()[-1]
    assert "rank 0 of 2: a peer rank was lost during" in last and "Traceback" not in results[0][1]
    assert not out.exists()
