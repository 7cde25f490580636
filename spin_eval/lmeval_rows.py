"""The shape of one line of an lm-eval ``samples_<task>_<date>.jsonl`` file (``--log_samples``), checked
before anyone reads it: the one reader (``spin_eval.results.load``) uses :func:`validate_sample`.
Pure, standard library only.
"""

from __future__ import annotations

from typing import Any

from spin_eval.errors import InputError

#: Types a logged per-document metric value may have (numbers, booleans, perplexity pairs, BBQ records).
_SAMPLE_VALUE_TYPES = (int, float, list, dict, type(None))


def validate_sample(row: Any, where: str) -> dict[str, Any]:
    """``row`` if it has the shape of an lm-eval logged sample, else InputError naming file:line and field.

    Checked: a JSON object; ``doc_id`` an integer, ``doc_hash`` / ``filter`` strings, ``metrics`` a list of
    names; the value of every metric it names a number, boolean, list, object or null (never text)."""
    fix = "the samples file is corrupt; re-run the evaluation"
    if not isinstance(row, dict):
        raise InputError(f"{where}: a logged sample must be a JSON object; {fix}")
    for key, kinds, expected in (("doc_id", int, "an integer"), ("doc_hash", str, "a string"),
                                 ("filter", str, "a string"), ("metrics", list, "a list of metric names")):
        if key in row and (not isinstance(row[key], kinds) or isinstance(row[key], bool)):
            raise InputError(f"{where}: field '{key}' = {row[key]!r:.60} must be {expected}; {fix}")
    for metric in row.get("metrics", []):
        if not isinstance(metric, str):
            raise InputError(f"{where}: field 'metrics' holds {metric!r:.60}, not a metric name; {fix}")
        if metric in row and not isinstance(row[metric], _SAMPLE_VALUE_TYPES):
            raise InputError(f"{where}: metric '{metric}' = {row[metric]!r:.60} must be a number; {fix}")
    return row


def samples_argument(documents: dict[str, list[int]] | None) -> dict[str, list[int]] | None:
    """lm-eval's ``samples=`` argument (document indices per task) in ascending order.

    lm-eval 0.4.13 evaluates a ``samples`` selection in the task's index order but logs its i-th document
    with ``doc_id = samples[task][i]`` (``evaluator.evaluate``), so any other order mislabels the logged
    doc ids: a verification then re-evaluates other documents than the ones submitted."""
    return None if documents is None else {task: sorted(ids) for task, ids in documents.items()}
