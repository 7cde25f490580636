"""Per-document evidence of a leaderboard submission: the lm-eval samples behind every headline number.

``leaderboard submit`` packs each variant's logged samples (one JSONL file per variant and task, rows in
lm-eval 0.4.13's ``samples_<task>_*.jsonl`` form, canonical JSON per line) into ``evidence/<sha256>.jsonl``
beside the submission, and lists them in the submission's ``evidence`` field by sha256 (the file name is
the digest, so a path in a submission can never point outside its folder)::

    "evidence": {"spin": {"spin_bbq_mini": {"sha256": "...", "documents": 60, "bytes": 91234}}, ...}

``leaderboard.checks.check_submission`` (the one check ``build`` and ``verify`` run) then:

1. reads every referenced file with a bounded read (``submission_io``: a regular file under a size limit,
   no NaN/infinity) and rejects a missing one or one whose sha256 differs;
2. checks the rows' shape (``lmeval_rows.validate_sample``; ``doc_id`` an integer inside the task's
   ``n-samples.original``) and rejects evidence for fewer (or more) documents than the results claim,
   results tasks without evidence, and evidence whose lm-eval task hash (over the rows' doc, prompt and
   target hashes) is not the one in the results (``check_documents``);
3. reads each variant back through the results layer (``evidence_runs``: ``results.load.parse_results``
   and ``records_from_rows``, the loader of every other command) and checks every results value against
   its samples with the gate's own rule and tolerance (``results.recompute.aggregate_from_samples``).

There is no second parser of results or samples here. Pure code except ``write_evidence`` and
``load_evidence``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import canonical_json, write_bytes_atomic
from spin_eval.leaderboard.submission_io import Tampered, read_evidence_rows
from spin_eval.lmeval_rows import validate_sample
from spin_eval.results.groups import pooled_samples
from spin_eval.results.load import RunResults, parse_results, records_from_rows

#: Folder beside a submission holding its evidence files, named ``<sha256>.jsonl``.
EVIDENCE_SUBDIR = "evidence"
_FIX = "re-pack the submission with 'spin-eval leaderboard submit'"

Evidence = dict[str, dict[str, list[dict[str, Any]]]]
"""variant -> task -> the evidence rows (lm-eval logged samples)."""


# ------------------------------------------------------------------------------------------------ packing


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


def load_evidence(sub: dict[str, Any], folder: str | Path, *, where: str) -> Evidence:
    """Every evidence file a submission references (bounded reads, checked against its sha256, every row
    an lm-eval sample with finite numbers and an integer ``doc_id``); variant -> task -> rows."""
    refs = sub.get("evidence")
    if not isinstance(refs, dict) or not refs:
        raise InputError(
            f"{where}: no per-document evidence (field 'evidence'); re-pack it with 'spin-eval leaderboard submit' "
            "from a run made with logged samples"
        )
    out: Evidence = {}
    for variant, by_task in sorted(refs.items()):
        out[variant] = {}
        for task, ref in sorted(by_task.items()):
            path = evidence_path(Path(folder), ref["sha256"])
            label = f"{where}: evidence {variant}/{task} ({EVIDENCE_SUBDIR}/{ref['sha256'][:12]}….jsonl)"
            try:
                rows = read_evidence_rows(path, label, ref["sha256"])
            except InputError:
                if not path.exists():
                    raise InputError(f"{label} not found beside the submission; copy the submission's "
                                     f"'{EVIDENCE_SUBDIR}/' folder along with it") from None
                raise
            for i, row in enumerate(rows, start=1):
                validate_sample(row, f"{label} line {i}")
                if not isinstance(row.get("doc_id"), int) or isinstance(row.get("doc_id"), bool):
                    raise InputError(f"{label} line {i}: field 'doc_id' = {row.get('doc_id')!r:.40} must be an "
                                     f"integer; {_FIX}")
            out[variant][task] = rows
    return out


# ----------------------------------------------------------------------------------------------- checking


def _doc_ids(rows: list[dict[str, Any]]) -> set[Any]:
    return {json.dumps(r.get("doc_id")) for r in rows}


def task_hash(rows: list[dict[str, Any]]) -> str:
    """lm-eval 0.4.13's task hash (``EvaluationTracker.save_results_aggregated``) of logged sample rows."""
    joined = "".join(str(r.get("doc_hash")) + str(r.get("prompt_hash")) + str(r.get("target_hash")) for r in rows)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _check_task_documents(results: dict[str, Any], rows_by_task: dict[str, list[dict[str, Any]]], *, where: str) -> None:
    tasks = sorted((results.get("configs") or {}).keys()) or sorted((results.get("results") or {}).keys())
    n_samples = results.get("n-samples") if isinstance(results.get("n-samples"), dict) else {}
    missing = [t for t in tasks if t not in rows_by_task]
    if missing:
        raise InputError(f"{where}: no per-document evidence for task(s) {', '.join(missing)}")
    extra = sorted(set(rows_by_task) - set(tasks))
    if extra:
        raise InputError(f"{where}: evidence for task(s) {', '.join(extra)} that the results do not contain")
    for task in tasks:
        counts = n_samples.get(task) if isinstance(n_samples.get(task), dict) else {}
        claimed, original = counts.get("effective"), counts.get("original")
        rows = rows_by_task[task]
        if not isinstance(claimed, int) or isinstance(claimed, bool):
            raise InputError(f"{where}: results give no document count for task {task} ('n-samples')")
        have = len(_doc_ids(rows))
        if have != claimed:
            raise Tampered(f"{where}: task {task}: evidence for {have} documents but the results claim {claimed}")
        limit = original if isinstance(original, int) and not isinstance(original, bool) else None
        for row in rows:
            doc_id = row["doc_id"]
            if doc_id < 0 or (limit is not None and doc_id >= limit):
                raise InputError(f"{where}: task {task}: doc_id {doc_id} is outside the task's {limit} documents "
                                 f"(0..{'' if limit is None else limit - 1}); {_FIX}")
    for task, recorded in sorted((results.get("task_hashes") or {}).items()):
        if task in rows_by_task and recorded != task_hash(rows_by_task[task]):
            raise Tampered(f"{where}: task {task}: the evidence is not the documents/prompts the results were computed "
                           f"on (lm-eval task hash {str(recorded)[:10]} != {task_hash(rows_by_task[task])[:10]} of the evidence)")


def check_documents(sub: dict[str, Any], evidence: Evidence, *, where: str) -> None:
    """The evidence covers exactly the results' variants, tasks and documents (counts, ids in range, task
    hashes). InputError (Tampered for a count or hash that does not follow). Pure."""
    variants = set(sub["results"])
    if set(evidence) != variants:
        raise Tampered(f"{where}: evidence covers variants {sorted(evidence)} but the results hold {sorted(variants)}")
    for variant, by_task in sorted(evidence.items()):
        for task, ref in sub["evidence"][variant].items():
            have = len(_doc_ids(by_task[task]))
            if ref.get("documents") != have:
                raise Tampered(f"{where}: evidence {variant}/{task} lists {ref.get('documents')} documents but holds {have}")
        _check_task_documents(sub["results"][variant], by_task, where=f"{where}: variant '{variant}'")


def evidence_runs(results_by_variant: dict[str, dict[str, Any]], evidence: Evidence, *, where: str) -> dict[str, RunResults]:
    """Each variant as the results layer reads it: its results with the evidence rows as its samples
    (``results.load.parse_results`` + ``records_from_rows``, the one loader). Pure."""
    runs: dict[str, RunResults] = {}
    for variant, results in sorted(results_by_variant.items()):
        run = parse_results(results, name=variant, path=f"{where}: variant '{variant}'")
        configs = results.get("configs") if isinstance(results.get("configs"), dict) else {}
        for task, rows in sorted((evidence.get(variant) or {}).items()):
            config = configs.get(task) if isinstance(configs.get(task), dict) else {}
            run.samples[task] = records_from_rows(
                ((f"{where}: evidence {variant}/{task} line {i}", row) for i, row in enumerate(rows, 1)),
                config.get("output_type"), fix=_FIX,
            )
        run.samples.update(pooled_samples(run.groups, run.samples))  # group rows (mmlu): leaves pooled
        runs[variant] = run
    return runs


def check_results_follow(runs: dict[str, RunResults]) -> None:
    """Every results value that the results layer can recompute from its samples must be what they give
    (``results.recompute.aggregate_from_samples``: the gate's rule for metrics outside the catalog and its
    tolerance); Tampered naming the first that is not."""
    from spin_eval.results.facts import metric_facts
    from spin_eval.results.recompute import aggregate_from_samples

    for _variant, run in sorted(runs.items()):
        for task in sorted(run.metrics):
            for key in sorted(run.metrics[task]):
                metric, _, filt = key.partition(",")
                try:
                    aggregate_from_samples(run, metric_facts(task, metric), filt)
                except InputError as exc:
                    raise Tampered(str(exc)) from None
