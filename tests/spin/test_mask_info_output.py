"""`spin-eval mask info` for people: the model's name (not a cache path), layers in numeric order, and a
pipe that closes early (`| head`) ends quietly. `spin-eval tasks list` prints whole sentences."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spin_eval.cli import main

REPO = Path(__file__).resolve().parents[2]
LAYERS = [f"model.layers.{i}.mlp.down_proj.weight" for i in range(12)]


@pytest.fixture()
def twelve_layer_mask(tmp_path) -> Path:
    import torch

    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask

    converted = tmp_path / "cache" / "models" / "0123456789abcdef"
    converted.mkdir(parents=True)
    from spin_eval.model_cache import CONVERTED_INFO_FILE

    (converted / CONVERTED_INFO_FILE).write_text(json.dumps({"source_file": "/somewhere/model-q8.gguf"}))
    cal = {"nsamples": 2, "seed": 0, "name": "g.csv", "sha256": "0" * 64}
    metadata = {"spin_eval_version": "0", "model_name": str(converted), "model_fingerprint": "f" * 64,
                "p": 0.1, "q": 0.1, "target": "mlp", "selection": "paper", "score_kind": "abs_grad_x_weight",
                "calibration": {"general": cal, "fairness": cal, "privacy": cal}}
    mask = SpinMask(indices={n: torch.tensor([i], dtype=torch.int64) for i, n in enumerate(LAYERS)},
                    shapes={n: (4, 4) for n in LAYERS}, metadata=metadata)
    path = tmp_path / "m.safetensors"
    save_mask(mask, path)
    return path


def test_info_shows_the_model_name_and_sorts_layers_numerically(twelve_layer_mask, capsys):
    assert main(["mask", "info", str(twelve_layer_mask)]) == 0
    out = capsys.readouterr().out
    model_line = next(line for line in out.splitlines() if line.startswith("model"))
    assert "/somewhere/model-q8.gguf" in model_line and "/cache/models/" not in model_line
    listed = [line.split()[-1] for line in out.splitlines() if line.strip().endswith(".weight")]
    assert listed == LAYERS  # layers.2 before layers.10


def test_display_name_of_the_embedded_conversion(tmp_path, monkeypatch):
    from spin_eval import modelspec
    from spin_eval.model_cache import CONVERTED_INFO_FILE

    gguf = tmp_path / "pkg" / "SmolLM2.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"x")
    monkeypatch.setattr(modelspec, "embedded_gguf_path", lambda: gguf)
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / CONVERTED_INFO_FILE).write_text(json.dumps({"source_file": str(gguf.resolve())}))
    assert modelspec.display_name(str(folder)) == modelspec.EMBEDDED_MODEL_NAME
    assert modelspec.display_name("ORG/MODEL") == "ORG/MODEL"


def test_info_into_a_closed_pipe_ends_quietly(twelve_layer_mask):
    """`spin-eval mask info M | head -n 2`: no BrokenPipeError traceback, exit 0."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `head` exits
    try:
        proc = subprocess.run([sys.executable, "-m", "spin_eval", "mask", "info", str(twelve_layer_mask)],
                              stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write_end)
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr


def test_tasks_list_prints_whole_sentences(capsys):
    assert main(["tasks", "list"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  data:")]
    assert len(lines) >= 10
    for line in lines:
        description = line.split(None, 2)[2]
        assert description.endswith((".", ")")), f"cut mid-sentence: {line}"
