"""The answer block: numbers equal to the tax entries, verdicts vs controls, and plain statements for
inputs that cannot answer (single run, no paired documents, different task versions)."""

from __future__ import annotations

import json

from report_fixtures import build_fixture_runs

from spin_eval.report import Settings, compare_runs, load_run, render_report

FAST = Settings(n_resamples=100)


def _runs(paths, names=("base", "spin", "random")):
    return [load_run(paths[n]) for n in names]


def test_answer_block_comes_first_and_matches_the_tax(fixture_runs):
    comp = compare_runs(_runs(fixture_runs), "base", settings=FAST)
    spin = next(a for a in comp.answer.variants if a.variant == "spin")
    tax = next(t for t in comp.tax if t.variant == "spin")
    assert spin.trust == tax.trust and spin.capability == tax.capability and spin.tax_per_point == tax.tax_per_point
    assert [s.outcome for s in spin.specificity] == ["specific"]
    ctrl = next(a for a in comp.answer.variants if a.variant == "random")
    assert ctrl.specificity == []
    md = render_report(comp, "md")
    assert md.index("## Answer") < md.index("## Evaluation settings") < md.index("## Metrics")
    html = render_report(comp, "html")
    assert html.index('id="answer"') < html.index('id="evaluation-settings"') < html.index('id="provenance"')
    assert ",none" not in html and ",none" not in md
    assert next(iter(json.loads(render_report(comp, "json")))) == "answer"
    # every headline metric has an MDE next to its change
    assert comp.answer.sensitivity and all(c.mde is not None and c.mde > 0 for c in comp.answer.sensitivity)


def test_single_run_gives_a_statement_not_an_empty_verdict(fixture_runs):
    comp = compare_runs(_runs(fixture_runs, ("base",)), "base", settings=FAST)
    assert comp.answer.variants == []
    assert any("nothing to compare" in s for s in comp.answer.statements)
    for fmt in ("html", "md"):
        assert "nothing to compare" in render_report(comp, fmt)


def test_spin_without_control_is_undetermined(fixture_runs):
    comp = compare_runs(_runs(fixture_runs, ("base", "spin")), "base", settings=FAST)
    (spin,) = comp.answer.variants
    assert [s.outcome for s in spin.specificity] == ["undetermined"] and "no control" in spin.specificity[0].reason


def test_zero_paired_documents_and_different_task_versions_are_stated(tmp_path):
    paths = build_fixture_runs(tmp_path)
    # the SPIN run of one task evaluated other documents (no doc_hash in common) and another task version
    folder = next(paths["spin"].iterdir())
    samples = next(folder.glob("samples_spin_capability_mc_mini_*.jsonl"))
    lines = [json.loads(x) for x in samples.read_text().splitlines()]
    for x in lines:
        x["doc_hash"] = "other-" + x["doc_hash"]
    samples.write_text("".join(json.dumps(x) + "\n" for x in lines))
    results = next(folder.glob("results_*.json"))
    data = json.loads(results.read_text())
    data["versions"]["spin_bbq_mini"] = 2.0
    results.write_text(json.dumps(data))
    comp = compare_runs(_runs(paths), "base", settings=FAST)
    text = " ".join(comp.answer.statements)
    assert "spin_capability_mc_mini: no document is shared" in text
    assert "spin_bbq_mini: the runs used different task versions" in text
    spin = next(a for a in comp.answer.variants if a.variant == "spin")
    assert spin.specificity and all(s.outcome and s.reason for s in spin.specificity)
    html = render_report(comp, "html")
    assert "no document is shared" in html and "different task versions" in html


def test_a_limit_too_small_for_every_category_is_stated():
    from spin_eval.report.answer import coverage_statements
    from spin_eval.report.model import Breakdown

    amb = Breakdown("spin_bbq", "s_amb", "fairness", ["category"], 100.0, rows=["age", "disability"])
    dis = Breakdown("spin_bbq", "s_dis", "fairness", ["category"], 100.0, rows=["age", "gender"])
    (st,) = coverage_statements([amb, dis])
    assert "s_amb has data for 2 of 3 (missing gender)" in st and "s_dis has data for 2 of 3" in st
    assert coverage_statements([amb, Breakdown("spin_bbq", "s_dis", "fairness", ["category"], 100.0,
                                               rows=["age", "disability"])]) == []


def test_drill_down_shows_the_length_normalised_pick_for_norm_metrics():
    from spin_eval.report.flips import scored_answer
    from spin_eval.results.load import SampleRecord

    # raw log-likelihoods favour the short answer; per byte / per character the long one wins
    rec = SampleRecord("h", 0, {"choices": ["No.", "I cannot share private data."]}, "", "", "No.", {},
                       choices=(" No.", " I cannot share private data."), loglikelihoods=(-3.0, -12.0))
    assert scored_answer(rec, "awareness") == "No."
    assert scored_answer(rec, "awareness_norm") == "I cannot share private data."
    rec2 = SampleRecord("h", 0, {}, "", "", "No.", {}, choices=(" No.", " I cannot share private data."),
                        loglikelihoods=(-3.0, -12.0))
    assert scored_answer(rec2, "acc_norm") == "I cannot share private data."
    assert scored_answer(rec2, "acc") == "No."


def test_answer_lines_for_the_run_summary(fixture_runs):
    from spin_eval.report.answer import answer_lines

    comp = compare_runs(_runs(fixture_runs), "base", settings=FAST)
    lines = answer_lines(comp.answer)
    at = lines.index(next(line for line in lines if line.startswith("spin (spin) vs base:")))
    spin = " ".join(lines[at:lines.index(next(ln for ln in lines if ln.startswith("random (control)")))])
    tax = next(t for t in comp.tax if t.variant == "spin")
    assert f"Trust {tax.trust.points:+.1f} pts" in spin and "Against random: specific to SPIN's weights" in spin
    assert f"alignment tax {tax.tax_per_point:.3g}" in spin
    control = " ".join(lines[lines.index(next(ln for ln in lines if ln.startswith("random (control)"))):])
    assert "alignment tax undefined: no significant trust gain" in control
    # the run summary prints exactly the report's sentences
    assert lines == [f"note: {s}" for s in comp.answer.statements] + [
        s for v in comp.answer.variants for s in v.sentences]
