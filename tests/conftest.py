"""Shared fixtures. Every test runs offline: nothing may reach a model or data hub."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "data" / "spin-reference"

if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Llama (2 layers, hidden 32) with tokenizer and chat template, saved as safetensors."""
    from tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def spin_reference_dir() -> Path:
    """The SPIN paper's CSVs in ../shared (skips the test where they are absent)."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"SPIN reference data not found at {SHARED_REFERENCE}")
    return SHARED_REFERENCE
