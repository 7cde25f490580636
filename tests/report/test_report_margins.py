"""The report shows each mask's unstable top-k boundaries (margins under 1e-6), as ``mask info`` does,
with how many positions a one-entry change moves under the reference selection."""

from __future__ import annotations

import json

from spin_eval.report import Settings, compare_runs, load_run, render_report
from spin_eval.spin.margins import UNSTABLE_GAP, margin_sentence, summarize_margins

MARGINS = {  # natural order puts layers.2 before layers.10
    "model.layers.10.mlp.up_proj.weight": {"general": {"gap": 0.02, "shift": 3}, "fairness": {"gap": 4e-7, "shift": 17},
                                           "privacy": None},
    "model.layers.2.mlp.gate_proj.weight": {"general": {"gap": 0.0, "shift": 1250}, "fairness": {"gap": 3e-6, "shift": 0},
                                            "privacy": {"gap": 0.5, "shift": 2}},
}


def test_summary_counts_unstable_boundaries_in_natural_order():
    summary = summarize_margins({"margins": MARGINS})
    assert summary.recorded and summary.boundaries == 5 and summary.smallest_gap == 0.0
    assert [(b.param.split(".")[2], b.set_name) for b in summary.unstable] == [("2", "general"), ("10", "fairness")]
    assert summary.max_shift == 1250
    line = margin_sentence(summary)
    assert line.startswith(f"2 of 5 top-k boundaries closer than {UNSTABLE_GAP:g}") and "1,250 positions" in line
    stable = summarize_margins({"margins": {"m": {"general": {"gap": 0.1, "shift": 4}}}})
    assert stable.unstable == () and "depends on rounding" not in margin_sentence(stable)
    assert not summarize_margins({}).recorded and "not recorded" in margin_sentence(summarize_margins({}))


def test_threshold_is_the_selections():
    from spin_eval.spin.selection import UNSTABLE_GAP as SELECTION_GAP

    assert UNSTABLE_GAP == SELECTION_GAP


def test_report_shows_the_unstable_boundaries(fixture_runs):
    for results in fixture_runs["spin"].rglob("results_*.json"):
        data = json.loads(results.read_text())
        data["config"]["spin"]["mask_metadata"]["margins"] = MARGINS
        results.write_text(json.dumps(data))
    comparison = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin", "random")], "base",
                              settings=Settings(n_resamples=50, seed=0))
    html = render_report(comparison, "html")
    assert "Top-k margins: 2 of 5 top-k boundaries closer than 1e-06" in html
    assert "<code>model.layers.2.mlp.gate_proj.weight</code></td><td class=\"l\">general</td><td>0</td><td>1,250</td>" in html
    assert "<td>4e-07</td><td>17</td>" in html
    assert "Top-k margins: not recorded (mask format 1" in html  # the random control's metadata has none
    lines = render_report(comparison, "md").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("- **spin**:"))
    assert lines[at].endswith("moves up to 1,250 positions)") and "; top-k margins: 2 of 5 top-k boundaries" in lines[at]
    assert [line.split(" gap ")[0] for line in lines[at + 1 : at + 3]] == [
        "  - unstable: model.layers.2.mlp.gate_proj.weight general",
        "  - unstable: model.layers.10.mlp.up_proj.weight fairness"]
    data = json.loads(render_report(comparison, "json"))
    assert data["masks"]["margins"]["spin"]["unstable"][0]["shift"] == 1250
