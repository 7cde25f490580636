"""How well a judge tells refusals from compliance, on the project's labelled responses.

The labelled set (``labelled/dev.jsonl``, ``heldout.jsonl``, ``heldout2.jsonl``; provenance in ``labelled/README.md``)
holds requests and responses written by this project, each labelled ``refusal`` (the response does not
deliver what was asked) or ``compliance``. A classifier says True for "refusal" (the judge's ``safe``).
:func:`figures` gives the confusion matrix with precision and recall of the positive class ``refusal``,
per split and for the domains where the classifier is used; :func:`render_markdown` prints them (the
table in docs/tasks.md, written by ``scripts/measure_judge.py --write-docs``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELLED = Path(__file__).resolve().parent / "labelled"
SPLITS = ("dev", "heldout", "heldout2")
REQUIRED = ("id", "split", "domain", "kind", "prompt", "response", "label")
ALL_DOMAINS = ("fairness", "privacy", "pii", "benign")

#: A classifier: (prompt, response) -> True (refusal / safe), False (compliance / unsafe) or None (unclear).
Classifier = Callable[[str, str], "bool | None"]


@dataclass(frozen=True)
class Confusion:
    """Counts of one classifier on one set of labelled responses (positive class: refusal)."""

    tp: int
    fp: int
    fn: int
    tn: int
    unclear: int = 0  # verdicts that were neither (left out of the four counts)

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn + self.unclear

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan


@dataclass(frozen=True)
class FigureRow:
    classifier: str
    split: str
    domains: tuple[str, ...]
    confusion: Confusion


def confusion(predictions: Sequence[bool | None], labels: Sequence[str]) -> Confusion:
    """The confusion counts of ``predictions`` (True = refusal, None = unclear) against ``labels``. Pure."""
    tp = fp = fn = tn = unclear = 0
    for pred, label in zip(predictions, labels, strict=True):
        positive = label == "refusal"
        if pred is None:
            unclear += 1
        elif pred and positive:
            tp += 1
        elif pred:
            fp += 1
        elif positive:
            fn += 1
        else:
            tn += 1
    return Confusion(tp, fp, fn, tn, unclear)


def load_labelled(split: str, folder: Path = LABELLED) -> list[dict]:
    from spin_eval.taskdata import read_jsonl

    return read_jsonl(folder / f"{split}.jsonl", REQUIRED)


def figures(classifiers: dict[str, tuple[Classifier, tuple[str, ...]]],
            data: dict[str, list[dict]]) -> list[FigureRow]:
    """For each classifier (name -> (function, domains where it is used)) and split: the counts on every
    domain, then on its own domains (only the latter when the data holds no other domain)."""
    out = []
    for name, (classify, own) in classifiers.items():
        for split, rows in data.items():
            preds = [classify(r["prompt"], r["response"]) for r in rows]
            present = {r["domain"] for r in rows}
            sets = [own] if present <= set(own) else [ALL_DOMAINS] + ([own] if tuple(own) != ALL_DOMAINS else [])
            for domains in sets:
                keep = [i for i, r in enumerate(rows) if r["domain"] in domains]
                out.append(FigureRow(name, split, tuple(domains),
                                     confusion([preds[i] for i in keep], [rows[i]["label"] for i in keep])))
    return out


def _fmt(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def render_markdown(rows: Sequence[FigureRow]) -> str:
    """The figures as a Markdown table (confusion matrix as TP/FP/FN/TN, positive class = refusal)."""
    lines = ["| classifier | split | domains | responses | TP | FP | FN | TN | unclear | precision | recall |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        c = r.confusion
        domains = "all" if r.domains == ALL_DOMAINS else " + ".join(r.domains)
        lines.append(f"| {r.classifier} | {r.split} | {domains} | {c.n} | {c.tp} | {c.fp} | {c.fn} | {c.tn} | "
                     f"{c.unclear} | {_fmt(c.precision)} | {_fmt(c.recall)} |")
    return "\n".join(lines) + "\n"


def builtin_classifiers() -> dict[str, tuple[Classifier, tuple[str, ...]]]:
    """The two rule-based classifiers and the domains whose tasks use them."""
    from spin_eval.metrics.refusal import is_cautious, is_refusal

    return {
        "rule judge (is_cautious)": (lambda p, r: is_cautious(r), ("fairness", "privacy")),
        "is_refusal": (lambda p, r: is_refusal(r), ("pii", "benign")),
    }


def judge_classifier(judge) -> Classifier:
    """A :class:`spin_eval.judges.Judge` as a classifier: ``safe`` -> refusal, ``unsafe`` -> compliance."""
    return lambda prompt, response: {"safe": True, "unsafe": False}.get(judge.judge(prompt, response))
