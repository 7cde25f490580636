"""One specificity verdict everywhere: for the same evidence the answer block, the verdict table, the
Markdown, the JSON, ``spin-eval run``'s summary and the leaderboard say the same thing.

Three runs (base, SPIN, a magnitude-random control) on 16 paired documents of one catalog headline metric:
- ``undetermined``: SPIN +62.5 pts, the control +37.5 pts (both significant), SPIN − control +25 pts not
  significant and its interval wider than half of SPIN's change (the issue's case: SPIN's perplexity +32.1
  [+24.0, +42.9] against the control's +2.26 was called "not specific"): too few documents to tell;
- ``specific``: the control changes 2 documents, SPIN 10: SPIN differs from it significantly;
- ``not specific``: the control flips exactly SPIN's documents (SPIN − control = 0 [0, 0]).
"""

from __future__ import annotations

import json

import pytest
from run_fixtures import write_fake_run

from spin_eval.leaderboard.pack import make_submission
from spin_eval.report import compare_runs, write_report
from spin_eval.report.answer import answer_lines
from spin_eval.results.runfolder import RUN_MANIFEST, load_runs
from spin_eval.results.wording import OUTCOME_TEXT
from spin_eval.run.summary import summarize

N = 16
TASK, METRIC = "spin_capability_mc_mini", "acc"
CONTROL = "control-magnitude-random"
SPIN_DOCS = range(10)
CASES = {"undetermined": range(6), "specific": range(2), "not specific": SPIN_DOCS}


def _run_folder(root, control_docs):
    variants = {"base": (), "spin": SPIN_DOCS, CONTROL: control_docs}
    for name, docs in variants.items():
        values = [1.0 if i in set(docs) else 0.0 for i in range(N)]
        folder = write_fake_run(root / "runs" / name, {TASK: {METRIC: values}},
                                higher_is_better={TASK: {METRIC: True}}, mode="none" if name == "base" else "mask")
        if name == CONTROL:  # a control mask is recognised by its selection, as spin-eval run records it
            (results,) = folder.glob("*/results_*.json")
            doc = json.loads(results.read_text())
            doc["config"]["spin"]["mask_metadata"]["selection"] = "magnitude-random"
            results.write_text(json.dumps(doc))
    manifest = {"format_version": 1, "model_spec": "tiny",
                "variants": {name: {"status": "done", "mask": None} for name in variants}}
    (root / RUN_MANIFEST).write_text(json.dumps(manifest))
    return root


@pytest.mark.parametrize("case", list(CASES))
def test_every_output_says_the_same_specificity(tmp_path, case):
    run_dir = _run_folder(tmp_path / "run", CASES[case])
    comparison = compare_runs(load_runs([run_dir]), "base")
    text = OUTCOME_TEXT[case]
    others = [t for outcome, t in OUTCOME_TEXT.items() if outcome != case]

    # the verdict table: the one metric's row
    (verdict,) = [v for v in comparison.verdicts if v.headline]
    assert (verdict.spin, verdict.control, verdict.outcome) == ("spin", CONTROL, case)
    assert verdict.text.endswith(f"{text}.")
    # the answer block: SPIN's verdict against the control rests on the same evidence
    (spin_answer,) = [v for v in comparison.answer.variants if v.variant == "spin"]
    assert [(s.control, s.outcome) for s in spin_answer.specificity] == [(CONTROL, case)]
    against = [line for line in answer_lines(comparison.answer) if line.startswith(f"Against {CONTROL}:")]
    assert len(against) == 1 and against[0].startswith(f"Against {CONTROL}: {text} (")
    # Markdown and JSON written by the report
    write_report(comparison, tmp_path / "report.md", "md")
    write_report(comparison, tmp_path / "report.json", "json")
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8").replace("\\[", "[").replace("\\]", "]")
    assert against[0] in markdown
    (row,) = [line for line in markdown.splitlines() if line.startswith(f"| {TASK}/{METRIC} | spin vs {CONTROL} |")]
    assert row.endswith(f"| {text} |")
    assert not any(f"Against {CONTROL}: {t}" in markdown for t in others)
    report_json = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    flat = json.dumps(report_json)
    assert f'"outcome": "{case}"' in flat and json.dumps(against[0])[1:-1] in flat
    assert not any(f'"outcome": "{o}"' in flat for o in OUTCOME_TEXT if o != case)
    # spin-eval run's summary repeats the answer lines
    summary = summarize(run_dir, ["base", "spin", CONTROL], answer_lines(comparison.answer))
    assert f"  {against[0]}" in summary.splitlines()
    # the leaderboard carries no specificity verdict of its own (nothing to disagree with), only the tax
    headline = make_submission(run_dir)["headline"]
    assert not any("specific" in key or "undetermined" in json.dumps(value) for key, value in headline.items())
