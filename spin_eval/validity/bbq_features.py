"""What a context-blind answerer may look at in a BBQ-schema item: who is mentioned where, answer positions,
group labels, the form of the context, words near each mention. Pure functions of one doc (a BBQ JSONL row).

:class:`Item` gathers them once per doc; the attacks in :mod:`spin_eval.validity.bbq` read only these fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from spin_eval.metrics import bbq

KEYS = ("ans0", "ans1", "ans2")
#: Words that negate or deny (the "negation" rule).
NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nobody", "nothing", "cannot", "none", "neither",
                       "nor", "didn't", "couldn't", "wasn't", "hadn't", "doesn't", "don't", "won't", "isn't"})
#: Connectives a form rule may key on (their presence is a form feature).
CONNECTIVES = ("while", "whereas", "but", "although", "though", "and", "because", "so", "after", "when", "then",
               "meanwhile", "however", "instead", "as", "since")
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def sentences(text: str) -> list[str]:
    """The context's sentences (split after . ! ? followed by a space)."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _surface(doc: Mapping, i: int) -> str:
    info = doc["answer_info"].get(KEYS[i]) or [doc[KEYS[i]]]
    return str(info[0]).lower()


def _find(text: str, surface: str, last: bool = False) -> int:
    """Position of ``surface`` in ``text`` (first or last occurrence); len(text) when absent."""
    low = text.lower()
    pos = low.rfind(surface) if last else low.find(surface)
    return pos if pos >= 0 else len(text) + 1


@dataclass(frozen=True)
class Item:
    """One doc seen by a context-blind answerer."""

    doc: Mapping
    label: int
    unknown: int  # index of the unknown option
    people: tuple[int, int]  # the two person options, in answer order
    first: int  # the person mentioned first in the context
    second: int
    stereotyped: int  # the option a stereotyped answerer picks (bias-target answer)
    groups: dict  # option index -> group label (answer_info[1])
    surfaces: dict  # option index -> surface (answer_info[0], lower case)
    negative: bool  # question polarity is "neg"
    ambiguous: bool
    cluster: str
    category: str

    @property
    def wrongdoer(self) -> int | None:
        """The person the context says did the negative thing (disambiguated items), else None."""
        if self.ambiguous or self.label == self.unknown:
            return None
        return self.label if self.negative else self.other(self.label)

    def other(self, i: int) -> int:
        return self.people[1] if i == self.people[0] else self.people[0]

    def segment(self, i: int, text: str) -> str:
        """The words that follow person ``i``'s mention in ``text`` up to the other person's mention (or the end)."""
        start = _find(text, self.surfaces[i])
        if start > len(text):
            return ""
        start += len(self.surfaces[i])
        nxt = _find(text[start:], self.surfaces[self.other(i)])
        return text[start:start + nxt]


def make_item(doc: Mapping) -> Item | None:
    """The :class:`Item` of a doc, or None for a doc without exactly one unknown and one biased option."""
    unk = bbq.unknown_index(doc)
    biased = bbq.biased_indices(doc)
    if unk < 0 or len(biased) != 1:
        return None
    people = tuple(i for i in range(3) if i != unk)
    surfaces = {i: _surface(doc, i) for i in people}
    ctx = doc["context"]
    first, second = sorted(people, key=lambda i: (_find(ctx, surfaces[i]), i))
    return Item(
        doc=doc, label=int(doc["label"]), unknown=unk, people=people, first=first, second=second,
        stereotyped=biased[0], groups={i: str((doc["answer_info"].get(KEYS[i]) or ["", ""])[-1]) for i in people},
        surfaces=surfaces, negative=doc["question_polarity"] == "neg", ambiguous=doc["context_condition"] == "ambig",
        cluster=bbq.doc_cluster(doc), category=str(doc["category"]),
    )


def form_features(item: Item) -> dict[str, float]:
    """The form of the context (never its meaning): sentence and word counts, commas, connectives."""
    ctx = item.doc["context"]
    ws = words(ctx)
    sents = sentences(ctx)
    feats = {"sentences": float(len(sents)), "words": float(len(ws)), "chars": float(len(ctx)),
             "commas": float(ctx.count(",")), "last_words": float(len(words(sents[-1]))) if sents else 0.0}
    for c in CONNECTIVES:
        feats[f"has_{c}"] = float(c in ws)
    return feats


def mention_key(item: Item) -> tuple:
    """Answer-order key: polarity and the positions of unknown, first-mentioned and stereotyped options."""
    return (item.negative, item.unknown, item.first, item.stereotyped)
