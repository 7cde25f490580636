"""Evaluating one variant through lm-eval: the shared ``spin_hf`` model, the task manager, the variant's mask
applied and restored, results written the way the ``lm_eval`` CLI writes them into a folder renamed into
place when complete; the manifest marks each variant running, then done. Shared by run and sweep.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError, SpinEvalError
from spin_eval.results.runfolder import MASKS_SUBDIR
from spin_eval.run.manifest import Manifest, Variant, _now
from spin_eval.run.settings import RunSettings, parse_model_args


def _model_args_string(settings: RunSettings, mask_file: Path | None, finetuned: tuple[str, str] | None = None) -> str:
    """The ``lm_eval --model spin_hf --model_args`` string that reproduces one variant (with the documents
    recorded in ``config.spin_eval_samples``, see docs/pipeline.md)."""
    args = [f"pretrained={settings.model}", f"dtype={settings.dtype}"]
    args.append(f"mask={mask_file.resolve()}" if mask_file is not None else "spin=none")
    if finetuned is not None:
        args.append(f"{finetuned[0]}={finetuned[1]}")
    args += [f"{k}={v}" for k, v in parse_model_args(settings.model_args).items()]
    return ",".join(args)


def evaluation_kwargs(settings: RunSettings) -> dict[str, Any]:
    """lm-eval ``simple_evaluate`` keyword arguments for the run's evaluation options (lm-eval's semantics:
    ``fewshot_as_multiturn`` follows ``apply_chat_template`` unless given)."""
    multiturn = settings.fewshot_as_multiturn
    if multiturn is None:
        multiturn = bool(settings.apply_chat_template)
    return dict(
        num_fewshot=settings.num_fewshot, gen_kwargs=settings.gen_kwargs,
        apply_chat_template=settings.apply_chat_template, fewshot_as_multiturn=multiturn,
        system_instruction=settings.system_instruction,
    )


def evaluate_variant(
    lm: Any, variant: Variant, settings: RunSettings, task_manager: Any, dest: Path,
    documents: dict[str, list[int]] | None = None, documents_note: str | None = None,
) -> float:
    """Apply the variant's mask, run lm-eval, restore the weights, write results into ``dest`` atomically.

    Returns the seconds spent.
    """
    import lm_eval
    from lm_eval.loggers import EvaluationTracker

    from spin_eval.lmeval_rows import samples_argument

    start = time.perf_counter()
    tmp = dest.parent / f".{dest.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        # The adapter records what is applied (config.spin: mode, mask path/sha256/metadata and the
        # unmasked model's fingerprint), so lm-eval writes the truth into the results file.
        if variant.mask_file is not None:
            lm.use_mask(variant.mask_file)
        else:
            lm.clear_mask(target=settings.spin.target)
        if variant.finetuned is not None:
            lm.use_finetuned(variant.finetuned[1], variant.finetuned[0])
        tracker = EvaluationTracker(output_path=str(tmp))
        model_args = _model_args_string(settings, variant.mask_file, variant.finetuned)
        results = lm_eval.simple_evaluate(
            model=lm, model_args=model_args, tasks=list(settings.tasks), limit=None, samples=samples_argument(documents),
            log_samples=True, evaluation_tracker=tracker, task_manager=task_manager,
            batch_size=settings.batch_size, device=settings.device, bootstrap_iters=settings.bootstrap_iters,
            **evaluation_kwargs(settings),
        )
    finally:
        lm.clear_mask()
        if variant.finetuned is not None:
            lm.clear_finetuned()
    if results is None:
        raise SpinEvalError(f"lm-eval returned no results for variant {variant.name}")
    samples = results.pop("samples")
    results["config"]["model"] = "spin_hf"
    results["config"]["spin_eval_variant"] = variant.name
    # lm-eval records limit=None when documents are chosen with samples=; keep the user's limit visible.
    results["config"]["limit"] = settings.limit
    results["config"]["spin_eval_gen_limit"] = settings.gen_limit
    results["config"]["spin_eval_documents"] = documents_note or ("all" if documents is None else "stratified per task")
    # lm_eval --samples JSON: with config.model_args it reproduces this variant on its own.
    results["config"]["spin_eval_samples"] = samples_argument(documents)
    options = settings.evaluation_options()
    if "model_args" in options:  # lm-eval's config.model_args is the whole string; keep the extras visible
        options["spin_eval_model_args"] = options.pop("model_args")
    results["config"].update(options)
    tracker.save_results_aggregated(results=results, samples=samples)
    for task_name in results["configs"]:
        tracker.save_results_samples(task_name=task_name, samples=samples[task_name])
    if not list(tmp.glob("*/results_*.json")):
        raise SpinEvalError(f"lm-eval did not write results for variant {variant.name} into {tmp}")
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return time.perf_counter() - start


def variant_finished(manifest: Manifest, runs_dir: Path, variant: Variant) -> bool:
    """Whether the manifest records ``variant`` as done and its run folder exists (then it is not redone)."""
    return manifest.variant_done(variant.name) and (runs_dir / variant.name).is_dir()


def evaluate_and_record(lm: Any, variant: Variant, settings: RunSettings, task_manager: Any, runs_dir: Path,
                        documents: dict[str, list[int]] | None, manifest: Manifest,
                        documents_note: str | None = None) -> float:
    """Evaluate one variant into ``runs_dir/<name>`` with the manifest marking it running, then done (with
    wall and CPU seconds); the one evaluate-and-record step of ``spin-eval run`` and ``spin-eval sweep``."""
    manifest.mark_variant(variant.name, "running", started=_now(),
                          mask=f"{MASKS_SUBDIR}/{variant.mask_file.name}" if variant.mask_file else None)
    c0 = time.process_time()
    seconds = evaluate_variant(lm, variant, settings, task_manager, runs_dir / variant.name, documents, documents_note)
    manifest.mark_variant(variant.name, "done", finished=_now(), seconds=round(seconds, 1),
                          cpu_seconds=round(time.process_time() - c0, 1))
    return seconds

def load_shared_model(settings: RunSettings):
    """The ``spin_hf`` model loaded once with ``spin=none`` (masks are applied per variant)."""
    from lm_eval.utils import simple_parse_args_string

    from spin_eval.adapter.spin_hf import SpinHFLM

    extra = simple_parse_args_string(",".join(f"{k}={v}" for k, v in parse_model_args(settings.model_args).items()))
    shown = "".join(f", {k}={v}" for k, v in extra.items())
    print(f"[model] loading {settings.model} (spin_hf, spin=none, {settings.dtype}, {settings.device}{shown})",
          file=sys.stderr)
    return SpinHFLM(pretrained=settings.model, spin="none", dtype=settings.dtype, device=settings.device,
                    batch_size=settings.batch_size, **extra)


def make_task_manager(settings: RunSettings):
    """lm-eval's task manager for ``settings.tasks`` (:mod:`spin_eval.task_index`: the built-in index is
    read only when a task needs it)."""
    from spin_eval.paths import tasks_dir
    from spin_eval.task_index import task_manager_for

    include = [str(tasks_dir())] + [str(Path(p)) for p in settings.include_path]
    for p in settings.include_path:
        if not Path(p).is_dir():
            raise InputError(f"--include-path {p}: no such folder")
    # lm-eval's task metadata; the awareness tasks' generation variants read their judge from it.
    metadata = {"judge": settings.judge} if settings.judge is not None else {}
    if settings.data_files:  # --metadata data_files (spin_eval.datafiles checked every task reads it)
        metadata["data_files"] = list(settings.data_files)
    return task_manager_for(include, settings.tasks, metadata or None)


def check_tasks_exist(task_manager: Any, tasks: tuple[str, ...]) -> None:
    known = set(task_manager.all_tasks)
    missing = [t for t in tasks if t not in known]
    if missing:
        from spin_eval.suites import unknown_task_message

        raise InputError(unknown_task_message(missing, known))
