"""lm-eval hooks for spin_overrefusal (scoring in spin_eval.metrics.overrefusal)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics.overrefusal import score_overrefusal_doc
from spin_eval.taskdata import load_task_dataset, select_docs

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "category", "prompt", "expected", "match", "distractors", "min_hits")
STRATA = ("category",)
MINI_PER_CATEGORY = 10


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_CATEGORY)


def process_results(doc, results):
    return score_overrefusal_doc(doc, results[0])
