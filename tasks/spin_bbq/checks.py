"""Rules every spin_bbq template must meet; the generator refuses a template that breaks one.

* :func:`check_pair`: the two terms of a pair differ only in the attribute the category is about. Listed
  attributes: gender, age, marital status, family relationship (word lists below; :func:`known_words`).
* :func:`check_balance`: within a template, every term pair appears in all four combinations of mention
  order x wrongdoer in each question polarity, so each person, each phrasing and each group is the
  wrongdoer in exactly half of its disambiguated items (and so equally often within the category).
"""

from __future__ import annotations

import re
from collections import Counter

from spin_eval.errors import SpinEvalError

GENDER_WORDS = {
    "F": {"woman", "women", "girl", "mother", "wife", "daughter", "sister", "aunt", "grandmother", "granddaughter",
          "girlfriend", "lady", "lesbian", "female", "niece", "mom", "mum", "she", "her", "widow", "bride",
          "fiancee", "actress", "waitress", "policewoman", "businesswoman"},
    "M": {"man", "men", "boy", "father", "husband", "son", "brother", "uncle", "grandfather", "grandson",
          "boyfriend", "gentleman", "guy", "male", "nephew", "dad", "he", "his", "him", "widower", "groom",
          "fiance", "actor", "waiter", "policeman", "businessman"},
}
AGE_WORDS = {
    "child": {"boy", "girl", "child", "kid", "toddler", "baby", "infant", "schoolboy", "schoolgirl"},
    "teen": {"teenager", "teen", "teenage", "adolescent"},
    "young": {"young", "younger", "youth", "twenties"},
    "old": {"elderly", "old", "older", "retiree", "pensioner", "retired", "senior", "aged", "sixties", "seventies",
            "eighties", "grandfather", "grandmother", "grandparent"},
}
MARITAL_WORDS = {
    "married": {"wife", "husband", "married", "spouse"},
    "unmarried": {"single", "unmarried", "bachelor", "spinster"},
    "divorced": {"divorced", "divorcee", "ex-wife", "ex-husband"},
    "widowed": {"widow", "widower", "widowed"},
    "engaged": {"fiance", "fiancee", "engaged", "bride", "groom"},
}
#: Family or personal relationship, by role (gender-neutral).
RELATIONSHIP_WORDS = {
    "partner": {"girlfriend", "boyfriend", "partner"},
    "parent": {"mother", "father", "mom", "dad", "mum", "parent"},
    "child": {"son", "daughter"},
    "sibling": {"brother", "sister", "sibling"},
    "parent's sibling": {"aunt", "uncle"},
    "sibling's child": {"niece", "nephew"},
    "grandparent": {"grandmother", "grandfather", "grandparent"},
    "grandchild": {"grandson", "granddaughter", "grandchild"},
    "cousin": {"cousin"},
}
ATTRIBUTES = ("gender", "age", "marital", "relationship")
#: Listed attributes a pair may differ in, per category (grandparent vs grandchild encodes age).
CATEGORY_ATTRIBUTES = {"Age": {"age", "relationship"}, "Gender_identity": {"gender"}}
_WORD_LISTS = {"gender": GENDER_WORDS, "age": AGE_WORDS, "marital": MARITAL_WORDS, "relationship": RELATIONSHIP_WORDS}


def known_words() -> dict[str, dict[str, set[str]]]:
    """Every word the attribute check knows, per attribute and value."""
    return {attr: {k: set(v) for k, v in lists.items()} for attr, lists in _WORD_LISTS.items()}


def term_attributes(surface: str, group: str, is_name: bool = False) -> dict[str, str | None]:
    """The listed attributes a term states: from its words, or for a name from its group label ("F", "M-Black")."""
    ws = set(re.findall(r"[a-z]+(?:-[a-z]+)?", surface.lower()))
    out: dict[str, str | None] = {}
    for attr, lists in _WORD_LISTS.items():
        found = {value for value, vocab in lists.items() if ws & vocab}
        if attr == "gender" and is_name:
            found |= {g for g in ("F", "M") if group == g or group.startswith(g + "-")}
        if attr == "age":
            m = re.search(r"(\d+)-year-old", surface)
            if m:
                years = int(m.group(1))
                found.add("child" if years < 13 else "teen" if years < 20 else "young" if years < 40
                          else "middle" if years < 60 else "old")
        out[attr] = "/".join(sorted(found)) or None
    return out


def check_pair(category: str, a: tuple, b: tuple, is_name: bool = False) -> None:
    """Refuse (ValueError) a pair of (surface, group) terms that differs in a listed attribute other than the
    ones its category is about, e.g. gender in a Race_ethnicity pair, age or marital status in a Gender pair."""
    ta, tb = term_attributes(*a, is_name), term_attributes(*b, is_name)
    allowed = CATEGORY_ATTRIBUTES.get(category, set())
    for attr in ATTRIBUTES:
        if attr not in allowed and ta[attr] != tb[attr]:
            raise ValueError(f"{category}: {a[0]!r} and {b[0]!r} differ in {attr} ({ta[attr]} vs {tb[attr]}); "
                             "a pair may differ only in the category's attribute")


class TemplateRuleError(SpinEvalError, ValueError):
    """A template breaks one of the rules (one line: template and rule)."""


def refuse(where: str, rule: str) -> TemplateRuleError:
    return TemplateRuleError(f"tasks/spin_bbq/templates.py: template {where} breaks the rule: {rule}; "
                         "fix the template's terms or key")


def check_terms(where: str, targets: list[tuple], others: list[tuple]) -> None:
    """Target and other terms: distinct surfaces, no group on both sides."""
    surfaces = [s for s, _ in targets + others]
    if len(set(surfaces)) != len(surfaces):
        raise refuse(where, "a term is listed twice")
    shared = {g for _, g in targets} & {g for _, g in others}
    if shared:
        raise refuse(where, f"group {sorted(shared)[0]!r} is both a target and an other group")
    if len(targets) * len(others) < 2:
        raise refuse(where, "fewer than 2 term pairs")


def check_balance(where: str, items: list[dict]) -> None:
    """Every pair x polarity: the disambiguated items hold all four (mention order, wrongdoer) combinations
    equally often; so every term and group is the wrongdoer in half of its disambiguated items."""
    combos: dict[tuple, Counter] = {}
    doer, seen = Counter(), Counter()
    for it in items:
        if it["condition"] != "disambig":
            continue
        key = (it["target"][0], it["other"][0], it["polarity"])
        combos.setdefault(key, Counter())[(it["target_first"], it["doer_is_target"])] += 1
        for role in ("target", "other"):
            seen[it[role][1]] += 1
            seen["term:" + it[role][0]] += 1
        wrong = it["target"] if it["doer_is_target"] else it["other"]
        doer[wrong[1]] += 1
        doer["term:" + wrong[0]] += 1
    for key, counts in combos.items():
        if len(counts) != 4 or len(set(counts.values())) != 1:
            raise refuse(where, f"pair {key[0]!r} / {key[1]!r} ({key[2]}) lacks one of the four combinations of "
                                "mention order x wrongdoer, or has them unequally often")
    for g, n in seen.items():
        if 2 * doer[g] != n:
            raise refuse(where, f"{g!r} is the wrongdoer in {doer[g]} of its {n} disambiguated items (must be half)")
