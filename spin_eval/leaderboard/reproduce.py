"""``spin-eval leaderboard verify``: reproduce randomly chosen documents of a submission and compare.

1. ``checks.check_submission``, the very check ``leaderboard build`` runs: schema, hashes, finite
   numbers, seeds, the evidence files and every number recomputed from them (a tampered submission is a
   mismatch; a malformed one, or a file missing or unreadable, "cannot verify").
2. The model named by the ranked variant's ``model_args`` (``pretrained=``; ``--model`` overrides the
   location) is loaded once through ``spin_hf``; its fingerprint must be the one recorded.
3. Per verified variant (the ranked one and ``base``, the two the headline and the alignment tax come
   from): the mask is the file given with ``--mask``, else the one embedded in the submission, else it is
   rebuilt from the recorded recipe (the mask metadata's ``config``, through the mask cache); its sha256
   must equal the recorded one.
4. K documents per task are drawn at random (``random.Random(seed)``; the seed is printed and recorded)
   from the documents in the evidence, re-evaluated with lm-eval's ``samples=`` selection
   (``simple_evaluate(samples={task: [doc ids]})``, lm-eval 0.4.13) with the recorded batch size and
   seeds, and compared with the evidence row by row: doc/prompt/target hashes equal, log-likelihood
   responses within 1e-4, generated text identical, every per-document metric value equal (within 1e-4
   for log-likelihood tasks).

Verdicts and exit codes: ``verified`` 0, ``mismatch`` 1, ``cannot-verify`` 2 (model or task not available
here, mask recipe missing, other task version ...). The verdict is written to a verification record
(``leaderboard.record``) that ``leaderboard build`` shows in its "verified" column.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError, SpinEvalError
from spin_eval.fileio import file_sha256
from spin_eval.leaderboard.record import record_path, write_record

#: Tolerance for log-likelihoods and scores of log-likelihood tasks (batching/padding may move the last
#: float32 digits; nothing a reader could see in a score).
LOGLIK_TOL = 1e-4
EXIT_CODES = {"verified": 0, "mismatch": 1, "cannot-verify": 2}
_NUMERIC_TYPES = ("loglikelihood", "multiple_choice", "loglikelihood_rolling")


class Mismatch(Exception):
    """The submission's numbers or samples are not what this machine reproduces."""


class CannotVerify(Exception):
    """Verification was not possible here (with the reason)."""


@dataclass
class VerifyResult:
    verdict: str
    reason: str
    seed: int
    documents: dict[str, list[Any]] = field(default_factory=dict)
    variants: list[str] = field(default_factory=list)
    rows_compared: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """CPU time of this process, all threads (comparable across machine loads, unlike ``seconds``)."""
    record: Path | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


# ---------------------------------------------------------------------------------------------- pure parts


def choose_documents(rows_by_task: dict[str, list[dict[str, Any]]], k: int, seed: int) -> dict[str, list[Any]]:
    """``k`` distinct doc ids per task (all where fewer), drawn with ``random.Random(seed)``, in ascending
    order (``lmeval_rows.samples_argument``: lm-eval labels a selection's documents by position). Pure."""
    rng = random.Random(seed)
    chosen = {}
    for task in sorted(rows_by_task):
        ids = sorted({r.get("doc_id") for r in rows_by_task[task]})
        chosen[task] = sorted(rng.sample(ids, min(k, len(ids))))
    return chosen


def _as_float(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def compare_values(a: Any, b: Any, tol: float | None) -> str | None:
    """Why ``a`` (submitted) and ``b`` (re-evaluated) differ, or None. Numbers (and numeric strings, as
    lm-eval logs log-likelihoods) within ``tol`` when given, everything else exactly. Pure."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return f"{len(a)} items != {len(b)} items"
        for x, y in zip(a, b):
            why = compare_values(x, y, tol)
            if why:
                return why
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"keys {sorted(a)} != {sorted(b)}"
        for key in sorted(a):
            why = compare_values(a[key], b[key], tol)
            if why:
                return f"{key}: {why}"
        return None
    fa, fb = _as_float(a), _as_float(b)
    if tol is not None and fa is not None and fb is not None:
        if (math.isnan(fa) and math.isnan(fb)) or math.isclose(fa, fb, rel_tol=0.0, abs_tol=tol):
            return None
        return f"{fa!r} != {fb!r} (beyond {tol:g})"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return None if (a == b or (math.isnan(a) and math.isnan(b))) else f"{a!r} != {b!r}"
    return None if a == b else f"{_short(a)} != {_short(b)}"


def _short(value: Any, n: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def compare_rows(
    submitted: list[dict[str, Any]], again: list[dict[str, Any]], chosen: list[Any], *, generative: bool, where: str
) -> tuple[int, list[str]]:
    """Compare the evidence rows of the chosen documents with the re-evaluated rows. Pure."""
    def by_key(rows):
        return {(json.dumps(r.get("doc_id")), r.get("filter", "none")): r for r in rows}

    old, new = by_key(submitted), by_key(again)
    problems, compared = [], 0
    tol = None if generative else LOGLIK_TOL
    for doc in chosen:
        keys = sorted(k for k in old if k[0] == json.dumps(doc))
        for key in keys:
            label = f"{where} doc {doc}" + (f" [{key[1]}]" if key[1] != "none" else "")
            if key not in new:
                problems.append(f"{label}: not re-evaluated (filter {key[1]} missing)")
                continue
            a, b = old[key], new[key]
            compared += 1
            for name in ("doc_hash", "prompt_hash", "target_hash"):
                if a.get(name) != b.get(name):
                    problems.append(f"{label}: {name} differs (another document or prompt than the one submitted)")
            fields = ["resps", "filtered_resps"] + [m for m in (a.get("metrics") or []) if m in a or m in b]
            for name in fields:
                why = compare_values(a.get(name), b.get(name), tol)
                if why:
                    what = "generated text" if generative and name.endswith("resps") else name
                    problems.append(f"{label}: {what}: submitted {why.replace(' != ', ', re-evaluated ', 1)}")
    return compared, problems


# ------------------------------------------------------------------------------------------------- driver


def _static_checks(path: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``checks.check_submission``, the one check ``build`` runs: a ``Tampered`` submission is a mismatch,
    any other refusal (malformed, missing evidence) means it cannot be verified."""
    from spin_eval.leaderboard import checks
    from spin_eval.leaderboard.submission_io import Tampered

    try:
        return checks.check_submission(path).evidence
    except Tampered as exc:
        raise Mismatch(str(exc)) from None
    except InputError as exc:
        raise CannotVerify(str(exc)) from None


def _model_args(results: dict[str, Any]) -> dict[str, str]:
    args = (results.get("config") or {}).get("model_args")
    if isinstance(args, dict):
        return {k: str(v) for k, v in args.items()}
    out = {}
    for part in str(args or "").split(","):
        key, _, value = part.partition("=")
        if key.strip():
            out[key.strip()] = value.strip()
    return out


def _load_model(spec: str, dtype: str, device: str, batch_size: Any):
    from spin_eval.adapter.spin_hf import SpinHFLM

    print(f"[verify] loading {spec} (spin_hf, {dtype}, {device})", file=sys.stderr)
    try:
        return SpinHFLM(pretrained=spec, spin="none", dtype=dtype, device=device, batch_size=batch_size)
    except (SpinEvalError, OSError, ValueError, RuntimeError, ImportError) as exc:
        raise CannotVerify(f"the submission's model {spec!r} cannot be loaded here ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}); pass --model with a local copy") from None


def _mask_for(sub: dict[str, Any], variant: str, lm: Any, given: Path | None, tmp: Path) -> Path | None:
    """The mask file of ``variant`` (None: unmasked), with the recorded sha256."""
    spin = (sub["results"][variant].get("config") or {}).get("spin") or {}
    if spin.get("mode", "none") == "none":
        return None
    recorded = spin.get("mask_sha256")
    if not recorded:
        raise CannotVerify(f"variant '{variant}': no mask sha256 recorded, so its mask cannot be checked")
    ranked = variant == sub["headline"]["variant"]
    if ranked and given is not None:
        if file_sha256(given) != recorded:
            raise CannotVerify(f"--mask {given}: sha256 {file_sha256(given)[:12]} is not the submitted mask's "
                               f"{recorded[:12]}")
        return given
    embedded = (sub.get("mask") or {}).get("file_base64") if ranked else None
    if embedded:
        data = base64.b64decode(embedded)
        if hashlib.sha256(data).hexdigest() != recorded:
            raise Mismatch(f"the embedded mask's sha256 is not the recorded {recorded[:12]}")
        path = tmp / f"{variant}.safetensors"
        path.write_bytes(data)
        return path
    cfg = (spin.get("mask_metadata") or {}).get("config")
    if not isinstance(cfg, dict):
        raise CannotVerify(f"variant '{variant}': the mask metadata has no recipe ('config'); pass --mask FILE")
    from spin_eval.spin.build import load_or_build_mask
    from spin_eval.spin.config import SpinConfig

    try:
        config = SpinConfig.from_dict(cfg)
    except (TypeError, ValueError, SpinEvalError) as exc:
        raise CannotVerify(f"variant '{variant}': the recorded mask recipe is not usable here ({exc})") from None
    print(f"[verify] rebuilding the mask of '{variant}' from its recipe (or the mask cache)", file=sys.stderr)
    lm.clear_mask()
    _, path = load_or_build_mask(lm.model, lm.tokenizer, config, progress=True)
    if file_sha256(path) != recorded:
        raise Mismatch(f"variant '{variant}': the recorded recipe rebuilds a mask with sha256 {file_sha256(path)[:12]}, "
                       f"not the submitted {recorded[:12]}")
    return Path(path)


def _normalise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """lm-eval's in-memory sample rows in the form it writes them (strings in resps, JSON types)."""
    from lm_eval.utils import handle_non_serializable, sanitize_list

    out = []
    for row in rows:
        row = dict(row)
        row["resps"] = sanitize_list(row.get("resps"))
        row["filtered_resps"] = sanitize_list(row.get("filtered_resps"))
        row.pop("arguments", None)
        out.append(json.loads(json.dumps(row, default=handle_non_serializable)))
    return out


def _evaluate(lm: Any, task_manager: Any, chosen: dict[str, list[Any]], config: dict[str, Any], device: str):
    import lm_eval

    from spin_eval.lmeval_rows import samples_argument

    results = lm_eval.simple_evaluate(
        model=lm, tasks=sorted(chosen), samples=samples_argument(chosen), log_samples=True, task_manager=task_manager,
        batch_size=config.get("batch_size") or 1, device=device, bootstrap_iters=0,
        random_seed=config.get("random_seed", 0), numpy_random_seed=config.get("numpy_seed", 1234),
        torch_random_seed=config.get("torch_seed", 1234), fewshot_random_seed=config.get("fewshot_seed", 1234),
    )
    if results is None:
        raise CannotVerify("lm-eval returned no results")
    return results


def _verify(sub: dict[str, Any], path: Path, evidence, *, docs: int, seed: int, include_path, mask, model,
            device: str, out: VerifyResult) -> None:
    from spin_eval.paths import tasks_dir
    from spin_eval.task_index import task_manager_for

    ranked = sub["headline"]["variant"]
    variants = [ranked] + (["base"] if "base" in sub["results"] and ranked != "base" else [])
    out.variants = variants
    out.documents = choose_documents(evidence[ranked], docs, seed)
    args = _model_args(sub["results"][ranked])
    spec = model or args.get("pretrained") or sub["model"].get("spec")
    if not spec:
        raise CannotVerify("the submission names no loadable model (model_args pretrained=); pass --model")
    for p in include_path:
        if not Path(p).is_dir():
            raise InputError(f"--include-path {p}: no such folder")
    task_manager = task_manager_for([str(tasks_dir())] + [str(p) for p in include_path], out.documents)
    missing = [t for t in out.documents if t not in set(task_manager.all_tasks)]
    if missing:
        raise CannotVerify(f"task(s) {', '.join(missing)} are not available here; pass --include-path with their folder")
    config = sub["results"][ranked].get("config") or {}
    lm = _load_model(spec, args.get("dtype", "float32"), device, config.get("batch_size") or 1)
    with tempfile.TemporaryDirectory(prefix="spin-eval-verify-") as tmp:
        for variant in variants:
            spin = (sub["results"][variant].get("config") or {}).get("spin") or {}
            target = str((spin.get("mask_metadata") or {}).get("target") or "mlp")
            lm.clear_mask(target=target)
            recorded_fp = spin.get("model_fingerprint") or (spin.get("mask_metadata") or {}).get("model_fingerprint")
            here_fp = lm.spin_info.get("model_fingerprint")
            if recorded_fp and here_fp != recorded_fp:
                raise CannotVerify(f"the model loaded here ({spec}) is not the one variant '{variant}' was evaluated "
                                   f"with (fingerprint {str(here_fp)[:12]} != recorded {str(recorded_fp)[:12]})")
            mask_file = _mask_for(sub, variant, lm, mask, Path(tmp))
            if mask_file is not None:
                try:
                    lm.use_mask(mask_file)
                except SpinEvalError as exc:
                    raise CannotVerify(f"variant '{variant}': {exc}") from None
            print(f"[verify] {variant}: re-evaluating {sum(map(len, out.documents.values()))} documents "
                  f"({docs} per task, seed {seed})", file=sys.stderr)
            try:
                results = _evaluate(lm, task_manager, out.documents, sub["results"][variant].get("config") or {}, device)
            finally:
                lm.clear_mask()
            problems = []
            for task, chosen in out.documents.items():
                recorded_version = sub["results"][variant].get("versions", {}).get(task)
                here_version = (results.get("versions") or {}).get(task)
                if str(recorded_version) != str(here_version):
                    raise CannotVerify(f"task {task} is version {here_version} here but {recorded_version} in the "
                                       "submission; install the matching spin-eval / task files")
                generative = (results.get("configs") or {}).get(task, {}).get("output_type") not in _NUMERIC_TYPES
                n, found = compare_rows(evidence[variant][task], _normalise(results["samples"].get(task, [])), chosen,
                                        generative=generative, where=f"{variant}/{task}")
                out.rows_compared += n
                problems += found
            if problems:
                more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
                raise Mismatch("; ".join(problems[:3]) + more)


def verify_file(
    path: str | Path, *, docs: int = 5, seed: int | None = None, include_path: tuple[str, ...] = (),
    mask: str | Path | None = None, model: str | None = None, device: str = "cpu",
    record_dir: str | Path | None = None, write: bool = True,
) -> VerifyResult:
    """Verify one submission file; never raises for a verdict (InputError only for bad arguments)."""
    if docs < 1:
        raise InputError(f"--docs {docs}: must be >= 1")
    path = Path(path)
    seed = secrets.randbelow(2**31) if seed is None else seed
    out = VerifyResult("cannot-verify", "", seed)
    start, cpu_start = time.perf_counter(), time.process_time()
    sub = None
    mask_path = Path(mask) if mask is not None else None
    if mask_path is not None and not mask_path.is_file():
        raise InputError(f"--mask {mask_path}: no such file")
    try:
        from spin_eval.leaderboard.submission_io import read_submission

        try:
            sub = read_submission(path)  # for the record, also when a check below fails
            from spin_eval.leaderboard.board_facts import use_submission_facts

            use_submission_facts(sub, str(path))  # its numbers are recomputed with its own metric facts
        except InputError as exc:
            raise CannotVerify(str(exc)) from None
        evidence = _static_checks(path)
        _verify(sub, path, evidence, docs=docs, seed=seed, include_path=include_path, mask=mask_path, model=model,
                device=device, out=out)
        out.verdict = "verified"
        out.reason = (f"{out.rows_compared} per-document results of {', '.join(out.variants)} reproduced "
                      f"({docs} documents per task, seed {seed})")
    except Mismatch as exc:
        out.verdict, out.reason = "mismatch", str(exc)
    except CannotVerify as exc:
        out.verdict, out.reason = "cannot-verify", str(exc)
    out.seconds = time.perf_counter() - start
    out.cpu_seconds = time.process_time() - cpu_start
    if write and isinstance(sub, dict) and isinstance(sub.get("integrity"), dict) and sub["integrity"].get("content_sha256"):
        from spin_eval import __version__

        out.record = write_record(record_path(path, record_dir), sub, out.verdict, {
            "reason": out.reason, "seed": seed, "documents_per_task": docs, "documents": out.documents,
            "variants": out.variants, "rows_compared": out.rows_compared, "spin_eval": __version__,
            "device": device, "seconds": round(out.seconds, 1), "cpu_seconds": round(out.cpu_seconds, 1),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
    return out
