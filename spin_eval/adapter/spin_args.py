"""The ``spin_hf`` model_args: parsing and checking ``mask`` / ``spin`` / ``spin_*`` before any model loads.

Everything here runs before ``HFLM.__init__``: a bad model_arg is a ``SpinEvalError`` naming it, and
``lm_eval``'s CLI prints it as one line through :func:`install_error_hook`. The model class itself is
``spin_eval.adapter.spin_hf.SpinHFLM``; the arguments are documented there.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError, MaskError, SpinEvalError

#: Values of the ``spin`` model_arg.
SPIN_MODES = ("auto", "mask", "none")

#: Other ``spin_*`` model_args (the ``spin=auto`` settings come from ``spin_eval.spin.settings``).
OTHER_ARGS = ("spin_force",)


_UNSET: Any = object()


# ------------------------------------------------------------------------------------- argument parsing


def _parse_setting(arg: str, value: Any) -> Any:
    from spin_eval.spin.settings import adapter_arg_names, parse_value

    return parse_value(adapter_arg_names().get(arg, arg), value, f"spin_hf model_arg {arg}")


def parse_bool(arg: str, value: Any) -> bool:
    from spin_eval.spin.settings import parse_as

    return parse_as("bool", value, f"spin_hf model_arg {arg}")


def parse_str(arg: str, value: Any) -> str:
    from spin_eval.spin.settings import parse_as

    return parse_as("str", value, f"spin_hf model_arg {arg}")


@dataclass
class SpinRequest:
    """What the ``mask`` / ``spin`` / ``spin_*`` model_args ask for, parsed and checked."""

    mode: str
    """``mask``, ``auto`` or ``none``."""
    mask_path: Path | None = None
    """The mask file (mode ``mask``)."""
    build: dict[str, Any] = field(default_factory=dict)
    """Settings given explicitly (mode ``auto``): SpinConfig and ScoringOptions fields."""
    force: bool = False
    """Apply despite a fingerprint mismatch."""


def parse_spin_args(kwargs: dict[str, Any]) -> SpinRequest:
    """Pop ``mask``, ``spin`` and every ``spin_*`` key from ``kwargs`` and validate them.

    Raises InputError naming the model_arg on an unknown ``spin_*`` key, a bad ``spin`` value, a
    mistyped setting, ``mask`` together with ``spin=auto`` / ``spin=none``, or build settings without
    ``spin=auto``.
    """
    spin = kwargs.pop("spin", _UNSET)
    mask = kwargs.pop("mask", None)
    spin_args = {key: kwargs.pop(key) for key in [k for k in kwargs if k.startswith("spin_")]}
    from spin_eval.spin.settings import adapter_arg_names

    build_args = adapter_arg_names()
    unknown = sorted(set(spin_args) - set(build_args) - set(OTHER_ARGS))
    if unknown:
        known = ", ".join(sorted(build_args) + list(OTHER_ARGS))
        raise InputError(f"spin_hf: unknown model_arg {', '.join(unknown)}; known spin_* model_args: {known}")

    if spin is _UNSET:
        mode = "mask" if mask is not None else "none"
    elif spin is None:  # lm-eval parses the text "none" to None
        mode = "none"
    elif isinstance(spin, str) and spin.strip().lower() in SPIN_MODES:
        mode = spin.strip().lower()
    else:
        raise InputError(
            f"spin_hf model_arg spin={spin!r} is not valid: use spin=auto (build a mask), spin=none "
            "(unmodified model) or give mask=PATH"
        )

    mask_path: Path | None = None
    if mask is not None:
        if mode == "auto":
            raise InputError(
                f"spin_hf model_args mask={mask} and spin=auto conflict: give mask=PATH to use a mask file, "
                "or spin=auto to build one, not both"
            )
        if mode == "none":
            raise InputError(
                f"spin_hf model_args mask={mask} and spin=none conflict: drop spin=none to apply the mask, "
                "or drop mask= for the unmodified model"
            )
        mask_path = Path(parse_str("mask", mask)).expanduser()
    elif mode == "mask":
        raise InputError("spin_hf model_arg spin=mask needs mask=PATH (a file from `spin-eval mask build`)")

    build = {}
    for key, value in spin_args.items():
        if key in build_args:
            if mode != "auto":
                raise InputError(
                    f"spin_hf model_arg {key}={value!r} only applies with spin=auto (mode here: {mode}); "
                    f"add spin=auto or drop {key}"
                )
            build[build_args[key]] = _parse_setting(key, value)
    force = parse_bool("spin_force", spin_args["spin_force"]) if "spin_force" in spin_args else False
    if force and mode == "none":
        raise InputError("spin_hf model_arg spin_force=true has no effect with spin=none; drop it")
    return SpinRequest(mode=mode, mask_path=mask_path, build=build, force=force)


# ----------------------------------------------------------------------------------------------- helpers


def resolve_pretrained(pretrained: Any, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """``smollm2`` and ``*.gguf`` paths -> a loadable directory (+ gguf_file); anything else unchanged.

    Returns ``(pretrained, model_spec_or_None)``; sets ``kwargs['gguf_file']`` when needed.
    """
    if not isinstance(pretrained, str):
        return pretrained, None
    from spin_eval.constants import EMBEDDED_MODEL_SPEC

    text = pretrained.strip()
    is_gguf_path = text.endswith(".gguf") and kwargs.get("gguf_file") is None
    if text.lower() != EMBEDDED_MODEL_SPEC and not is_gguf_path:
        return pretrained, None
    from spin_eval.modelspec import resolve_model_spec

    spec = resolve_model_spec(text)
    if spec.gguf_file is not None:
        kwargs["gguf_file"] = spec.gguf_file
    return spec.pretrained, spec


def load_mask_arg(path: Path):
    """Load the ``mask=`` file, turning every failure into a MaskError that names the model_arg."""
    from spin_eval.spin.io import load_mask

    if not path.is_file():
        raise MaskError(f"spin_hf model_arg mask={path}: no such file; give a mask from `spin-eval mask build`")
    try:
        return load_mask(path)
    except SpinEvalError as exc:
        raise MaskError(f"spin_hf model_arg mask={path}: {exc}") from exc
    except OSError as exc:
        raise MaskError(f"spin_hf model_arg mask={path}: cannot read it ({exc.strerror}); check the path") from exc


def spin_settings(request: SpinRequest, model_spec: Any):
    """``(SpinConfig, ScoringOptions)`` of a ``spin=auto`` request (None otherwise), checked before the model
    loads. The ratio rule is ``spin_eval.spin.settings``'s: p defaults to ``default_ratio`` of the model
    (the measured value for ``smollm2``, the paper's 5e-7 for anything else), q defaults to p."""
    if request.mode != "auto":
        return None
    from spin_eval.spin.settings import make_settings

    if not isinstance(model_spec, str) and not hasattr(model_spec, "embedded"):  # a PreTrainedModel
        model_spec = getattr(getattr(model_spec, "config", None), "_name_or_path", "")
    return make_settings(request.build, model_spec, where="spin_hf spin=auto settings (model_args spin_*)")


def spin_config(request: SpinRequest, model_spec: Any):
    """The SpinConfig of a ``spin=auto`` request (None otherwise); see ``spin_settings``."""
    settings = spin_settings(request, model_spec)
    return None if settings is None else settings[0]


def _one_line_spin_errors(previous=sys.excepthook):
    """A ``sys.excepthook`` printing an uncaught SpinEvalError as one line (``lm_eval --model spin_hf``
    with a bad model_arg), and anything else as before. lm-eval 0.4.13's CLI catches nothing, so this
    hook is the only place the adapter can shape the message; the exit status stays Python's 1."""

    def hook(kind, value, tb):
        if isinstance(value, SpinEvalError):
            print(f"lm_eval: error: {value}", file=sys.stderr)
            return
        previous(kind, value, tb)

    hook.spin_eval = True  # type: ignore[attr-defined]
    return hook


def preflight(pretrained: Any, kwargs: dict[str, Any], config: Any) -> None:
    """Fail fast before HFLM loads anything: a hub model that cannot be had offline, and (spin=auto) the
    calibration files. The device is HFLM's business (it falls back to CPU by design)."""
    from spin_eval.preflight import check_files, check_hub_model, offline_if_unreachable

    if config is not None:
        check_files({f"spin_hf model_arg spin_{name}=": getattr(config, name) for name in ("general", "fairness", "privacy")},
                    hub_datasets=True)
    if isinstance(pretrained, str):
        check_hub_model(pretrained, flag="spin_hf model_arg pretrained=", revision=kwargs.get("revision"))
        offline_if_unreachable({"pretrained=": pretrained})


def install_error_hook() -> None:
    """Install :func:`_one_line_spin_errors` once (not when the current hook is already ours)."""
    if not getattr(sys.excepthook, "spin_eval", False):
        sys.excepthook = _one_line_spin_errors(sys.excepthook)


__all__ = [
    "OTHER_ARGS", "SPIN_MODES", "SpinRequest", "install_error_hook", "load_mask_arg", "parse_spin_args",
    "parse_bool", "parse_str", "preflight", "resolve_pretrained", "spin_config", "spin_settings",
]
