"""``RunSettings``: everything that decides what ``spin-eval run`` computes, with the run's defaults and the
checks of its flags (controls, batch size, lm-eval's ``key=val`` pairs). Its hash guards resuming into an
existing folder. Pure: no file access.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import sha256_json
from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, parse_objectives
from spin_eval.spin.config import ScoringOptions, SpinConfig
from spin_eval.stats import DEFAULT_RESAMPLES

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


#: SpinConfig's named-set fields, left out of the key and the manifest when not given.
NAMED_SET_FIELDS = ("sets", "couple", "general_set")

#: The run's own defaults for SPIN settings (fewer samples and batched scoring to fit the 15-minute budget).
RUN_SPIN_DEFAULTS = {"nsamples": 32, "batch_size": 8}


#: The flat names of the SPIN settings in the manifest's ``settings`` (and in :meth:`RunSettings.with_spin`), in
#: their recorded order: SpinConfig's fields, ScoringOptions' ``batch_size`` as ``score_batch_size``.
SPIN_NAMES = ("p", "q", "target", "selection", "nsamples", "score_batch_size", "seed", "control_seed", "calibration",
              "general", "fairness", "privacy", "chat_template", "max_length", "separator", "sets", "couple",
              "general_set")


def run_spin_settings(model: str, given: dict[str, Any] | None = None) -> tuple[SpinConfig, ScoringOptions]:
    """The run's SPIN settings: ``given`` (flat names, None = not given) over ``RUN_SPIN_DEFAULTS``, with the one
    ratio rule of ``spin_eval.spin.settings`` for ``model``. InputError names the run's flag."""
    from spin_eval.run.validate import check_spin_settings
    from spin_eval.spin.settings import make_settings

    values = {k: v for k, v in (given or {}).items() if v is not None}
    unknown = sorted(set(values) - set(SPIN_NAMES))
    if unknown:
        raise InputError(f"unknown SPIN setting(s) {', '.join(unknown)}; known: {', '.join(SPIN_NAMES)}")
    check_spin_settings(values)  # the run's flag names in the message, before any load
    named = {("batch_size" if k == "score_batch_size" else k): v for k, v in values.items()}
    return make_settings({**RUN_SPIN_DEFAULTS, **named}, model, where="spin-eval run")


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides what a run computes. Its hash guards resuming into an existing folder.

    The SPIN mask's settings are one ``SpinConfig`` (``spin``, ratios resolved by the one ratio rule) and one
    ``ScoringOptions`` (``scoring``), made from flags by :meth:`with_spin`; never copied field by field. The
    manifest records them flat (:meth:`record`), as run folders always did.
    """

    model: str = "smollm2"
    tasks: tuple[str, ...] = DEFAULT_TASKS
    limit: float | None = DEFAULT_LIMIT
    gen_limit: float | None = DEFAULT_GEN_LIMIT
    mask: str | None = None
    spin: SpinConfig | None = None
    """The SPIN mask's settings; None: the run's defaults for ``model`` (``RUN_SPIN_DEFAULTS``, the ratio rule).
    With ``mask`` only ``target`` and ``control_seed`` are used (the mask file fixes the rest)."""
    scoring: ScoringOptions | None = None
    """Scoring's runtime options (batch size); None: ``RUN_SPIN_DEFAULTS``."""
    controls: tuple[str, ...] = DEFAULT_CONTROLS
    batch_size: int | str = 8
    bootstrap_iters: int = DEFAULT_RESAMPLES
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
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES
    """``--objectives``: the conflict the run studies (``spin_eval.metrics.objectives``); the report's trust
    families, plane and tax follow it."""

    @classmethod
    def with_spin(cls, **kwargs: Any) -> "RunSettings":
        """RunSettings from the SPIN settings as flags give them (flat names of ``SPIN_NAMES``: ``p``, ``q``,
        ``nsamples``, ``score_batch_size``, ...; None = not given) beside the other fields."""
        given = {name: kwargs.pop(name) for name in SPIN_NAMES if name in kwargs}
        if kwargs.get("mask") is not None and (given.get("p") is not None or given.get("q") is not None):
            raise InputError("--mask cannot be combined with --p/--q: the mask file already fixes the ratios")
        calibration = given.get("calibration") or "aware"
        if calibration != "aware" and (kwargs.get("mask") is not None or given.get("fairness") or given.get("privacy")):
            raise InputError(f"--calibration {calibration} cannot be combined with --mask, --fairness or --privacy: "
                             "it replaces the shipped fairness and privacy sets of the mask it builds")
        spin, scoring = run_spin_settings(kwargs.get("model", cls.model), given)
        return cls(spin=spin, scoring=scoring, **kwargs)

    def __post_init__(self) -> None:
        if not self.tasks:
            raise InputError("--tasks is empty; give task or group names, e.g. --tasks spin_suite")
        if self.spin is None or self.scoring is None:
            spin, scoring = run_spin_settings(self.model)
            object.__setattr__(self, "spin", self.spin or spin)  # frozen: filled once, at creation
            object.__setattr__(self, "scoring", self.scoring or scoring)
        if not isinstance(self.spin, SpinConfig) or not isinstance(self.scoring, ScoringOptions):
            raise InputError("RunSettings.spin must be a SpinConfig and .scoring a ScoringOptions "
                             "(build them with RunSettings.with_spin)")
        parse_objectives(",".join(self.objectives))
        check_controls(self.controls)
        if self.mask is not None and self.spin.calibration != "aware":
            raise InputError(f"--calibration {self.spin.calibration} cannot be combined with --mask, --fairness or "
                             "--privacy: it replaces the shipped fairness and privacy sets of the mask it builds")
        for flag, value in (("--limit", self.limit), ("--gen-limit", self.gen_limit)):
            if value is not None and (not math.isfinite(value) or value <= 0):
                raise InputError(f"{flag} {value}: must be a positive finite number (a count, or a fraction < 1), or none")
        if self.budget is not None and (not math.isfinite(self.budget) or self.budget <= 0):
            raise InputError(f"--budget {self.budget}: must be a positive finite number of minutes")
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

    def record(self) -> dict[str, Any]:
        """The settings as one flat dict (the manifest's ``settings``, the layout run folders always had): the
        SPIN fields beside the others, ``score_batch_size`` for the scoring batch size, ``p``/``q`` None where
        the ratio rule gives them (q = p, p = the model's default) or a mask file fixes them. Pure."""
        from spin_eval.spin.config import default_ratio

        data = asdict(self)
        spin, scoring = data.pop("spin"), data.pop("scoring")
        ratio_rule = self.mask is not None or spin["p"] == default_ratio(self.model)
        spin["p"] = None if ratio_rule else spin["p"]
        spin["q"] = None if self.mask is not None or self.spin.q == self.spin.p else spin["q"]
        spin["score_batch_size"] = scoring["batch_size"]
        out: dict[str, Any] = {}
        for name, value in data.items():
            out[name] = value
            if name == "mask":
                # the separator left at its default is not recorded: run folders from before it existed keep
                # their settings and key
                out.update({k: spin[k] for k in SPIN_NAMES if not (k == "separator" and spin[k] == "newline")
                            and not (k in NAMED_SET_FIELDS and spin[k] is None)})
        if tuple(self.objectives) == DEFAULT_OBJECTIVES:  # likewise for runs made before --objectives
            out.pop("objectives")
        return out

    def key(self) -> str:
        """Hash of the settings that change results (not device, batch sizes or placement model_args).

        lm-eval options left at their defaults are left out, so run folders written before they existed
        keep resuming."""
        data = self.record()
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
        return sha256_json(data)  # record() already leaves out the default objectives and unset named sets

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
