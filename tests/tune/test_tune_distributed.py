"""`spin-eval tune` under torchrun (2 processes, gloo on the CPU) writes the adapter one process writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Largest difference allowed between an adapter weight trained in 2 processes and in 1 (docs/seesaw.md):
#: the same rows per step and the same token-mean loss, summed in another order (float32 all-reduce).
TOLERANCE = 1e-5


def _tune_args(model, out, method: str) -> list[str]:
    return ["tune", "--model", str(model), "--method", method, "--data", "privacy", "--nsamples", "6", "--steps", "3",
            "--batch-size", "2", "--max-length", "64", "--learning-rate", "1e-2", "-o", str(out)]


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1",
               SPIN_EVAL_CACHE=str(cache), PYTHONPATH=os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return env


def _torchrun(args: list[str], cache: Path, nproc: int = 2) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
               "-m", "spin_eval", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, env=_env(cache), timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lora", "full"])
def test_two_gloo_ranks_write_the_one_process_adapter(tiny_model_dir, tmp_path, monkeypatch, method):
    from safetensors.torch import load_file

    from spin_eval.cli import main

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache-single"))
    single, ranked = tmp_path / "single", tmp_path / "ranked"
    assert main(_tune_args(tiny_model_dir, single, method)) == 0
    proc = _torchrun(_tune_args(tiny_model_dir, ranked, method), tmp_path / "cache-ranked")
    assert proc.returncode == 0, proc.stderr[-3000:]
    weights = "model.safetensors" if method == "full" else "adapter_model.safetensors"
    one, two = load_file(single / weights), load_file(ranked / weights)
    assert one.keys() == two.keys() and one
    worst = max(float((one[k] - two[k]).abs().max()) for k in one)
    changed = max(float(one[k].abs().max()) for k in one if "lora_B" in k or method == "full")
    assert changed > 100 * TOLERANCE  # training moved the weights, so agreement is not trivial
    assert worst <= TOLERANCE, f"2-process adapter differs from 1-process by {worst}"
    cached = [p for p in (tmp_path / "cache-ranked" / "tuned").iterdir()]
    assert len(cached) == 1 and not [p for p in tmp_path.glob(".ranked*")]  # rank 0 wrote once, nothing left over


@pytest.mark.slow
def test_a_batch_the_ranks_cannot_share_is_refused_before_loading(tiny_model_dir, tmp_path):
    args = _tune_args(tiny_model_dir, tmp_path / "out", "lora")
    args[args.index("--batch-size") + 1] = "3"
    proc = _torchrun(args, tmp_path / "cache")
    assert proc.returncode != 0 and "must be divisible by the 2 processes" in proc.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache" / "tuned").exists()


def test_each_rank_loads_onto_its_own_gpu(monkeypatch):
    from spin_eval.tune.train import rank_device

    assert rank_device("cuda") == "cuda" and rank_device("cpu") == "cpu"
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert rank_device("cuda") == "cuda:3" and rank_device("cuda:1") == "cuda:1" and rank_device("cpu") == "cpu"
