"""The drill-down: per variant and task, the documents whose value of the task's main metric changed."""

from __future__ import annotations

import math
from typing import Any

from spin_eval.report.model import Flip, FlipSummary
from spin_eval.results.facts import MetricFacts, improvement
from spin_eval.results.paired import paired_values


def _show_value(v: Any) -> str:
    if isinstance(v, dict):
        return " ".join(f"{k}={x}" for k, x in v.items() if not isinstance(x, (dict, list)))
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def scored_answer(rec, metric: str) -> str:
    """The answer the metric itself scored: for a length-normalised metric (``acc_norm``: log-likelihood per
    character, lm-eval's convention; ``awareness_norm``: per UTF-8 byte) the choice with the best normalised
    log-likelihood, else the logged answer (the raw log-likelihood pick, or the generated text)."""
    lls = rec.loglikelihoods
    if not metric.endswith("_norm") or not lls or len(lls) != len(rec.choices):
        return rec.answer
    doc_choices = rec.doc.get("choices") if isinstance(rec.doc, dict) else None
    if isinstance(doc_choices, list) and len(doc_choices) == len(lls):
        texts = [str(c) for c in doc_choices]
    else:  # lm-eval logs continuations with the target delimiter; acc_norm measures the bare choice
        texts = [c[1:] if c.startswith(" ") else c for c in rec.choices]
    per_byte = metric.startswith("awareness")
    scores = [ll / max(1, len(t.encode("utf-8")) if per_byte else len(t)) for ll, t in zip(lls, texts)]
    return texts[max(range(len(scores)), key=scores.__getitem__)].strip()


def _doc_better(facts: MetricFacts, x: Any, y: Any) -> bool | None:
    try:
        sa, sb = facts.compute([x]), facts.compute([y])
    except (ZeroDivisionError, ValueError, TypeError, KeyError):
        return None
    if not (math.isfinite(sa) and math.isfinite(sb)) or sa == sb:
        return None
    return bool(improvement(facts.direction, sa, sb) > 0)


def flips(rows, facts_of, runs, base, settings) -> list[FlipSummary]:
    """Per variant and task (its headline metric, else its first): documents whose value changed."""
    out: list[FlipSummary] = []
    for r in runs:
        if r.name == base.name:
            continue
        seen_tasks: set[tuple[str, str]] = set()
        for row in rows:
            if (row.task, row.filter) in seen_tasks:
                continue
            seen_tasks.add((row.task, row.filter))
            task_rows = [rw for rw in rows if rw.task == row.task and rw.filter == row.filter and not rw.detail]
            if not task_rows:
                continue
            pick = ([rw for rw in task_rows if rw.headline] or task_rows)[0]
            paired = paired_values(base, r, pick.task, pick.metric, pick.filter)
            if paired is None:
                continue
            keys, va, vb = paired
            if any(isinstance(x, (list, tuple)) for x in va[:20]):
                continue  # (loglikelihood, weight) pairs: every document "changes"; nothing to read
            facts = facts_of[pick.key]
            fs = FlipSummary(pick.task, pick.metric, r.name, len(keys), 0, 0, 0)
            sa = base.samples[pick.task][pick.filter]
            sb = r.samples[pick.task][pick.filter]
            changed = [(k, x, y) for k, x, y in zip(keys, va, vb) if x != y]
            changed.sort(key=lambda t: sa[t[0]].doc_id)
            fs.n_changed = len(changed)
            for k, x, y in changed:
                better = _doc_better(facts, x, y)
                if better is True:
                    fs.n_better += 1
                elif better is False:
                    fs.n_worse += 1
                if len(fs.shown) < settings.max_flips:
                    fs.shown.append(Flip(
                        task=pick.task, metric=pick.metric, variant=r.name, doc_id=sa[k].doc_id,
                        prompt=sa[k].prompt[:2000], target=sa[k].target[:500],
                        baseline_answer=scored_answer(sa[k], pick.metric)[:1000],
                        variant_answer=scored_answer(sb[k], pick.metric)[:1000],
                        baseline_score=_show_value(x), variant_score=_show_value(y), better=better,
                    ))
            out.append(fs)
    return out
