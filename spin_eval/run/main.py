"""``spin-eval run``: the main job. Mask(s) -> base, SPIN and control evaluations through lm-eval -> report.

Stages (each recorded in ``OUT/spin-eval-run.json``; a finished stage is skipped on re-run, ``force``
redoes everything):

1. ``masks``: the SPIN mask (given with ``mask``, else built with ``spin_eval.spin.build`` and reused
   from the mask cache) and one control mask per entry of ``controls``, all written to ``OUT/masks/``.
   ``random`` and ``magnitude-random`` controls are drawn from the SPIN mask itself
   (``spin_eval.spin.build.control_mask``: same count per matrix, the same draws ``spin-eval mask build
   --selection ...`` makes); ``general-only``, ``fairness-only`` and ``privacy-only`` need the
   importance scores: ``spin_eval.spin.build.load_or_build_masks`` builds them in one scoring pass and
   keeps them in the mask cache.
2. one stage per variant (``base``, ``spin``, ``control-<selection>``): ``lm_eval.simple_evaluate`` with
   the ``spin_hf`` model loaded ONCE (spin=none); each variant's mask is applied with
   ``SpinHFLM.use_mask`` before and restored with ``clear_mask`` after its evaluation. Every variant gets identical settings (tasks, limit, seeds, batch size) and
   ``log_samples``. Results are written the way the ``lm_eval`` CLI writes them (EvaluationTracker)
   into a temporary folder that is renamed to ``OUT/runs/<variant>/`` when complete, so an interrupted
   variant leaves nothing half-written. ``config.spin`` in each results file names exactly the mask
   applied (mode, path, sha256, metadata), and ``config.model_args`` is the ``lm_eval --model spin_hf``
   argument string that reproduces the variant on its own.
3. ``report``: ``spin_eval.report`` (html, md, json) over all variants, baseline ``base``.

Modules of the job: ``settings`` (RunSettings), ``manifest``, ``masks``, ``documents`` (+ ``budget``,
``pilot``), ``evaluate``, ``summary``; this module runs the stages in order inside the folder safety of
``spin_eval.outputs``. Only these modules and ``spin_eval/cli/run.py`` touch files for the run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.results.runfolder import MASKS_SUBDIR, RUNS_SUBDIR
from spin_eval.run.documents import budget_documents, select_documents
from spin_eval.run.evaluate import evaluate_and_record, load_shared_model, variant_finished
from spin_eval.run.manifest import Manifest, RunOutcome, Variant
from spin_eval.run.masks import build_masks, mask_files, variant_names
from spin_eval.run.settings import REPORT_FORMATS, RunSettings
from spin_eval.run.summary import summarize, write_reports


def run_pipeline(settings: RunSettings, out_dir: str | Path, *, force: bool = False, report: bool = True) -> RunOutcome:
    """Run (or resume) the main job into ``out_dir`` through the folder safety shared with the sweep
    (``spin_eval.outputs.run_folder``: the lock held, ``force`` removes only the outputs the previous manifest
    recorded, no input may be an output)."""
    from spin_eval.outputs import planned_outputs, run_folder

    started = time.perf_counter()
    out_dir = Path(out_dir)
    outputs = planned_outputs(variant_names(settings), list(mask_files(settings).values()))
    inputs = {"--mask": settings.mask, "--general": settings.spin.general, "--fairness": settings.spin.fairness,
              "--privacy": settings.spin.privacy, "--include-path": settings.include_path}
    from spin_eval.outputs import check_run_folder
    from spin_eval.run.validate import check_run_inputs

    check_run_folder(out_dir, outputs, inputs)  # paths first (cheap), then the inputs
    task_manager = check_run_inputs(settings)  # before the lock, --force or any model load
    with run_folder(out_dir, outputs, inputs, force=force):
        return _run_pipeline_locked(settings, out_dir, outputs, task_manager, force=force, report=report,
                                    started=started)


def tune_baselines(variants: list[Variant], settings: RunSettings, manifest: Manifest) -> list[Variant]:
    """The variants with every fine-tuning baseline trained (or taken from the tune cache) and attached."""
    from spin_eval.tune.baselines import artifact_kind
    from spin_eval.tune.job import tune_baseline
    from spin_eval.tune.sizes import baseline_variants

    configs = baseline_variants(settings.baselines, settings.data_sizes, steps=settings.tune_steps, seed=settings.spin.seed)
    out, info = [], {}
    for variant in variants:
        if variant.name in configs:
            config = configs[variant.name]
            t0 = time.perf_counter()
            result = tune_baseline(settings.model, config, device=settings.device)
            variant = Variant(variant.name, finetuned=(artifact_kind(config), str(result.path)))
            info[variant.name] = {"path": str(result.path), "kind": variant.finetuned[0], "cached": result.cached,
                                  "config": result.provenance["config"],
                                  "seconds": round(time.perf_counter() - t0, 1)}
            print(f"  {variant.name}: {config.method} on {config.nsamples} rows of {config.data}, "
                  f"{'from the tune cache' if result.cached else 'trained'}: {result.path}", file=sys.stderr)
        out.append(variant)
    manifest.mark("baselines", "done", baselines=info)
    return out


def _run_pipeline_locked(
    settings: RunSettings, out_dir: Path, outputs: list[str], task_manager: Any, *, force: bool, report: bool,
    started: float,
) -> RunOutcome:
    out_dir.mkdir(parents=True, exist_ok=True)
    if settings.mask is not None and not Path(settings.mask).is_file():
        raise InputError(f"--mask {settings.mask}: no such file; build one with 'spin-eval mask build' or drop --mask")
    manifest = Manifest(out_dir, settings, force=force)
    manifest.data["outputs"] = outputs  # recorded before anything is written: what a later --force may remove
    manifest.save()
    masks_dir = out_dir / MASKS_SUBDIR
    runs_dir = out_dir / RUNS_SUBDIR
    runs_dir.mkdir(parents=True, exist_ok=True)

    files = mask_files(settings)
    variants = [Variant(name, masks_dir / files[name] if name in files else None) for name in variant_names(settings)]
    outcome = RunOutcome(out_dir=out_dir, variants=[v.name for v in variants])
    todo = [v for v in variants if not variant_finished(manifest, runs_dir, v)]
    masks_ready = manifest.stage_done("masks") and all(v.mask_file.is_file() for v in variants if v.mask_file)
    total = 2 + len(variants)
    step = 0

    def stage(title: str) -> None:
        nonlocal step
        step += 1
        print(f"\n=== [{step}/{total}] {title}", file=sys.stderr, flush=True)

    lm = None
    if todo or not masks_ready:
        documents = select_documents(task_manager, settings.tasks, settings.limit, settings.gen_limit)
        lm = load_shared_model(settings)
        stage("masks")
        if masks_ready:
            print("already built (skipped)", file=sys.stderr)
        else:
            t0, c0 = time.perf_counter(), time.process_time()
            files = build_masks(lm, settings, masks_dir, force=force)
            from spin_eval.spin.io import file_sha256, load_mask

            info = {name: {"path": f"{MASKS_SUBDIR}/{p.name}", "sha256": file_sha256(p),
                           "total": load_mask(p).metadata.get("total")} for name, p in files.items()}
            outcome.seconds["masks"] = time.perf_counter() - t0
            manifest.mark("masks", "done", masks=info, seconds=round(outcome.seconds["masks"], 1),
                          cpu_seconds=round(time.process_time() - c0, 1))
            for name, m in info.items():
                print(f"  {name}: {m['total']} weights zeroed, sha256 {m['sha256'][:12]}", file=sys.stderr)
    else:
        stage("masks")
        print("already built (skipped)", file=sys.stderr)
    if settings.baselines and todo:
        variants = tune_baselines(variants, settings, manifest)
        todo = [v for v in variants if not variant_finished(manifest, runs_dir, v)]
    documents_note = None
    if settings.budget is not None and todo:
        documents, documents_note = budget_documents(lm, settings, task_manager, manifest, started, len(variants))

    for variant in variants:
        stage(f"evaluate {variant.name}" + (f" (mask {variant.mask_file.name})" if variant.mask_file else " (no mask)"))
        if variant not in todo:
            print("already evaluated (skipped)", file=sys.stderr)
            outcome.skipped.append(variant.name)
            continue
        outcome.seconds[variant.name] = evaluate_and_record(
            lm, variant, settings, task_manager, runs_dir, documents, manifest, documents_note)

    stage("report")
    names = [v.name for v in variants]
    tax_lines = None
    if report:
        if manifest.stage_done("report") and not todo and all((out_dir / f"report.{f}").is_file() for f in REPORT_FORMATS):
            print("already written (skipped)", file=sys.stderr)
            outcome.report_files = [out_dir / f"report.{f}" for f in REPORT_FORMATS]
            tax_lines = manifest.data["stages"]["report"].get("tax")
        else:
            outcome.report_files, tax_lines = write_reports(out_dir, names, objectives=settings.objectives)
            manifest.mark("report", "done", files=[p.name for p in outcome.report_files], tax=tax_lines)
    outcome.summary = summarize(out_dir, names, tax_lines, settings.objectives)
    return outcome
