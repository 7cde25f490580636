"""Compare evaluated variants of one model against a baseline: the numbers behind every report format.

Pure: takes loaded :class:`~spin_eval.results.load.RunResults` and returns a typed, JSON-able
:class:`~spin_eval.report.model.Comparison`. Each part has its own module: ``variants`` (columns),
``rows`` (metric rows and their paired deltas), ``tax`` (the alignment tax), ``verdicts`` (SPIN vs
controls), ``breakdowns``, ``masks`` (the mask panel, the only file access: the runs' mask files),
``flips`` and ``evaluation`` (settings and power). Every number comes from the results layer
(``spin_eval.results``): one paired delta, one alignment-tax definition, metric facts from the catalog.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timezone

from spin_eval import __version__
from spin_eval.errors import InputError
from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, objective_families, trust_definition
from spin_eval.report.answer import build_answer
from spin_eval.report.breakdowns import breakdowns as _breakdowns
from spin_eval.report.definitions import DEFINITIONS
from spin_eval.report.evaluation import evaluation_settings
from spin_eval.report.flips import flips as _flips
from spin_eval.report.masks import mask_panel
from spin_eval.report.model import Comparison, Provenance, Settings, metric_label
from spin_eval.report.rows import baseline_deltas, metric_rows
from spin_eval.report.tax import headline_items, tax_entry
from spin_eval.report.variants import pick_baseline, variant_from_run
from spin_eval.report.verdicts import verdicts as _verdicts
from spin_eval.results.degenerate import degenerate_warnings
from spin_eval.results.load import RunResults
from spin_eval.results.seesaw import fairness_privacy_plane


def _unique_names(runs: Sequence[RunResults]) -> list[RunResults]:
    """Runs with unique names (``name-2`` for a repeat); copies, the caller's runs are left as they are."""
    seen: dict[str, int] = {}
    unique: list[RunResults] = []
    for run in runs:
        k = seen.get(run.name, 0)
        seen[run.name] = k + 1
        unique.append(dataclasses.replace(run, name=f"{run.name}-{k + 1}") if k else run)
    return unique


def _input_notes(runs: Sequence[RunResults], models: list[str]) -> list[str]:
    notes: list[str] = []
    if len(models) > 1:
        notes.append("runs evaluate different models (--allow-mixed): documents are still paired by doc_hash")
    for r in runs:
        if not r.samples:
            notes.append(
                f"{r.name}: no samples_*.jsonl (run lm-eval with --log_samples); its deltas use lm-eval's "
                "stderr (normal approximation, runs treated as independent)"
            )
    return notes


def _provenance(runs: Sequence[RunResults], variants: list) -> Provenance:
    return Provenance(
        spin_eval_version=__version__,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        runs=[
            {
                "name": r.name,
                "path": r.path,
                "model": r.model,
                "model_type": r.model_type,
                "model_args": {k: str(v) for k, v in r.model_args.items()},
                "lm_eval_version": r.lm_eval_version,
                "transformers_version": r.transformers_version,
                "date": datetime.fromtimestamp(r.date, timezone.utc).isoformat(timespec="seconds")
                if r.date
                else None,
                "limit": r.limit,
                "model_fingerprint": v.model_fingerprint,
                "mask_sha256": v.mask_sha256,
                "task_hashes": dict(r.task_hashes),
                "task_versions": {k: str(x) for k, x in r.versions.items()},
            }
            for r, v in zip(runs, variants)
        ],
    )


def _task_hash_notes(runs: Sequence[RunResults]) -> list[str]:
    out: list[str] = []
    for task in sorted({t for r in runs for t in r.task_hashes}):
        hashes = {r.task_hashes[task] for r in runs if r.task_hashes.get(task)}
        if len(hashes) > 1:
            out.append(
                f"{task}: lm-eval's task hashes differ between runs (different documents, prompts or targets, "
                "e.g. another --limit); only the documents with equal doc_hash are paired"
            )
    return out


def report_sources(base: RunResults) -> list[dict]:
    """Where each task's data comes from (the baseline's recorded task configs); empty when every task is
    shipped (the embedded default needs no table)."""
    from dataclasses import asdict

    from spin_eval.paths import tasks_dir
    from spin_eval.results.sources import run_sources

    configs = base.raw.get("configs") if isinstance(base.raw.get("configs"), dict) else {}
    sources = run_sources(configs, str(tasks_dir()))
    return [asdict(s) for s in sources] if any(s.kind != "shipped" for s in sources) else []


def compare_runs(
    runs: Sequence[RunResults],
    baseline: str | None = None,
    *,
    settings: Settings | None = None,
    allow_mixed: bool | None = None,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
) -> Comparison:
    """Compare ``runs`` against the run named ``baseline`` (default: the first run without a mask).
    ``objectives`` (``--objectives``, :mod:`spin_eval.metrics.objectives`) choose the trust families, the
    plane's axes and the trust side of the tax; the default is fairness and privacy.

    Raises :class:`~spin_eval.errors.InputError` for an empty list, an unknown baseline, or runs of
    different models (unless ``allow_mixed``).
    """
    settings = settings or Settings()
    if allow_mixed is not None:
        settings.allow_mixed = allow_mixed
    if not runs:
        raise InputError("no runs given; pass at least one lm-eval output folder")
    runs = _unique_names(runs)
    models = sorted({r.model for r in runs})
    if len(models) > 1 and not settings.allow_mixed:
        listing = "; ".join(f"{r.name}: {r.model}" for r in runs)
        raise InputError(
            f"runs evaluate different models ({listing}); compare variants of one model, or pass "
            "--allow-mixed to compare them anyway"
        )
    variants = [variant_from_run(r) for r in runs]
    base_v = pick_baseline(variants, baseline)
    base_v.kind = "baseline"
    by_name = {r.name: r for r in runs}
    base = by_name[base_v.name]
    notes = _input_notes(runs, models)

    rows, facts_of = metric_rows(runs, notes)
    work = baseline_deltas(rows, facts_of, runs, base, settings, notes)
    objectives = tuple(objectives)
    trust_families = objective_families(objectives)
    tax = [tax_entry(v, rows, facts_of, work, settings.confidence, trust_families)
           for v in variants if v.name != base.name]
    for t in tax:  # trust gained alongside more degenerate answers (spin_eval.results.degenerate)
        notes += degenerate_warnings(base, by_name[t.variant], t.trust.points)
    unitless = sorted({metric_label(rw) for rw in rows if rw.headline and rw.scale == 1.0})
    if unitless:
        notes.append(
            "headline metrics not in points are left out of the alignment-tax averages (they are in the answer and their rows): "
            + ", ".join(unitless)
        )
    plane = None
    if any(v.kind == "finetuned" for v in variants):  # the seesaw question needs fine-tuning beside SPIN
        others = [v for v in variants if v.name != base.name]
        pair = (objectives[0], objectives[1]), (trust_families[0], trust_families[1])
        plane = fairness_privacy_plane({v.name: headline_items(v, rows, facts_of, work) for v in others},
                                       {v.name: v.kind for v in others}, alpha=1.0 - settings.confidence,
                                       objectives=pair[0], families=pair[1])
    verdicts = _verdicts(variants, rows, facts_of, by_name, settings, notes)
    breakdowns = _breakdowns(rows, facts_of, runs, base)
    masks = mask_panel(variants, by_name)
    flips = _flips(rows, facts_of, runs, base, settings)
    prov = _provenance(runs, variants)
    notes += _task_hash_notes(runs)
    evaluation = evaluation_settings(runs, base, settings)
    answer = build_answer(variants, base.name, rows, tax, verdicts, work, evaluation, prov, settings.confidence,
                          breakdowns)
    # dedupe notes, keep order
    notes = list(dict.fromkeys(notes))
    return Comparison(
        baseline=base.name,
        answer=answer,
        variants=variants,
        rows=rows,
        tax=tax,
        verdicts=verdicts,
        breakdowns=breakdowns,
        masks=masks,
        flips=flips,
        provenance=prov,
        settings=settings,
        notes=notes,
        definitions={**DEFINITIONS, **trust_definition(objectives)},
        evaluation=evaluation,
        plane=plane,
        data_sources=report_sources(base),
        objectives=objectives,
    )
