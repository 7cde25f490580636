"""The HTML report in a real headless Chromium (Debian's ``chromium``; skipped where it is absent)."""

from __future__ import annotations

import html as html_lib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import SCRIPT_ANSWER

from spin_eval.report import Settings, compare_runs, load_run, write_report
from spin_eval.report.context import fmt_ci, fmt_signed
from spin_eval.results.numbers import fmt_ratio

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup.sh --test)"),
]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", *args,
    ]
    env = dict(os.environ, HOME=str(tmp_path))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)


def test_report_renders_in_chromium(fixture_runs, tmp_path):
    comp = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin", "random")], "base",
                        settings=Settings(n_resamples=300))
    page = write_report(comp, tmp_path / "report.html")
    url = page.resolve().as_uri()

    dom = _chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    # the key numbers, as the stats produced them, are in the rendered DOM
    cap = next(r for r in comp.rows if r.task == "spin_capability_mc_mini").deltas["spin"]
    tax = next(t for t in comp.tax if t.variant == "spin")
    for expected in (fmt_signed(cap.delta, 100.0), fmt_ci(cap.ci_low, cap.ci_high, 100.0, cap.delta),
                     fmt_ratio(tax.tax_per_point), tax.capability.points and f"{tax.capability.points:+.1f}"):
        assert html_lib.escape(expected, quote=False) in text, expected
    assert "Alignment tax" in text and "Drill-down" in text
    # the model's <script> answer is text: escaped in the DOM, never an element, never run
    assert html_lib.escape(SCRIPT_ANSWER, quote=False) in text
    assert "<script" not in text.lower()
    assert "<title>spin-eval report" in text and "pwned" not in text.split("</title>")[0]

    shot = tmp_path / "report.png"
    res = _chromium(tmp_path, "--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000  # a blank page is a few KB
    pdf = tmp_path / "report.pdf"  # prints: Chromium's print path renders it to a multi-page PDF
    res = _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2
    keep = os.environ.get("SPIN_EVAL_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")


#: The first screen the answer block must fit in (issue 11: "answer first").
FOLD_W, FOLD_H = 1300, 900
#: A test-only page: the report (script-free) in a 1300x900 iframe; this page's script measures the
#: answer block's box inside it and prints it, so ``--dump-dom`` returns the layout Chromium computed.
_MEASURE_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="width:{w}px;height:{h}px;border:0"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument, out = {{}};
  ['answer', 'answer-table', 'sensitivity', 'evaluation-settings'].forEach(function (id) {{
    var el = d.getElementById(id);
    if (el) {{ var r = el.getBoundingClientRect(); out[id] = [r.left, r.top, r.right, r.bottom]; }}
  }});
  var svg = d.querySelector('#answer svg');
  if (svg) {{ var r = svg.getBoundingClientRect(); out['answer-chart'] = [r.left, r.top, r.right, r.bottom]; }}
  document.getElementById('out').textContent = 'BOXES' + JSON.stringify(out) + 'XEND';
}});
</script></body></html>"""


def _answer_boxes(tmp_path: Path, comp) -> dict:
    import json
    import re

    write_report(comp, tmp_path / "report.html")
    page = tmp_path / "measure.html"
    page.write_text(_MEASURE_PAGE.format(w=FOLD_W, h=FOLD_H), encoding="utf-8")
    res = _chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                    f"--window-size={FOLD_W + 100},{FOLD_H + 100}", "--dump-dom", page.resolve().as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    found = re.search(r"BOXES(\{.*?\})XEND", res.stdout)
    assert found, res.stdout[-2000:]
    return json.loads(found.group(1))


def test_answer_block_is_above_the_fold(fixture_runs, tmp_path):
    comp = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin", "random")], "base",
                        settings=Settings(n_resamples=200))
    boxes = _answer_boxes(tmp_path, comp)
    for part in ("answer", "answer-table", "answer-chart"):
        left, top, right, bottom = boxes[part]
        assert 0 <= left and right <= FOLD_W and 0 <= top and bottom <= FOLD_H, (part, boxes[part])
    # the settings come after the answer, not before it
    assert boxes["evaluation-settings"][1] > boxes["answer"][3]
