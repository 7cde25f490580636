"""--objectives: the names a run declares, mapped to catalog families; bad input is one InputError line."""

from __future__ import annotations

import pytest

from spin_eval.errors import InputError
from spin_eval.metrics.catalog import all_metrics
from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, OBJECTIVES, objective_families, parse_objectives


def test_default_and_safety_objectives_map_to_families_with_headline_metrics():
    assert objective_families() == ("fairness", "privacy") == objective_families(DEFAULT_OBJECTIVES)
    assert objective_families(parse_objectives(" safety , helpfulness")) == ("safety", "overrefusal")
    headline_families = {m.family for m in all_metrics() if m.headline}
    assert set(OBJECTIVES.values()) <= headline_families


@pytest.mark.parametrize("text, words", [
    ("safety,kindness", ["unknown objective kindness", "choose from"]),
    ("safety", ["at least two"]),
    ("safety,safety", ["safety named twice"]),
    ("safety,,helpfulness", ["empty name"]),
])
def test_bad_objectives_name_the_flag_and_the_fix(text, words):
    with pytest.raises(InputError) as exc:
        parse_objectives(text)
    msg = str(exc.value)
    assert "--objectives" in msg and "\n" not in msg
    for w in words:
        assert w in msg
