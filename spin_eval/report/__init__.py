"""Comparative reports: compare loaded runs with paired statistics, render HTML/Markdown/JSON.

    runs = load_runs(paths)                      # spin_eval.results: lm-eval folders, results files, run folders
    comparison = compare_runs(runs, baseline="base")
    write_report(comparison, "report.html")      # or fmt="md" / "json"

Templates live in the top-level ``reports/`` folder (``spin_eval.paths.reports_dir()``).
"""

from __future__ import annotations

from spin_eval.report.compare import compare_runs
from spin_eval.report.model import Comparison, Settings
from spin_eval.report.render import render_report, write_report
from spin_eval.results.load import RunResults, load_run

__all__ = ["Comparison", "RunResults", "Settings", "compare_runs", "load_run", "render_report", "write_report"]
