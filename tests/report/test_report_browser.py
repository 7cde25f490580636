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
    for expected in (fmt_signed(cap.delta, 100.0), fmt_ci(cap.ci_low, cap.ci_high, 100.0),
                     f"{tax.tax_per_point:.2f}", tax.capability.points and f"{tax.capability.points:+.2f}"):
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
