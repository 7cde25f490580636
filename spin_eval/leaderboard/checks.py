"""The one check of a leaderboard submission: ``check_submission()``, run by ``leaderboard build`` and
``leaderboard verify`` alike (so verify cannot pass what build rejects).

In order, on one submission file (every failure a one-line InputError; ``Tampered`` where a file changed
after packing or a number does not follow from the evidence):

1. ``submission_io.read_submission``: a regular file under a size limit, JSON, every number finite;
2. ``verify_submission``: the shipped schema, the content hash, per-variant results hashes, every
   variant's tasks/versions/task hashes equal to the declared ones, an embedded mask's sha256, and the
   headline recomputed from the included results and the ``samples`` field;
3. ``check_run_config``: the seeds and batch size ``verify`` re-evaluates with are integers;
4. ``evidence.load_evidence`` + ``check_documents``: the evidence files (bounded reads, sha256, row shape,
   ``doc_id`` integers inside the task), covering exactly the results' documents;
5. ``evidence.evidence_runs`` + ``check_results_follow``: every results value follows from the evidence,
   read and recomputed by the results layer;
6. ``check_samples``: the ``samples`` field (behind the headline's paired CIs) is what the evidence gives.

Steps 2 and 6 together make the whole headline follow from the per-document evidence.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import canonical_json, sha256_json
from spin_eval.leaderboard.evidence import Evidence, check_documents, check_results_follow, evidence_runs, load_evidence
from spin_eval.leaderboard.pack import COLUMNS, _round_floats, compute_headline, headline_samples
from spin_eval.leaderboard.submission_io import Tampered, read_submission, validate_schema
from spin_eval.results.load import RunResults

#: ``config`` keys of a variant's results that ``verify`` passes to lm-eval as seeds.
SEED_KEYS = ("random_seed", "numpy_seed", "torch_seed", "fewshot_seed")


@dataclass
class CheckedSubmission:
    """A submission that passed every check, with what the checks read."""

    path: Path
    sub: dict[str, Any]
    evidence: Evidence
    runs: dict[str, RunResults]
    """Each variant as the results layer reads it (results + the evidence rows as samples)."""


def check_submission(path: str | Path) -> CheckedSubmission:
    """Every static check of one submission file and its evidence (module docstring); InputError/Tampered."""
    path = Path(path)
    where = str(path)
    sub = read_submission(path)
    verify_submission(sub, where=where)
    check_run_config(sub, where=where)
    evidence = load_evidence(sub, path.parent, where=where)
    check_documents(sub, evidence, where=where)
    runs = evidence_runs(sub["results"], evidence, where=where)
    check_results_follow(runs)
    check_samples(sub, _round_floats({v: headline_samples(run) for v, run in runs.items()}), where=where)
    return CheckedSubmission(path, sub, evidence, runs)


def check_run_config(sub: dict[str, Any], *, where: str) -> None:
    """The settings ``verify`` re-evaluates with must be what lm-eval accepts: integer seeds (or null) and
    an integer batch size (or ``auto``)."""
    for variant, results in sorted(sub["results"].items()):
        config = results["config"]
        for key in SEED_KEYS:
            value = config.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise InputError(f"{where}: results.{variant}.config.{key} = {value!r:.40} must be an integer seed; "
                                 "re-run the evaluation")
        batch = config.get("batch_size")
        ok = batch is None or (isinstance(batch, int) and not isinstance(batch, bool) and batch > 0) or (
            isinstance(batch, str) and (batch.isdigit() or batch.split(":")[0] == "auto"))
        if not ok:
            raise InputError(f"{where}: results.{variant}.config.batch_size = {batch!r:.40} must be a positive "
                             "integer or 'auto'; re-run the evaluation")


def evidence_samples(results_by_variant: dict[str, dict[str, Any]], evidence: Evidence, *, where: str) -> dict[str, Any]:
    """The submission's ``samples`` field as its evidence rows give it (what ``submit`` stores). Pure."""
    runs = evidence_runs(results_by_variant, evidence, where=where)
    return _round_floats({v: headline_samples(run) for v, run in runs.items()})


def verify_included_tasks(sub: dict[str, Any], *, where: str) -> None:
    """InputError unless every variant's included results record exactly the tasks, versions and task hashes
    of the submission's ``tasks`` field (which is what ranking compares across submissions)."""
    declared = sub["tasks"]
    for variant, results in sorted(sub["results"].items()):
        versions = results.get("versions")
        hashes = results.get("task_hashes") or {}
        if not isinstance(versions, dict) or not isinstance(hashes, dict):
            raise InputError(f"{where}: results of variant '{variant}' lack versions/task_hashes objects")
        if set(versions) != set(declared):
            raise Tampered(
                f"{where}: tampered: variant '{variant}' was evaluated on tasks {sorted(versions)} but the "
                f"submission declares {sorted(declared)}"
            )
        for task, entry in sorted(declared.items()):
            if versions[task] != entry["version"] or hashes.get(task) != entry["hash"]:
                raise Tampered(
                    f"{where}: tampered: task {task} of variant '{variant}' has version {versions[task]!r} / hash "
                    f"{str(hashes.get(task))[:10]} but the submission declares {entry['version']!r} / {str(entry['hash'])[:10]}"
                )


def verify_embedded_mask(sub: dict[str, Any], *, where: str) -> None:
    """InputError unless an embedded mask file (``mask.file_base64``) is valid base64 whose bytes hash to
    ``mask.sha256``."""
    mask = sub.get("mask") or {}
    if "file_base64" not in mask:
        return
    try:
        data = base64.b64decode(mask["file_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{where}: mask.file_base64 is not valid base64") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != mask.get("sha256"):
        raise Tampered(f"{where}: tampered: the embedded mask hashes to {actual[:16]}..., not mask.sha256 "
                         f"{str(mask.get('sha256'))[:16]}...")


def verify_submission(sub: dict[str, Any], *, where: str) -> None:
    """Schema, content hash, per-variant results hashes and recomputed headline; InputError on failure."""
    validate_schema(sub, where=where)
    body = {k: v for k, v in sub.items() if k != "integrity"}
    if sha256_json(body) != sub["integrity"]["content_sha256"]:
        raise Tampered(f"{where}: tampered: content hash mismatch (the file changed after 'leaderboard submit')")
    for variant, results in sub["results"].items():
        if sub["results_sha256"].get(variant) != sha256_json(results):
            raise Tampered(f"{where}: tampered: results hash mismatch for variant '{variant}'")
    if set(sub["results_sha256"]) != set(sub["results"]):
        raise Tampered(f"{where}: tampered: results_sha256 lists other variants than results")
    verify_included_tasks(sub, where=where)
    verify_embedded_mask(sub, where=where)
    check_headline(sub, sub["results"], where=where, source="the included results")


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isnan(a) and math.isnan(b):
        return True  # an undefined level (e.g. no fairness task) is NaN on both sides
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_headline(sub: dict[str, Any], results: dict[str, dict[str, Any]], *, where: str, source: str,
                   samples: dict[str, Any] | None = None) -> None:
    """InputError when the submission's headline differs from ``compute_headline(results, samples)``
    (``samples``: the submission's own field unless given, e.g. as derived from the evidence)."""
    recomputed = _round_floats(compute_headline(results, sub["samples"] if samples is None else samples))
    for key in COLUMNS + ("trust_change", "capability_change"):
        a, b = recomputed.get(key), sub["headline"].get(key)
        if not _same_number(a, b):
            raise Tampered(f"{where}: tampered: headline '{key}' = {b} but {source} give {a}")
    where_differs = _first_difference(recomputed, sub["headline"], "headline")
    if where_differs is not None:  # CIs, p-values, verdicts, capability not in points, ...
        path, a, b = where_differs
        raise Tampered(f"{where}: tampered: {path} = {str(b)[:80]} but {source} give {str(a)[:80]}")


def _first_difference(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    """``(path, recomputed, submitted)`` of the first place two JSON values differ (numbers within 1e-9)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}", a.get(key, "(absent)"), b.get(key, "(absent)")
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path, a, b
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    same = _same_number(a, b) if numbers else (type(a) is type(b) and a == b)
    return None if same else (path, a, b)


def check_samples(sub: dict[str, Any], derived: dict[str, Any], *, where: str) -> None:
    """InputError naming the first document whose ``samples`` entry differs from what the evidence gives
    (the headline's paired CIs are computed from ``samples``, so they must follow from the evidence)."""
    given = sub.get("samples") or {}
    if canonical_json(given) == canonical_json(derived):
        return
    for variant in sorted(set(given) | set(derived)):
        a, b = given.get(variant) or {}, derived.get(variant) or {}
        for task in sorted(set(a) | set(b)):
            ta, tb = a.get(task) or {}, b.get(task) or {}
            for key in sorted(set(ta) | set(tb)):
                if canonical_json(ta.get(key)) != canonical_json(tb.get(key)):
                    raise Tampered(
                        f"{where}: tampered: 'samples' {variant}/{task} document {key[:16]} is "
                        f"{canonical_json(ta.get(key))[:80]} but the evidence gives {canonical_json(tb.get(key))[:80]}"
                    )
    raise Tampered(f"{where}: tampered: the 'samples' field does not follow from the per-document evidence")


