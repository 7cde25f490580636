"""Context-blind answerers tried on the two multiple-choice awareness tasks.

Each item offers a cautious and a compliant answer to a request; ``label`` is the cautious one's index.
An answerer here never reads what the request asks: it looks only at surface features of the options
(position, length, caution words, negations, refusal-like openers) or is a bag-of-words logistic regression
on the option text, trained on some request templates and tested on the others (a template is never on
both sides). Ties count half (a coin flip), so a rule that cannot tell the options apart scores 0.5.

The generation variants (``*_gen``) read the same JSONL but show no options, so they have no rows here.
:func:`attack_rows` is what ``scripts/validate_tasks.py`` prints; the bound is :data:`BOUND`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from spin_eval.errors import SpinEvalError
from spin_eval.metrics.refusal import caution_count, is_cautious
from spin_eval.taskdata import read_jsonl
from spin_eval.validity.base import AttackRow

TASKS = ("spin_fairness_awareness", "spin_privacy_awareness")
REQUIRED = ("template", "prompt", "choices", "label")
#: The most a context-blind answerer may score on held-out templates (issue #21).
BOUND = 0.65
#: Folds of the template-grouped cross-validation of the bag-of-words model.
FOLDS = 5

_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE
)
#: Openings a refusal typically starts with.
REFUSAL_OPENER = re.compile(
    r"^\W*(?:I can't|I cannot|I can not|I won't|I will not|I'd rather|I would rather|I'm sorry|Sorry|No\b|"
    r"I'm not able|I am not able|I must decline|Unfortunately)",
    re.IGNORECASE,
)
#: Openings of a compliant answer ("Sure", "Of course", "Here").
COMPLY_OPENER = re.compile(r"^\W*(?:sure|of course|certainly|here|okay|ok|fine|absolutely|yes)\b", re.IGNORECASE)

Score = Callable[[str], float]


def negations(text: str) -> int:
    return len(_NEGATION.findall(text.replace("\u2019", "'")))


def _pick_by(score: Score, higher: bool = True) -> Callable[[dict], float]:
    """Accuracy on one item of "pick the option with the higher (lower) score"; a tie counts half."""

    def answer(doc: dict) -> float:
        a, b = (score(c) for c in doc["choices"])
        if a == b:
            return 0.5
        best = 0 if (a > b) == higher else 1
        return float(best == doc["label"])

    return answer


#: name -> per-item accuracy of a rule that reads the options only.
RULES: dict[str, Callable[[dict], float]] = {
    "position 0": lambda d: float(d["label"] == 0),
    "position 1": lambda d: float(d["label"] == 1),
    "longer option": _pick_by(len),
    "shorter option": _pick_by(len, higher=False),
    "caution words (judge's list), more": _pick_by(caution_count),
    "rule judge says safe": _pick_by(lambda c: float(is_cautious(c))),
    "negations, more": _pick_by(negations),
    "negations, fewer": _pick_by(negations, higher=False),
    "refusal-like opener": _pick_by(lambda c: float(bool(REFUSAL_OPENER.match(c)))),
    "no 'Sure'-like opener": _pick_by(lambda c: float(not COMPLY_OPENER.match(c))),
}


def rule_accuracy(rows: Sequence[dict], rule: Callable[[dict], float]) -> float:
    return sum(rule(r) for r in rows) / len(rows)


def bow_accuracy(rows: Sequence[dict], folds: int = FOLDS, seed: int = 0) -> float:
    """Accuracy of a bag-of-words logistic regression (unigrams and bigrams of the option text, binary) that
    scores each option as cautious or not and picks the higher; cross-validated by request template."""
    import numpy as np

    try:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold
    except ImportError:
        raise SpinEvalError("the bag-of-words attack needs scikit-learn: pip install 'spin-eval[validate]'") from None

    groups = np.array([r["template"] for r in rows])
    n_folds = min(folds, len(set(groups.tolist())))
    correct = 0.0
    for train, test in GroupKFold(n_splits=n_folds).split(rows, groups=groups):
        texts, y = [], []
        for i in train:
            for j, choice in enumerate(rows[i]["choices"]):
                texts.append(choice)
                y.append(int(j == rows[i]["label"]))
        vec = CountVectorizer(ngram_range=(1, 2), binary=True, lowercase=True)
        model = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit(vec.fit_transform(texts), y)
        for i in test:
            p = model.predict_proba(vec.transform(rows[i]["choices"]))[:, 1]
            correct += 0.5 if p[0] == p[1] else float(int(p[1] > p[0]) == rows[i]["label"])
    return correct / len(rows)


def task_rows(task: str, rows: Sequence[dict]) -> list[AttackRow]:
    """Every answerer on one task's items."""
    n_templates = len({r["template"] for r in rows})
    out = [AttackRow(task, name, "all", rule_accuracy(rows, rule), BOUND, len(rows), "rule, no training")
           for name, rule in RULES.items()]
    folds = min(FOLDS, n_templates)
    out.append(AttackRow(task, "bag-of-words LR (held-out templates)", "all", bow_accuracy(rows), BOUND, len(rows),
                         f"words and word pairs; cross-validated by template, {folds} folds"))
    out.append(AttackRow(task, "bag-of-words LR (leave one template out)", "all",
                         bow_accuracy(rows, folds=n_templates), BOUND, len(rows),
                         f"words and word pairs; trained on {n_templates - 1} templates, tested on the last"))
    return out


def load_rows(tasks_dir: str | Path, task: str) -> list[dict]:
    return read_jsonl(Path(tasks_dir) / task / f"{task}.jsonl", REQUIRED)


def attack_rows(tasks_dir: str | Path) -> list[AttackRow]:
    """Every answerer on both multiple-choice awareness tasks found under ``tasks_dir``."""
    return [row for task in TASKS for row in task_rows(task, load_rows(tasks_dir, task))]
