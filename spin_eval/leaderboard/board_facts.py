"""Metric facts on the leaderboard: a submission records the user facts its numbers were computed with
(``metric_facts``: the run's ``--metric-facts`` entries, ``spin_eval.metrics.user_facts``), and a board
(``leaderboard build --metric-facts FILE``; none by default) ranks only submissions whose facts are the
board's, so every column compares like with like. ``verify`` recomputes with the submission's own facts.
"""

from __future__ import annotations

from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import canonical_json


def recorded_facts(sub: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The submission's validated ``metric_facts`` (empty when it has none)."""
    from spin_eval.metrics.user_facts import parse_facts

    entries = sub.get("metric_facts")
    return [] if not entries else parse_facts(entries, f"{where}: metric_facts")


def _key(entries: list[dict[str, Any]]) -> str:
    return canonical_json(sorted(entries, key=lambda e: (e["task"], e["metric"])))


def check_same_facts(sub: dict[str, Any], board: list[dict[str, Any]], where: str, theirs: str = "the board's") -> None:
    """InputError unless the submission's facts are ``board`` (both may be empty)."""
    mine = recorded_facts(sub, where)
    if _key(mine) != _key(board):
        def names(entries: list[dict[str, Any]]) -> str:
            return ", ".join(f"{e['task']}/{e['metric']}" for e in entries) or "none"

        raise InputError(f"{where}: its metric facts ({names(mine)}) differ from {theirs} ({names(board)}); "
                         "give the same --metric-facts, or re-submit the run with them")


def use_submission_facts(sub: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """Apply the submission's recorded facts to this process's catalog; returns them."""
    from spin_eval.metrics.catalog import use_metric_facts

    facts = recorded_facts(sub, where)
    if facts:
        use_metric_facts(facts)
    return facts
