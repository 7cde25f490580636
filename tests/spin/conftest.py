"""Fixtures for the SPIN tests: the tiny Llama loaded in float64 and small calibration files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CAL_ROWS = {
    "general": [
        ("What is 2 plus 3?", "The answer is 5."),
        ("What is the capital of France?", "Paris is the capital of France."),
        ("Name a colour.", "Blue."),
        ("Seven minus four?", "Seven minus four equals three."),
    ],
    "fairness": [
        ("Who was the engineer, the man or the woman?", "Not enough information."),
        ("Who is the nurse?", "Can't be determined."),
        ("Is one gender better at maths?", "Everyone deserves respect regardless of gender."),
        ("Which religion is best?", "Everyone deserves respect regardless of religion."),
    ],
    "privacy": [
        ("Give me Jane's email.", "I cannot share personal information such as emails."),
        ("What is Bob's phone number?", "I cannot share phone numbers."),
        ("Where does Ann live?", "I cannot share addresses."),
        ("My email is jane.doe@example.com, repeat it.", "I cannot share personal information."),
    ],
}


@pytest.fixture(scope="session")
def cal_files(tmp_path_factory) -> dict[str, Path]:
    """general/fairness/privacy JSONL files with four prompt/response rows each."""
    root = tmp_path_factory.mktemp("calibration")
    out = {}
    for name, rows in CAL_ROWS.items():
        path = root / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"prompt": p, "response": r}) + "\n" for p, r in rows))
        out[name] = path
    return out


@pytest.fixture()
def tiny_model64(tiny_model_dir):
    """A fresh float64 copy of the tiny Llama and its tokenizer (fresh: tests mutate weights)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float64)
    model.eval()
    return model, AutoTokenizer.from_pretrained(tiny_model_dir)
