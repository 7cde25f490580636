"""Each BBQ context-blind answerer can fail: on a hand-made leaky sample it finds the leak (scores 1.0), on
a balanced one it stays near chance. Items are BBQ-schema dicts built here."""

from __future__ import annotations

import pytest

from spin_eval.validity import bbq
from spin_eval.validity.bbq_features import make_item

OLD = ["grandfather", "old man", "elderly man", "retiree"]
YOUNG = ["grandson", "young man", "teenage boy", "student"]


def _doc(ctx, question, polarity, condition, answers, label, cluster):
    return {
        "context": ctx, "question": question, "question_polarity": polarity, "context_condition": condition,
        "category": "Age", "label": label, "cluster_id": cluster, "question_index": cluster.split("/")[1],
        **{f"ans{i}": text for i, (text, _) in enumerate(answers)},
        "answer_info": {f"ans{i}": info for i, (_, info) in enumerate(answers)},
        "additional_metadata": {"stereotyped_groups": ["old"], "subcategory": "None", "version": "t", "source": "t"},
    }


def leaky(doer_first=True, doer_first_in_last=True, n_templates=8, copies=2):
    """The old person always does the negative thing; ambiguous contexts are one sentence, disambiguated
    two; the deciding sentence puts "not" and negative words next to the wrongdoer; the unknown option sits
    at position 2 in ambiguous items and 1 in disambiguated ones, the correct person at 0."""
    docs = []
    for t in range(n_templates):
        for k in range(copies):
            w, o = OLD[(t + k) % 4], YOUNG[(t + k) % 4]
            a, b = (w, o) if doer_first else (o, w)
            ctx = f"The {a} and the {b} met at park number {t}."
            bad, good = f"the {w} did not do well and felt terrible", f"the {o} was wonderful and happy"
            last = f"{bad}, while {good}." if doer_first_in_last else f"{good}, while {bad}."
            unk = ("Unknown", ["Unknown", "unknown"])
            pw, po = (f"The {w}", [w, "old"]), (f"The {o}", [o, "nonOld"])
            for pol, q in (("neg", "Who did badly?"), ("nonneg", "Who did well?")):
                docs.append(_doc(ctx, q, pol, "ambig", [pw, po, unk] if pol == "neg" else [po, pw, unk], 2, f"Age/{t}"))
                right, wrong = (pw, po) if pol == "neg" else (po, pw)
                docs.append(_doc(f"{ctx} {last[0].upper()}{last[1:]}", q, pol, "disambig", [right, unk, wrong], 0,
                                 f"Age/{t}"))
    return [make_item(d) for d in docs]


def _dis(items, preds):
    return bbq.accuracy(items, preds, ambiguous=False)[0]


def _all(items, preds):
    return bbq.accuracy(items, preds)[0]


@pytest.mark.parametrize("name, kwargs", [
    ("neg -> first mentioned, else second", {}),
    ("neg -> second mentioned, else first", {"doer_first": False, "doer_first_in_last": False}),
    ("neg -> first in last sentence, else other", {"doer_first": False}),
    ("neg -> second in last sentence, else other", {"doer_first_in_last": False}),
    ("neg -> more negation words, else other", {"doer_first": False}),
    ("neg -> more negative sentiment (VADER), else other", {"doer_first_in_last": False}),
    ("neg -> more negative sentiment in all sentences (VADER), else other", {}),
    ("stereotyped answer", {}),
    ("position 0", {}),
])
def test_surface_rule_finds_its_leak(name, kwargs):
    items = leaky(**kwargs)
    assert _dis(items, [bbq.SURFACE[name](it) for it in items]) == 1.0


def test_mirror_rules_score_zero_on_the_same_leak():
    items = leaky()
    assert _dis(items, [bbq.SURFACE["anti-stereotyped answer"](it) for it in items]) == 0.0
    assert _dis(items, [bbq.SURFACE["neg -> second mentioned, else first"](it) for it in items]) == 0.0


@pytest.mark.parametrize("name", ["first mentioned", "second mentioned", "longest answer", "shortest person answer",
                                  "position 1", "position 2", "most overlap with question",
                                  "most overlap with last sentence"])
def test_simple_rule_scores_one_where_the_key_follows_it(name):
    """A sample whose key is what the rule answers (each such rule is a pure function of the item's form)."""
    items = [it for it in leaky() if not it.ambiguous]
    rule = bbq.SURFACE[name]
    relabelled = [make_item({**it.doc, "label": rule(it)}) for it in items]
    assert _dis(relabelled, [rule(it) for it in relabelled]) == 1.0
    other = [it for it in balanced() if not it.ambiguous]
    assert _dis(other, [rule(it) for it in other]) < 0.6  # and it is not right by construction elsewhere


@pytest.mark.parametrize("learner", [bbq.learn_group_ranking, bbq.learn_pair_lookup])
def test_learned_group_rules_find_a_group_always_blamed(learner):
    items = leaky()
    preds = bbq.crossval(items, learner, bbq.template_folds(items, 4))
    assert _dis(items, preds) == 1.0


def test_same_template_pair_lookup_finds_a_fixed_wrongdoer():
    items = leaky(copies=4)
    preds = bbq.crossval(items, bbq.learn_surface_pair_lookup, bbq.within_template_halves(items))
    assert _dis(items, preds) > 0.9


def test_answer_order_lookup_and_condition_rules_find_their_leaks():
    from spin_eval.validity import bbq_models

    items = leaky()
    fold = bbq.template_folds(items, 4)
    assert _all(items, bbq.crossval(items, bbq.learn_answer_order, fold)) == 1.0
    for learner in (bbq.learn_order_condition, bbq_models.learn_form_classifier,
                    bbq_models.threshold_learner("sentences"), bbq_models.threshold_learner("words")):
        preds = bbq.crossval(items, learner, fold)
        assert sum(p == it.ambiguous for p, it in zip(preds, items)) == len(items), learner


def test_bag_of_words_model_finds_the_leak():
    from spin_eval.validity import bbq_models

    items = leaky()
    assert _all(items, bbq.crossval(items, bbq_models.learn_bow, bbq.template_folds(items, 4))) >= 0.95


def balanced():
    """The leaky sample with every leak undone: both people do it, in both orders, positions rotated."""
    items = []
    for doer_first in (True, False):
        for last in (True, False):
            items += leaky(doer_first=doer_first, doer_first_in_last=last)
    out = []
    for j, it in enumerate(items):
        shift = j % 3
        doc = dict(it.doc)
        keys = ["ans0", "ans1", "ans2"]
        order = keys[shift:] + keys[:shift]
        doc.update({k: it.doc[src] for k, src in zip(keys, order)})
        doc["answer_info"] = {k: it.doc["answer_info"][src] for k, src in zip(keys, order)}
        doc["label"] = order.index(keys[it.label])
        out.append(make_item(doc))
    return out


def test_balanced_sample_leaves_every_fixed_rule_near_chance():
    items = balanced()
    for name, rule in bbq.SURFACE.items():
        if "sentiment" in name or "negation" in name:
            continue  # the sample's deciding sentence still carries "not" / negative words
        dis = _dis(items, [rule(it) for it in items])
        assert dis <= 0.55 + 1e-9 or name in ("stereotyped answer",), (name, dis)


@pytest.mark.slow  # ~30 s: every answerer, VADER and 4-fold logistic regressions
def test_attack_rows_shape_and_bounds():
    rows = bbq.attack_items("toy", leaky())
    names = {r.attack for r in rows}
    assert set(bbq.SURFACE) <= names and "bag-of-words LR with word crosses" in names
    assert {r.condition for r in rows} == {"disambiguated", "overall", "ambiguous vs disambiguated"}
    assert any(r.beats_bound for r in rows)
    assert all(r.bound == {"disambiguated": bbq.BOUND_DISAMBIG, "overall": bbq.BOUND_OVERALL}.get(
        r.condition, bbq.BOUND_FORM) for r in rows)
