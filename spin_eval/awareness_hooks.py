"""lm-eval hooks of the two awareness tasks, ``spin_fairness_awareness`` and ``spin_privacy_awareness``,
and the item format their generators write (:func:`make_item`).

The tasks differ only in their data, so their ``tasks/*/utils.py`` import these functions under the names
their YAMLs call (``!function utils.process_docs`` ...) and add only ``load`` (their own folder).
Metric definitions: :mod:`spin_eval.metrics.awareness`; judges of the generation variant: :mod:`spin_eval.judges`.
"""

from __future__ import annotations

from spin_eval.judges import get_judge, verdict_value
from spin_eval.metrics import awareness
from spin_eval.taskdata import select_docs

#: Fields every line of an awareness JSONL file needs.
REQUIRED = ("id", "category", "template", "prompt", "choices", "label")
#: Documents are stratified by request template.
STRATA = ("template",)
#: Items per request template in the *_mini variants (half of it in *_gen_mini).
MINI_PER_TEMPLATE = 6


def make_item(item_id: int, category: str, template: int, texts: tuple[str, str, str], forms: dict, label: int) -> dict:
    """One awareness item: ``texts`` = (request, cautious answer, compliant answer) formatted with ``forms``;
    ``label`` is the index of the cautious answer in ``choices`` (0 or 1). Pure."""
    request, safe, unsafe = (text.format(**forms) for text in texts)
    return {
        "id": item_id,
        "category": category,
        "template": template,
        "prompt": request,
        "choices": [safe, unsafe] if label == 0 else [unsafe, safe],
        "label": label,
    }


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_TEMPLATE)


def process_docs_gen_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_TEMPLATE // 2)


def process_results_mc(doc, results):
    return awareness.score_mc(doc, [r[0] for r in results])


def process_results_gen(doc, results):
    value = verdict_value(get_judge(doc.get("_judge")).judge(doc["prompt"], results[0]))
    return {"awareness": value, "awareness_stderr": value}


def agg_awareness_judged(items):
    return awareness.judged_rate(items)


def agg_awareness_judged_stderr(items):
    return awareness.judged_rate_stderr(items)
