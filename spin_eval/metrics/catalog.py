"""Which task metric measures what: family, better direction, aggregation from per-doc values, headline flag.

The report recomputes every metric (and its paired bootstrap) from the per-document values lm-eval stores
in ``samples_*.jsonl`` under the metric's name, via ``MetricInfo.aggregate``. Names ending in ``_stderr``
are bootstrap standard errors of the metric without the suffix; they are not metrics and are not listed.

Headline metrics (one or two per family, chosen before any model was run) make up the alignment-tax line:
trust gained (fairness, privacy) against capability lost and over-refusal added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from spin_eval.metrics import awareness, bbq, perplexity, privacy

Family = Literal["fairness", "privacy", "overrefusal", "capability"]
Direction = Literal["higher", "lower", "zero"]


@dataclass(frozen=True)
class MetricInfo:
    task: str
    """lm-eval task name, e.g. ``spin_bbq``."""
    metric: str
    """Metric name as in ``results_*.json`` (without the ``,none`` filter suffix)."""
    family: Family
    """Which trust dimension the metric measures."""
    direction: Direction
    """``higher``/``lower`` is better, or ``zero``: closer to 0 is better (bias scores)."""
    aggregate: Callable[[Sequence], float]
    """Corpus value from the list of per-doc values stored in ``samples_*.jsonl`` for this metric."""
    headline: bool
    """Part of the alignment-tax line."""


#: PII types and attack styles of spin_pii_leakage (metric suffixes ``leak_rate_type_<t>``, ``leak_rate_style_<s>``).
PII_TYPES = ("email", "phone", "address", "ssn", "credit_card", "password", "date_of_birth")
ATTACK_STYLES = ("direct", "roleplay", "authority", "fewshot_leak", "fewshot_protect")

#: Offline tasks: full item counts, and the ``*_mini`` variants that spin_suite runs.
FULL_AND_MINI = ("", "_mini")


def _bbq_entries(task: str) -> list[MetricInfo]:
    out = []
    cats = [None] + [bbq.category_key(c) for c in bbq.CATEGORIES]
    for stat in bbq.STATISTICS:
        direction: Direction = "zero" if stat.startswith("s_") else "higher"
        for cat in cats:
            name = stat if cat is None else f"{stat}_{cat}"
            if cat is not None and stat.startswith("acc_"):
                continue
            out.append(
                MetricInfo(task, name, "fairness", direction, partial(bbq.aggregate_bbq, name), cat is None and stat == "s_amb")
            )
    return out


def _awareness_mc(task: str, family: Family) -> list[MetricInfo]:
    return [
        MetricInfo(task, "awareness", family, "higher", awareness.mean_rate, False),
        MetricInfo(task, "awareness_norm", family, "higher", awareness.mean_rate, True),
    ]


def _awareness_gen(task: str, family: Family) -> list[MetricInfo]:
    return [MetricInfo(task, "awareness", family, "higher", awareness.judged_rate, False)]


def _pii_entries(task: str) -> list[MetricInfo]:
    out = [
        MetricInfo(task, "leak_rate", "privacy", "lower", privacy.leak_rate, True),
        MetricInfo(task, "refusal_rate", "privacy", "higher", privacy.refusal_rate, False),
        MetricInfo(task, "leak_rate_non_refusal", "privacy", "lower", privacy.leak_rate_non_refusal, False),
    ]
    for t in PII_TYPES:
        out.append(MetricInfo(task, f"leak_rate_type_{t}", "privacy", "lower", partial(privacy.leak_rate, pii_type=t), False))
    for s in ATTACK_STYLES:
        out.append(
            MetricInfo(task, f"leak_rate_style_{s}", "privacy", "lower", partial(privacy.leak_rate, attack_style=s), False)
        )
    return out


def _build() -> dict[tuple[str, str], MetricInfo]:
    entries: list[MetricInfo] = []
    for sfx in FULL_AND_MINI:
        entries += _bbq_entries(f"spin_bbq{sfx}")
        entries += _awareness_mc(f"spin_fairness_awareness{sfx}", "fairness")
        entries += _awareness_gen(f"spin_fairness_awareness_gen{sfx}", "fairness")
        entries += _pii_entries(f"spin_pii_leakage{sfx}")
        entries += _awareness_mc(f"spin_privacy_awareness{sfx}", "privacy")
        entries += _awareness_gen(f"spin_privacy_awareness_gen{sfx}", "privacy")
        entries.append(MetricInfo(f"spin_overrefusal{sfx}", "refusal_rate", "overrefusal", "lower", awareness.mean_rate, True))
        entries += [
            MetricInfo(f"spin_capability_mc{sfx}", "acc", "capability", "higher", awareness.mean_rate, True),
            MetricInfo(f"spin_capability_mc{sfx}", "acc_norm", "capability", "higher", awareness.mean_rate, False),
            MetricInfo(f"spin_capability_ppl{sfx}", "word_perplexity", "capability", "lower", perplexity.weighted_perplexity, True),
            MetricInfo(f"spin_capability_ppl{sfx}", "byte_perplexity", "capability", "lower", perplexity.weighted_perplexity, False),
            MetricInfo(f"spin_capability_ppl{sfx}", "bits_per_byte", "capability", "lower", perplexity.bits_per_byte, False),
        ]
    # lm-eval's standard tasks in spin_capability_full (hub data; per-doc values are 0/1 or perplexity pairs).
    for task, metric in (
        ("hellaswag", "acc_norm"),
        ("race", "acc"),
        ("openbookqa", "acc_norm"),
        ("boolq", "acc"),
        ("gpqa_main_zeroshot", "acc_norm"),
    ):
        entries.append(MetricInfo(task, metric, "capability", "higher", awareness.mean_rate, False))
    entries.append(MetricInfo("wikitext", "word_perplexity", "capability", "lower", perplexity.weighted_perplexity, False))
    return {(e.task, e.metric): e for e in entries}


_CATALOG = _build()


def metric_info(task: str, metric: str) -> MetricInfo | None:
    """The catalog entry for ``task``/``metric`` (``metric`` may carry lm-eval's ``,none`` suffix); None if unknown."""
    return _CATALOG.get((task, metric.split(",", 1)[0]))


def all_metrics() -> list[MetricInfo]:
    """Every catalogued metric, in a fixed order."""
    return list(_CATALOG.values())


def headline_metrics() -> list[MetricInfo]:
    """The metrics of the alignment-tax line."""
    return [m for m in _CATALOG.values() if m.headline]
