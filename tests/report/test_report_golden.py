"""Golden files: the rendered HTML / Markdown / JSON of the fixture runs stay byte-identical.

A change to a golden file must be a deliberate fix of a number or a text; regenerate them with
``SPIN_EVAL_UPDATE_GOLDEN=1 python -m pytest tests/report/test_report_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from report_fixtures import build_fixture_runs

from spin_eval.report import Settings, compare_runs, load_run, render_report

GOLDEN = Path(__file__).resolve().parent / "golden"
SETTINGS = dict(n_resamples=200, seed=0)


def _normalise(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp), "<TMP>")
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "<GENERATED>", text)


@pytest.mark.parametrize("log_samples", [True, False], ids=["samples", "stderr"])
@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_rendered_report_matches_golden(tmp_path, fmt, log_samples):
    runs = build_fixture_runs(tmp_path, log_samples=log_samples)
    comp = compare_runs([load_run(runs[n]) for n in ("base", "spin", "random")], "base",
                        settings=Settings(**SETTINGS))
    text = _normalise(render_report(comp, fmt), tmp_path)
    golden = GOLDEN / f"fixture-{'samples' if log_samples else 'stderr'}.{fmt}"
    if os.environ.get("SPIN_EVAL_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing; run with SPIN_EVAL_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
