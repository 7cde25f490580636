"""lm-eval hooks for spin_overrefusal (refusal detection in spin_eval.metrics.refusal)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics.refusal import is_refusal
from spin_eval.taskdata import interleave_strata, load_task_dataset, select_stratified

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "category", "prompt")
MINI_PER_CATEGORY = 10


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    keys = [(c,) for c in dataset["category"]]
    return dataset.select(interleave_strata(keys, seed=0))


def process_docs_mini(dataset):
    keys = [(c,) for c in dataset["category"]]
    return dataset.select(select_stratified(keys, MINI_PER_CATEGORY, seed=0))


def process_results(doc, results):
    return {"refusal_rate": float(is_refusal(results[0]))}
