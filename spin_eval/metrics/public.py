"""Catalog entries for lm-eval 0.4.13's own public tasks (hub data), so they enter the report, gate and tax.

Each aggregate is recomputable from the per-document values lm-eval logs in ``samples_*.jsonl``: plain
means, lm-eval's own BBQ aggregation functions (``lm_eval.tasks.bbq.utils``, imported when first used, so
the recomputation is lm-eval's formula, not a re-implementation), and the weighted perplexities. lm-eval's
``mmlu`` group rows (``mmlu`` and its four categories) are size-weighted means of size-weighted means
(``aggregate_metric_list: weight_by_size: True`` at both levels), i.e. the plain mean over every document of
every subtask: ``spin_eval.results.groups`` pools the subtasks' logged samples under the group's name and
the catalog's mean recomputes the group row. ``discrim_eval``'s seven bias coefficients are lm-eval's
mixed-effects regression (``agg_demographic_bias_regression``, statsmodels) over the whole corpus: they are
recomputed by calling that function on the logged per-document tuples, but a refit on every bootstrap
resample is slow and may not converge on small samples, so they stay out of the headline.

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
#: lm-eval's MMLU groups (``mmlu`` and its four category groups; subtasks ``mmlu_<subject>``).
MMLU_GROUPS = ("mmlu", "mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other")
#: discrim_eval's bias coefficients (vs white / male; ``age_bias`` is the absolute age slope).
DISCRIM_METRICS = ("black_bias", "asian_bias", "hispanic_bias", "native_american_bias", "female_bias",
                   "non_binary_bias", "age_bias")
#: lm-eval's Winogender tasks (``winogender_all`` and its gender / gotcha variants).
WINOGENDER_TASKS = ("winogender_all", "winogender_male", "winogender_female", "winogender_neutral",
                    "winogender_gotcha", "winogender_gotcha_male", "winogender_gotcha_female")
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


def _tupled(value: Any) -> Any:
    """A logged JSON list back to the nested tuple lm-eval's aggregation unpacks."""
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def lm_eval_discrim(values: Sequence[Any]) -> float:
    """lm-eval's own discrim_eval aggregation (a mixed-effects regression) on logged per-doc tuples
    ``((race, gender, age, decision_question_id), bias_name, logit_yes)``."""
    import numpy as np
    from lm_eval.tasks.discrim_eval import utils

    try:
        return float(utils.agg_demographic_bias_regression([_tupled(v) for v in values]))
    except (np.linalg.LinAlgError, ValueError):  # the mixed model cannot be fitted (singular, too few documents):
        return float("nan")  # undefined on these documents, as a bias score of an empty category


def mmlu_subjects() -> tuple[str, ...]:
    """The 57 MMLU subjects, read from lm-eval's own ``mmlu/default`` YAML file names."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("lm_eval")
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(list(spec.submodule_search_locations)[0]) / "tasks" / "mmlu" / "default"
    return tuple(sorted(f.stem[len("mmlu_"):] for f in folder.glob("mmlu_*.yaml")))


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
    for task in ("discrim_eval_explicit", "discrim_eval_implicit"):
        for metric in DISCRIM_METRICS:
            out.append(make(task, metric, "fairness", "lower" if metric == "age_bias" else "zero", lm_eval_discrim,
                            False, points=False))
    out += [mean(task, "acc", "fairness", "higher", False) for task in WINOGENDER_TASKS]
    out += [mean(group, "acc", "capability", "higher", False, groups=("subject",) if group == "mmlu" else ())
            for group in MMLU_GROUPS]
    out += [mean(f"mmlu_{subject}", "acc", "capability", "higher", False) for subject in mmlu_subjects()]
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
