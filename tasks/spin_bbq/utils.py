"""lm-eval hooks for spin_bbq: data loading, answer scoring, BBQ aggregations (formulas in spin_eval.metrics.bbq).

Per document, :func:`process_results` emits its small record (:func:`spin_eval.metrics.bbq.score_doc`) only
under the metrics that use it: the five overall statistics and the three of the document's own category
(each with its ``*_stderr``), 16 entries instead of one per metric of every category. The aggregation of a
metric named in the YAML (``!function utils.agg_<metric>``) is looked up through the module's
``__getattr__``; standard errors resample templates (``cluster_id``), see spin_eval.metrics.bbq.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spin_eval.metrics import bbq
from spin_eval.taskdata import load_task_dataset, select_docs

HERE = Path(__file__).resolve().parent
#: The shipped items, used when neither the YAML nor --metadata names data_files.
DEFAULT_DATA = "spin_bbq.jsonl"
REQUIRED = (
    "example_id", "question_polarity", "context_condition", "category", "answer_info",
    "additional_metadata", "context", "question", "ans0", "ans1", "ans2", "label",
)
OVERALL = bbq.STATISTICS
PER_CATEGORY = ("acc", "s_dis", "s_amb")
#: Metric names of the YAML, in the order process_results returns them (each ``*_stderr`` after its metric,
#: which makes lm-eval's ``<metric>_stderr,none`` entry hold the bootstrap value instead of "N/A").
METRICS: tuple[str, ...] = tuple(
    name
    for base in [*OVERALL, *(f"{s}_{bbq.category_key(c)}" for c in bbq.CATEGORIES for s in PER_CATEGORY)]
    for name in (base, f"{base}_stderr")
)
_METRIC_SET = frozenset(METRICS)

STRATA = ("category", "context_condition", "question_polarity")
#: Items per stratum in spin_bbq_mini.
MINI_PER_STRATUM = 6


def load(**kwargs):
    """custom_dataset hook: the JSONL next to this file, or the user's data_files (YAML dataset_kwargs or
    ``--metadata '{"data_files": ...}'``) / hub path."""
    if kwargs.get("data_files") is None and kwargs.get("path") is None:
        kwargs["data_files"] = DEFAULT_DATA
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_STRATUM)


def doc_to_choice(doc):
    return [doc["ans0"], doc["ans1"], doc["ans2"]]


def doc_metrics(category: str) -> tuple[str, ...]:
    """The metrics a document of ``category`` contributes to: overall ones and its own category's."""
    key = bbq.category_key(category)
    names = [*OVERALL, *(f"{s}_{key}" for s in PER_CATEGORY)]
    return tuple(n for base in names for n in (base, f"{base}_stderr"))


def process_results(doc, results):
    lls = [r[0] for r in results]
    record = bbq.score_doc(doc, int(np.argmax(lls)))
    return {name: record for name in doc_metrics(doc["category"]) if name in _METRIC_SET}



def __getattr__(name: str):
    """``agg_<metric>``: the aggregation of a YAML metric (``bbq.aggregate_bbq`` bound to its name)."""
    if name.startswith("agg_") and name[4:] in _METRIC_SET:
        metric = name[4:]

        def agg(items):
            return bbq.aggregate_bbq(metric, items)

        agg.__name__ = agg.__qualname__ = name
        agg.__doc__ = f"spin_bbq {metric} from per-doc records (spin_eval.metrics.bbq.aggregate_bbq)."
        return agg
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
