"""The one source of metric facts: family, better direction, aggregation, headline flag, unit, details.

Every consumer of results (report, ``spin-eval check``, leaderboard, ``spin-eval run``'s summary, through
``spin_eval.results``) reads these facts here and nowhere else; nothing is guessed from task or metric
names. The report and the gate recompute every metric (and its paired bootstrap) from the per-document
values lm-eval stores in ``samples_*.jsonl`` under the metric's name, via ``MetricInfo.aggregate``;
``plain_mean`` says the aggregate is the arithmetic mean of numbers (vectorised; 0/1 scores then get the
exact McNemar test). Names ending in ``_stderr`` are bootstrap standard errors of the metric without the
suffix; they are not metrics and are not listed.

``detail_of = (metric, group)`` marks a per-category restriction of another metric of the task (BBQ's
``s_amb_age`` is ``s_amb`` restricted to ``category == age``; ``leak_rate_type_email`` is ``leak_rate``
restricted to ``pii_type == email``): the report shows it in the breakdown tables, not as a row with its
own paired test. ``groups`` lists the per-document fields (of the logged value record, else of the
document) a metric is broken down by.

Sanity metrics (``sanity=True``, ``degenerate_rate`` of the generation tasks) say whether the answers are
language at all; they are never headline metrics.

Headline metrics (one or two per family, chosen before any model was run) make up the alignment-tax line:
trust gained (fairness, privacy) against capability lost and over-refusal added. The family ``safety``
(spin_safety) is the trust side of the objectives ``safety,helpfulness`` (spin_eval.metrics.objectives),
whose helpfulness side is the over-refusal family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from spin_eval.errors import InputError
from spin_eval.metrics import awareness, bbq, perplexity, privacy, public, safety

Family = Literal["fairness", "privacy", "safety", "overrefusal", "capability"]
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
    plain_mean: bool = False
    """The aggregate is the arithmetic mean of numeric per-document values."""
    points: bool = True
    """Bounded in [0, 1] (or [-1, 1] for bias scores): shown in points (x100) and averaged into the family
    changes of the alignment tax. False for unbounded metrics (perplexities, bits per byte)."""
    detail_of: tuple[str, str] | None = None
    """``(metric, group field)`` for a per-category restriction of ``metric``; None for a whole metric."""
    groups: tuple[str, ...] = ()
    """Per-document fields the report's breakdown table splits this metric by (empty: no breakdown)."""
    sanity: bool = False
    """A sanity metric (``degenerate_rate``: empty, repetitive or off-topic answers): never a headline; the
    report warns when a variant's trust gain comes with a rise in it (spin_eval.results.degenerate)."""

    def compute(self, values: Sequence) -> float:
        """The corpus value from per-document values."""
        return float(self.aggregate(list(values)))


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
            out.append(MetricInfo(
                task, name, "fairness", direction, partial(bbq.aggregate_bbq, name), cat is None and stat == "s_amb",
                detail_of=None if cat is None else (stat, "category"), groups=("category",) if cat is None else (),
            ))
    return out


def _mean(task: str, metric: str, family: Family, direction: Direction, headline: bool, **kw) -> MetricInfo:
    return MetricInfo(task, metric, family, direction, awareness.mean_rate, headline, plain_mean=True, **kw)


def _awareness_mc(task: str, family: Family) -> list[MetricInfo]:
    groups = ("category",) if family == "fairness" else ()
    return [
        _mean(task, "awareness", family, "higher", False, groups=groups),
        _mean(task, "awareness_norm", family, "higher", True, groups=groups),
    ]


def _awareness_gen(task: str, family: Family) -> list[MetricInfo]:
    groups = ("category",) if family == "fairness" else ()
    return [MetricInfo(task, "awareness", family, "higher", awareness.judged_rate, False, groups=groups)]


def _pii_entries(task: str) -> list[MetricInfo]:
    groups = ("pii_type", "attack_style")
    out = [
        MetricInfo(task, "pair_score", "privacy", "higher", privacy.pair_score, True, groups=groups),
        MetricInfo(task, "leak_rate", "privacy", "lower", privacy.leak_rate, False, groups=groups),
        MetricInfo(task, "helpful_rate", "privacy", "higher", privacy.helpful_rate, False, groups=groups),
        MetricInfo(task, "refusal_rate_protected", "privacy", "higher", privacy.refusal_rate_protected, False),
        MetricInfo(task, "refusal_rate_legitimate", "privacy", "lower", privacy.refusal_rate_legitimate, False),
        MetricInfo(task, "leak_rate_non_refusal", "privacy", "lower", privacy.leak_rate_non_refusal, False),
        MetricInfo(task, "degenerate_rate", "privacy", "lower", privacy.pii_degenerate_rate, False, sanity=True),
    ]
    for t in PII_TYPES:
        out.append(MetricInfo(task, f"leak_rate_type_{t}", "privacy", "lower", partial(privacy.leak_rate, pii_type=t),
                              False, detail_of=("leak_rate", "pii_type")))
    for s in ATTACK_STYLES:
        out.append(MetricInfo(task, f"leak_rate_style_{s}", "privacy", "lower",
                              partial(privacy.leak_rate, attack_style=s), False, detail_of=("leak_rate", "attack_style")))
    return out


def _safety_entries(task: str) -> list[MetricInfo]:
    # per-document records (spin_eval.metrics.safety.score_safety_doc); the helpfulness side of the safety
    # objective is spin_overrefusal (family overrefusal, objective "helpfulness")
    groups = ("category",)
    return [
        MetricInfo(task, "pair_score", "safety", "higher", safety.pair_score, True, groups=groups),
        MetricInfo(task, "safe_rate", "safety", "higher", safety.safe_rate, False, groups=groups),
        MetricInfo(task, "answered_rate", "safety", "higher", safety.answered_rate, False, groups=groups),
        MetricInfo(task, "refusal_rate_harmful", "safety", "higher", safety.refusal_rate_harmful, False),
        MetricInfo(task, "refusal_rate_benign", "safety", "lower", safety.refusal_rate_benign, False),
        MetricInfo(task, "degenerate_rate", "safety", "lower", safety.safety_degenerate_rate, False, sanity=True),
    ]


def _overrefusal_entries(task: str) -> list[MetricInfo]:
    # per-document 0/1 values (spin_eval.metrics.overrefusal.score_overrefusal_doc); category from the document
    return [
        _mean(task, "unanswered_rate", "overrefusal", "lower", True, groups=("category",)),
        _mean(task, "refusal_rate", "overrefusal", "lower", False, groups=("category",)),
        _mean(task, "degenerate_rate", "overrefusal", "lower", False, sanity=True),
    ]


def _build() -> dict[tuple[str, str], MetricInfo]:
    entries: list[MetricInfo] = []
    for sfx in FULL_AND_MINI:
        entries += _bbq_entries(f"spin_bbq{sfx}")
        entries += _awareness_mc(f"spin_fairness_awareness{sfx}", "fairness")
        entries += _awareness_gen(f"spin_fairness_awareness_gen{sfx}", "fairness")
        entries += _pii_entries(f"spin_pii_leakage{sfx}")
        entries += _awareness_mc(f"spin_privacy_awareness{sfx}", "privacy")
        entries += _awareness_gen(f"spin_privacy_awareness_gen{sfx}", "privacy")
        entries += _overrefusal_entries(f"spin_overrefusal{sfx}")
        entries += _safety_entries(f"spin_safety{sfx}")
        ppl = f"spin_capability_ppl{sfx}"
        entries += [
            _mean(f"spin_capability_mc{sfx}", "acc", "capability", "higher", True),
            _mean(f"spin_capability_mc{sfx}", "acc_norm", "capability", "higher", False),
            MetricInfo(ppl, "word_perplexity", "capability", "lower", perplexity.weighted_perplexity, True, points=False),
            MetricInfo(ppl, "byte_perplexity", "capability", "lower", perplexity.weighted_perplexity, False, points=False),
            MetricInfo(ppl, "bits_per_byte", "capability", "lower", perplexity.bits_per_byte, False, points=False),
        ]
    # lm-eval's standard tasks in spin_capability_full (hub data; per-doc values are 0/1 or perplexity pairs).
    for task, metric in (
        ("hellaswag", "acc_norm"),
        ("race", "acc"),
        ("openbookqa", "acc_norm"),
        ("boolq", "acc"),
        ("gpqa_main_zeroshot", "acc_norm"),
    ):
        entries.append(_mean(task, metric, "capability", "higher", False))
    entries.append(MetricInfo("wikitext", "word_perplexity", "capability", "lower", perplexity.weighted_perplexity, False,
                              points=False))
    entries += public.public_entries(MetricInfo, _mean, perplexity.weighted_perplexity, perplexity.bits_per_byte)
    return {(e.task, e.metric): e for e in entries}


_CATALOG = _build()


#: Entries declared by the user (``--metric-facts``), added by :func:`use_metric_facts` for this process.
_USER: dict[tuple[str, str], MetricInfo] = {}


def use_metric_facts(entries: list[dict]) -> None:
    """Add validated user fact entries (``spin_eval.metrics.user_facts``) to the catalog of this process. An
    entry for a metric the catalog knows must agree with it (family, direction, headline, points);
    otherwise InputError naming both."""
    from spin_eval.metrics.user_facts import to_metric_infos

    for info in to_metric_infos(entries, MetricInfo):
        known = _CATALOG.get((info.task, info.metric)) or _USER.get((info.task, info.metric))
        if known is not None:
            mine = (info.family, info.direction, info.headline, info.points)
            theirs = (known.family, known.direction, known.headline, known.points)
            if mine != theirs:
                raise InputError(
                    f"--metric-facts: {info.task}/{info.metric} is declared as (family, direction, headline, points) "
                    f"{mine}, but the catalog has {theirs}; drop the entry or make it agree"
                )
            continue
        _USER[(info.task, info.metric)] = info


def applied_facts() -> list[dict]:
    """The user fact entries in use in this process (``use_metric_facts``), as a facts file writes them."""
    from spin_eval.metrics.user_facts import AGGREGATIONS

    names = {id(f): n for n, f in AGGREGATIONS.items()}
    return [{"task": i.task, "metric": i.metric, "family": i.family, "direction": i.direction,
             "aggregation": names.get(id(i.aggregate), "mean"), "headline": i.headline, "points": i.points}
            for i in sorted(_USER.values(), key=lambda i: (i.task, i.metric))]


def metric_info(task: str, metric: str) -> MetricInfo | None:
    """The catalog entry for ``task``/``metric`` (``metric`` may carry lm-eval's ``,none`` suffix); None if unknown."""
    key = (task, metric.split(",", 1)[0])
    return _CATALOG.get(key) or _USER.get(key)


def all_metrics() -> list[MetricInfo]:
    """Every catalogued metric, in a fixed order."""
    return [*_CATALOG.values(), *_USER.values()]


def sanity_metrics() -> list[MetricInfo]:
    """The sanity metrics (degenerate-output rates of the generation tasks)."""
    return [m for m in _CATALOG.values() if m.sanity]


def headline_metrics() -> list[MetricInfo]:
    """The metrics of the alignment-tax line."""
    return [m for m in all_metrics() if m.headline]
