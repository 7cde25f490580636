"""Leaderboard submissions: pack a run into one (``spin-eval leaderboard submit``).

A submission (JSON, schema ``schemas/submission.schema.json``) holds each variant's lm-eval results, the
mask's sha256 + metadata + the command that rebuilds it, model identity and revision, package versions,
per-task version and lm-eval task hash, the per-document values behind the headline (``samples``), the
evidence files' sha256 (``spin_eval.leaderboard.evidence``) and the headline numbers computed here.
Every check of a submission (schema, hashes, finite numbers, headline, evidence) is
``leaderboard.checks.check_submission``, run by ``leaderboard build`` and ``leaderboard verify`` alike;
files are read only through ``leaderboard.submission_io``.

Headline numbers, from the results layer (``spin_eval.results.headline``) on the ranked variant (``spin``
where present, else the only variant):

* fairness / privacy / capability / overrefusal: the family *levels* in points (mean "goodness" of the
  family's catalog headline metrics in points; over-refusal: the rate itself, lower is better);
* alignment tax (needs a ``base`` variant): THE alignment tax of the report, from paired deltas of the
  headline metrics against ``base``: capability points lost per trust point gained, ``null`` unless
  trust was gained significantly. To recompute it exactly, a submission carries the logged per-document
  values of those metrics (``samples``), not only the results files.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import sha256_json, write_json_atomic
from spin_eval.leaderboard.submission_io import require_finite, validate_schema
from spin_eval.results.facts import metric_facts
from spin_eval.results.headline import counts_for_tax, family_levels, headline_tax
from spin_eval.results.load import (
    RunResults,
    SampleRecord,
    load_run,
    parse_results,
    raw_sample_rows,
)
from spin_eval.results.paired import paired_delta
from spin_eval.results.runfolder import load_run_folder, read_manifest, resolve_run

SUBMISSION_VERSION = 2
COLUMNS = ("fairness", "privacy", "overrefusal", "capability", "alignment_tax")


# --------------------------------------------------------------------------------------------- headline (pure)


def _run_from_submission(variant: str, results: dict[str, Any], samples: dict[str, Any] | None) -> RunResults:
    run = parse_results(results, name=variant, path=f"submission:{variant}")
    for task, docs in (samples or {}).items():
        run.samples[task] = {"none": {
            key: SampleRecord(doc_key=key, doc_id=-1, doc={"cluster_id": entry.get("cluster_id")}, target="",
                              prompt="", answer="", values=dict(entry.get("values") or {}))
            for key, entry in docs.items()
        }}
    return run


def headline_samples(run: RunResults) -> dict[str, dict[str, Any]]:
    """task -> doc key -> {values, cluster_id}: the logged values of the run's headline metrics in points."""
    out: dict[str, dict[str, Any]] = {}
    for task, by_filter in sorted(run.samples.items()):
        metrics = [m for m in (k.partition(",")[0] for k in run.metrics.get(task, {}))
                   if counts_for_tax(metric_facts(task, m), "none") or _unitless_capability(metric_facts(task, m))]
        records = by_filter.get("none") or {}
        if not metrics or not records:
            continue
        out[task] = {
            key: {"values": {m: rec.values[m] for m in metrics if m in rec.values}, "cluster_id": rec.cluster}
            for key, rec in sorted(records.items())
        }
    return out


def _unitless_capability(facts) -> bool:
    """A capability headline metric not in points (word perplexity, bits per byte): not in the tax, but shown."""
    return facts.headline and facts.family == "capability" and facts.points is False


def _paired(ref: RunResults, other: RunResults, facts) -> dict[str, Any]:
    d = paired_delta(ref, other, facts, "none").delta
    return {"delta": d.delta, "ci": [d.ci_low, d.ci_high], "p": d.p_value, "significant": d.significant,
            "source": d.source}


def unitless_changes(runs: dict[str, RunResults], variant: str) -> dict[str, Any]:
    """Capability headline metrics not in points of ``variant``: value, paired change against ``base`` with
    CI and p, and the paired comparison with every ``control-*`` variant (p unadjusted; the report's
    verdicts adjust over all metrics of a pair)."""
    out: dict[str, Any] = {}
    base, var = runs["base"], runs[variant]
    controls = sorted(v for v in runs if v.startswith("control"))
    for task in sorted(set(base.metrics) & set(var.metrics)):
        for key in sorted(set(base.metrics[task]) & set(var.metrics[task])):
            metric, _, filt = key.partition(",")
            facts = metric_facts(task, metric)
            if filt != "none" or not _unitless_capability(facts):
                continue
            entry = {"baseline": base.metrics[task][key], "value": var.metrics[task][key], **_paired(base, var, facts)}
            entry["vs_controls"] = {c: _paired(runs[c], var, facts) for c in controls if key in runs[c].metrics.get(task, {})}
            out[f"{task}/{metric}"] = entry
    return out


def compute_headline(
    results_by_variant: dict[str, dict[str, Any]], samples_by_variant: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The headline numbers of a submission from its variants' results dicts and headline samples."""
    samples_by_variant = samples_by_variant or {}
    runs = {v: _run_from_submission(v, r, samples_by_variant.get(v)) for v, r in results_by_variant.items()}
    variant = ranked_variant(runs)
    levels, used = family_levels(runs[variant])
    headline: dict[str, Any] = {"variant": variant, **levels, "metrics": used, "alignment_tax": None,
                                "alignment_tax_ci": None, "trust_change": None, "trust_change_ci": None,
                                "capability_change": None, "tax_status": "missing"}
    if "base" in runs and variant != "base":
        tax = headline_tax(runs["base"], runs[variant])
        headline.update(
            alignment_tax=tax.tax_per_point, trust_change=tax.trust.points, capability_change=tax.capability.points,
            tax_status=tax.status,
            alignment_tax_ci=None if tax.tax_per_point is None else [tax.tax_ci_low, tax.tax_ci_high],
            trust_change_ci=None if tax.trust.points is None else [tax.trust.ci_low, tax.trust.ci_high],
            capability_not_in_points=unitless_changes(runs, variant),
        )
    return headline


def _round_floats(obj: Any) -> Any:
    """JSON round-trip stable floats (so recomputed headlines compare exactly after load)."""
    return json.loads(json.dumps(obj))


# ------------------------------------------------------------------------------------------------- submit


def _rebuild_command(meta: dict[str, Any]) -> str:
    if not meta:
        return "no mask (unmasked model)"
    parts = ["spin-eval mask build", f"--model {meta.get('model_name', 'MODEL')}"]
    for key in ("p", "q", "target", "selection"):
        if meta.get(key) is not None:
            parts.append(f"--{key} {meta[key]}")
    calib = meta.get("calibration") or {}
    first = next(iter(calib.values()), {}) if isinstance(calib, dict) else {}
    if isinstance(first, dict):
        if first.get("nsamples") is not None:
            parts.append(f"--nsamples {first['nsamples']}")
        if first.get("seed") is not None:
            parts.append(f"--seed {first['seed']}")
    if isinstance(calib, dict):
        for role in ("general", "fairness", "privacy"):
            name = (calib.get(role) or {}).get("name")
            if name and name != "default":
                parts.append(f"--{role} {name}")
    parts.append("-o mask.safetensors")
    return " ".join(parts) + "   # then compare its sha256 with mask.sha256"


def _package_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for key, dist in (("spin_eval", "spin-eval"), ("lm_eval", "lm_eval"), ("transformers", "transformers"), ("torch", "torch")):
        try:
            out[key] = version(dist)
        except PackageNotFoundError:
            out[key] = None
    return out


def ranked_variant(names: Any) -> str:
    """The variant a submission is ranked by: ``spin``, else the only variant besides ``base``, else the first."""
    names = sorted(names)
    others = [n for n in names if n != "base"]
    return "spin" if "spin" in names else others[0] if len(others) == 1 else names[0]


def _variants_of(run_dir: Path, variant: str | None = None) -> dict[str, RunResults]:
    if read_manifest(run_dir) is None:
        if variant is not None:
            raise InputError(f"--variant {variant}: {run_dir} is not a 'spin-eval run' or sweep folder")
        return {"model": load_run(run_dir, name="model")}
    if variant is None:
        out = dict(sorted(load_run_folder(run_dir, strict=True).items()))
        if not out:
            raise InputError(f"{run_dir}: the run manifest lists no evaluated variants")
        return out
    # one point of a sweep (or one variant of a run), with the base it is compared against
    return {v: resolve_run(run_dir, variant=v) for v in dict.fromkeys(("base", variant))}


def _null_undefined_metrics(results: dict[str, Any], variants: dict[str, Any]) -> None:
    """Write ``null`` for an aggregate that is NaN only because the metric is undefined on the documents
    evaluated (the samples themselves give NaN, every logged value finite: e.g. a BBQ bias score of one
    category where no answer was non-unknown), and for a stderr lm-eval could not compute (its "N/A"); JSON
    has no NaN, and neither is ranked (the leaderboard recomputes every number from the evidence).
    A NaN or infinity a logged document explains (or none can) stays and is refused as broken."""
    import math

    from spin_eval.results.facts import metric_facts
    from spin_eval.results.finite import metric_non_finite

    for name, raw in results.items():
        run = variants[name]
        for task, entries in (raw.get("results") or {}).items():
            if not isinstance(entries, dict):
                continue
            for key, value in list(entries.items()):
                if not isinstance(value, float) or math.isfinite(value) or "," not in key:
                    continue
                metric, _, filt = key.partition(",")
                if metric.endswith("_stderr"):  # lm-eval's own stderr could not be computed (its "N/A"); never ranked
                    entries[key] = None
                    continue
                base = metric
                values = run.doc_values(task, base, filt)
                if not values:
                    continue
                recomputed = metric_facts(task, base).compute(list(values.values()))
                if not math.isnan(recomputed):  # the samples give a number: the NaN is not theirs (forged)
                    continue
                why = metric_non_finite(run, task, base, filt, value=recomputed)
                if why is not None and not why.broken:
                    entries[key] = None


def make_submission(run_dir: str | Path, *, name: str | None = None, embed_mask: bool = False,
                    variant: str | None = None) -> dict[str, Any]:
    """Pack a run folder (or one ``variant`` of it with ``base``) into a submission dict (schema-validated)."""
    return make_submission_with_evidence(run_dir, name=name, embed_mask=embed_mask, variant=variant)[0]


def make_submission_with_evidence(
    run_dir: str | Path, *, name: str | None = None, embed_mask: bool = False, variant: str | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The submission dict and its evidence files' bytes by sha256 (``spin_eval.leaderboard.evidence``)."""
    from spin_eval.leaderboard.evidence import pack_evidence

    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise InputError(f"RUN_DIR {run_dir}: no such folder")
    variants = _variants_of(run_dir, variant)
    ranked = ranked_variant(variants)
    main = variants[ranked]
    # through JSON once, so the headline is computed from exactly what build will read back (tuples become
    # lists, keys strings)
    results = json.loads(json.dumps({v: _round_floats(run.raw) for v, run in variants.items()}))
    samples = json.loads(json.dumps({v: _round_floats(headline_samples(run)) for v, run in variants.items()}))
    _null_undefined_metrics(results, variants)
    require_finite({"results": results, "samples": samples}, str(run_dir))
    no_samples = sorted(f"{v}/{t}" for v, run in variants.items() for t in (run.raw.get("configs") or {})
                        if not run.samples.get(t))
    if no_samples:
        raise InputError(f"{run_dir}: no logged samples for {', '.join(no_samples)}; a submission needs the per-document "
                         "samples behind its numbers (re-run with lm-eval --log_samples, or use 'spin-eval run')")
    evidence, blobs = pack_evidence({v: raw_sample_rows(run) for v, run in variants.items()})
    tasks: dict[str, dict[str, Any]] = {}
    for task, version in sorted(main.versions.items()):
        tasks[task] = {"version": version, "hash": main.task_hashes.get(task)}
    if not tasks:
        raise InputError(f"{main.path}: no task versions recorded; is this an lm-eval results file?")
    spin = main.spin or {"mode": "none"}
    meta = spin.get("mask_metadata") or {}
    mask: dict[str, Any] | None = None
    if spin.get("mode", "none") != "none" or meta:
        mask = {"sha256": spin.get("mask_sha256"), "metadata": meta, "rebuild": _rebuild_command(meta)}
        if embed_mask:
            mask_file = Path(main.mask_file) if main.mask_file else None
            if mask_file is None or not mask_file.is_file():
                raise InputError(f"--embed-mask: the mask file of variant '{ranked}' was not found beside the run")
            data = mask_file.read_bytes()
            actual = hashlib.sha256(data).hexdigest()
            if mask["sha256"] is not None and actual != mask["sha256"]:
                raise InputError(
                    f"--embed-mask: {mask_file} has sha256 {actual[:16]}... but variant '{ranked}' was evaluated "
                    f"with mask sha256 {str(mask['sha256'])[:16]}...; the file changed after the run, re-run it"
                )
            mask["sha256"] = actual
            mask["file_base64"] = base64.b64encode(data).decode("ascii")
    config = main.raw.get("config") or {}
    model_args = config.get("model_args")
    spec = (read_manifest(run_dir) or {}).get("model_spec")
    from spin_eval.constants import EMBEDDED_MODEL_NAME, EMBEDDED_MODEL_SPEC

    model_name = (
        EMBEDDED_MODEL_NAME if spec == EMBEDDED_MODEL_SPEC
        else spec or meta.get("model_name") or config.get("model_name") or config.get("model") or "unknown"
    )
    revision = None
    if isinstance(model_args, dict):
        revision = model_args.get("revision")
    sub: dict[str, Any] = {
        "schema_version": SUBMISSION_VERSION,
        "kind": "spin-eval-submission",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "name": name or f"{model_name} [{ranked}]",
        "model": {"name": str(model_name), "revision": revision, "fingerprint": main.fingerprint,
                  "spec": (read_manifest(run_dir) or {}).get("model_spec")},
        "versions": _package_versions() | {"lm_eval_results": main.lm_eval_version},
        "mask": mask,
        "tasks": tasks,
        "variants": sorted(variants),
        "results": results,
        "samples": samples,
        "results_sha256": {v: sha256_json(r) for v, r in results.items()},
        "headline": _round_floats(compute_headline(results, samples)),
        "evidence": evidence,
    }
    from spin_eval.metrics.catalog import applied_facts

    if applied_facts():  # the run's recorded --metric-facts (and submit's): a board compares like with like
        sub["metric_facts"] = applied_facts()
    require_finite(sub, str(run_dir))
    sub["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json(sub)}
    validate_schema(sub, where=str(run_dir))
    return sub, blobs


def write_submission(submission: dict[str, Any], path: str | Path, evidence: dict[str, bytes] | None = None) -> Path:
    """Write the evidence files (``evidence/<sha256>.jsonl`` beside ``path``) first, then the submission."""
    from spin_eval.leaderboard.evidence import write_evidence

    if evidence:
        write_evidence(evidence, Path(path).parent)
    return write_json_atomic(path, submission)


