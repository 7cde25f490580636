"""Which leaderboard submissions are the same evaluation, which repeat another's evidence, which are
comparable, and which disagree about the same model and mask. Pure.

Identity comes from what was evaluated, never from editable metadata (name, dates, times, versions of
the packing tools): a date edited and the hashes resealed is still the same submission.

* A **document fingerprint** is the hash of one evidence row's evaluated content: task, filter, the
  doc/prompt/target hashes, the model's responses (numbers rounded to 1e-4, ``verify``'s tolerance) and
  the per-document metric values. Other row fields (``doc``, ``arguments``, ``doc_id`` ...) are left out.
* The **content identity** of a submission is the hash of the model fingerprint (else name@revision),
  the declared tasks (version, task hash) and, per variant, its mask sha256 and the set of its document
  fingerprints. Two submissions with one content identity are one evaluation: the first given is
  ranked, the others are rejected as duplicates.
* A submission whose ranked variant's documents all appear, identical, in another submission's evidence
  **repeats** it and is flagged (both are), whatever their names, dates or claimed models.
* **Comparability** is decided per task set, never by a vote: submissions evaluated on the same tasks
  (same versions and task hashes) form a group and are ranked against each other only; no submission is
  rejected because others were evaluated on other tasks.
* The **model+mask key** (model fingerprint, ranked variant, its mask sha256, task hashes): two different
  evaluations under one key should give the same numbers; where their headline numbers differ, both are
  flagged.
"""

from __future__ import annotations

import math
from typing import Any

from spin_eval.fileio import canonical_json, sha256_json

#: Headline columns compared between submissions of one model and mask.
COMPARED = ("fairness", "privacy", "overrefusal", "capability", "alignment_tax")
#: Responses are compared to this many decimals (``leaderboard verify``'s log-likelihood tolerance).
RESPONSE_DECIMALS = 4


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, RESPONSE_DECIMALS)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return round(number, RESPONSE_DECIMALS) if math.isfinite(number) else value
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def document_fingerprint(task: str, row: dict[str, Any]) -> str:
    metrics = row.get("metrics") if isinstance(row.get("metrics"), list) else []
    return sha256_json([
        task, row.get("filter", "none"), row.get("doc_hash"), row.get("prompt_hash"), row.get("target_hash"),
        _rounded(row.get("resps")), _rounded(row.get("filtered_resps")),
        {str(m): row.get(m) for m in metrics if isinstance(m, str)},
    ])


def document_fingerprints(rows_by_task: dict[str, list[dict[str, Any]]]) -> frozenset[str]:
    """The fingerprints of one variant's evidence rows (task -> rows)."""
    return frozenset(document_fingerprint(task, row) for task, rows in rows_by_task.items() for row in rows)


def _model(sub: dict[str, Any]) -> str:
    model = sub["model"]
    return model.get("fingerprint") or f"{model.get('name')}@{model.get('revision')}"


def task_set(sub: dict[str, Any]) -> str:
    """The declared tasks with version and task hash, canonical (what makes two submissions comparable)."""
    return canonical_json(sorted((t, v.get("version"), v.get("hash")) for t, v in sub["tasks"].items()))


def content_identity(sub: dict[str, Any], evidence: dict[str, dict[str, list[dict[str, Any]]]]) -> str:
    variants = {}
    for variant, results in sorted(sub["results"].items()):
        spin = (results.get("config") or {}).get("spin") or {}
        variants[variant] = [spin.get("mask_sha256") if isinstance(spin, dict) else None,
                             sorted(document_fingerprints(evidence.get(variant) or {}))]
    return sha256_json([_model(sub), task_set(sub), variants])


def find_duplicates(items: list[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """``items``: (source, content identity) in the order given. ``(kept sources, rejected)``: the first of
    every identity is kept, later ones rejected with the reason."""
    first: dict[str, str] = {}
    kept, rejected = [], []
    for source, identity in items:
        if identity in first:
            rejected.append((source, f"{source}: duplicate: the same evaluated content as {first[identity]} (model, "
                                     "masks, tasks and every per-document result identical; names and dates do not "
                                     "count); it is ranked once"))
            continue
        first[identity] = source
        kept.append(source)
    return kept, rejected


def repeat_flags(items: list[tuple[str, str, frozenset[str], frozenset[str]]]) -> dict[str, list[str]]:
    """``items``: (source, name, ranked variant's fingerprints, all variants' fingerprints). Source -> flags,
    for both submissions of every pair where one's ranked variant's documents all appear in the other's
    evidence."""
    flags: dict[str, list[str]] = {}
    for i, (src_a, name_a, ranked_a, all_a) in enumerate(items):
        for src_b, name_b, ranked_b, all_b in items[i + 1:]:
            if (ranked_a and ranked_a <= all_b) or (ranked_b and ranked_b <= all_a):
                shared = len((ranked_a & all_b) | (ranked_b & all_a))
                for src, other_name, other_src in ((src_a, name_b, src_b), (src_b, name_a, src_a)):
                    flags.setdefault(src, []).append(
                        f"repeats the per-document evidence of '{other_name}' ({other_src}): {shared} documents of "
                        "a ranked variant are identical, whatever the names, dates or claimed models"
                    )
    return flags


def model_mask_key(sub: dict[str, Any]) -> str:
    return sha256_json([_model(sub), (sub.get("mask") or {}).get("sha256"), sub["headline"].get("variant"),
                        task_set(sub)])


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
