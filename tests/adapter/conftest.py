"""Fixtures for the spin_hf adapter tests: a hand-made mask for the tiny Llama and a tiny local task."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapter_support import write_hand_mask, write_tiny_task  # noqa: E402


@pytest.fixture(scope="session")
def hand_mask(tiny_model_dir, tmp_path_factory) -> Path:
    """A mask file zeroing 10% of every MLP weight of the tiny Llama (indices drawn with seed 0)."""
    return write_hand_mask(tiny_model_dir, tmp_path_factory.mktemp("mask") / "hand.safetensors")


@pytest.fixture()
def tiny_task_dir(tmp_path) -> Path:
    """A multiple-choice task over a local JSONL file, in the test's tmp dir."""
    return write_tiny_task(tmp_path / "tasks")
