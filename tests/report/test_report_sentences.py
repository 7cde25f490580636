"""The answer in sentences: every number in them is a number of the tables, and every output (answer block,
verdict table, Markdown, JSON, run summary, the leaderboard's tax) says the same thing for the same evidence."""

from __future__ import annotations

import json
import logging
import re

import pytest

from spin_eval.report import Settings, compare_runs, load_run, render_report
from spin_eval.report.answer import answer_lines
from spin_eval.report.context import build_context
from spin_eval.results import numbers
from spin_eval.results.headline import headline_tax
from spin_eval.results.load import load_run as load_results
from spin_eval.results.specificity import specificity
from spin_eval.results.wording import OUTCOME_TEXT, tax_cells

FAST = Settings(n_resamples=200)
#: A number as the report prints it: a sign or a decimal point (counts of metrics are plain integers).
NUMBER = re.compile(r"[+-]\d+(?:\.\d+)?|\d+\.\d+")


@pytest.fixture(scope="module")
def module_runs(tmp_path_factory):
    from report_fixtures import build_fixture_runs

    return build_fixture_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def comp(module_runs):
    return compare_runs([load_run(module_runs[n]) for n in ("base", "spin", "random")], "base", settings=FAST)


def _table_numbers(ctx: dict) -> set[str]:
    a = ctx["answer"]
    cells: list[str] = []
    for r in a["rows"]:
        cells += [r["trust"]["points"], r["trust"]["ci"], r["capability"]["points"], r["capability"]["ci"],
                  r["tax"], r["tax_ci"]]
    for c in a["unitless"] + a["sensitivity"]:
        cells += [c["baseline"], c["value"], c["delta"], c["ci"], c["mde"], c["relative"]]
    return {m.group(0) for cell in cells for m in NUMBER.finditer(str(cell))}


def test_every_number_in_the_sentences_is_a_number_of_the_tables(comp):
    ctx = build_context(comp)
    table = _table_numbers(ctx)
    sentences = [s for r in ctx["answer"]["rows"] for s in r["sentences"]]
    assert sentences and any("changed significantly" in s for s in sentences)
    for s in sentences:
        for m in NUMBER.finditer(s):
            assert m.group(0) in table, (m.group(0), s)


def test_sentences_name_changes_undetected_metrics_specificity_and_tax(comp):
    spin = next(v for v in comp.answer.variants if v.variant == "spin")
    ctrl = next(v for v in comp.answer.variants if v.variant == "random")
    text = " ".join(spin.sentences)
    assert "changed significantly: spin_bbq_mini/s_amb" in text and "Against random: specific" in text
    assert "alignment tax " + numbers.fmt_ratio(spin.tax_per_point) in text
    quiet = " ".join(ctrl.sentences)
    checks = [c for c in comp.answer.sensitivity if c.variant == "random" and not c.significant]
    mdes = sorted(numbers.fmt_value(c.mde, c.scale) for c in checks)
    assert f"Not detected: {len(checks)} headline metrics" in quiet
    assert "smallest change this run could have detected" in quiet and any(m in quiet for m in mdes)
    assert "alignment tax undefined: no significant trust gain" in quiet


def test_one_verdict_everywhere(comp, module_runs):
    html, md = render_report(comp, "html"), render_report(comp, "md")
    data = json.loads(render_report(comp, "json"))
    lines = answer_lines(comp.answer)
    for v in comp.answer.variants:
        for s in v.specificity:
            # the pair's outcome is the one rule over exactly the evidence the per-metric verdicts used
            ev = [x.evidence for x in comp.verdicts if x.spin == s.spin and x.control == s.control and x.headline]
            assert specificity(s.spin, s.control, ev).outcome == s.outcome
            phrase = OUTCOME_TEXT[s.outcome]
            assert phrase in html and phrase in md and any(phrase in ln for ln in lines)
            jv = next(x for x in data["answer"]["variants"] if x["variant"] == v.variant)
            assert {js["control"]: js["outcome"] for js in jv["specificity"]}[s.control] == s.outcome
    for verdict in comp.verdicts:  # each per-metric verdict: its outcome and its text agree, in every output
        assert OUTCOME_TEXT[verdict.outcome] in verdict.text
        jv = next(x for x in data["verdicts"] if x["metric"] == verdict.metric and x["control"] == verdict.control)
        assert jv["outcome"] == verdict.outcome and jv["text"] == verdict.text
    # the tax: the report's cells, the run summary's sentence and the leaderboard's numbers (headline_tax)
    for t in comp.tax:
        value, ci, why = tax_cells(t)
        lb = headline_tax(load_results(module_runs["base"]), load_results(module_runs[t.variant]),
                          FAST.paired())
        assert tax_cells(lb) == (value, ci, why) and lb.status == t.status
        assert (value if not why else why) in html and (value if not why else why) in md
        assert any((f"alignment tax {value}" if not why else f"alignment tax undefined: {why}") in ln for ln in lines)


def test_numbers_a_person_reads():
    assert numbers.fmt_change(0.321, 0.240, 0.429, 100.0) == "+32.1 [+24.0, +42.9]"
    assert numbers.fmt_change(0.07712, 0.06246, 0.09163) == "+0.0771 [+0.0625, +0.0916]"
    assert numbers.fmt_change(0.006227, 0.004761, 0.007576) == "+0.00623 [+0.00476, +0.00758]"
    assert numbers.fmt_change(32.1, 24.04, 42.93) == "+32.1 [+24.0, +42.9]"
    assert numbers.fmt_value(1.195) == "1.20" and numbers.fmt_value(1234.5) == "1234"
    assert numbers.fmt_p(0.0078125) == "p=0.0078" and numbers.fmt_p(0.3123) == "p=0.31"
    assert numbers.fmt_p(0.0004) == "p<0.001" and numbers.fmt_p(None) == "p n/a"
    assert numbers.fmt_relative(0.07712, 1.195) == "+6.45%" and numbers.fmt_relative(1.0, 0.0) == "n/a"
    assert numbers.fmt_ci(0.1, 0.9, like=0.457, signed=False) == "[0.100, 0.900]"


def test_title_names_what_was_compared(comp):
    assert build_context(comp)["title"] == "spin-eval report: spin and 1 control vs base, tiny, 3 tasks"


def test_checked_lm_eval_warnings_are_filtered_once_and_others_pass(caplog):
    from dataclasses import replace

    from spin_eval import lmeval_warnings

    # the shipped entries on a logger of this test's own (the CLI may have installed the real filter already)
    name = "spin_eval_test.evaluator_utils"
    assert {c.logger for c in lmeval_warnings.CHECKED} == {"lm_eval.evaluator_utils"}
    flt = lmeval_warnings.CheckedWarningFilter(tuple(replace(c, logger=name) for c in lmeval_warnings.CHECKED))
    logger = logging.getLogger(name)
    logger.addFilter(flt)
    try:
        with caplog.at_level(logging.WARNING, logger=name):
            logger.warning("[spin_bbq_mini] Metrics were not scored on the same number of documents (acc=8, "
                           "acc_ambig=4). ... over-weighted in the group score.")
            logger.warning("Higher_is_better values for metric refusal_rate in group spin_suite are not "
                           "consistent. Defaulting to None.")
            logger.warning("[spin_bbq_mini] Metrics were not scored on the same number of documents (x).")
            logger.warning("something spin-eval has not checked")
            logger.error("Higher_is_better values for metric refusal_rate in group g are not consistent")
    finally:
        logger.removeFilter(flt)
    shown = [r.getMessage() for r in caplog.records]
    assert shown[0] == "something spin-eval has not checked" and len(shown) == 2  # errors always show
    lines = lmeval_warnings.explain(flt)
    assert len(lines) == 2 and lines[0].startswith("lm-eval warned 2x") and "aggregate_metric_list" in lines[0]


def test_every_command_runs_with_the_checked_warning_filter(capsys):
    from spin_eval import lmeval_warnings
    from spin_eval.cli import main

    assert main(["tasks", "path"]) == 0
    capsys.readouterr()
    flt = lmeval_warnings.install()  # the one filter main() installed (installing twice adds nothing)
    assert logging.getLogger("lm_eval.evaluator_utils").filters.count(flt) == 1
