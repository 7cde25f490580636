"""Fine-tuning baselines as run variants: ``spin-eval run --baselines sft-privacy,full-mix``.

A baseline name is ``METHOD-DATA``: METHOD ``lora``, ``dora`` or ``full`` (``sft`` is LoRA, the paper's
usual parameter-efficient baseline), DATA a shipped set (``general``, ``fairness``, ``privacy``, ``mix``, or
a malicious twin ``malicious-fairness``, ``malicious-privacy``, ``malicious-mix`` for the robustness
experiment: ``sft-malicious-mix``). The name splits at its first hyphen.
Each is trained with TuneConfig's defaults (``steps`` from ``--tune-steps``) and the run's seed, cached by
recipe, and evaluated on the same documents and settings as base, SPIN and the controls.
"""

from __future__ import annotations

from spin_eval.errors import InputError
from spin_eval.tune.config import METHODS, SHIPPED_SETS, TuneConfig

#: The documented default set of baselines (the paper's seesaw: privacy SFT, fairness SFT, the mix).
DEFAULT_BASELINES: tuple[str, ...] = ("sft-privacy", "sft-fairness", "sft-mix")
METHOD_ALIASES = {"sft": "lora"}


def parse_baseline(name: str) -> tuple[str, str]:
    """``(method, data)`` of a baseline name; InputError naming the flag and the accepted forms."""
    method, _, data = name.partition("-")
    method = METHOD_ALIASES.get(method, method)
    if method not in METHODS or data not in SHIPPED_SETS:
        raise InputError(
            f"--baselines {name!r}: use METHOD-DATA with METHOD one of sft (= lora), {', '.join(METHODS)} and DATA "
            f"one of {', '.join(SHIPPED_SETS)}, e.g. {','.join(DEFAULT_BASELINES)}"
        )
    return method, data


def check_baselines(names: tuple[str, ...]) -> None:
    seen = set()
    for name in names:
        parse_baseline(name)
        if name in seen:
            raise InputError(f"--baselines: {name!r} is listed twice")
        seen.add(name)


def baseline_config(name: str, *, steps: int | None, seed: int, nsamples: int | None = None) -> TuneConfig:
    """The TuneConfig of baseline ``name`` (TuneConfig's defaults where ``steps``/``nsamples`` are None)."""
    method, data = parse_baseline(name)
    extra = {} if steps is None else {"steps": steps}
    if nsamples is not None:
        extra["nsamples"] = nsamples
    return TuneConfig(method=method, data=data, seed=seed, **extra)


def artifact_kind(config: TuneConfig) -> str:
    """The model_arg that loads the artifact: ``peft`` (LoRA/DoRA) or ``delta`` (full fine-tuning)."""
    return "delta" if config.method == "full" else "peft"
