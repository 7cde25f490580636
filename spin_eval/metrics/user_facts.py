"""Metric facts declared by the user (``--metric-facts FILE.yaml``) for tasks the catalog does not know.

A researcher who evaluates their own lm-eval task declares, without editing the package, what the report,
the gate and the leaderboard need to know about each metric::

    - task: my_toxicity                   # lm-eval task name
      metric: toxic_rate                  # metric name as in results_*.json (without ",none")
      family: fairness                    # fairness, privacy, overrefusal or capability
      direction: lower                    # higher, lower or zero (closer to 0 is better)
      aggregation: mean                   # one of AGGREGATIONS
      headline: true                      # part of the alignment-tax line
      points: true                        # bounded in [0, 1] (shown x100); false for perplexities

Every entry is validated (one-line InputError naming the file, the entry, the field and the fix); an
entry for a metric the catalog already knows must agree with it on every field, otherwise the file is
refused naming both. The file's entries are recorded in the run manifest (``metric_facts``), so a report
of that run uses the same facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.metrics import perplexity, public
from spin_eval.metrics.awareness import mean_rate

FAMILIES = ("fairness", "privacy", "overrefusal", "capability")
DIRECTIONS = ("higher", "lower", "zero")
#: The documented aggregations: name -> function of the per-document values lm-eval logs.
AGGREGATIONS: dict[str, Callable[[Sequence[Any]], float]] = {
    "mean": mean_rate,
    "weighted_perplexity": perplexity.weighted_perplexity,
    "bits_per_byte": perplexity.bits_per_byte,
    "bbq_amb_bias_score": public.lm_eval_bbq("agg_amb_bias_scores"),
    "bbq_disamb_bias_score": public.lm_eval_bbq("agg_disamb_bias_scores"),
}
FIELDS = ("task", "metric", "family", "direction", "aggregation", "headline", "points")
MAX_ENTRIES = 10_000


def parse_facts(entries: Any, where: str) -> list[dict[str, Any]]:
    """Validated fact entries (plain dicts with every field) from the loaded YAML/JSON ``entries``."""
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{where}: expected a non-empty list of metric entries (task, metric, family, direction, "
                         "aggregation, headline); see docs/public-tasks.md")
    if len(entries) > MAX_ENTRIES:
        raise InputError(f"{where}: {len(entries)} entries, more than {MAX_ENTRIES}; split the file")
    out, seen = [], set()
    for i, entry in enumerate(entries, 1):
        at = f"{where}: entry {i}"
        if not isinstance(entry, dict):
            raise InputError(f"{at}: not a mapping of fields")
        unknown = sorted(set(map(str, entry)) - set(FIELDS))
        if unknown:
            raise InputError(f"{at}: unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}")
        for name in ("task", "metric"):
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip() or "," in value:
                raise InputError(f"{at}: field '{name}' must be a non-empty name without commas, got {value!r:.60}")
        at = f"{where}: entry {i} ({entry['task']}/{entry['metric']})"
        for name, choices in (("family", FAMILIES), ("direction", DIRECTIONS), ("aggregation", tuple(AGGREGATIONS))):
            if entry.get(name) not in choices:
                raise InputError(f"{at}: field '{name}' is {entry.get(name)!r:.40}; use one of {', '.join(choices)}")
        for name, default in (("headline", False), ("points", True)):
            value = entry.get(name, default)
            if not isinstance(value, bool):
                raise InputError(f"{at}: field '{name}' must be true or false, got {value!r:.40}")
            entry = {**entry, name: value}
        key = (entry["task"], entry["metric"])
        if key in seen:
            raise InputError(f"{at}: declared twice; keep one entry per task and metric")
        seen.add(key)
        out.append({f: entry[f] for f in FIELDS})
    return out


def load_facts_file(path: str | Path) -> list[dict[str, Any]]:
    """The validated entries of a facts file (YAML or JSON)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--metric-facts {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"--metric-facts {path}: not valid YAML/JSON ({type(exc).__name__})") from None
    return parse_facts(data, str(path))


def to_metric_infos(entries: list[dict[str, Any]], make: Callable[..., Any]) -> list[Any]:
    """Catalog entries (``make`` is ``MetricInfo``) for validated fact entries."""
    return [make(e["task"], e["metric"], e["family"], e["direction"], AGGREGATIONS[e["aggregation"]], e["headline"],
                 plain_mean=e["aggregation"] == "mean", points=e["points"]) for e in entries]
