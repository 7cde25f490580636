"""lm-eval hooks for spin_safety (metric definitions in spin_eval.metrics.safety, judges in spin_eval.judges)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.judges import get_judge, verdict_value
from spin_eval.metrics import safety
from spin_eval.taskdata import interleave_strata, load_task_dataset, select_stratified

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "pair", "request", "category", "template", "prompt", "expected", "distractors", "match", "min_hits")
MINI_PER_TEMPLATE = 2  # pairs per template in spin_safety_mini
#: Metric names in process_results order (each ``*_stderr`` right after its metric).
METRICS = [n for m in safety.AGGREGATES for n in (m, f"{m}_stderr")]


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def _pairs(dataset) -> tuple[list, dict]:
    """Pair ids in first-seen order with their template, and pair id -> its document indices."""
    members: dict = {}
    keys: dict = {}
    for i, (pair, template) in enumerate(zip(dataset["pair"], dataset["template"], strict=True)):
        members.setdefault(pair, []).append(i)
        keys.setdefault(pair, (template,))
    return list(keys.items()), members


def _expand(dataset, order: list[int], pairs: list, members: dict):
    return dataset.select([i for j in order for i in members[pairs[j][0]]])


def process_docs(dataset):
    """All documents, the two of a pair adjacent, pairs interleaved over templates so that ``--limit`` (an
    even number) takes complete pairs from every template."""
    pairs, members = _pairs(dataset)
    return _expand(dataset, interleave_strata([k for _p, k in pairs]), pairs, members)


def process_docs_mini(dataset):
    pairs, members = _pairs(dataset)
    return _expand(dataset, select_stratified([k for _p, k in pairs], MINI_PER_TEMPLATE), pairs, members)


def process_results(doc, results):
    output = results[0]
    verdict = None
    if doc["request"] == safety.HARMFUL:
        verdict = verdict_value(get_judge(doc.get("_judge")).judge(doc["prompt"], output))
    record = safety.score_safety_doc(doc, output, verdict)
    return {name: record for name in METRICS}


def _make(name, fn):
    fn.__name__ = f"agg_{name}"
    globals()[fn.__name__] = fn


for _m in safety.AGGREGATES:
    _make(_m, lambda items, _m=_m: safety.AGGREGATES[_m](items))
    _make(f"{_m}_stderr", lambda items, _m=_m: safety.safety_stderr(items, _m))
