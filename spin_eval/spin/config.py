"""SpinConfig: every setting that decides which weights SPIN zeroes (frozen, validated on creation).

Runtime-only settings (batch size, progress bars, device, ranks, shards) are not SpinConfig fields: they
never change the mask, so they are neither saved in mask metadata nor part of the mask cache key. The
ones a user sets live in ``ScoringOptions``. Field metadata (``help``, ``kind``, ``choices``) drives the
CLI flags and the ``spin_hf`` model_args through ``spin_eval.spin.settings``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from spin_eval.constants import EMBEDDED_MODEL_SPEC, PAPER_RATIO
from spin_eval.errors import InputError
from spin_eval.spin.calibration import CALIBRATION_VARIANTS, SEPARATORS

Target = Literal["mlp", "attn", "all"]
Selection = Literal[
    "paper",
    "reference",
    "random",
    "magnitude-random",
    "general-only",
    "fairness-only",
    "privacy-only",
]

TARGETS: tuple[str, ...] = ("mlp", "attn", "all")
SPIN_SELECTIONS: tuple[str, ...] = ("paper", "reference")
CONTROL_SELECTIONS: tuple[str, ...] = (
    "random",
    "magnitude-random",
    "general-only",
    "fairness-only",
    "privacy-only",
)
SELECTIONS: tuple[str, ...] = SPIN_SELECTIONS + CONTROL_SELECTIONS

#: Default ratio for the embedded SmolLM2-135M, set by measurement (docs/spin.md): at the paper's 5e-7
#: a 135M model gets floor(5e-7 * 884,736) = 0 weights per MLP matrix, so nothing would be zeroed.
#: Rule fixed before measuring: the smallest of {1e-5, 3e-5, 1e-4, 3e-4, 1e-3} at which all 90 MLP
#: matrices get at least one coupled weight (shipped sets, 64 samples each): 1e-4 -> 1,173 weights.
EMBEDDED_DEFAULT_RATIO = 1e-4


def default_ratio(model_spec: Any) -> float:
    """The default p = q for a model spec: measured value for the embedded SmolLM2, the paper's 5e-7 otherwise.

    ``model_spec`` is a spec string (``"smollm2"``) or a ``spin_eval.modelspec.ModelSpec`` (its
    ``embedded`` flag decides).
    """
    embedded = getattr(model_spec, "embedded", None)
    if embedded is None:
        embedded = str(model_spec).strip().lower() == EMBEDDED_MODEL_SPEC
    return EMBEDDED_DEFAULT_RATIO if embedded else PAPER_RATIO


#: Runtime keys older versions stored in a config's metadata; ``SpinConfig.from_dict`` ignores them.
LEGACY_RUNTIME_KEYS = ("batch_size",)


@dataclass(frozen=True)
class SpinConfig:
    """Settings of one SPIN mask. All fields go into the mask metadata and the cache key."""

    p: float = field(
        default=PAPER_RATIO, metadata={"help": "general top fraction G per matrix", "kind": "ratio"}
    )
    q: float = field(
        default=PAPER_RATIO,
        metadata={"help": "fairness (F) and privacy (P) top fraction per matrix", "kind": "ratio"},
    )
    target: str = field(
        default="mlp",
        metadata={"help": "Linear layers to score: mlp (gate/up/down), attn, all", "kind": "choice", "choices": TARGETS},
    )
    selection: str = field(
        default="paper",
        metadata={
            "help": "paper: (F-G)&(P-G); reference: the public code's positional AND; others are control masks",
            "kind": "choice",
            "choices": SELECTIONS,
        },
    )
    nsamples: int = field(default=128, metadata={"help": "calibration samples drawn from each set", "kind": "int"})
    seed: int = field(default=0, metadata={"help": "seed of the calibration sampling", "kind": "int"})
    chat_template: bool = field(
        default=False,
        metadata={"help": "wrap prompts in the tokenizer's chat template (default: raw text)", "kind": "bool"},
    )
    general: str | None = field(
        default=None, metadata={"help": "general calibration set: CSV/JSONL with prompt,response or a hub dataset id", "kind": "str"}
    )
    fairness: str | None = field(
        default=None, metadata={"help": "fairness-aware calibration set (CSV/JSONL or hub id)", "kind": "str"}
    )
    privacy: str | None = field(
        default=None, metadata={"help": "privacy-aware calibration set (CSV/JSONL or hub id)", "kind": "str"}
    )
    control_seed: int = field(default=0, metadata={"help": "seed of the control-mask draws", "kind": "int"})
    calibration: str = field(
        default="aware",
        metadata={
            "help": "shipped fairness/privacy sets: aware, or malicious (the same prompts with unaware answers; "
            "robustness experiments only; the general set is unchanged)",
            "kind": "choice",
            "choices": CALIBRATION_VARIANTS,
        },
    )
    max_length: int = field(
        default=1024, metadata={"help": "token limit per sample (prompt cut from the left)", "kind": "int"}
    )
    separator: str = field(
        default="newline",
        metadata={
            "help": "raw mode: newline (prompt, then '\\n' + response; the newline is the first scored token), "
            "newline-unscored (the newline is context), none (no separator); see docs/spin.md",
            "kind": "choice",
            "choices": SEPARATORS,
        },
    )
    sets: str | None = field(
        default=None,
        metadata={"help": "a named calibration set NAME=FILE beside general/fairness/privacy (repeatable; "
                  "spin_eval.spin.namedsets)", "kind": "sets", "flag": "--set"},
    )
    couple: str | None = field(
        default=None,
        metadata={"help": "the sets whose coupled weights are zeroed, A,B[,C...] (default fairness,privacy)",
                  "kind": "names"},
    )
    general_set: str | None = field(
        default=None,
        metadata={"help": "the general (utility) set, by name (default general)", "kind": "str", "metavar": "NAME"},
    )

    def __post_init__(self) -> None:
        for name in ("p", "q"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"SpinConfig.{name}={value!r} is not a number; give a ratio in [0, 1], e.g. 1e-3")
            if not 0.0 <= float(value) <= 1.0:
                raise InputError(f"SpinConfig.{name}={value!r} is outside [0, 1]; give a ratio such as 5e-7 or 1e-3")
        if self.target not in TARGETS:
            raise InputError(f"SpinConfig.target={self.target!r} is unknown; choose one of {', '.join(TARGETS)}")
        if self.selection not in SELECTIONS:
            raise InputError(
                f"SpinConfig.selection={self.selection!r} is unknown; choose one of {', '.join(SELECTIONS)}"
            )
        for name in ("nsamples", "max_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"SpinConfig.{name}={value!r} must be a positive integer")
        if self.max_length < 2:
            raise InputError(f"SpinConfig.max_length={self.max_length} leaves no room for a response; use >= 2")
        for name in ("seed", "control_seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"SpinConfig.{name}={value!r} must be a non-negative integer")
        if not isinstance(self.chat_template, bool):
            raise InputError(f"SpinConfig.chat_template={self.chat_template!r} must be true or false")
        for name in ("general", "fairness", "privacy"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InputError(f"SpinConfig.{name}={value!r} must be a file path, a hub dataset id, or None")
        if self.separator not in SEPARATORS:
            raise InputError(f"SpinConfig.separator={self.separator!r} is unknown; choose one of {', '.join(SEPARATORS)}")
        if self.calibration not in CALIBRATION_VARIANTS:
            raise InputError(
                f"SpinConfig.calibration={self.calibration!r} is unknown; choose one of {', '.join(CALIBRATION_VARIANTS)}"
            )
        if self.sets is not None or self.couple is not None or self.general_set is not None:
            named = self.named_sets()
            if self.calibration != "aware":
                raise InputError(f"calibration={self.calibration} cannot be combined with named sets (--set, --couple, "
                                 "--general-set); build the malicious experiment with the default sets")
            if self.selection == "reference" and len(named.couple) != 2:
                raise InputError(f"--selection reference: the reference code's positional mode is defined for two "
                                 f"coupled sets (got {len(named.couple)}); use --selection paper")
        if self.calibration != "aware" and (self.fairness is not None or self.privacy is not None):
            raise InputError(
                f"calibration={self.calibration} replaces the shipped fairness and privacy sets; drop --fairness/--privacy "
                "(spin_fairness/spin_privacy) or use --calibration aware"
            )

    @property
    def is_control(self) -> bool:
        return self.selection in CONTROL_SELECTIONS

    def named_sets(self):
        """The calibration sets this config scores and couples (:class:`spin_eval.spin.namedsets.NamedSets`):
        the default three when no set is named; otherwise the general set, the coupled sets and every
        ``--set``, each scored once."""
        from spin_eval.spin.namedsets import named_sets_of

        return named_sets_of(self)

    def to_dict(self) -> dict[str, Any]:
        """All fields, JSON-able, in declaration order; ``calibration`` only when not the default ``aware`` and
        the named-set fields only when given, so masks made before the fields existed keep their metadata and
        cache key."""
        out = asdict(self)
        if out["calibration"] == "aware":
            del out["calibration"]
        for name in ("sets", "couple", "general_set"):
            if out[name] is None:
                del out[name]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpinConfig":
        """A SpinConfig from ``to_dict()`` output (mask/score metadata); runtime keys that older versions
        stored there (``batch_size``) are ignored, any other unknown key is refused by name (never dropped)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in names and k not in LEGACY_RUNTIME_KEYS)
        if unknown:
            raise InputError(f"SPIN config: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(names))}); "
                             "a mask or score file of a newer spin-eval, or edited metadata")
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ScoringOptions:
    """Runtime knobs of scoring that never change the mask (not in metadata, not in the cache key)."""

    batch_size: int = field(
        default=1,
        metadata={"help": "calibration samples per forward/backward pass; per-sample gradients stay exact", "kind": "int"},
    )

    def __post_init__(self) -> None:
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InputError(f"batch_size={self.batch_size!r} must be a positive integer")
