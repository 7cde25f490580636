"""argparse ``type=`` functions shared by the sub-commands: numbers parsed with finite / range checks and
names checked against their choices, each failing with a one-line ``ArgumentTypeError`` (the parser then
prints ``spin-eval: error: <flag>: <why>`` and exits 2; see ``spin_eval.cli.OneLineParser``)."""

from __future__ import annotations

import argparse
import math

#: ``--dtype`` values: "auto" and the torch floating-point dtype names HF ``from_pretrained`` accepts.
DTYPES = ("auto", "float32", "float16", "bfloat16", "float64", "half", "float", "double")


def finite_float(text: str) -> float:
    """A finite number (no nan, no inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a finite number")
    return value


def positive_float(text: str) -> float:
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r:.40} must be positive")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 written with digits only."""
    stripped = text.strip().lstrip("+")
    if not stripped.isdigit() or len(stripped) > 18:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a non-negative integer")
    return int(stripped)


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r:.40} must be a positive integer")
    return value


def dtype_name(text: str) -> str:
    """A model dtype: one of :data:`DTYPES`."""
    if text not in DTYPES:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a dtype; choose one of {', '.join(DTYPES)}")
    return text


def objectives(text: str) -> tuple[str, ...]:
    """``--objectives A,B``: two or more known, distinct objectives (spin_eval.metrics.objectives)."""
    from spin_eval.errors import InputError
    from spin_eval.metrics.objectives import parse_objectives

    try:
        return parse_objectives(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--objectives").lstrip(": ")) from None
