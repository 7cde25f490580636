"""Which leaderboard submissions are the same run, and which disagree about the same model and mask. Pure.

* The **run identity** of a submission is the hash of its variants' results hashes. lm-eval's results
  hold the run's own start/end times, so two separate evaluations never share it, while the same run
  packed twice (under any name, at any time) always does: the second copy is rejected.
* The **model+mask key** is the unmasked model's fingerprint (else name@revision), the ranked variant's
  mask sha256 and the task hashes. Two different runs with one key should give the same numbers (the
  evaluation is deterministic on one machine); where their headline numbers differ, both are flagged.
"""

from __future__ import annotations

import math
from typing import Any

from spin_eval.fileio import sha256_json

#: Headline columns compared between submissions of one model and mask.
COMPARED = ("fairness", "privacy", "overrefusal", "capability", "alignment_tax")


def run_identity(sub: dict[str, Any]) -> str:
    return sha256_json(sorted(sub["results_sha256"].items()))


def model_mask_key(sub: dict[str, Any]) -> str:
    model = sub["model"]
    who = model.get("fingerprint") or f"{model.get('name')}@{model.get('revision')}"
    tasks = sorted((t, str(v.get("hash"))) for t, v in sub["tasks"].items())
    return sha256_json([who, (sub.get("mask") or {}).get("sha256"), sub["headline"].get("variant"), tasks])


def find_duplicates(loaded: list[tuple[str, dict[str, Any]]]) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]:
    """``(kept, rejected)``: the first copy of every run is kept, later copies rejected with the reason."""
    first: dict[str, str] = {}
    kept, rejected = [], []
    for source, sub in loaded:
        rid = run_identity(sub)
        if rid in first:
            rejected.append((source, f"{source}: duplicate: the same run as {first[rid]} (identical results in every "
                                     "variant); it is ranked once"))
            continue
        first[rid] = source
        kept.append((source, sub))
    return kept, rejected


def _differs(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _fmt(v: Any) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def disagreement_flags(items: list[tuple[str, str, dict[str, Any]]]) -> dict[str, list[str]]:
    """``items``: (source, name, submission). Source -> flags for submissions of one model+mask whose
    headline numbers differ."""
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for item in items:
        groups.setdefault(model_mask_key(item[2]), []).append(item)
    flags: dict[str, list[str]] = {}
    for members in groups.values():
        for source, _, sub in members:
            for other_source, other_name, other in members:
                if other_source == source:
                    continue
                cols = [c for c in COMPARED if _differs(sub["headline"].get(c), other["headline"].get(c))]
                if cols:
                    diffs = ", ".join(f"{c} {_fmt(sub['headline'].get(c))} vs {_fmt(other['headline'].get(c))}" for c in cols)
                    flags.setdefault(source, []).append(
                        f"same model and mask as '{other_name}' ({other_source}) but different numbers: {diffs}"
                    )
    return flags
