"""Context-blind answerers for BBQ-schema items: rules and learned models that never read what the deciding
sentence says about the question, tried on ``spin_bbq``. A benchmark item such an answerer solves measures
nothing, so each must stay at or under its bound (:data:`BOUND_DISAMBIG`, :data:`BOUND_OVERALL`,
:data:`BOUND_FORM`).

* surface rules (no training): mention order, last sentence, answer lengths, positions, word overlap,
  negation words and sentiment (VADER lexicon) near each mention;
* learned rules, cross-validated by template (a template is never in both the training and the test part):
  form thresholds and a form-only classifier (ambiguous vs disambiguated), answer-order lookup, group ranking,
  pair lookup (other templates; and, stricter, the other half of the same template's items), and a
  bag-of-words logistic regression with word crosses (:mod:`spin_eval.validity.bbq_models`).

Sentiment of the words next to each mention partly reads the deciding sentence; it is reported beside the
others and held to the same bounds.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from spin_eval.validity.base import AttackRow
from spin_eval.validity.bbq_features import NEGATIONS, Item, make_item, mention_key, sentences, words

BOUND_DISAMBIG = 0.55
BOUND_OVERALL = 0.70
#: A form-only classifier of the condition (ambiguous vs disambiguated) may reach at most this accuracy.
BOUND_FORM = 0.85
FOLDS = 8
SEED = 0
TASK = "spin_bbq"

Rule = Callable[[Item], int]
Learner = Callable[[Sequence[Item]], Rule]


# --------------------------------------------------------------------------- surface rules


def _by_polarity(pick: Callable[[Item], int]) -> Rule:
    """Negative question -> ``pick``'s person; non-negative -> the other one."""
    return lambda it: pick(it) if it.negative else it.other(pick(it))


def _last_sentence_first(it: Item) -> int:
    last = sentences(it.doc["context"])[-1].lower()
    return min(it.people, key=lambda i: (last.find(it.surfaces[i]) % (len(last) + 1), i))


def _overlap(it: Item, text: str) -> int:
    ref = set(words(text)) - {"the", "a", "an", "who", "was", "is", "of"}
    return max(it.people, key=lambda i: (len(ref & set(words(it.doc[f"ans{i}"]))), -i))


def _count_in_segment(it: Item, i: int, vocab: frozenset) -> int:
    last = sentences(it.doc["context"])[-1]
    return sum(w in vocab for w in words(it.segment(i, last)))


def _negation(it: Item) -> int:
    """The person whose words (last sentence) carry more negation; ties: the first mentioned."""
    return max(it.people, key=lambda i: (_count_in_segment(it, i, NEGATIONS), i == it.first))


_VADER = None


def _sentiment(text: str) -> float:
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER.polarity_scores(text)["compound"] if text.strip() else 0.0


def _most_negative(it: Item) -> int:
    """The person whose words in the last sentence are the most negative (VADER compound); ties: first."""
    last = sentences(it.doc["context"])[-1]
    return min(it.people, key=lambda i: (_sentiment(it.segment(i, last)), i != it.first))


def _most_negative_anywhere(it: Item) -> int:
    """The person whose words, summed over every sentence of the context, are the most negative (VADER)."""
    sents = sentences(it.doc["context"])
    return min(it.people, key=lambda i: (sum(_sentiment(it.segment(i, s)) for s in sents), i != it.first))


SURFACE: dict[str, Rule] = {
    "first mentioned": lambda it: it.first,
    "second mentioned": lambda it: it.second,
    "neg -> first mentioned, else second": _by_polarity(lambda it: it.first),
    "neg -> second mentioned, else first": _by_polarity(lambda it: it.second),
    "neg -> first in last sentence, else other": _by_polarity(_last_sentence_first),
    "neg -> second in last sentence, else other": _by_polarity(lambda it: it.other(_last_sentence_first(it))),
    "longest answer": lambda it: max(range(3), key=lambda i: (len(it.doc[f"ans{i}"]), -i)),
    "shortest person answer": lambda it: min(it.people, key=lambda i: (len(it.doc[f"ans{i}"]), i)),
    "position 0": lambda it: 0,
    "position 1": lambda it: 1,
    "position 2": lambda it: 2,
    "most overlap with question": lambda it: _overlap(it, it.doc["question"]),
    "most overlap with last sentence": lambda it: _overlap(it, sentences(it.doc["context"])[-1]),
    "neg -> more negation words, else other": _by_polarity(_negation),
    "neg -> more negative sentiment (VADER), else other": _by_polarity(_most_negative),
    "neg -> more negative sentiment in all sentences (VADER), else other": _by_polarity(_most_negative_anywhere),
    "stereotyped answer": lambda it: it.stereotyped,
    "anti-stereotyped answer": lambda it: it.other(it.stereotyped),
}


# --------------------------------------------------------------------------- learned rules


def _majority(counter: Counter, default):
    return max(sorted(counter), key=lambda k: counter[k]) if counter else default


def learn_answer_order(train: Sequence[Item]) -> Rule:
    """Lookup (polarity, positions of unknown / first-mentioned / stereotyped option) -> most frequent label."""
    table: dict[tuple, Counter] = defaultdict(Counter)
    for it in train:
        table[mention_key(it)][it.label] += 1
    overall = Counter(it.label for it in train)
    return lambda it: _majority(table.get(mention_key(it), Counter()), _majority(overall, 0))


def learn_order_condition(train: Sequence[Item]) -> Callable[[Item], bool]:
    """Lookup (positions of unknown and first-mentioned option) -> the more frequent condition (True: ambiguous)."""
    table: dict[tuple, Counter] = defaultdict(Counter)
    for it in train:
        table[(it.unknown, it.first)][it.ambiguous] += 1
    return lambda it: bool(_majority(table.get((it.unknown, it.first), Counter()), True))


def _group_rates(train: Sequence[Item], key: Callable[[Item, int], object]) -> dict:
    done, seen = Counter(), Counter()
    for it in train:
        if it.wrongdoer is None:
            continue
        for i in it.people:
            seen[key(it, i)] += 1
        done[key(it, it.wrongdoer)] += 1
    return {g: (done[g] + 1) / (seen[g] + 2) for g in seen}


def learn_group_ranking(train: Sequence[Item]) -> Rule:
    """How often each group (category, label) was the wrongdoer in training; the likelier one did it."""
    rates = _group_rates(train, lambda it, i: (it.category, it.groups[i]))

    def rule(it: Item) -> int:
        doer = max(it.people, key=lambda i: (rates.get((it.category, it.groups[i]), 0.5), i == it.stereotyped))
        return doer if it.negative else it.other(doer)

    return rule


def learn_pair_lookup(train: Sequence[Item]) -> Rule:
    """Lookup (category, pair of groups) -> the group that was the wrongdoer most often in training."""
    table: dict[tuple, Counter] = defaultdict(Counter)
    for it in train:
        if it.wrongdoer is not None:
            table[(it.category, frozenset(it.groups.values()))][it.groups[it.wrongdoer]] += 1

    def rule(it: Item) -> int:
        votes = table.get((it.category, frozenset(it.groups.values())), Counter())
        doer = max(it.people, key=lambda i: (votes[it.groups[i]], i == it.stereotyped))
        return doer if it.negative else it.other(doer)

    return rule


def learn_surface_pair_lookup(train: Sequence[Item]) -> Rule:
    """Lookup (template, the two surfaces) -> the surface that was the wrongdoer most often in training."""
    table: dict[tuple, Counter] = defaultdict(Counter)
    for it in train:
        if it.wrongdoer is not None:
            table[(it.cluster, frozenset(it.surfaces.values()))][it.surfaces[it.wrongdoer]] += 1

    def rule(it: Item) -> int:
        votes = table.get((it.cluster, frozenset(it.surfaces.values())), Counter())
        doer = max(it.people, key=lambda i: (votes[it.surfaces[i]], i == it.first))
        return doer if it.negative else it.other(doer)

    return rule


# --------------------------------------------------------------------------- cross-validation


def template_folds(items: Sequence[Item], folds: int = FOLDS, seed: int = SEED) -> list[int]:
    """Fold of each item: templates (clusters) shuffled (seeded) and dealt to ``folds`` folds."""
    clusters = sorted({it.cluster for it in items})
    random.Random(seed).shuffle(clusters)
    fold_of = {c: k % folds for k, c in enumerate(clusters)}
    return [fold_of[it.cluster] for it in items]


def crossval(items: Sequence[Item], learner: Learner, fold: Sequence[int]) -> list[int]:
    """Predictions for every item from a rule learned on the other folds."""
    preds = [0] * len(items)
    for k in sorted(set(fold)):
        rule = learner([it for it, f in zip(items, fold) if f != k])
        for j, (it, f) in enumerate(zip(items, fold)):
            if f == k:
                preds[j] = rule(it)
    return preds


def within_template_halves(items: Sequence[Item], seed: int = SEED) -> list[int]:
    """Fold 0/1 of each item: half of each template's items, drawn at random (seeded)."""
    rng = random.Random(seed)
    return [rng.randrange(2) for _ in items]


def accuracy(items: Sequence[Item], preds: Sequence[int], ambiguous: bool | None = None) -> tuple[float, int]:
    pairs = [(it, p) for it, p in zip(items, preds) if ambiguous is None or it.ambiguous == ambiguous]
    if not pairs:
        return float("nan"), 0
    return sum(p == it.label for it, p in pairs) / len(pairs), len(pairs)


def load_items(paths: Sequence[Path]) -> list[Item]:
    """Items of BBQ-schema JSONL files (docs without one unknown and one biased option are left out)."""
    items = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                it = make_item(json.loads(line))
                if it is not None:
                    items.append(it)
    return items


def answer_rows(task: str, items: Sequence[Item], name: str, preds: Sequence[int], note: str) -> list[AttackRow]:
    """Rows for one answerer: disambiguated accuracy and overall accuracy with their bounds."""
    dis, n_dis = accuracy(items, preds, ambiguous=False)
    acc, n = accuracy(items, preds)
    return [AttackRow(task, name, "disambiguated", dis, BOUND_DISAMBIG, n_dis, note),
            AttackRow(task, name, "overall", acc, BOUND_OVERALL, n, note)]


def attack_items(task: str, items: Sequence[Item], folds: int = FOLDS) -> list[AttackRow]:
    """Every answerer on ``items``: the table rows."""
    from spin_eval.validity import bbq_models

    fold = template_folds(items, folds)
    cv = f"cross-validated by template, {folds} folds"
    rows: list[AttackRow] = []
    for name, rule in SURFACE.items():
        rows += answer_rows(task, items, name, [rule(it) for it in items], "fixed rule")
    learned = {
        "answer-order lookup": learn_answer_order,
        "group ranking": learn_group_ranking,
        "pair lookup (group pair)": learn_pair_lookup,
        "bag-of-words LR with word crosses": bbq_models.learn_bow,
    }
    preds_by = {}
    for name, learner in learned.items():
        preds_by[name] = crossval(items, learner, fold)
        rows += answer_rows(task, items, name, preds_by[name], cv)
    halves = within_template_halves(items)
    rows += answer_rows(task, items, "pair lookup (same template, other half)",
                        crossval(items, learn_surface_pair_lookup, halves), "2 random halves of each template's items")
    conditions = {
        "form classifier (LR on sentence/word/comma/connective counts)": bbq_models.learn_form_classifier,
        "form threshold (sentences count)": bbq_models.threshold_learner("sentences"),
        "form threshold (words count)": bbq_models.threshold_learner("words"),
        "answer order (unknown and first-mentioned positions)": learn_order_condition,
    }
    cond_pred = {}
    for name, learner in conditions.items():
        cond_pred[name] = crossval(items, learner, fold)
        acc = sum(p == it.ambiguous for p, it in zip(cond_pred[name], items)) / len(items)
        rows.append(AttackRow(task, name, "ambiguous vs disambiguated", acc, BOUND_FORM, len(items), cv))
    preds_by["sentiment (VADER)"] = [SURFACE["neg -> more negative sentiment (VADER), else other"](it) for it in items]
    for cond in ("form classifier (LR on sentence/word/comma/connective counts)",
                 "answer order (unknown and first-mentioned positions)"):
        for name in ("group ranking", "bag-of-words LR with word crosses", "sentiment (VADER)"):
            combined = [it.unknown if amb else p for it, amb, p in zip(items, cond_pred[cond], preds_by[name])]
            rows += answer_rows(task, items, f"{cond.split(' (')[0]} -> unknown, else {name}", combined, cv)
    return rows


def attack_rows(tasks_dir: str | Path) -> list[AttackRow]:
    """The BBQ rows of the validation table: every answerer on the shipped ``spin_bbq`` items."""
    items = load_items([Path(tasks_dir) / "spin_bbq" / "spin_bbq.jsonl"])
    return attack_items(TASK, items)
