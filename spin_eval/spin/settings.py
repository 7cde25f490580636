"""The one definition of SPIN's user-facing settings: ``SpinConfig`` and ``ScoringOptions`` fields become
CLI flags (``mask build``, ``mask plan``, ``run``) and ``spin_hf`` model_args (``spin_<field>``) here.

Each setting is a dataclass field with ``metadata={"help": ..., "kind": ...}``; ``kind`` (ratio, int,
bool, str, choice) decides how a command-line string or a model_arg value is parsed and checked.
Callers may rename a flag (``run`` calls the scoring batch size ``--score-batch-size``), change a shown
default (``run`` scores 32 samples) or narrow choices, but never re-declare a setting.

One rule for the ratios, everywhere: ``p`` defaults to ``default_ratio(model)`` (the measured 1e-4 for
the embedded smollm2, the paper's 5e-7 otherwise) and ``q`` defaults to ``p`` (given or defaulted).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import MISSING, Field, fields
from typing import Any

from spin_eval.errors import InputError, SpinEvalError
from spin_eval.spin.config import ScoringOptions, SpinConfig, default_ratio

#: Shown in every --help that offers --p / --q.
RATIO_RULE = (
    "p defaults to the model's default ratio (1e-4 for the embedded smollm2, the paper's 5e-7 for other "
    "models); q defaults to p"
)
_METAVARS = {"ratio": "R", "int": "N", "str": "FILE", "names": "A,B"}
#: Prefix of the adapter's model_args.
ADAPTER_PREFIX = "spin_"


def setting_fields() -> dict[str, Field]:
    """Every setting, ``{field name: dataclass Field}``: SpinConfig's (decide the mask) then ScoringOptions'."""
    out: dict[str, Field] = {}
    for cls in (SpinConfig, ScoringOptions):
        for f in fields(cls):
            out[f.name] = f
    return out


def _default(f: Field) -> Any:
    return None if f.default is MISSING else f.default


def flag_name(name: str) -> str:
    """The setting's flag: its metadata's ``flag`` (``sets`` -> ``--set``), else ``--<name>``."""
    f = setting_fields().get(name)
    return (f.metadata.get("flag") if f is not None else None) or "--" + name.replace("_", "-")


def adapter_arg_names() -> dict[str, str]:
    """``{spin_<field>: field}`` for the ``spin_hf`` model_args."""
    return {ADAPTER_PREFIX + name: name for name in setting_fields()}


# ------------------------------------------------------------------------------------------ value parsing


def parse_value(name: str, value: Any, where: str) -> Any:
    """Parse one setting from a CLI string or a model_arg value; InputError names ``where``. Ranges beyond
    the type (e.g. nsamples >= 1) are checked by SpinConfig / ScoringOptions."""
    return parse_as(setting_fields()[name].metadata["kind"], value, where)


def parse_as(kind: str, value: Any, where: str) -> Any:
    """Parse ``value`` as ``kind`` (ratio, int, bool, str, choice); InputError ``where=value is not valid``."""

    def bad(expected: str) -> InputError:
        return InputError(f"{where}={value!r} is not valid: expected {expected}")

    if kind == "int":
        expected = "a non-negative integer, e.g. 64"
        if isinstance(value, bool):
            raise bad(expected)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().lstrip("+").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or value < 0:
            raise bad(expected)
        return value
    if kind == "ratio":
        try:
            result = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            raise bad("a ratio in [0, 1], e.g. 5e-7") from None
        if not math.isfinite(result) or not 0.0 <= result <= 1.0:
            raise bad("a ratio in [0, 1], e.g. 5e-7")
        return result
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.strip().lower() in ("true", "yes", "1")
        raise bad("true or false")
    if kind in ("sets", "names"):
        from spin_eval.spin.namedsets import canonical_names, canonical_sets

        try:
            return canonical_sets(value) if kind == "sets" else canonical_names(value)
        except InputError as exc:
            raise InputError(f"{where}={value!r} is not valid: {exc}") from None
    # str / choice: lm-eval turns a path such as "123" into an int, so take text back
    if isinstance(value, bool) or value is None or not str(value).strip():
        raise bad("a non-empty string")
    return str(value).strip()


# -------------------------------------------------------------------------------------------- the CLI side


def add_setting_arguments(
    parser: Any,
    *,
    exclude: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
    shown_defaults: dict[str, Any] | None = None,
    choices: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """Add one flag per setting to ``parser`` (or an argument group); every flag defaults to None so
    ``given_settings`` can tell "not given" from a value. ``shown_defaults`` overrides SpinConfig's
    default for this command (also applied by ``given_settings``)."""
    rename = rename or {}
    shown = {name: _default(f) for name, f in setting_fields().items()}
    shown.update(shown_defaults or {})
    for name, f in setting_fields().items():
        if name in exclude:
            continue
        flag = rename.get(name, flag_name(name))
        kind = f.metadata["kind"]
        help_text = f.metadata["help"]
        if name == "p":
            help_text += " (default: 1e-4 for the embedded smollm2, the paper's 5e-7 for other models)"
        elif name == "q":
            help_text += f" (default: {rename.get('p', '--p')}, given or defaulted)"
        elif kind != "bool" and "(default" not in help_text:
            help_text += f" (default {shown[name] if shown[name] is not None else 'the shipped set'})"
        dest = "setting_" + name
        if kind == "bool":
            parser.add_argument(flag, dest=dest, action="store_true", default=None, help=help_text)
            continue
        if kind == "sets":  # repeatable NAME=FILE, joined by given_settings

            def one_set(text: str, _flag: str = flag) -> str:
                from spin_eval.spin.namedsets import canonical_sets

                try:
                    return canonical_sets([text])
                except InputError as exc:
                    raise argparse.ArgumentTypeError(str(exc).removeprefix("--set").lstrip(": ")) from None

            parser.add_argument(flag, dest=dest, type=one_set, action="append", default=None, metavar="NAME=FILE",
                                help=help_text.replace(" (default the shipped set)", ""))
            continue
        allowed = (choices or {}).get(name, f.metadata.get("choices"))

        def convert(text: str, _name: str = name, _flag: str = flag) -> Any:
            try:
                return parse_value(_name, text, _flag)
            except InputError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None

        parser.add_argument(
            flag, dest=dest, type=convert, default=None, choices=allowed,
            metavar=None if allowed else f.metadata.get("metavar") or _METAVARS.get(kind, "VALUE"), help=help_text,
        )
    parser.set_defaults(_setting_defaults=dict(shown_defaults or {}))


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """``{field: value}`` of the settings given on the command line, plus the command's own defaults."""
    given = dict(getattr(args, "_setting_defaults", {}) or {})
    for name in setting_fields():
        value = getattr(args, "setting_" + name, None)
        if isinstance(value, list):  # a repeatable flag (--set)
            value = ";".join(value)
        if value is not None:
            given[name] = value
    return given


# ------------------------------------------------------------------------------------------- to a config


def split_settings(given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(SpinConfig kwargs, ScoringOptions kwargs)`` of a ``{field: value}`` dict."""
    config_names = {f.name for f in fields(SpinConfig)}
    option_names = {f.name for f in fields(ScoringOptions)}
    unknown = sorted(set(given) - config_names - option_names)
    if unknown:
        raise InputError(f"unknown SPIN setting(s) {', '.join(unknown)}")
    return (
        {k: v for k, v in given.items() if k in config_names},
        {k: v for k, v in given.items() if k in option_names},
    )


def resolve_ratios(given: dict[str, Any], model_spec: Any) -> dict[str, Any]:
    """The one ratio rule: p = given or ``default_ratio(model_spec)``; q = given or p."""
    out = dict(given)
    if out.get("p") is None:
        out["p"] = default_ratio(model_spec)
    if out.get("q") is None:
        out["q"] = out["p"]
    return out


def make_settings(given: dict[str, Any], model_spec: Any, *, where: str = "SPIN settings") -> tuple[SpinConfig, ScoringOptions]:
    """``(SpinConfig, ScoringOptions)`` from given settings with the ratio rule applied."""
    config_kw, option_kw = split_settings(resolve_ratios(given, model_spec))
    try:
        return SpinConfig(**config_kw), ScoringOptions(**option_kw)
    except SpinEvalError as exc:
        raise InputError(f"{where}: {exc}") from exc
