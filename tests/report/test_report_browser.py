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


#: The first screens the answer must fit in and lay out without collisions (issues 11 and 23).
SCREENS = ((1300, 900), (800, 900))
#: A test-only page: the report (script-free) in a W x H iframe; this page's script measures, inside it, the
#: boxes of the answer's parts and of every piece of text in the answer section (each line fragment of each
#: HTML text node, each SVG text element) and prints them, so ``--dump-dom`` returns the layout Chromium
#: computed.
_MEASURE_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="width:{w}px;height:{h}px;border:0"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument, out = {{boxes: {{}}, texts: []}};
  ['answer', 'answer-sentences', 'answer-table', 'unitless-table', 'answer-chart', 'sensitivity',
   'evaluation-settings'].forEach(function (id) {{
    var el = d.getElementById(id);
    if (el) {{ var r = el.getBoundingClientRect(); out.boxes[id] = [r.left, r.top, r.right, r.bottom]; }}
  }});
  var answer = d.getElementById('answer');
  var walker = d.createTreeWalker(answer, NodeFilter.SHOW_TEXT), node, i = 0;
  while ((node = walker.nextNode())) {{
    if (!node.textContent.trim() || node.parentNode.closest('svg')) continue;
    var range = d.createRange(); range.selectNodeContents(node);
    Array.prototype.forEach.call(range.getClientRects(), function (r) {{
      if (r.width > 0 && r.height > 0) out.texts.push([i, node.textContent.trim().slice(0, 40), r.left, r.top, r.right, r.bottom]);
    }});
    i++;
  }}
  Array.prototype.forEach.call(answer.querySelectorAll('svg text'), function (t) {{
    var r = t.getBoundingClientRect();
    if (t.textContent.trim() && r.width > 0) out.texts.push([i++, t.textContent.trim().slice(0, 40), r.left, r.top, r.right, r.bottom]);
  }});
  document.getElementById('out').textContent = 'BOXES' + JSON.stringify(out) + 'XEND';
}});
</script></body></html>"""


def _answer_layout(tmp_path: Path, comp, w: int, h: int) -> dict:
    import json
    import re

    write_report(comp, tmp_path / "report.html")
    page = tmp_path / "measure.html"
    page.write_text(_MEASURE_PAGE.format(w=w, h=h), encoding="utf-8")
    res = _chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                    f"--window-size={w + 100},{h + 100}", "--dump-dom", page.resolve().as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    found = re.search(r"BOXES(\{.*?\})XEND", res.stdout)
    assert found, res.stdout[-2000:]
    return json.loads(found.group(1))


def _overlaps(texts: list) -> list:
    """Pairs of text boxes of different text pieces that overlap by more than half a pixel both ways."""
    out = []
    for a_i, a in enumerate(texts):
        for b in texts[a_i + 1:]:
            if a[0] == b[0]:
                continue
            dx = min(a[4], b[4]) - max(a[2], b[2])
            dy = min(a[5], b[5]) - max(a[3], b[3])
            if dx > 0.5 and dy > 0.5:
                out.append((a[1], b[1]))
    return out


@pytest.mark.parametrize("w,h", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_answer_fits_the_first_screen_and_no_text_collides(fixture_runs, tmp_path, w, h):
    comp = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin", "random")], "base",
                        settings=Settings(n_resamples=200))
    layout = _answer_layout(tmp_path, comp, w, h)
    boxes = layout["boxes"]
    for part in ("answer-sentences", "answer-table"):  # the answer: sentences + table, on the first screen
        left, top, right, bottom = boxes[part]
        assert 0 <= left and right <= w and 0 <= top and bottom <= h, (part, boxes[part])
    assert boxes["answer-chart"][1] >= boxes["answer-table"][3]  # the chart in its own row, below the tables
    assert len(layout["texts"]) > 30 and any(t[1].startswith("trust change") for t in layout["texts"])
    assert _overlaps(layout["texts"]) == []
    # the settings come after the answer, not before it
    assert boxes["evaluation-settings"][1] > boxes["answer"][3]
