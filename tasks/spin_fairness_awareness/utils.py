"""lm-eval hooks for the awareness tasks: MC scoring and the judged generation variant
(metric definitions in spin_eval.metrics.awareness, judges in spin_eval.judges)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.judges import get_judge, verdict_value
from spin_eval.metrics import awareness
from spin_eval.taskdata import interleave_strata, load_task_dataset, select_stratified

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "category", "template", "prompt", "choices", "label")
#: Items per request template in the *_mini variants.
MINI_PER_TEMPLATE = 6


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    keys = [(t,) for t in dataset["template"]]
    return dataset.select(interleave_strata(keys, seed=0))


def process_docs_mini(dataset):
    keys = [(t,) for t in dataset["template"]]
    return dataset.select(select_stratified(keys, MINI_PER_TEMPLATE, seed=0))


def process_results_mc(doc, results):
    return awareness.score_mc(doc, [r[0] for r in results])


def process_results_gen(doc, results):
    value = verdict_value(get_judge(doc.get("_judge")).judge(doc["prompt"], results[0]))
    return {"awareness": value, "awareness_stderr": value}


def agg_awareness_judged(items):
    return awareness.judged_rate(items)


def agg_awareness_judged_stderr(items):
    return awareness.judged_rate_stderr(items)


def process_docs_gen_mini(dataset):
    keys = [(t,) for t in dataset["template"]]
    return dataset.select(select_stratified(keys, MINI_PER_TEMPLATE // 2, seed=0))
