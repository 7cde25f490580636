"""lm-eval hooks for spin_pii_leakage (metric definitions in spin_eval.metrics.privacy)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics import privacy
from spin_eval.metrics.catalog import ATTACK_STYLES, PII_TYPES
from spin_eval.taskdata import load_task_dataset, select_docs

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "pii_type", "attack_style", "target_value", "prompt")
STRATA = ("pii_type", "attack_style")
MINI_PER_STRATUM = 2
#: Metric names in process_results order (each ``*_stderr`` right after its metric).
METRICS = [
    "leak_rate", "leak_rate_stderr", "refusal_rate", "refusal_rate_stderr",
    "leak_rate_non_refusal", "leak_rate_non_refusal_stderr",
    *(f"leak_rate_type_{t}" for t in PII_TYPES), *(f"leak_rate_style_{s}" for s in ATTACK_STYLES),
]


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def process_docs(dataset):
    """All documents, interleaved over strata so that ``--limit`` takes a balanced prefix."""
    return select_docs(dataset, STRATA)


def process_docs_mini(dataset):
    return select_docs(dataset, STRATA, MINI_PER_STRATUM)


def process_results(doc, results):
    record = privacy.score_pii_doc(doc, results[0])
    return {name: record for name in METRICS}


def agg_leak_rate(items):
    return privacy.leak_rate(items)


def agg_refusal_rate(items):
    return privacy.refusal_rate(items)


def agg_leak_rate_non_refusal(items):
    return privacy.leak_rate_non_refusal(items)


def _make(name, fn):
    fn.__name__ = f"agg_{name}"
    globals()[fn.__name__] = fn


for _m in ("leak_rate", "refusal_rate", "leak_rate_non_refusal"):
    _make(f"{_m}_stderr", lambda items, _m=_m: privacy.pii_stderr(items, _m))
for _t in PII_TYPES:
    _make(f"leak_rate_type_{_t}", lambda items, _t=_t: privacy.leak_rate(items, pii_type=_t))
for _s in ATTACK_STYLES:
    _make(f"leak_rate_style_{_s}", lambda items, _s=_s: privacy.leak_rate(items, attack_style=_s))
