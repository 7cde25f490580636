"""docs/gpu.md's recipe, run for real on CPU with the tiny random Llama (every flag, scaled down).

Each shell command of docs/gpu.md is taken from the page itself and run with bash after these
substitutions, so a flag the page shows but spin-eval / lm-eval / accelerate does not accept fails here:
the 7B hub model -> the tiny model folder, ``cuda`` -> ``cpu``, ``--multi_gpu --num_processes 8`` ->
``--cpu --num_processes 1``, 128 calibration samples -> 2, ``max_length=4096`` -> 512 and 256 generated tokens -> 16 (lm-eval's
``--batch-size auto`` probes a full-length batch; 4096 tokens x 64 on CPU exhausts memory), every
document -> 2 per task (1 per generation task), and the suites -> one multiple-choice and one generation
task (no control variant), torchrun's 8 processes -> 2 (gloo). Skipped: the set-up and hub download (nothing may
reach a hub here) and vLLM (not installed; its flags are validated by tests/test_docs.py).

A plain ``spin-eval ...`` line (no shell syntax) is split as bash splits it (``shlex``) and run through
``spin_eval.cli.main``, the console script's own entry point, in this process (the console script itself is
run by tests/adapter/test_adapter_cli.py and tests/test_wheel_install.py); every other line (torchrun,
accelerate launch, ``$(spin-eval tasks path)``) runs with bash. In-process saves each command's imports and
lm-eval's task index (tests/conftest.py reads it once per test process).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from test_docs import code_lines

REPO = Path(__file__).resolve().parent.parent
MODEL = "Qwen/Qwen2.5-7B-Instruct"
SUBSTITUTIONS = [
    ("--multi_gpu --num_processes 8", "--cpu --num_processes 1"),
    ("--nproc_per_node 8", "--nproc_per_node 2"),
    ("--device cuda", "--device cpu"),
    ("--nsamples 128", "--nsamples 2"),
    ("max_length=4096", "max_length=512"),
    ("max_gen_toks=256", "max_gen_toks=16"),
    ("--limit none", "--limit 2 --gen-limit 1 --tasks spin_bbq_mini,spin_pii_leakage_mini --controls none"),
    ("--tasks spin_suite_full", "--tasks spin_bbq,spin_pii_leakage --limit 2"),
]


def recipe_commands() -> list[str]:
    lines = [line for _, line, _ in code_lines((REPO / "docs" / "gpu.md").read_text(encoding="utf-8"))]
    out = []
    for line in lines:
        if line.startswith(("bash scripts/setup.sh", "huggingface-cli")) or "--model vllm" in line:
            continue
        out.append(line)
    return out


def scaled(line: str, model_dir: Path) -> str:
    for old, new in SUBSTITUTIONS:
        line = line.replace(old, new)
    return line.replace(MODEL, str(model_dir))


def test_recipe_shows_each_stage():
    joined = "\n".join(recipe_commands())
    for needle in ("spin-eval mask build", "--device cuda", "spin-eval run", "--apply-chat-template", "spin-eval tune",
                   "--baselines",
                   "accelerate launch", "-m lm_eval", "spin-eval export"):
        assert needle in joined
    for old, _ in SUBSTITUTIONS:
        assert old in joined, f"docs/gpu.md no longer shows {old!r}: update SUBSTITUTIONS"


@pytest.mark.slow
def test_recipe_runs_on_cpu_with_the_tiny_model(tiny_model_dir, tmp_path, monkeypatch):
    from spin_eval.cli import main

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
           "SPIN_EVAL_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "ACCELERATE_USE_CPU": "1"}
    for name in ("SPIN_EVAL_CACHE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "ACCELERATE_USE_CPU"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.chdir(tmp_path)
    in_process = 0
    for line in recipe_commands():
        command = scaled(line, tiny_model_dir)
        if command.startswith("spin-eval ") and not set("$`|;&<>(){}*?'\"\\") & set(command):
            assert main(shlex.split(command)[1:]) == 0, command
            in_process += 1
            continue
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=1800)
        assert proc.returncode == 0, f"{command}\n{proc.stderr[-3000:]}"

    assert in_process >= 5  # mask build and info, run (twice), tune, export

    manifest = json.loads((tmp_path / "runs" / "qwen7b" / "spin-eval-run.json").read_text())
    assert manifest["evaluation_options"]["apply_chat_template"] is True
    assert manifest["evaluation_options"]["judge"] == "builtin"
    assert manifest["settings"]["batch_size"] == "auto" and manifest["settings"]["device"] == "cpu"
    (results,) = (tmp_path / "runs" / "qwen7b-dp" / "spin").glob("*/results_*.json")
    config = json.loads(results.read_text())
    assert config["config"]["spin"]["mode"] == "mask" and config["chat_template"]
    for tuned in ("qwen7b-sft-privacy", "qwen7b-dora-mix"):
        assert (tmp_path / "tuned" / tuned / "adapter_model.safetensors").is_file()
    seesaw = json.loads((tmp_path / "runs" / "qwen7b-seesaw" / "spin-eval-run.json").read_text())
    assert set(seesaw["stages"]["baselines"]["baselines"]) == {"sft-privacy", "sft-fairness", "sft-mix"}
    exported = tmp_path / "exported" / "qwen7b-spin"
    assert (exported / "model.safetensors").is_file() and (exported / "config.json").is_file()
