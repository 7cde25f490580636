"""lm-eval hooks for spin_fairness_awareness. They are shared with the other awareness task and live in
spin_eval.awareness_hooks (metrics in spin_eval.metrics.awareness, judges in spin_eval.judges); this file
names them for the YAMLs and loads this folder's data."""

from __future__ import annotations

from pathlib import Path

from spin_eval.awareness_hooks import (  # noqa: F401  (called by the YAMLs as !function utils.<name>)
    MINI_PER_TEMPLATE,
    REQUIRED,
    agg_awareness_judged,
    agg_awareness_judged_stderr,
    process_docs,
    process_docs_gen_mini,
    process_docs_mini,
    process_results_gen,
    process_results_mc,
)
from spin_eval.taskdata import load_task_dataset

HERE = Path(__file__).resolve().parent


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)
