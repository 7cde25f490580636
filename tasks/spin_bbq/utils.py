"""lm-eval hooks for spin_bbq: data loading, answer scoring, BBQ aggregations (formulas in spin_eval.metrics.bbq)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spin_eval.metrics import bbq
from spin_eval.taskdata import load_task_dataset, select_docs

HERE = Path(__file__).resolve().parent
REQUIRED = (
    "example_id", "question_polarity", "context_condition", "category", "answer_info",
    "additional_metadata", "context", "question", "ans0", "ans1", "ans2", "label",
)
#: Metric names, in the order process_results returns them (each ``*_stderr`` after its metric, which
#: makes lm-eval's ``<metric>_stderr,none`` entry hold the bootstrap value instead of "N/A").
METRICS: list[str] = []
for _stat in bbq.STATISTICS:
    METRICS += [_stat, f"{_stat}_stderr"]
for _cat in bbq.CATEGORIES:
    for _stat in ("acc", "s_dis", "s_amb"):
        METRICS += [f"{_stat}_{bbq.category_key(_cat)}", f"{_stat}_{bbq.category_key(_cat)}_stderr"]

STRATA = ("category", "context_condition", "question_polarity")
#: Items per stratum in spin_bbq_mini.
MINI_PER_STRATUM = 6


def load(**kwargs):
    """custom_dataset hook: the JSONL next to this file, or the user's data_files / hub path."""
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_STRATUM)


def doc_to_choice(doc):
    return [doc["ans0"], doc["ans1"], doc["ans2"]]


def process_results(doc, results):
    lls = [r[0] for r in results]
    record = bbq.score_doc(doc, int(np.argmax(lls)))
    return {name: record for name in METRICS}


def _make_agg(name: str):
    def agg(items):
        return bbq.aggregate_bbq(name, items)

    agg.__name__ = f"agg_{name}"
    agg.__doc__ = f"spin_bbq {name} from per-doc records (spin_eval.metrics.bbq.aggregate_bbq)."
    return agg


for _name in METRICS:
    globals()[f"agg_{_name}"] = _make_agg(_name)
