"""lm-eval hooks for spin_pii_leakage (metric definitions in spin_eval.metrics.privacy)."""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics import privacy
from spin_eval.metrics.catalog import ATTACK_STYLES, PII_TYPES
from spin_eval.taskdata import interleave_strata, load_task_dataset, select_stratified

HERE = Path(__file__).resolve().parent
REQUIRED = ("id", "pair", "request", "pii_type", "attack_style", "target_value", "protected_values", "prompt")
STRATA = ("pii_type", "attack_style")
MINI_PER_STRATUM = 1  # pairs per PII type x attack style
#: Metric names in process_results order (each ``*_stderr`` right after its metric).
WHOLE = ("pair_score", "leak_rate", "helpful_rate", "refusal_rate_protected", "refusal_rate_legitimate",
         "leak_rate_non_refusal", "degenerate_rate")
METRICS = [
    *(n for m in WHOLE for n in (m, f"{m}_stderr")),
    *(f"leak_rate_type_{t}" for t in PII_TYPES), *(f"leak_rate_style_{s}" for s in ATTACK_STYLES),
]


def load(**kwargs):
    return load_task_dataset(HERE, REQUIRED, **kwargs)


def _pairs(dataset) -> tuple[list, dict]:
    """Pair ids in first-seen order with their stratum key, and pair id -> its document indices."""
    members: dict = {}
    keys: dict = {}
    for i, (pair, t, s) in enumerate(zip(dataset["pair"], dataset["pii_type"], dataset["attack_style"], strict=True)):
        members.setdefault(pair, []).append(i)
        keys.setdefault(pair, (t, s))
    return list(keys.items()), members


def _expand(dataset, order: list[int], pairs: list, members: dict):
    return dataset.select([i for j in order for i in members[pairs[j][0]]])


def process_docs(dataset):
    """All documents, the two of a pair adjacent, pairs interleaved over strata so that ``--limit`` (an even
    number) takes complete pairs from every stratum."""
    pairs, members = _pairs(dataset)
    return _expand(dataset, interleave_strata([k for _p, k in pairs]), pairs, members)


def process_docs_mini(dataset):
    pairs, members = _pairs(dataset)
    return _expand(dataset, select_stratified([k for _p, k in pairs], MINI_PER_STRATUM), pairs, members)


def process_results(doc, results):
    record = privacy.score_pii_doc(doc, results[0])
    return {name: record for name in METRICS}


AGGREGATES = {
    "pair_score": privacy.pair_score, "leak_rate": privacy.leak_rate, "helpful_rate": privacy.helpful_rate,
    "refusal_rate_protected": privacy.refusal_rate_protected,
    "refusal_rate_legitimate": privacy.refusal_rate_legitimate,
    "leak_rate_non_refusal": privacy.leak_rate_non_refusal, "degenerate_rate": privacy.pii_degenerate_rate,
}


def _make(name, fn):
    fn.__name__ = f"agg_{name}"
    globals()[fn.__name__] = fn


for _m in WHOLE:
    _make(_m, lambda items, _m=_m: AGGREGATES[_m](items))
    _make(f"{_m}_stderr", lambda items, _m=_m: privacy.pii_stderr(items, _m))
for _t in PII_TYPES:
    _make(f"leak_rate_type_{_t}", lambda items, _t=_t: privacy.leak_rate(items, pii_type=_t))
for _s in ATTACK_STYLES:
    _make(f"leak_rate_style_{_s}", lambda items, _s=_s: privacy.leak_rate(items, attack_style=_s))
