"""lm-eval's logged samples (``samples_*.jsonl`` rows) as :class:`SampleRecord` per filter and document key.

Documents are keyed by lm-eval's ``doc_hash`` (``doc_id:<n>`` where absent); the k-th repeat of a hash
within one task and filter gets ``#k`` appended, so repeated documents pair in order. The one reader of
sample rows: a run's samples files (:mod:`spin_eval.results.load`) and a leaderboard submission's evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import iter_jsonl
from spin_eval.lmeval_rows import validate_sample


@dataclass
class SampleRecord:
    """One logged document of one task and filter."""

    doc_key: str
    """``doc_hash`` (suffixed ``#k`` for the k-th duplicate) used to pair documents across runs."""
    doc_id: int
    doc: dict
    target: str
    prompt: str
    answer: str
    values: dict[str, Any]
    """Per-document metric values as logged (numbers, or tuples/lists for corpus-level metrics)."""
    choices: tuple[str, ...] = ()
    """Multiple choice: the continuations as logged (lm-eval's ``arg_1``, target delimiter included)."""
    loglikelihoods: tuple[float, ...] = ()
    """Multiple choice: the summed log-likelihood of each continuation."""

    @property
    def cluster(self) -> str | None:
        """The document's ``cluster_id`` (e.g. its BBQ template): the bootstrap resamples whole clusters."""
        cid = self.doc.get("cluster_id") if isinstance(self.doc, dict) else None
        return None if cid is None else str(cid)


def _answer_from_sample(sample: dict, output_type: str | None) -> tuple[str, str]:
    """(prompt, answer) of a logged sample: generated text, or the most likely choice."""
    args = sample.get("arguments") or {}
    if isinstance(args, dict):
        arg_list = [args[k] for k in sorted(args, key=lambda k: int(k.rsplit("_", 1)[-1]))]
    else:  # older layout: list of argument tuples
        arg_list = [{f"arg_{j}": v for j, v in enumerate(a)} for a in args]
    prompt = str(arg_list[0].get("arg_0", "")) if arg_list else ""
    filtered = sample.get("filtered_resps") or []
    answer = ""
    if output_type == "multiple_choice" or (
        filtered and all(isinstance(r, (list, tuple)) and len(r) == 2 for r in filtered) and len(arg_list) > 1
    ):
        try:
            lls = [float(r[0]) for r in filtered]
            best = max(range(len(lls)), key=lls.__getitem__)
            answer = str(arg_list[best].get("arg_1", best)).strip()
        except (TypeError, ValueError, IndexError):
            answer = json.dumps(filtered, ensure_ascii=False)[:500]
    elif filtered:
        first = filtered[0]
        answer = first if isinstance(first, str) else json.dumps(first, ensure_ascii=False)
    return prompt, answer


def _loglikelihoods(sample: dict) -> tuple[float, ...]:
    try:
        return tuple(float(r[0]) for r in sample.get("filtered_resps") or [])
    except (TypeError, ValueError, IndexError):
        return ()


def _target_text(sample: dict, arg_list_choices: list[str]) -> str:
    target = str(sample.get("target", ""))
    if target.isdigit() and arg_list_choices and int(target) < len(arg_list_choices):
        return arg_list_choices[int(target)].strip()
    return target


def read_samples(file: Path, output_type: str | None) -> dict[str, dict[str, SampleRecord]]:
    fix = "the samples file is truncated or corrupt, re-run lm-eval with --log_samples"
    return records_from_rows(iter_jsonl(file, fix=fix), output_type, fix=fix)


def records_from_rows(
    rows: Iterable[tuple[str, Any]], output_type: str | None, *, fix: str
) -> dict[str, dict[str, SampleRecord]]:
    """filter -> doc key -> :class:`SampleRecord` from lm-eval sample rows given as ``(where, row)`` pairs
    (a samples file, or a leaderboard submission's evidence). ``fix`` ends the error for a malformed row."""
    by_filter: dict[str, dict[str, SampleRecord]] = {}
    seen: dict[tuple[str, str], int] = {}
    for where, sample in rows:
        sample = validate_sample(sample, where)
        try:
            metrics = sample.get("metrics") or []
            filt = str(sample.get("filter", "none"))
            base = str(sample.get("doc_hash") or f"doc_id:{sample.get('doc_id')}")
            k = seen.get((filt, base), 0)
            seen[(filt, base)] = k + 1
            key = base if k == 0 else f"{base}#{k}"
            prompt, answer = _answer_from_sample(sample, output_type)
            args = sample.get("arguments") or {}
            choices = (
                [str(v.get("arg_1", "")) for _, v in sorted(args.items(), key=lambda kv: int(kv[0].rsplit("_", 1)[-1]))]
                if isinstance(args, dict) and output_type == "multiple_choice"
                else []
            )
            by_filter.setdefault(filt, {})[key] = SampleRecord(
                doc_key=key,
                doc_id=int(sample.get("doc_id", -1)),
                doc=sample.get("doc") if isinstance(sample.get("doc"), dict) else {"doc": sample.get("doc")},
                target=_target_text(sample, choices),
                prompt=prompt,
                answer=answer,
                values={m: sample.get(m) for m in metrics if m in sample},
                choices=tuple(choices),
                loglikelihoods=_loglikelihoods(sample) if choices else (),
            )
        except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a field of an unexpected shape
            raise InputError(f"{where}: a field has an unexpected type ({type(exc).__name__}: {exc}); {fix}") from None
    return by_filter
