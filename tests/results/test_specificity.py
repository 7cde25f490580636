"""One verdict per SPIN x control pair, on hand-made evidence."""

from __future__ import annotations

from spin_eval.results.specificity import MetricEvidence, specificity


def ev(metric, sb, ib, sc, ic, cb, icb, delta=None, ci=None):
    return MetricEvidence(metric, sb, ib, sc, ic, cb, icb, delta, ci)


def test_specific_when_spin_differs_from_control_in_the_direction_of_its_effect():
    v = specificity("spin", "ctrl", [ev("ppl", True, -32.0, True, -30.0, False, -2.0),
                                     ev("acc", False, 0.01, False, 0.0, False, 0.0)])
    assert v.outcome == "specific" and v.metrics == ["ppl"]


def test_not_specific_when_the_control_reproduces_the_effect():
    v = specificity("spin", "ctrl", [ev("acc", True, -0.1, False, -0.01, True, -0.09, -0.1, (-0.03, 0.01))])
    assert v.outcome == "not specific" and "same way" in v.reason


def test_too_few_documents_to_tell_is_undetermined_never_not_specific():
    # issue 22's default run: SPIN's perplexity +32.1 [+24.0, +42.9], the control's +2.26 [+1.75, +2.76], both
    # significant the same way, but the SPIN - control test (8 documents, Holm over the pair) is not
    # significant and its interval is far wider than half of SPIN's change: nothing shows the control reproduces it
    v = specificity("spin", "ctrl", [ev("ppl", True, -32.1, False, -29.8, True, -2.26, 32.1, (-1.0, 45.0))])
    assert v.outcome == "undetermined" and "sample size" in v.reason
    # without the SPIN - control interval the control cannot be shown to reproduce anything
    assert specificity("s", "c", [ev("acc", True, -0.1, False, -0.01, True, -0.09)]).outcome == "undetermined"


def test_undetermined_without_any_effect_or_when_neither_told_apart_nor_reproduced():
    assert specificity("s", "c", [ev("acc", False, 0.02, False, 0.0, False, 0.0)]).outcome == "undetermined"
    v = specificity("s", "c", [ev("acc", True, -0.1, False, -0.05, False, -0.05)])
    assert v.outcome == "undetermined" and "sample size" in v.reason
    # SPIN differs from the control, but the other way than its own effect: not evidence of specificity
    assert specificity("s", "c", [ev("acc", True, 0.1, True, -0.05, True, 0.15)]).outcome != "specific"
    assert specificity("s", "c", []).outcome == "undetermined"
