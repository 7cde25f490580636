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

Only this module and ``spin_eval/cli/run.py`` touch files for the run; pure helpers compute the summary.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError, SpinEvalError
from spin_eval.fileio import copy_file_atomic, read_json, sha256_json, write_json_atomic
from spin_eval.results.runfolder import MASKS_SUBDIR, RUN_MANIFEST, RUNS_SUBDIR

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
#: Default tasks: the offline suite (fairness, privacy, over-refusal, capability).
DEFAULT_TASKS = ("spin_suite",)
#: Default documents per task for each variant, chosen by measurement for the 15-minute target on
#: 2 CPU cores (docs/pipeline.md): loglikelihood tasks (multiple choice, perplexity) cost ~0.5 CPU-s
#: per request on SmolLM2, generation tasks ~7.5 CPU-s per request, so generation tasks get fewer.
DEFAULT_LIMIT = 60
DEFAULT_GEN_LIMIT = 20
#: Default --budget in minutes (used when no --limit is given): the 15-minute default run.
DEFAULT_BUDGET = 15.0
#: Default control mask(s).
DEFAULT_CONTROLS = ("magnitude-random",)
#: Controls drawn from the SPIN mask alone; the others need importance scores.
MASK_ONLY_CONTROLS = ("random", "magnitude-random")
SCORE_CONTROLS = ("general-only", "fairness-only", "privacy-only")
ALL_CONTROLS = MASK_ONLY_CONTROLS + SCORE_CONTROLS
REPORT_FORMATS = ("html", "md", "json")


#: The run's own defaults for SPIN settings (fewer samples and batched scoring to fit the 15-minute budget).
RUN_SPIN_DEFAULTS = {"nsamples": 32, "batch_size": 8}


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides what a run computes. Its hash guards resuming into an existing folder.

    The SPIN fields mirror ``SpinConfig`` (flags made by ``spin_eval.spin.settings``); ``score_batch_size``
    is ``ScoringOptions.batch_size``.
    """

    model: str = "smollm2"
    tasks: tuple[str, ...] = DEFAULT_TASKS
    limit: float | None = DEFAULT_LIMIT
    gen_limit: float | None = DEFAULT_GEN_LIMIT
    mask: str | None = None
    p: float | None = None
    q: float | None = None
    target: str = "mlp"
    selection: str = "paper"
    nsamples: int = RUN_SPIN_DEFAULTS["nsamples"]
    score_batch_size: int = RUN_SPIN_DEFAULTS["batch_size"]
    seed: int = 0
    control_seed: int = 0
    calibration: str = "aware"
    """Shipped fairness/privacy sets of the SPIN mask: ``aware`` or ``malicious`` (robustness experiment)."""
    general: str | None = None
    fairness: str | None = None
    privacy: str | None = None
    chat_template: bool = False
    max_length: int = 1024
    separator: str = "newline"
    controls: tuple[str, ...] = DEFAULT_CONTROLS
    batch_size: int | str = 8
    bootstrap_iters: int = 1000
    budget: float | None = None
    """Minutes for the whole run: documents per task planned from a timed pilot (``--limit`` overrides)."""
    include_path: tuple[str, ...] = ()
    dtype: str = "float32"
    device: str = "cpu"
    # lm-eval's evaluation options, passed through with lm-eval's names and semantics (EVAL_OPTIONS).
    apply_chat_template: bool | str = False
    fewshot_as_multiturn: bool | None = None
    system_instruction: str | None = None
    num_fewshot: int | None = None
    gen_kwargs: str | None = None
    model_args: str = ""
    judge: str | None = None
    baselines: tuple[str, ...] = ()
    """Fine-tuning baselines evaluated beside SPIN (``spin_eval.tune.baselines``: e.g. ``sft-privacy``)."""
    tune_steps: int | None = None
    """Optimiser steps of every baseline (None: TuneConfig's default)."""
    data_sizes: tuple[int, ...] = ()
    """The limited-data experiment (``spin_eval.tune.sizes``): a SPIN mask and every baseline per size."""
    metric_facts: tuple = ()
    """Validated ``--metric-facts`` entries (``spin_eval.metrics.user_facts``), recorded in the manifest."""
    data_files: tuple[str, ...] = ()
    """``--metadata data_files``: BBQ-schema files for bbq / spin_bbq (``spin_eval.datafiles``)."""

    def __post_init__(self) -> None:
        if not self.tasks:
            raise InputError("--tasks is empty; give task or group names, e.g. --tasks spin_suite")
        check_controls(self.controls)
        if self.mask is not None and (self.p is not None or self.q is not None):
            raise InputError("--mask cannot be combined with --p/--q: the mask file already fixes the ratios")
        if self.calibration != "aware" and (self.mask is not None or self.fairness or self.privacy):
            raise InputError(f"--calibration {self.calibration} cannot be combined with --mask, --fairness or --privacy: "
                             "it replaces the shipped fairness and privacy sets of the mask it builds")
        for flag, value in (("--limit", self.limit), ("--gen-limit", self.gen_limit)):
            if value is not None and (not math.isfinite(value) or value <= 0):
                raise InputError(f"{flag} {value}: must be a positive finite number (a count, or a fraction < 1), or none")
        if self.budget is not None and (not math.isfinite(self.budget) or self.budget <= 0):
            raise InputError(f"--budget {self.budget}: must be a positive finite number of minutes")
        from spin_eval.pipeline.validate import check_spin_settings

        check_spin_settings(self)
        check_batch_size(self.batch_size)
        if self.bootstrap_iters < 0:
            raise InputError(f"--bootstrap-iters {self.bootstrap_iters}: must be >= 0")
        if self.num_fewshot is not None and self.num_fewshot < 0:
            raise InputError(f"--num-fewshot {self.num_fewshot}: must be >= 0")
        if self.fewshot_as_multiturn and not self.apply_chat_template:
            raise InputError("--fewshot-as-multiturn needs --apply-chat-template (lm-eval's rule)")
        parse_model_args(self.model_args)
        parse_pairs("--gen-kwargs", self.gen_kwargs)
        from spin_eval.tune.baselines import check_baselines

        check_baselines(self.baselines)
        if self.tune_steps is not None and (isinstance(self.tune_steps, bool) or self.tune_steps < 1):
            raise InputError(f"--tune-steps {self.tune_steps}: must be a positive number of steps")
        from spin_eval.tune.sizes import check_data_sizes

        check_data_sizes(self.data_sizes)
        if self.data_sizes and self.mask is not None:
            raise InputError("--data-sizes cannot be combined with --mask: it builds a SPIN mask at each size")

    def key(self) -> str:
        """Hash of the settings that change results (not device, batch sizes or placement model_args).

        lm-eval options left at their defaults are left out, so run folders written before they existed
        keep resuming."""
        data = asdict(self)
        for runtime in ("device", "batch_size", "score_batch_size"):
            data.pop(runtime)
        data["model_args"] = ",".join(f"{k}={v}" for k, v in parse_model_args(self.model_args).items()
                                      if k not in RUNTIME_MODEL_ARGS)
        for name, default in EVAL_OPTION_DEFAULTS.items():
            if data[name] == default:
                data.pop(name)
        if data.get("budget") is None:  # runs made before --budget existed keep their key (resumable)
            data.pop("budget", None)
        for name in ("baselines", "tune_steps", "metric_facts", "data_sizes", "data_files"):  # likewise for runs made before these existed
            if not data.get(name):
                data.pop(name, None)
        if data.get("calibration") == "aware":
            data.pop("calibration")
        return sha256_json(data)

    def evaluation_options(self) -> dict[str, Any]:
        """The lm-eval options that differ from lm-eval's defaults (for the manifest and the results)."""
        return {k: getattr(self, k) for k, default in EVAL_OPTION_DEFAULTS.items() if getattr(self, k) != default}


#: lm-eval evaluation options of RunSettings and their defaults (lm-eval's own).
EVAL_OPTION_DEFAULTS: dict[str, Any] = {
    "apply_chat_template": False, "fewshot_as_multiturn": None, "system_instruction": None, "num_fewshot": None,
    "gen_kwargs": None, "model_args": "", "judge": None,
}
#: model_args that place the model (devices, memory) without changing what it computes.
RUNTIME_MODEL_ARGS = ("parallelize", "device_map", "max_memory_per_gpu", "max_cpu_memory", "offload_folder",
                      "max_batch_size")
#: model_args that ``spin-eval run`` sets itself.
RESERVED_MODEL_ARGS = ("pretrained", "spin", "mask", "dtype", "device", "batch_size")


def check_controls(controls: tuple[str, ...]) -> None:
    """``--controls``: known control selections, each named once (shared by run and sweep)."""
    for c in controls:
        if c not in ALL_CONTROLS:
            raise InputError(f"--controls {c}: unknown control; choose from {', '.join(ALL_CONTROLS)} or none")
    if len(set(controls)) != len(controls):
        raise InputError(f"--controls {','.join(controls)}: a control is named twice")


def check_batch_size(value: int | str) -> None:
    """lm-eval's batch sizes: a positive integer, ``auto`` or ``auto:N``."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise InputError(f"--batch-size {value}: must be >= 1, auto or auto:N")
        return
    text = str(value)
    if text == "auto" or (text.startswith("auto:") and text[5:].isdigit() and int(text[5:]) > 0):
        return
    raise InputError(f"--batch-size {value}: give a positive integer, auto or auto:N (lm-eval's values)")


def parse_pairs(flag: str, text: str | None) -> dict[str, str]:
    """lm-eval's ``key=val,key2=val2`` syntax (model_args, gen_kwargs) as a dict, checked. Pure."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"{flag} {text}: {part!r} is not key=value (lm-eval's syntax: key=val,key2=val2)")
        out[key] = value.strip()
    return out


def parse_model_args(text: str) -> dict[str, str]:
    """Extra lm-eval model_args ``key=val,key2=val2`` (lm-eval's syntax), checked. Pure."""
    out = parse_pairs("--model-args", text)
    for key in out:
        if key in RESERVED_MODEL_ARGS:
            raise InputError(
                f"--model-args {key}=...: spin-eval run sets {key} itself; use "
                f"{'--model' if key == 'pretrained' else '--mask' if key in ('spin', 'mask') else '--' + key.replace('_', '-')}"
            )
        if key.startswith("spin_"):
            raise InputError(f"--model-args {key}=...: give SPIN settings with spin-eval run's own flags (--p, --q, ...)")
    return dict(sorted(out.items()))


@dataclass
class Variant:
    """One model variant to evaluate."""

    name: str
    mask_file: Path | None = None
    finetuned: tuple[str, str] | None = None
    """``(kind, folder)`` of a fine-tuning baseline: kind ``peft`` (LoRA/DoRA) or ``delta`` (full)."""


@dataclass
class RunOutcome:
    """What ``run_pipeline`` did, for the CLI's summary."""

    out_dir: Path
    variants: list[str]
    skipped: list[str] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    summary: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ manifest


class Manifest:
    """``OUT/spin-eval-run.json``: settings, and the status of every stage. Written atomically."""

    def __init__(self, out_dir: Path, settings: RunSettings, *, force: bool) -> None:
        self.path = out_dir / RUN_MANIFEST
        existing = None if force else read_json(self.path, fix="delete it or re-run with --force", missing_ok=True)
        if existing is not None and existing.get("settings_key") != settings.key():
            changed = settings_differences(existing.get("settings") or {}, settings)
            raise InputError(
                f"{out_dir} holds a run made with other settings ({self.path}"
                + (f"; differs in {changed}" if changed else "")
                + "); re-run with --force to redo it there, or choose another -o folder"
            )
        self.data: dict[str, Any] = existing or {
            "format_version": MANIFEST_VERSION,
            "created": _now(),
            "model_spec": settings.model,
            "settings": _jsonable(asdict(settings)),
            "settings_key": settings.key(),
            "evaluation_options": _jsonable(settings.evaluation_options()),
            "stages": {},
            "variants": {},
        }
        self.save()

    def save(self) -> None:
        self.data["updated"] = _now()
        write_json_atomic(self.path, self.data)

    def stage_done(self, name: str) -> bool:
        return (self.data["stages"].get(name) or {}).get("status") == "done"

    def mark(self, name: str, status: str, **info: Any) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(status=status, **info)
        self.save()

    def variant_done(self, name: str) -> bool:
        return (self.data["variants"].get(name) or {}).get("status") == "done"

    def mark_variant(self, name: str, status: str, **info: Any) -> None:
        entry = self.data["variants"].setdefault(name, {})
        entry.update(status=status, **info)
        self.save()


def settings_differences(recorded: dict[str, Any], settings: RunSettings) -> str:
    """``name: old -> new`` for every setting that differs from a manifest's recorded ones. Pure."""
    current = _jsonable(asdict(settings))
    out = []
    for name, value in current.items():
        old = recorded.get(name, EVAL_OPTION_DEFAULTS.get(name))
        if name not in ("device", "batch_size") and old != value:
            out.append(f"{name}: {old!r} -> {value!r}")
    return "; ".join(out)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}


# --------------------------------------------------------------------------------------------------- masks


def spin_config_for(settings: RunSettings, model_spec: Any):
    """The SpinConfig of the run's SPIN mask (``spin_eval.spin.settings``'s ratio rule: p per model, q = p)."""
    from dataclasses import fields

    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.settings import make_settings

    given = {f.name: getattr(settings, f.name) for f in fields(SpinConfig) if getattr(settings, f.name) is not None}
    return make_settings(given, model_spec, where="spin-eval run")[0]


def build_masks(lm: Any, settings: RunSettings, model_spec: Any, masks_dir: Path, *, force: bool) -> dict[str, Path]:
    """Write ``spin.safetensors`` and ``control-<selection>.safetensors`` into ``masks_dir``; reuse existing ones."""
    from dataclasses import replace

    from spin_eval.spin.io import load_mask, save_mask

    masks_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {name: masks_dir / file for name, file in mask_files(settings).items()}
    if not force and all(p.is_file() for p in out.values()):
        return out

    from spin_eval.spin.build import control_mask, load_or_build_masks

    model, tokenizer = lm.model, lm.tokenizer
    spin_path = out["spin"]
    config = None
    if settings.mask is not None:
        given = Path(settings.mask)
        spin_mask = load_mask(given)  # MaskError names the file when unreadable
        if force or not spin_path.is_file():
            copy_file_atomic(given, spin_path)
        cfg = spin_mask.metadata.get("config")
        if any(c in SCORE_CONTROLS for c in settings.controls):
            if not isinstance(cfg, dict):
                raise InputError(
                    f"--mask {given}: its metadata has no 'config', so score-based controls "
                    f"({', '.join(SCORE_CONTROLS)}) cannot be rebuilt; use --controls random,magnitude-random"
                )
            from spin_eval.spin.config import SpinConfig

            config = SpinConfig.from_dict(cfg)
    else:
        config = spin_config_for(settings, model_spec)
        if force or not spin_path.is_file():
            print(f"[masks] SPIN mask (p={config.p:g}, q={config.q:g}, nsamples={config.nsamples}): looking in the "
                  "mask cache, building it on a miss", file=sys.stderr)
            started = time.time()
            _, cached = load_or_build_masks(model, tokenizer, config, (config.selection,),
                                            batch_size=settings.score_batch_size)[config.selection]
            built = Path(cached).stat().st_mtime >= started - 1  # a cache hit leaves the file untouched
            print(f"[masks] SPIN mask {'built and cached' if built else 'loaded from the mask cache'}: {cached}",
                  file=sys.stderr)
            copy_file_atomic(cached, spin_path)
        spin_mask = load_mask(spin_path)

    todo = [c for c in settings.controls if force or not out[f"control-{c}"].is_file()]
    for c in todo:
        if c in MASK_ONLY_CONTROLS:
            print(f"[masks] control {c}", file=sys.stderr)
            save_mask(control_mask(model, spin_mask, c, settings.control_seed), out[f"control-{c}"])
    scored = tuple(c for c in todo if c in SCORE_CONTROLS)
    if scored:
        print(f"[masks] controls {', '.join(scored)} (one scoring pass, or the mask cache)", file=sys.stderr)
        built = load_or_build_masks(model, tokenizer, replace(config, control_seed=settings.control_seed), scored,
                                    batch_size=settings.score_batch_size)
        for c, (_, cached) in built.items():
            copy_file_atomic(cached, out[f"control-{c}"])
    from spin_eval.tune.sizes import spin_size_variants

    for name, n in spin_size_variants(settings.data_sizes).items():
        if force or not out[name].is_file():
            print(f"[masks] {name}: SPIN mask with nsamples={n} (the mask cache, or built)", file=sys.stderr)
            sized = replace(config, nsamples=n)
            _, cached = load_or_build_masks(model, tokenizer, sized, (sized.selection,),
                                            batch_size=settings.score_batch_size)[sized.selection]
            copy_file_atomic(cached, out[name])
    return out


def mask_files(settings: RunSettings) -> dict[str, str]:
    """``{variant: file name in OUT/masks}``: ``spin``, each control, each ``spin-nN`` of ``--data-sizes``."""
    from spin_eval.tune.sizes import spin_size_variants

    out = {"spin": "spin.safetensors"}
    out.update({f"control-{c}": f"control-{c}.safetensors" for c in settings.controls})
    out.update({name: f"{name}.safetensors" for name in spin_size_variants(settings.data_sizes)})
    return out


def variant_names(settings: RunSettings) -> list[str]:
    """Every variant of a run, in evaluation order: base, spin, controls, SPIN per size, baselines."""
    from spin_eval.tune.sizes import baseline_variants

    names = ["base", *mask_files(settings)]
    return names + list(baseline_variants(settings.baselines, settings.data_sizes, steps=None, seed=0))


# ---------------------------------------------------------------------------------------------- evaluation


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
            lm.clear_mask(target=settings.target)
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


def spread_indices(n: int, k: int) -> list[int]:
    """``k`` of ``n`` document indices spread evenly (a centred systematic sample; all when k >= n). Pure."""
    from spin_eval.taskdata import limit_indices

    return limit_indices(n, k, interleaved=False)


def shipped_task(name: str) -> bool:
    """Whether ``name`` is one of spin-eval's own tasks (its documents are interleaved over strata)."""
    from spin_eval.paths import tasks_dir

    return any(tasks_dir().glob(f"*/{name}.yaml"))


def leaf_tasks(task_dict: dict) -> dict[str, Any]:
    """Flatten lm-eval's nested task dict (groups -> subtasks) into {task name: Task}."""
    out: dict[str, Any] = {}
    for key, value in task_dict.items():
        if isinstance(value, dict):
            out.update(leaf_tasks(value))
        elif value is not None and hasattr(value, "eval_docs"):
            out[getattr(getattr(value, "config", None), "task", None) or str(key)] = value
    return out


def select_documents(
    task_manager: Any, tasks: tuple[str, ...], limit: float | None, gen_limit: float | None = None
) -> dict[str, list[int]] | None:
    """The documents every variant evaluates: ``limit`` per task (``gen_limit`` for generation tasks),
    stratified (:func:`spin_eval.taskdata.limit_indices`): the first N of a shipped task's documents, which
    its ``process_docs`` orders round-robin over every field its headline metrics break down by; spread
    evenly over the documents of any other task. ``None`` (no limit): every document.
    """
    if limit is None and gen_limit is None:
        return None
    import math

    from spin_eval.taskdata import limit_indices

    chosen = {}
    loaded = task_manager.load(list(tasks))
    for name, task in leaf_tasks(loaded["tasks"]).items():
        n = len(task.eval_docs)
        generative = getattr(task, "OUTPUT_TYPE", None) == "generate_until"
        cap = gen_limit if generative else limit
        k = n if cap is None else (math.ceil(n * cap) if cap < 1 else int(cap))
        chosen[name] = limit_indices(n, k, interleaved=shipped_task(name))
    return chosen


#: Seconds of the budget kept for the report stage.
REPORT_RESERVE_S = 60.0


def budget_documents(lm: Any, settings: RunSettings, task_manager: Any, manifest: Manifest, started: float,
                     n_variants: int) -> tuple[dict[str, list[int]], str]:
    """Documents per task for ``--budget``: a timed pilot, then :func:`spin_eval.pipeline.budget.plan`.

    The plan is stored in the manifest (stage ``budget``) and reused when the run resumes."""
    from dataclasses import asdict as _asdict

    from spin_eval.pipeline import pilot
    from spin_eval.pipeline.budget import plan
    from spin_eval.taskdata import limit_indices

    if manifest.stage_done("budget"):
        entry = manifest.data["stages"]["budget"]
        return {t: list(v) for t, v in entry["documents"].items()}, entry["note"]
    tasks = leaf_tasks(task_manager.load(list(settings.tasks))["tasks"])
    order = {name: limit_indices(len(t.eval_docs), len(t.eval_docs), interleaved=shipped_task(name))
             for name, t in tasks.items()}
    print(f"[budget] timing a pilot of every task for --budget {settings.budget:g} min", file=sys.stderr)
    costs = pilot.measure(lm, tasks, order, task_manager=task_manager, batch_size=settings.batch_size,
                          device=settings.device)
    left = settings.budget * 60.0 - (time.perf_counter() - started) - REPORT_RESERVE_S
    alloc = plan(costs, left, n_variants)
    documents = {name: limit_indices(len(order[name]), alloc.docs[name], shipped_task(name)) for name in tasks}
    note = alloc.describe()
    manifest.mark("budget", "done", documents=documents, note=note, allocation=_asdict(alloc),
                  costs=[_asdict(c) for c in costs])
    print(f"[budget] {note}", file=sys.stderr)
    return documents, note


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
    from lm_eval.tasks import TaskManager

    from spin_eval.paths import tasks_dir

    include = [str(tasks_dir())] + [str(Path(p)) for p in settings.include_path]
    for p in settings.include_path:
        if not Path(p).is_dir():
            raise InputError(f"--include-path {p}: no such folder")
    # lm-eval's task metadata; the awareness tasks' generation variants read their judge from it.
    metadata = {"judge": settings.judge} if settings.judge is not None else {}
    if settings.data_files:  # --metadata data_files (spin_eval.datafiles checked every task reads it)
        metadata["data_files"] = list(settings.data_files)
    return TaskManager(include_path=include, metadata=metadata or None)


def check_tasks_exist(task_manager: Any, tasks: tuple[str, ...]) -> None:
    known = set(task_manager.all_tasks)
    missing = [t for t in tasks if t not in known]
    if missing:
        from spin_eval.suites import unknown_task_message

        raise InputError(unknown_task_message(missing, known))


# -------------------------------------------------------------------------------------------------- summary


def summarize(out_dir: Path, variant_names: list[str], answer: list[str] | None = None) -> str:
    """The final summary table (family levels in points per variant) with one alignment-tax line per variant.

    The tax lines are the report's (``spin_eval.results.headline.headline_tax`` with the report's default
    resamples and seed), so the summary, the report and the leaderboard give one tax for one run.
    """
    from spin_eval.results.headline import family_levels, headline_tax
    from spin_eval.results.load import load_run
    from spin_eval.results.wording import tax_sentence

    runs = {v: load_run(out_dir / RUNS_SUBDIR / v, name=v) for v in variant_names}
    cols = ("fairness", "privacy", "overrefusal", "capability")
    header = f"{'variant':<28}" + "".join(f"{c + (' ↓' if c == 'overrefusal' else ' ↑'):>15}" for c in cols)
    lines = [header, "-" * len(header)]
    for v in variant_names:
        levels, _ = family_levels(runs[v])
        lines.append(f"{v:<28}" + "".join(f"{'n/a' if levels[c] is None else f'{levels[c]:.1f}':>15}" for c in cols))
    lines.append("")
    if answer:  # the report's answer sentences: changes, what was not detected, tax, verdict per control
        lines += ["answer (as in the report):"] + [f"  {line}" for line in answer]
    elif "base" in runs:
        lines += [f"alignment tax: {tax_sentence(v, headline_tax(runs['base'], runs[v]))}"
                  for v in variant_names if v != "base"]
    from spin_eval.results.nofacts import summary_line

    no_facts = summary_line(runs[variant_names[0]]) if variant_names else None
    lines += [no_facts] if no_facts else []
    lines.append("Points: mean goodness of the catalog's headline metrics (see docs/pipeline.md); the alignment tax "
                 "and paired CIs as in the report (docs/report.md), significance versus the controls in the report.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ pipeline


def write_reports(
    out_dir: Path, variant_names: list[str], formats: tuple[str, ...] = REPORT_FORMATS
) -> tuple[list[Path], list[str]]:
    """The comparative report over all variants (baseline ``base``) via spin_eval.report."""
    from spin_eval.report import compare_runs, load_run, write_report

    runs = [load_run(out_dir / RUNS_SUBDIR / v) for v in variant_names]
    comparison = compare_runs(runs, baseline="base")
    paths = []
    for fmt in formats:
        path = out_dir / f"report.{fmt}"
        write_report(comparison, path, fmt)
        paths.append(path)
    from spin_eval.report.answer import answer_lines

    return paths, answer_lines(comparison.answer)


def run_pipeline(settings: RunSettings, out_dir: str | Path, *, force: bool = False, report: bool = True) -> RunOutcome:
    """Run (or resume) the main job into ``out_dir`` through the folder safety shared with the sweep
    (``spin_eval.outputs.run_folder``: the lock held, ``force`` removes only the outputs the previous manifest
    recorded, no input may be an output)."""
    from spin_eval.outputs import planned_outputs, run_folder

    started = time.perf_counter()
    out_dir = Path(out_dir)
    outputs = planned_outputs(variant_names(settings), list(mask_files(settings).values()))
    inputs = {"--mask": settings.mask, "--general": settings.general, "--fairness": settings.fairness,
              "--privacy": settings.privacy, "--include-path": settings.include_path}
    from spin_eval.outputs import check_run_folder
    from spin_eval.pipeline.validate import check_run_inputs

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

    configs = baseline_variants(settings.baselines, settings.data_sizes, steps=settings.tune_steps, seed=settings.seed)
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
        from spin_eval.modelspec import resolve_model_spec

        model_spec = resolve_model_spec(settings.model)
        documents = select_documents(task_manager, settings.tasks, settings.limit, settings.gen_limit)
        lm = load_shared_model(settings)
        stage("masks")
        if masks_ready:
            print("already built (skipped)", file=sys.stderr)
        else:
            t0, c0 = time.perf_counter(), time.process_time()
            files = build_masks(lm, settings, model_spec, masks_dir, force=force)
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
            outcome.report_files, tax_lines = write_reports(out_dir, names)
            manifest.mark("report", "done", files=[p.name for p in outcome.report_files], tax=tax_lines)
    outcome.summary = summarize(out_dir, names, tax_lines)
    return outcome
