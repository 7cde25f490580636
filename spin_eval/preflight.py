"""Fail fast: check local files, the device and the hub before any model load or scoring.

``spin-eval mask build``, ``spin-eval run``, ``spin-eval export`` and ``spin_hf`` (``spin=auto``) call
:func:`preflight` first, so a missing calibration file, an absent CUDA device or an unreachable hub model
is reported in one line within a second or two instead of after a model load or ~50 s of hub retries.

Hub checks are cheap: ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` are read from the environment, the
local Hugging Face cache is asked for the model's ``config.json`` without network
(``huggingface_hub.try_to_load_from_cache``), and only when the model is not cached is the hub's host
probed with one TCP connection (timeout :data:`PROBE_TIMEOUT_S`). When the hub is unreachable but the
model is cached, hub lookups are switched off for the process (the run proceeds from the cache).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlparse

from spin_eval.errors import InputError, ModelSpecError

#: Seconds the one TCP probe of the hub waits.
PROBE_TIMEOUT_S = 3.0
_TRUE = ("1", "true", "yes", "on")


def _show(flag: str, value: object) -> str:
    """``--flag value`` for command-line flags, ``key=value`` for model_args (flags ending in '=')."""
    return f"{flag}{value}" if flag.endswith("=") else f"{flag} {value}"


def hub_offline_requested() -> str | None:
    """The environment variable that switches the hub off (``HF_HUB_OFFLINE=1`` ...), else None."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(name, "").strip().lower() in _TRUE:
            return name
    return None


def looks_like_hub_id(spec: str) -> bool:
    """``owner/name`` that is not an existing local path (what transformers would fetch from the hub)."""
    text = spec.strip()
    if text.lower() == "smollm2" or Path(text).expanduser().exists():
        return False
    if text.startswith(("/", "./", "../", "~", ".")) or text.endswith((".gguf", ".csv", ".jsonl", ".json")):
        return False
    return text.count("/") == 1 and all(text.split("/"))


def cached_on_disk(repo_id: str, revision: str | None = None, repo_type: str = "model") -> bool:
    """Whether the local Hugging Face cache holds the repo (its config.json for models); no network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        return False
    filename = "config.json" if repo_type == "model" else "README.md"
    try:
        found = try_to_load_from_cache(repo_id, filename, revision=revision, repo_type=repo_type)
    except Exception:  # noqa: BLE001 - a malformed id or cache: treat as not cached
        return False
    if isinstance(found, str):
        return True
    if repo_type != "model":  # datasets: any snapshot folder counts
        from huggingface_hub.constants import HF_HUB_CACHE

        return (Path(HF_HUB_CACHE) / f"datasets--{repo_id.replace('/', '--')}").is_dir()
    return False


def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    """One TCP connection to the hub's host (``HF_ENDPOINT`` or huggingface.co), port 443/80."""
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    url = urlparse(endpoint)
    host = url.hostname or "huggingface.co"
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def go_offline() -> None:
    """Switch hub lookups off for this process (transformers / datasets then read only the cache)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    try:
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = True
    except ImportError:  # pragma: no cover
        pass


def check_hub_model(spec: str, *, flag: str = "--model", revision: str | None = None,
                    repo_type: str = "model", probe=hub_reachable) -> None:
    """Raise one line when ``spec`` is a hub id that cannot be had: not cached, and the hub is switched off
    or unreachable. Local specs (smollm2, folders, .gguf) pass untouched."""
    if not looks_like_hub_id(spec) or cached_on_disk(spec, revision, repo_type):
        return
    what = "model" if repo_type == "model" else "dataset"
    fetch = f"huggingface-cli download {'--repo-type dataset ' if repo_type != 'model' else ''}{spec}"
    offline = hub_offline_requested()
    if offline:
        raise ModelSpecError(
            f"{_show(flag, spec)}: hub {what} not in the local Hugging Face cache and {offline}="
            f"{os.environ[offline]} forbids downloading it; run '{fetch}' where the hub is reachable, "
            f"unset {offline}, or give a local folder"
        )
    if not probe():
        raise ModelSpecError(
            f"{_show(flag, spec)}: hub {what} not in the local Hugging Face cache and the hub "
            f"({os.environ.get('HF_ENDPOINT') or 'huggingface.co'}) is unreachable from this machine; run "
            f"'{fetch}' where it is reachable (and copy the cache), or give a local folder"
        )


def offline_if_unreachable(specs: Mapping[str, str | None], probe=hub_reachable) -> None:
    """When hub ids are involved, all cached, and the hub is unreachable: go offline at once (instead of
    transformers' retries) and say so on stderr."""
    hub_ids = [s for s in specs.values() if s and looks_like_hub_id(s)]
    if hub_ids and not hub_offline_requested() and not probe():
        print(f"spin-eval: the hub is unreachable; using the cached copies of {', '.join(hub_ids)} "
              "(HF_HUB_OFFLINE=1 set for this run)", file=sys.stderr)
        go_offline()


def check_files(files: Mapping[str, str | None] | Iterable[tuple[str, str | None]], *,
                hub_datasets: bool = False) -> None:
    """Every given path (flag -> value, or (flag, value) pairs) must exist. With ``hub_datasets`` a value of
    the form owner/name that is no local file is a hub dataset id, checked against the cache and the hub."""
    for flag, value in (files.items() if isinstance(files, Mapping) else files):
        if value is None:
            continue
        path = Path(str(value)).expanduser()
        if path.exists():
            if hub_datasets:  # a calibration file: parsed now (small), not after the model load
                _check_calibration_file(flag, path)
            continue
        if hub_datasets and looks_like_hub_id(str(value).split(":")[0]):
            check_hub_model(str(value).split(":")[0], flag=flag, repo_type="dataset")
            continue
        raise InputError(f"{_show(flag, value)}: does not exist (working directory {Path.cwd()}); check the path")


def _check_calibration_file(flag: str, path: Path) -> None:
    """A local calibration file must be a regular file that parses as a calibration set."""
    import stat

    from spin_eval.spin.calibration import load_calibration

    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(f"{_show(flag, path)}: not a regular file (a FIFO, device or folder); give a CSV/JSONL file")
    load_calibration(path)


def check_device(device: str | None, flag: str = "--device") -> None:
    """``cuda``/``cuda:N``/``mps`` must be present (torch is imported for the check)."""
    if not device or device == "cpu":
        return
    text = str(device).strip().lower()
    if text.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise InputError(f"{flag} {device}: no CUDA device is visible to torch "
                             f"(torch {torch.__version__}, built for CUDA {torch.version.cuda or 'none'}); "
                             "use --device cpu, or install a CUDA build of torch on a GPU machine")
        index = text.partition(":")[2]
        if index.isdigit() and int(index) >= torch.cuda.device_count():
            raise InputError(f"{flag} {device}: only {torch.cuda.device_count()} CUDA device(s) visible; "
                             f"use cuda:0..cuda:{torch.cuda.device_count() - 1}")
    elif text == "mps":
        import torch

        if not torch.backends.mps.is_available():
            raise InputError(f"{flag} {device}: the MPS device is not available; use --device cpu")
    elif text not in ("auto",) and not text.startswith(("xpu", "npu", "hpu")):
        raise InputError(f"{flag} {device}: unknown device; use cpu, cuda, cuda:N or mps")


def preflight(*, model: str | None = None, revision: str | None = None, device: str | None = None,
              files: Mapping[str, str | None] | Iterable[tuple[str, str | None]] | None = None, calibration: Mapping[str, str | None] | None = None,
              models: Mapping[str, str | None] | None = None) -> None:
    """All cheap checks, in order: local files, calibration sets, device, hub models."""
    check_files(files or {})
    check_files(calibration or {}, hub_datasets=True)
    check_device(device)
    hub = {"--model": model, **(models or {})}
    for flag, spec in hub.items():
        if spec:
            check_hub_model(spec, flag=flag, revision=revision if flag == "--model" else None)
    offline_if_unreachable(hub)
