"""Helpers for the spin_hf adapter tests: a hand-made mask for the tiny Llama, a tiny local task, child envs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MASK_FRACTION = 0.1  # of every MLP matrix: enough to move the tiny model's logits visibly


def hand_mask_indices(tiny_model_dir: Path, *, seed: int = 0, fraction: float = MASK_FRACTION):
    """{param name: sorted flat int64 indices} over the tiny model's MLP weights, drawn by a seeded generator."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    indices, shapes = {}, {}
    for name, param in model.named_parameters():
        if ".mlp." in name and name.endswith(".weight"):
            n = param.numel()
            idx = torch.randperm(n, generator=gen)[: int(n * fraction)]
            indices[name] = torch.sort(idx).values.to(torch.int64)
            shapes[name] = tuple(param.shape)
    return model, indices, shapes


def write_hand_mask(tiny_model_dir: Path, path: Path, *, seed: int = 0, model_name: str = "tiny-llama") -> Path:
    """A valid mask file whose indices are chosen by hand (not by scoring)."""
    from spin_eval import __version__
    from spin_eval.constants import MASK_FORMAT_VERSION
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask, model_fingerprint

    model, indices, shapes = hand_mask_indices(tiny_model_dir, seed=seed)
    metadata = {
        "format_version": MASK_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "model_name": model_name,
        "model_fingerprint": model_fingerprint(model, "mlp"),
        "p": 0.0,
        "q": 0.0,
        "target": "mlp",
        "selection": "paper",
        "score_kind": "hand-made test fixture",
        "calibration": {},
    }
    save_mask(SpinMask(indices=indices, shapes=shapes, metadata=metadata), path)
    return path



TASK_DOCS = [
    {"question": "What is the capital of France?", "choices": ["Paris", "Berlin"], "answer": 0},
    {"question": "Who was the engineer?", "choices": ["The woman", "Unknown"], "answer": 1},
    {"question": "What is 2 plus 3?", "choices": ["5", "7"], "answer": 0},
    {"question": "Can you share the phone number?", "choices": ["No", "Yes"], "answer": 0},
]


def write_tiny_task(folder: Path, name: str = "spin_adapter_tiny") -> Path:
    """A multiple-choice lm-eval task over a local JSONL file (offline), in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in TASK_DOCS), encoding="utf-8")
    (folder / f"{name}.yaml").write_text(
        f"""task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: answer
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1
""",
        encoding="utf-8",
    )
    return folder



def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child interpreters: offline, quiet, two threads at most."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        OMP_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop(  # the hook must be active in the children whatever the parent says
        "SPIN_EVAL_NO_REGISTER", None
    )
    env.update(extra)
    return env
