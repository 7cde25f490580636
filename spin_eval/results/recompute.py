"""Results files against their samples: an aggregate judged by the gate must be what its samples give.

``spin-eval check`` judges every metric by the values recomputed from ``samples_*.jsonl`` (the documents
are what was evaluated; the results file is a summary of them). A results file whose aggregate differs
from its own samples was edited or mixed from other runs; the gate then refuses rather than judging
either number. Catalog metrics are recomputed with the catalog's aggregate; a metric the catalog does not
know is recomputed only where its task config declares ``aggregation: mean`` (otherwise the aggregate
lm-eval used is unknown: corpus-level metrics such as BLEU are not means) and is else taken as reported.
The leaderboard checks submissions with this same function (one rule, one tolerance). Pure.
"""

from __future__ import annotations

import math

from spin_eval.errors import InputError
from spin_eval.results.facts import MetricFacts
from spin_eval.results.load import RunResults

#: Relative tolerance between lm-eval's aggregate and the recomputed one (float summation order).
REL_TOL = 1e-6
ABS_TOL = 1e-9


def _declares_mean(run: RunResults, facts: MetricFacts) -> bool:
    """The task config (``configs.<task>.metric_list``) declares ``aggregation: mean`` for the metric."""
    configs = run.raw.get("configs") if isinstance(run.raw.get("configs"), dict) else {}
    config = configs.get(facts.task) if isinstance(configs.get(facts.task), dict) else {}
    entries = config.get("metric_list") if isinstance(config.get("metric_list"), list) else []
    return any(isinstance(e, dict) and e.get("metric") == facts.metric and e.get("aggregation") == "mean"
               for e in entries)


def aggregate_from_samples(run: RunResults, facts: MetricFacts, filt: str = "none") -> float | None:
    """The metric recomputed from the run's logged samples; None when the run has no samples for it or the
    catalog does not know the metric.

    Raises InputError (naming the samples' results file, task and metric) when the logged values cannot
    be aggregated, or when the results file reports a different value.
    """
    values = run.doc_values(facts.task, facts.metric, filt) if facts.catalog or _declares_mean(run, facts) else None
    if not values:
        return None
    where = f"{run.path}: {facts.task}/{facts.metric}"
    try:
        recomputed = facts.compute(list(values.values()))
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise InputError(
            f"{where}: the logged per-document values cannot be aggregated ({type(exc).__name__}: {exc}); "
            "the samples file is corrupt or from another task version, re-run the evaluation"
        ) from None
    reported = run.metric_value(facts.task, facts.metric, filt)
    if reported is None:
        return recomputed
    both_nan = math.isnan(reported) and math.isnan(recomputed)
    if not both_nan and not math.isclose(reported, recomputed, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        raise InputError(
            f"{where}: the results file reports {reported:.6g} but its samples give {recomputed:.6g}; results "
            "and samples disagree (edited, or from different runs): re-run the evaluation"
        )
    return recomputed
