"""``spin-eval tune``: fine-tune a model on a calibration-format set (LoRA, DoRA or full) as a baseline."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError

DESCRIPTION = """\
Fine-tune a model on prompt/response pairs, the way the SPIN paper's seesaw baselines are made, with the
same response-only loss and tokenisation as SPIN's calibration (one definition, reused). --data names a
shipped set (general, fairness, privacy, or mix = half fairness, half privacy; malicious-fairness,
malicious-privacy, malicious-mix: the same prompts with unaware answers, for robustness experiments only) or
a CSV/JSONL file with prompt and response columns. Seeded and deterministic on CPU.

LoRA and DoRA write a PEFT adapter folder, full fine-tuning a delta-weights folder (tuned - base); both
carry spin_eval_tune.json (base model fingerprint, data sha256, method, hyperparameters, versions) and
load in lm-eval unchanged:

  spin-eval tune --method lora --data privacy -o tuned/sft-privacy
  lm_eval --model hf --model_args pretrained=BASE,peft=tuned/sft-privacy --tasks ...
  lm_eval --model spin_hf --model_args pretrained=smollm2,peft=tuned/sft-privacy --tasks ...
  spin-eval tune --method full --data mix -o tuned/full-mix
  lm_eval --model hf --model_args pretrained=BASE,delta=tuned/full-mix --tasks ...

Artifacts are cached under $SPIN_EVAL_CACHE/tuned/<sha256 of the recipe>, so the same recipe trains once;
-o copies the cached folder (it must not exist). An interrupted run leaves no half-written folder.
"""

#: TuneConfig fields that are not plain flags, and the help of each flag.
_HELP = {
    "method": "lora, dora (PEFT) or full fine-tuning (default lora)",
    "data": "general, fairness, privacy, mix, malicious-fairness, malicious-privacy, malicious-mix (robustness "
            "experiments), or a CSV/JSONL file with prompt/response (default privacy)",
    "nsamples": "rows drawn from the set, seeded (default 64)",
    "steps": "optimiser steps (default 32)",
    "batch_size": "rows per step (default 4)",
    "learning_rate": "learning rate (default 2e-4 for LoRA/DoRA, 1e-5 for full)",
    "lora_r": "LoRA rank (default 8)",
    "lora_alpha": "LoRA alpha (default 16)",
    "lora_dropout": "LoRA dropout (default 0)",
    "target_modules": "comma-separated linear layers to train (default: every attention and MLP projection)",
    "seed": "seed of the data draw, the adapter's initialisation and the data order (default 0)",
    "max_length": "tokens per sample; long prompts lose tokens from the left (default 512)",
    "chat_template": "wrap prompts in the tokenizer's chat template (default: raw prompt + newline)",
}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def register(subparsers: Any) -> None:
    from spin_eval.tune.config import TuneConfig

    parser = subparsers.add_parser(
        "tune", help="fine-tune a baseline (LoRA, DoRA, full) on a calibration-format set",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="smollm2", help="model spec (default: smollm2, the embedded default)")
    for f in fields(TuneConfig):
        if f.type in ("bool",) or isinstance(f.default, bool):
            parser.add_argument(_flag(f.name), action="store_true", help=_HELP[f.name])
        else:
            parser.add_argument(_flag(f.name), default=None, metavar=f.name.upper(), help=_HELP[f.name])
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="also copy the artifact to this new folder (default: print the cache path)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.set_defaults(handler=handle)


def _convert(name: str, text: str, default: Any) -> Any:
    if name == "target_modules":
        return tuple(part.strip() for part in text.split(",") if part.strip())
    if name in ("method", "data"):
        return text
    kind = float if name in ("learning_rate", "lora_dropout") else int
    try:
        return kind(text)
    except ValueError:
        raise InputError(f"tune {_flag(name)} {text!r}: not a number; give e.g. {default if default is not None else 1e-4}") from None


def config_from_args(args: argparse.Namespace):
    from spin_eval.tune.config import TuneConfig

    values = {}
    for f in fields(TuneConfig):
        given = getattr(args, f.name)
        if isinstance(f.default, bool):
            values[f.name] = bool(given)
        elif given is not None:
            values[f.name] = _convert(f.name, given, f.default)
    return TuneConfig(**values)


def handle(args: argparse.Namespace) -> int:
    from spin_eval.preflight import preflight
    from spin_eval.tune.config import SHIPPED_SETS
    from spin_eval.tune.job import tune_baseline

    config = config_from_args(args)
    if args.output is not None:
        from spin_eval.outputs import check_output_folder

        data = None if config.data in SHIPPED_SETS else config.data
        check_output_folder(args.output, "-o", inputs={"--data": data, "--model": args.model}, writes=("",))
    preflight(model=args.model, device=args.device)
    result = tune_baseline(args.model, config, output=args.output, device=args.device)
    losses = result.provenance.get("losses") or []
    how = "loaded from cache" if result.cached else "trained"
    first_last = f"; loss {losses[0]:.3f} -> {losses[-1]:.3f}" if losses else ""
    print(f"{config.method} on {config.data} ({how}{first_last}): {result.path}")
    kind = "delta" if config.method == "full" else "peft"
    print(f"evaluate it with: lm_eval --model spin_hf --model_args pretrained={args.model},{kind}={result.path} --tasks ...")
    return 0
