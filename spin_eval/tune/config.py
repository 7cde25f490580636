"""TuneConfig: every setting that decides a fine-tuned artifact (frozen, validated on creation)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from spin_eval.errors import InputError

Method = Literal["lora", "dora", "full"]
METHODS: tuple[str, ...] = ("lora", "dora", "full")
#: Names of the shipped training sets: the three calibration sets and a 50/50 fairness + privacy mix, and
#: the malicious twins of fairness, privacy and the mix (the same prompts with unaware answers; robustness
#: experiments only, ``spin_eval/datagen/malicious.py``).
SHIPPED_SETS: tuple[str, ...] = (
    "general", "fairness", "privacy", "mix", "malicious-fairness", "malicious-privacy", "malicious-mix",
)
MALICIOUS_PREFIX = "malicious-"
#: Linear layers trained by default (every attention and MLP projection of a Llama-style block). Full
#: fine-tuning trains the same weights and freezes the embeddings and the head, so that the saved delta
#: is exact under lm-eval's ``delta=`` (which adds every state-dict entry, twice for tied embeddings).
DEFAULT_TARGET_MODULES: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
#: Learning rate per method when none is given (PEFT's usual LoRA rate; full fine-tuning needs less).
DEFAULT_LEARNING_RATE = {"lora": 2e-4, "dora": 2e-4, "full": 1e-5}


@dataclass(frozen=True)
class TuneConfig:
    """What to train, on what, and how long. Saved in the artifact's provenance and its cache key."""

    method: Method = "lora"
    data: str = "privacy"  # a shipped set name (SHIPPED_SETS) or a CSV/JSONL file with prompt/response
    nsamples: int = 64  # rows drawn (seeded) from the set; the mix takes half from fairness, half from privacy
    steps: int = 32  # optimiser steps
    batch_size: int = 4
    learning_rate: float | None = None  # None: DEFAULT_LEARNING_RATE[method]
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    target_modules: tuple[str, ...] = DEFAULT_TARGET_MODULES
    seed: int = 0
    max_length: int = 512
    chat_template: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"tune: method {self.method!r} is unknown; use one of {', '.join(METHODS)}")
        for name in ("nsamples", "steps", "batch_size", "lora_r", "lora_alpha", "max_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"tune: {name} must be a positive integer, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"tune: seed must be a non-negative integer, got {self.seed!r}")
        lr = self.learning_rate
        if lr is not None and (not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0):
            raise InputError(f"tune: learning rate must be a finite number > 0, got {lr!r}")
        if not (isinstance(self.lora_dropout, (int, float)) and 0 <= self.lora_dropout < 1):
            raise InputError(f"tune: lora dropout must lie in [0, 1), got {self.lora_dropout!r}")
        if not self.target_modules or not all(isinstance(m, str) and m for m in self.target_modules):
            raise InputError("tune: target modules must be a non-empty list of module names (e.g. q_proj,v_proj)")
        if not isinstance(self.data, str) or not self.data.strip():
            raise InputError(f"tune: data must name a shipped set ({', '.join(SHIPPED_SETS)}) or a file")

    @property
    def lr(self) -> float:
        return float(self.learning_rate if self.learning_rate is not None else DEFAULT_LEARNING_RATE[self.method])

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["target_modules"] = list(self.target_modules)
        out["learning_rate"] = self.lr
        return out
