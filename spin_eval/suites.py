"""Named task suites for ``spin-eval run --suite`` and close-match hints for unknown task names.

``embedded`` is the offline default (the shipped ``spin_suite``). ``public`` is lm-eval 0.4.13's own hub
tasks closest to the SPIN paper's table, one group per family (docs/public-tasks.md): lm-eval has no public
privacy or over-refusal task, so those two families keep the shipped tasks (named ``shipped`` in the report's
data-source table). The public suite needs the hub (or a local datasets cache) and, for ``discrim_eval``,
statsmodels (``pip install 'spin-eval[public]'``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from spin_eval.errors import InputError

#: suite -> family -> lm-eval task names.
SUITES: dict[str, dict[str, tuple[str, ...]]] = {
    "embedded": {"all": ("spin_suite",)},
    "public": {
        "fairness": ("bbq", "crows_pairs_english", "winogender_all", "discrim_eval_explicit"),
        "privacy": ("spin_pii_leakage_mini", "spin_privacy_awareness_mini"),
        "overrefusal": ("spin_overrefusal_mini",),
        "capability": ("mmlu", "arc_challenge", "hellaswag", "truthfulqa_mc2", "wikitext"),
    },
}


def suite_tasks(suite: str) -> tuple[str, ...]:
    """The task names of ``suite`` (InputError naming the suites for an unknown one)."""
    if suite not in SUITES:
        raise InputError(f"--suite {suite}: unknown suite; use one of {', '.join(SUITES)}")
    return tuple(t for family in SUITES[suite].values() for t in family)


def combine(suite: str | None, tasks: Iterable[str] | None) -> tuple[str, ...]:
    """The run's tasks: the suite's (``embedded`` when neither is given) followed by ``--tasks``, each once."""
    names = list(suite_tasks(suite)) if suite else ([] if tasks else list(suite_tasks("embedded")))
    names += list(tasks or ())
    return tuple(dict.fromkeys(names))


def unknown_task_message(missing: list[str], known: Iterable[str]) -> str:
    """One line: the unknown names, each with its closest known names (difflib), and where to look."""
    known = sorted(set(known))
    parts = []
    for name in missing:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        parts.append(f"{name} (did you mean {', '.join(close)}?)" if close else name)
    return (f"--tasks: unknown task or group {'; '.join(parts)}; 'spin-eval tasks list' (or lm_eval ls tasks "
            "--include_path $(spin-eval tasks path)) shows the names")
