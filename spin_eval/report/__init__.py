"""Comparative reports: load lm-eval runs, compare them with paired statistics, render HTML/Markdown/JSON.

    runs = [load_run(p) for p in paths]           # lm-eval --output_path folders (with --log_samples)
    comparison = compare_runs(runs, baseline="base")
    write_report(comparison, "report.html")      # or fmt="md" / "json"

Templates live in the top-level ``reports/`` folder (``spin_eval.paths.reports_dir()``).
"""

from __future__ import annotations

from spin_eval.report.compare import Comparison, Settings, compare_runs
from spin_eval.report.load import RunResults, load_run
from spin_eval.report.render import render_report, write_report

__all__ = ["Comparison", "RunResults", "Settings", "compare_runs", "load_run", "render_report", "write_report"]
