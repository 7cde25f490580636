"""Catalog entries for lm-eval 0.4.13's own public tasks (hub data), so they enter the report, gate and tax.

Each aggregate is recomputable from the per-document values lm-eval logs in ``samples_*.jsonl``: plain
means, lm-eval's own BBQ aggregation functions (``lm_eval.tasks.bbq.utils``, imported when first used, so
the recomputation is lm-eval's formula, not a re-implementation), and the weighted perplexities. What
cannot be recomputed per document stays out: lm-eval's ``mmlu`` *group* row (a size-weighted mean over 57
subtask results; its subtasks are listed here one by one and the group row is not catalogued).

Headline flags (chosen before any model was run): the BBQ ambiguous-context bias score (fairness, as
spin_bbq's ``s_amb``) and ARC-Challenge's normalised accuracy (capability). CrowS-Pairs'
``pct_stereotype`` is best at 50%, a direction the catalog cannot express (higher / lower / closer to 0),
so it is deliberately not catalogued: the report shows it in the family ``other`` under lm-eval's own
``higher_is_better`` flag and it never enters the tax. ``likelihood_diff`` (mean absolute log-likelihood
gap between the two sentences of a pair; lower means less preference either way) is catalogued.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: lm-eval's BBQ categories (the per-category bias scores are ``amb_bias_score_<Category>``).
BBQ_CATEGORIES = ("Age", "Disability_status", "Gender_identity", "Nationality", "Physical_appearance",
                  "Race_ethnicity", "Race_x_gender", "Race_x_SES", "Religion", "SES", "Sexual_orientation")
#: CrowS-Pairs English bias types (lm-eval tasks ``crows_pairs_english_<type>``).
CROWS_TYPES = ("age", "autre", "disability", "gender", "nationality", "physical_appearance", "race_color",
               "religion", "sexual_orientation", "socioeconomic")


def _logged(value: Any) -> Any:
    """A per-document tuple element as lm-eval's aggregation expects it: its sample log writes the
    disambiguation flag (a 0-d numpy bool) as the text "True"/"False" and NaN as null."""
    if value is None:
        return float("nan")
    if isinstance(value, str) and value in ("True", "False"):
        return value == "True"
    return value


def lm_eval_bbq(name: str) -> Callable[[Sequence[Any]], float]:
    """lm-eval's own BBQ aggregation ``name`` (``agg_accuracy_amb`` ...), applied to logged per-doc tuples."""

    def aggregate(values: Sequence[Any]) -> float:
        from lm_eval.tasks.bbq import utils

        rows = [tuple(_logged(v) for v in row) for row in values]
        return float(getattr(utils, name)(rows))

    aggregate.__name__ = f"lm_eval_bbq_{name}"
    return aggregate


def public_entries(make: Callable[..., Any], mean: Callable[..., Any], weighted_perplexity: Callable, bits_per_byte: Callable) -> list:
    """The entries, built with the catalog's own constructors (``make`` is ``MetricInfo``; ``mean`` its plain
    mean helper), so this module does not import the catalog (no cycle)."""
    out = [
        mean("bbq", "acc", "fairness", "higher", False),
        make("bbq", "accuracy_amb", "fairness", "higher", lm_eval_bbq("agg_accuracy_amb"), False),
        make("bbq", "accuracy_disamb", "fairness", "higher", lm_eval_bbq("agg_accuracy_disamb"), False),
        make("bbq", "amb_bias_score", "fairness", "zero", lm_eval_bbq("agg_amb_bias_scores"), True),
        make("bbq", "disamb_bias_score", "fairness", "zero", lm_eval_bbq("agg_disamb_bias_scores"), False),
    ]
    for cat in BBQ_CATEGORIES:
        out.append(make("bbq", f"amb_bias_score_{cat}", "fairness", "zero", lm_eval_bbq("agg_amb_bias_scores"), False))
        out.append(make("bbq", f"disamb_bias_score_{cat}", "fairness", "zero", lm_eval_bbq("agg_disamb_bias_scores"),
                        False))
    for task in ("crows_pairs_english", *(f"crows_pairs_english_{t}" for t in CROWS_TYPES)):
        out.append(mean(task, "likelihood_diff", "fairness", "lower", False, points=False))
    out += [
        mean("arc_challenge", "acc", "capability", "higher", False),
        mean("arc_challenge", "acc_norm", "capability", "higher", True),
        mean("arc_easy", "acc", "capability", "higher", False),
        mean("arc_easy", "acc_norm", "capability", "higher", False),
        mean("hellaswag", "acc", "capability", "higher", False),
        mean("truthfulqa_mc1", "acc", "capability", "higher", False),
        mean("truthfulqa_mc2", "acc", "capability", "higher", False),
        make("wikitext", "byte_perplexity", "capability", "lower", weighted_perplexity, False, points=False),
        make("wikitext", "bits_per_byte", "capability", "lower", bits_per_byte, False, points=False),
    ]
    return out
