"""The report states the evaluation settings behind its numbers: documents per task, limits, calibration
nsamples, a caveat for small tasks, and whether the runs can be compared document for document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_fixtures import N_DOCS, N_ORIGINAL, make_docs, spin_block, write_run

from spin_eval import stats
from spin_eval.report import Settings, compare_runs, load_run, render_report
from spin_eval.report.evaluation import min_significant_flips
from spin_eval.report.model import MIN_PAIRED_DOCS

FAST = Settings(n_resamples=100, seed=0)


def _section(text: str, start: str, end: str) -> str:
    """The part of a rendered report between two headings (so numbers are checked where they belong)."""
    i = text.index(start)
    return text[i: text.index(end, i)]


def test_min_significant_flips_matches_exact_mcnemar():
    for alpha in (0.05, 0.01, 0.001):
        k = min_significant_flips(alpha)
        assert stats.mcnemar_exact([0] * k, [1] * k) < alpha  # k same-way changes are significant
        assert stats.mcnemar_exact([0] * (k - 1), [1] * (k - 1)) >= alpha  # k - 1 are not
    assert min_significant_flips(0.05) == 6


def test_report_states_shared_settings_in_every_format(fixture_runs):
    comp = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin", "random")], "base", settings=FAST)
    ev = comp.to_dict()["evaluation"]
    assert ev["comparable"] and ev["differences"] == [] and ev["caveats"] == []
    assert {t["task"] for t in ev["tasks"]} == {"spin_bbq_mini", "spin_pii_leakage_mini", "spin_capability_mc_mini"}
    for t in ev["tasks"]:
        assert t["original"] == {"base": N_ORIGINAL, "spin": N_ORIGINAL, "random": N_ORIGINAL}
        assert t["effective"] == {"base": N_DOCS, "spin": N_DOCS, "random": N_DOCS}
        assert t["n_paired"] == N_DOCS and not t["few"]
        assert t["min_flips"] == 6 and t["min_flips_points"] == pytest.approx(100 * 6 / N_DOCS)
    runs = {r["name"]: r for r in ev["runs"]}
    assert runs["base"]["limit"] == "160" and runs["base"]["gen_limit"] == "150"
    assert runs["base"]["documents"] == "evenly spread per task"
    assert runs["base"]["calibration_nsamples"] == {}
    assert runs["spin"]["calibration_nsamples"] == {"fairness": 32, "general": 32, "privacy": 32}
    assert ev["summary"].startswith("All 3 runs share these settings: --limit 160; generation limit 150")
    assert "masks calibrated on 32 samples per set" in ev["summary"]

    md = _section(render_report(comp, "md"), "## Evaluation settings", "## Variants")
    html = _section(render_report(comp, "html"), 'id="evaluation-settings"', 'id="variants"')
    for text in (md, html):
        assert ev["summary"] in text
        assert "| spin_bbq_mini | 400 | 160 | 160 | 6 docs = 3.8 pts |" in text or (
            "<td class=\"l\">spin_bbq_mini</td><td>400</td><td>160</td><td>160</td><td>6 docs = 3.8 pts</td>" in text)
        assert "evenly spread per task" in text and "32 samples per set (fairness, general, privacy)" in text
        assert "Not comparable" not in text


def _cap_run(tmp_path: Path, name: str, n: int, limit: int, nsamples: int, *, extra_task: int = 0) -> Path:
    docs = make_docs(40)
    tasks = {"spin_capability_mc_mini": {"metrics": {"acc": True}, "docs": docs["cap"][:n],
                                         "values": [float(i % 2) for i in range(n)],
                                         "answers": [f"a{i}" for i in range(n)]}}
    if extra_task:
        tasks["tiny_probe"] = {"metrics": {"acc": True}, "docs": docs["bbq"][:extra_task],
                               "values": [1.0] * extra_task, "answers": ["x"] * extra_task}
    selection = "random" if name == "control" else "paper"
    spin = None if name == "base" else spin_block(selection, name[:2] * 6, 8, nsamples=nsamples)
    return write_run(tmp_path / name, model_type="hf" if spin is None else "spin_hf", spin=spin, tasks=tasks,
                     n_original=100, config_extra={"limit": limit, "spin_eval_gen_limit": 2,
                                                   "spin_eval_documents": "evenly spread per task"})


def test_report_flags_few_documents_and_runs_that_differ(tmp_path):
    base = load_run(_cap_run(tmp_path, "base", 12, 12, 32, extra_task=4))
    spin = load_run(_cap_run(tmp_path, "spin", 20, 20, 8, extra_task=4))
    control = load_run(_cap_run(tmp_path, "control", 20, 20, 32, extra_task=4))
    comp = compare_runs([base, spin, control], "base", settings=FAST)
    ev = comp.to_dict()["evaluation"]
    cap = next(t for t in ev["tasks"] if t["task"] == "spin_capability_mc_mini")
    probe = next(t for t in ev["tasks"] if t["task"] == "tiny_probe")
    assert cap["effective"] == {"base": 12, "spin": 20, "control": 20} and cap["n_paired"] == 12 and cap["few"]
    assert cap["min_flips_points"] == pytest.approx(50.0)
    assert probe["n_paired"] == 4 and probe["few"] and probe["min_flips_points"] is None
    assert not ev["comparable"]
    diffs = "\n".join(ev["differences"])
    assert "--limit differs: base 12, spin 20, control 20" in diffs
    assert "spin_capability_mc_mini: documents evaluated differs: base 12, spin 20, control 20" in diffs
    assert "spin, control evaluated other documents than base (12 shared by doc_hash)" in diffs
    assert ("calibration nsamples of the masks differs: spin 8 samples per set (fairness, general, privacy), "
            "control 32 samples per set") in diffs
    assert "tiny_probe" not in diffs  # same 4 documents in both runs
    caveats = ev["caveats"]
    assert len(caveats) == 2
    assert caveats[0].startswith(f"spin_capability_mc_mini: 12 paired documents (< {MIN_PAIRED_DOCS}): only large "
                                 "effects are detectable; a 0/1 metric must change on at least 6 of them")
    assert "(50 pts)" in caveats[0]
    assert caveats[1].startswith("tiny_probe: 4 paired documents")
    assert "no change of a 0/1 metric can reach" in caveats[1]
    assert "not comparable document-for-document" in ev["summary"]

    md = _section(render_report(comp, "md"), "## Evaluation settings", "## Variants")
    html = _section(render_report(comp, "html"), 'id="evaluation-settings"', 'id="variants"')
    assert "**Not comparable document-for-document.**" in md
    assert "Not comparable document-for-document.</strong>" in html
    assert "| spin_capability_mc_mini (< 30) | 100 | base 12, spin 20, control 20 | 12 | 6 docs = 50.0 pts |" in md
    assert "<td>base 12, spin 20, control 20</td><td>12</td><td>6 docs = 50.0 pts</td>" in html
    assert "none (needs 6 documents)" in md and "none (needs 6 documents)" in html
    for text in (md, html):
        assert "only large effects are detectable" in text
        assert "8 samples per set" in text and "32 samples per set" in text  # calibration of the masks
    # the JSON format carries the same block
    assert json.loads(render_report(comp, "json"))["evaluation"] == ev


def test_runs_without_samples_use_lm_eval_counts(tmp_path):
    docs = make_docs(10)
    tasks = {"spin_capability_mc_mini": {"metrics": {"acc": True}, "docs": docs["cap"], "values": [1.0] * 10,
                                         "answers": ["a"] * 10}}
    a = load_run(write_run(tmp_path / "a", tasks=tasks, log_samples=False, n_original=50))
    b = load_run(write_run(tmp_path / "b", tasks=tasks, log_samples=False, n_original=50))
    ev = compare_runs([a, b], "a", settings=FAST).evaluation
    (t,) = ev.tasks
    assert t.n_paired is None and t.effective == {"a": 10, "b": 10} and t.original == {"a": 50, "b": 50}
    assert t.few and ev.caveats[0].startswith("spin_capability_mc_mini: 10 documents evaluated (< 30)")
    assert ev.runs[0].gen_limit == "not recorded" and ev.runs[0].limit == "none"


def test_a_repeated_warning_is_one_line_naming_its_tasks(tmp_path):
    runs = [load_run(_cap_run(tmp_path, name, 12, 12, 32, extra_task=12)) for name in ("base", "spin")]
    ev = compare_runs(runs, "base", settings=FAST).evaluation
    assert [t.n_paired for t in ev.tasks] == [12, 12]
    (line,) = ev.caveats
    assert line.startswith("2 tasks (spin_capability_mc_mini, tiny_probe): 12 paired documents (< 30)")
    assert "2 of 2 tasks have fewer than 30 documents" in ev.summary
