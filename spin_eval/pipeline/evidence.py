"""Per-document evidence of a leaderboard submission: the lm-eval samples behind every headline number.

``leaderboard submit`` packs each variant's logged samples (one JSONL file per variant and task, rows in
lm-eval 0.4.13's ``samples_<task>_*.jsonl`` form, canonical JSON per line) into ``evidence/<sha256>.jsonl``
beside the submission, and lists them in the submission's ``evidence`` field by sha256 (the file name is
the digest, so a path in a submission can never point outside its folder)::

    "evidence": {"spin": {"spin_bbq_mini": {"sha256": "...", "documents": 60, "bytes": 91234}}, ...}

``leaderboard build`` then (``load_evidence``, ``recompute_variants``):

1. reads every referenced file and rejects a missing one or one whose sha256 differs;
2. rejects evidence for fewer (or more) documents than the results claim (``n-samples.effective``),
   results tasks without evidence, and evidence whose lm-eval task hash (over the rows' doc, prompt and
   target hashes) is not the one in the results;
3. recomputes every catalogued metric of every task from the per-document values with the metric
   catalog's aggregate (``spin_eval.metrics.catalog`` — the code the report uses; for tasks outside the
   catalog, metrics whose task config declares ``aggregation: mean``) and rejects a results value that
   does not follow;
4. (in ``leaderboard.build_leaderboard``) recomputes the headline numbers and the alignment tax with
   ``compute_headline`` from those recomputed values and rejects a headline that does not follow.

Pure code except ``write_evidence`` and ``load_evidence``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import canonical_json, write_bytes_atomic

#: Folder beside a submission holding its evidence files, named ``<sha256>.jsonl``.
EVIDENCE_SUBDIR = "evidence"
#: Relative tolerance when comparing a results value with the value recomputed from its samples (the
#: same aggregate over the same values; only summation order may differ).
REL_TOL = 1e-9
ABS_TOL = 1e-12


# ------------------------------------------------------------------------------------------------ packing



def metric_values(results: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    """(task, metric, filter) -> value for every finite numeric metric of a results dict (no stderrs)."""
    out: dict[tuple[str, str, str], float] = {}
    for task, entries in (results.get("results") or {}).items():
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            if "," not in key or key.startswith("alias"):
                continue
            metric, _, filt = key.partition(",")
            if metric.endswith("_stderr") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if math.isfinite(float(value)):
                out[(task, metric, filt)] = float(value)
    return out


def doc_values(rows: list[dict[str, Any]], metric: str, filt: str) -> dict[str, Any]:
    """Per-document values of ``metric`` in evidence rows, keyed by ``doc_hash`` (the results layer's key:
    ``#k`` added to a repeated hash)."""
    out: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for row in rows:
        if row.get("filter", "none") != filt or metric not in row:
            continue
        base = str(row.get("doc_hash") or f"doc_id:{row.get('doc_id')}")
        k = seen.get(base, 0)
        seen[base] = k + 1
        out[base if k == 0 else f"{base}#{k}"] = row[metric]
    return out

def evidence_bytes(rows: list[dict[str, Any]]) -> bytes:
    """One evidence file: canonical JSON per row, one row per line."""
    return "".join(canonical_json(row) + "\n" for row in rows).encode("utf-8")


def pack_evidence(
    samples_by_variant: dict[str, dict[str, list[dict[str, Any]]]],
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, bytes]]:
    """``(refs, blobs)``: the submission's ``evidence`` field and the files' bytes by sha256. Pure."""
    refs: dict[str, dict[str, dict[str, Any]]] = {}
    blobs: dict[str, bytes] = {}
    for variant, by_task in sorted(samples_by_variant.items()):
        refs[variant] = {}
        for task, rows in sorted(by_task.items()):
            data = evidence_bytes(rows)
            digest = hashlib.sha256(data).hexdigest()
            blobs[digest] = data
            refs[variant][task] = {"sha256": digest, "documents": len(_doc_ids(rows)), "bytes": len(data)}
    return refs, blobs


def evidence_path(folder: Path, sha256: str) -> Path:
    return folder / EVIDENCE_SUBDIR / f"{sha256}.jsonl"


def write_evidence(blobs: dict[str, bytes], folder: str | Path) -> list[Path]:
    """Write the evidence files beside a submission (atomic; an existing identical file is kept)."""
    out = []
    for digest, data in sorted(blobs.items()):
        path = evidence_path(Path(folder), digest)
        if not (path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest):
            write_bytes_atomic(path, data)
        out.append(path)
    return out


# ------------------------------------------------------------------------------------------------ loading


def load_evidence(sub: dict[str, Any], folder: str | Path, *, where: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every evidence file a submission references, checked against its sha256; variant -> task -> rows."""
    refs = sub.get("evidence")
    if not isinstance(refs, dict) or not refs:
        raise InputError(
            f"{where}: no per-document evidence (field 'evidence'); re-pack it with 'spin-eval leaderboard submit' "
            "from a run made with logged samples"
        )
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for variant, by_task in sorted(refs.items()):
        out[variant] = {}
        for task, ref in sorted(by_task.items()):
            path = evidence_path(Path(folder), ref["sha256"])
            label = f"evidence {variant}/{task} ({EVIDENCE_SUBDIR}/{ref['sha256'][:12]}….jsonl)"
            try:
                data = path.read_bytes()
            except OSError:
                raise InputError(f"{where}: {label} not found beside the submission; copy the submission's "
                                 f"'{EVIDENCE_SUBDIR}/' folder along with it") from None
            if hashlib.sha256(data).hexdigest() != ref["sha256"]:
                raise InputError(f"{where}: tampered: {label} sha256 mismatch (the file changed after packing)")
            try:
                rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"{where}: malformed: {label} is not JSONL ({exc})") from None
            if not all(isinstance(r, dict) for r in rows):
                raise InputError(f"{where}: malformed: {label} has a line that is not a JSON object")
            out[variant][task] = rows
    return out


# ----------------------------------------------------------------------------------------------- checking


def _doc_ids(rows: list[dict[str, Any]]) -> set[Any]:
    return {json.dumps(r.get("doc_id")) for r in rows}


def task_hash(rows: list[dict[str, Any]]) -> str:
    """lm-eval 0.4.13's task hash (``EvaluationTracker.save_results_aggregated``) of logged sample rows."""
    joined = "".join(str(r.get("doc_hash")) + str(r.get("prompt_hash")) + str(r.get("target_hash")) for r in rows)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _finite(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _mean(values: list[Any]) -> float:
    return sum(float(v) for v in values) / len(values)


def _mean_if_declared(results: dict[str, Any], task: str, metric: str):
    """The mean, for a task outside the metric catalog whose config declares ``aggregation: mean``."""
    for entry in ((results.get("configs") or {}).get(task) or {}).get("metric_list") or []:
        if isinstance(entry, dict) and entry.get("metric") == metric and entry.get("aggregation") == "mean":
            return _mean
    return None


def recompute_results(results: dict[str, Any], rows_by_task: dict[str, list[dict[str, Any]]], *, where: str) -> dict[str, Any]:
    """A copy of one variant's results whose catalogued metrics are recomputed from the per-document rows.

    Raises InputError when a task lacks evidence, the evidence covers another number of documents than
    the results claim, or a results value does not follow from the rows. Pure.
    """
    from spin_eval.metrics.catalog import metric_info

    tasks = sorted((results.get("configs") or {}).keys()) or sorted((results.get("results") or {}).keys())
    n_samples = results.get("n-samples") or {}
    missing = [t for t in tasks if t not in rows_by_task]
    if missing:
        raise InputError(f"{where}: no per-document evidence for task(s) {', '.join(missing)}")
    extra = sorted(set(rows_by_task) - set(tasks))
    if extra:
        raise InputError(f"{where}: evidence for task(s) {', '.join(extra)} that the results do not contain")
    for task in tasks:
        claimed = (n_samples.get(task) or {}).get("effective")
        have = len(_doc_ids(rows_by_task[task]))
        if not isinstance(claimed, int):
            raise InputError(f"{where}: results give no document count for task {task} ('n-samples')")
        if have != claimed:
            raise InputError(
                f"{where}: task {task}: evidence for {have} documents but the results claim {claimed}"
            )
    for task, recorded in sorted((results.get("task_hashes") or {}).items()):
        if task in rows_by_task and recorded != task_hash(rows_by_task[task]):
            raise InputError(f"{where}: task {task}: the evidence is not the documents/prompts the results were computed on "
                             f"(lm-eval task hash {str(recorded)[:10]} != {task_hash(rows_by_task[task])[:10]} of the evidence)")
    recomputed = copy.deepcopy(results)
    for (task, metric, filt), value in sorted(metric_values(results).items()):
        info = metric_info(task, metric)
        aggregate = info.aggregate if info is not None else _mean_if_declared(results, task, metric)
        if aggregate is None or task not in rows_by_task:
            continue
        per_doc = list(doc_values(rows_by_task[task], metric, filt).values())
        if not per_doc:
            raise InputError(f"{where}: results report {task}/{metric} but its evidence has no per-document values")
        try:
            again = _finite(aggregate(per_doc))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: {task}/{metric}: per-document values are malformed ({exc!r})") from None
        if not _close(again, value):
            raise InputError(
                f"{where}: results {task}/{metric} = {value} but its {len(per_doc)} per-document samples give {again}"
            )
        recomputed["results"][task][f"{metric},{filt}"] = again
    return recomputed


def recompute_variants(sub: dict[str, Any], evidence: dict[str, dict[str, list[dict[str, Any]]]], *, where: str) -> dict[str, Any]:
    """Every variant's results with the catalogued metrics recomputed from the evidence (the input of
    ``compute_headline``). Raises InputError naming the first number that does not follow. Pure."""
    variants = set(sub["results"])
    if set(evidence) != variants:
        raise InputError(
            f"{where}: evidence covers variants {sorted(evidence)} but the results hold {sorted(variants)}"
        )
    for variant, by_task in evidence.items():
        for task, ref in sub["evidence"][variant].items():
            have = len(_doc_ids(by_task[task]))
            if ref.get("documents") != have:
                raise InputError(f"{where}: evidence {variant}/{task} lists {ref.get('documents')} documents but holds {have}")
    return {v: recompute_results(sub["results"][v], evidence[v], where=f"{where}: variant '{v}'") for v in sorted(variants)}
