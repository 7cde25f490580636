"""--metric-facts: user-declared facts for metrics the catalog does not know."""

from __future__ import annotations

import pytest

from spin_eval.errors import InputError
from spin_eval.metrics import catalog
from spin_eval.metrics.user_facts import load_facts_file, parse_facts

GOOD = [{"task": "my_tox", "metric": "toxic_rate", "family": "fairness", "direction": "lower",
         "aggregation": "mean", "headline": True}]


@pytest.fixture(autouse=True)
def fresh_user_facts(monkeypatch):
    monkeypatch.setattr(catalog, "_USER", {})


@pytest.mark.parametrize(("entry", "message"), [
    ({"metric": "m", "family": "fairness", "direction": "lower", "aggregation": "mean"}, "field 'task' must be"),
    ({**GOOD[0], "family": "safety"}, r"entry 1 \(my_tox/toxic_rate\): field 'family' is 'safety'; use one of fairness"),
    ({**GOOD[0], "aggregation": "median"}, "field 'aggregation' is 'median'; use one of mean, weighted_perplexity"),
    ({**GOOD[0], "headline": "yes"}, "field 'headline' must be true or false"),
    ({**GOOD[0], "colour": 1}, r"unknown field\(s\) colour"),
])
def test_bad_entries_name_file_entry_and_field(entry, message):
    with pytest.raises(InputError, match=message):
        parse_facts([entry], "facts.yaml")


def test_duplicates_and_empty_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="declared twice"):
        parse_facts(GOOD + GOOD, "facts.yaml")
    empty = tmp_path / "f.yaml"
    empty.write_text("")
    with pytest.raises(InputError, match=r"f.yaml: expected a non-empty list"):
        load_facts_file(empty)


def test_declared_facts_enter_the_catalog_and_the_tax_line(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("- {task: my_tox, metric: toxic_rate, family: fairness, direction: lower, aggregation: mean, headline: true}\n")
    assert catalog.metric_info("my_tox", "toxic_rate") is None
    catalog.use_metric_facts(load_facts_file(path))
    info = catalog.metric_info("my_tox", "toxic_rate,none")
    assert info.family == "fairness" and info.direction == "lower" and info.headline and info.plain_mean
    assert info in catalog.headline_metrics()
    from spin_eval.results.facts import metric_facts
    from spin_eval.results.headline import counts_for_tax

    assert counts_for_tax(metric_facts("my_tox", "toxic_rate"), "none")


def test_a_contradiction_of_the_catalog_is_refused_naming_both():
    wrong = [{"task": "bbq", "metric": "amb_bias_score", "family": "fairness", "direction": "lower",
              "aggregation": "bbq_amb_bias_score", "headline": True}]
    with pytest.raises(InputError, match=r"bbq/amb_bias_score is declared as .*'lower'.*but the catalog has .*'zero'"):
        catalog.use_metric_facts(parse_facts(wrong, "f.yaml"))
    agree = [{**wrong[0], "direction": "zero"}]
    catalog.use_metric_facts(parse_facts(agree, "f.yaml"))  # agreeing with the catalog is fine
    assert catalog.metric_info("bbq", "amb_bias_score").direction == "zero"


def test_a_run_folder_applies_the_facts_it_recorded(tmp_path):
    from spin_eval.results.runfolder import use_recorded_facts

    use_recorded_facts({"settings": {"metric_facts": GOOD}}, tmp_path)
    assert catalog.metric_info("my_tox", "toxic_rate").headline
    with pytest.raises(InputError, match=r"spin-eval-run.json: settings.metric_facts: entry 1"):
        use_recorded_facts({"settings": {"metric_facts": [{"task": "x"}]}}, tmp_path)
