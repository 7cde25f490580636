"""The converted-model cache: the embedded SmolLM2 GGUF dequantised once into a safetensors model folder.

The folder lives under ``cache_dir()/models/<sha256 of the GGUF>[:16]/`` and is written atomically: the
conversion goes to a temporary sibling folder which is renamed into place only when complete (with a
``spin_eval_model.json`` recording the source file, its sha256, the library versions and the size and sha256
of every file written), so an interrupted or concurrent conversion never leaves a half-written model that a
later call would trust. Every use checks the recorded sizes and a sampled digest of each file, and the full
sha256 of any file modified since it was written (:func:`cache_problem`); a damaged cache (a file truncated,
overwritten or missing) is reported in one line and converted again. Model specs: ``spin_eval.modelspec``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from spin_eval import fileio
from spin_eval.errors import ModelSpecError
from spin_eval.paths import cache_dir

#: Written last into a converted model directory; its presence marks the conversion as complete.
CONVERTED_INFO_FILE = "spin_eval_model.json"
#: Version of the converted-model layout; bump to force a fresh conversion.
CONVERTED_FORMAT_VERSION = 1

#: sha256 digests already computed in this process, keyed by (real path, size, mtime_ns).
_DIGEST_CACHE: dict[tuple[str, int, int], str] = {}


# --------------------------------------------------------------------------------------------- hashing


def file_sha256(path: str | Path) -> str:
    """The sha256 hex digest of a file, computed once per process per (path, size, mtime)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ModelSpecError(f"cannot read model file {p}: {exc.strerror}; check the path") from exc
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    digest = _DIGEST_CACHE.get(key)
    if digest is None:
        digest = _DIGEST_CACHE[key] = fileio.file_sha256(p)
    return digest


def converted_model_dir(gguf_path: str | Path) -> Path:
    """Where the converted safetensors copy of ``gguf_path`` lives (it may not exist yet)."""
    return cache_dir() / "models" / file_sha256(gguf_path)[:16]


def read_converted_info(model_dir: Path) -> dict | None:
    try:
        return json.loads((model_dir / CONVERTED_INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _info_matches(info: Any, sha256: str) -> bool:
    return (
        isinstance(info, dict)
        and info.get("source_sha256") == sha256
        and info.get("format_version") == CONVERTED_FORMAT_VERSION
    )


#: The cheap check hashes this many blocks of this size, spread evenly over a file (first and last included).
SAMPLE_BLOCKS = 64
SAMPLE_BLOCK_SIZE = 64 * 1024


def sampled_sha256(path: Path) -> str:
    """sha256 over a file's size and :data:`SAMPLE_BLOCKS` blocks spread evenly over it (4 MiB read)."""
    import hashlib

    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    last = max(size - SAMPLE_BLOCK_SIZE, 0)
    with open(path, "rb") as fh:
        for k in range(SAMPLE_BLOCKS):
            fh.seek(last * k // (SAMPLE_BLOCKS - 1))
            digest.update(fh.read(SAMPLE_BLOCK_SIZE))
    return digest.hexdigest()


def _file_record(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": fileio.file_sha256(path),
            "sample_sha256": sampled_sha256(path)}


def record_files(model_dir: Path) -> dict[str, dict[str, Any]]:
    """``{relative path: {"size", "mtime_ns", "sha256", "sample_sha256"}}`` of every file in a converted model
    directory (the info file aside)."""
    return {
        p.relative_to(model_dir).as_posix(): _file_record(p)
        for p in sorted(model_dir.rglob("*")) if p.is_file() and p.name != CONVERTED_INFO_FILE
    }


def cache_problem(model_dir: Path, info: dict[str, Any], *, full: bool = False) -> str | None:
    """Why a converted model directory cannot be trusted, or None when every file it recorded is intact.

    Every file must exist with its recorded size (truncation costs nothing to find). A file whose mtime is
    still the recorded one gets the cheap check: :func:`sampled_sha256` (4 MiB read; a few % of a load,
    see bench/bench_cache_verify.py). A file touched since (any in-place write changes its mtime), or every
    file with ``full``, gets its full sha256 compared (once per process per file/size/mtime). The digests
    live beside the files, so this finds corruption and accidents, not a tamperer who can rewrite both."""
    files = info.get("files")
    if not isinstance(files, dict) or not files:
        return "it records no file digests (written by an older spin-eval)"
    paths = {}
    for rel, entry in sorted(files.items()):
        path = model_dir / rel
        if not isinstance(entry, dict) or ".." in Path(rel).parts or not path.is_file():
            return f"{rel} is missing"
        if path.stat().st_size != entry.get("size"):
            return f"{rel} has {path.stat().st_size} bytes, not the {entry.get('size')} recorded (truncated?)"
        paths[rel] = path
    for rel, path in paths.items():
        entry = files[rel]
        if not full and path.stat().st_mtime_ns == entry.get("mtime_ns"):
            if sampled_sha256(path) != entry.get("sample_sha256"):
                return f"{rel} does not match its recorded digest (corrupted?)"
        elif file_sha256(path) != entry.get("sha256"):
            return f"{rel} does not match its recorded sha256 (overwritten?)"
    return None


def _is_complete(model_dir: Path, sha256: str) -> bool:
    info = read_converted_info(model_dir)
    return _info_matches(info, sha256) and cache_problem(model_dir, info) is None


def _library_versions() -> dict[str, str]:
    import importlib.metadata as md

    versions = {}
    for dist in ("spin-eval", "transformers", "torch", "gguf", "safetensors", "tokenizers"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return versions


def _load_dequantized(src_dir: str, name: str) -> Any:
    """Load a GGUF checkpoint as a plain float32 model that ``save_pretrained`` accepts.

    Newer transformers keep GGUF weights packed (a non-serialisable quantizer) unless asked to
    dequantise; older ones have no ``GgufConfig`` and always dequantise. When a quantizer is still
    attached, the dense weights are copied into a fresh model built from the config.
    """
    import torch
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"gguf_file": name, "dtype": torch.float32}
    try:
        from transformers import GgufConfig

        kwargs["quantization_config"] = GgufConfig(dequantize=True)
    except ImportError:  # transformers < 5: GGUF is always dequantised
        pass
    model = AutoModelForCausalLM.from_pretrained(src_dir, **kwargs)
    if getattr(model, "hf_quantizer", None) is None and getattr(model.config, "quantization_config", None) is None:
        return model
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    dense = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    dense.load_state_dict(model.state_dict(), strict=True)
    dense.generation_config = model.generation_config
    return dense


def _load_gguf(src_dir: str, name: str) -> tuple[Any, Any]:
    """``(model, tokenizer)`` from a GGUF file: dense float32 weights, tokenizer with its chat template."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(src_dir, gguf_file=name)
    return _load_dequantized(src_dir, name), tokenizer


def convert_gguf(gguf_path: str | Path, *, out_dir: str | Path | None = None) -> Path:
    """Dequantise a GGUF checkpoint to a float32 safetensors model directory (model + tokenizer).

    ``out_dir`` defaults to :func:`converted_model_dir`. Returns at once when a complete conversion of
    the same file (same sha256) is already there. The work happens in a temporary sibling directory
    renamed into place at the end; when another process wins the race, its result is kept and ours is
    discarded, so readers always see a complete directory.
    """
    gguf_path = Path(gguf_path)
    if not gguf_path.is_file():
        raise ModelSpecError(f"GGUF file {gguf_path} does not exist; check the path")
    sha256 = file_sha256(gguf_path)
    final = Path(out_dir) if out_dir is not None else converted_model_dir(gguf_path)
    info = read_converted_info(final)
    if _info_matches(info, sha256):
        problem = cache_problem(final, info)
        if problem is None:
            return final
        print(f"spin-eval: the converted model cache {final} is damaged ({problem}); rebuilding it", file=sys.stderr)
    final.parent.mkdir(parents=True, exist_ok=True)

    print(f"spin-eval: converting {gguf_path.name} to a float32 safetensors copy in {final} "
          "(first use only)", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        model, tokenizer = _load_gguf(str(gguf_path.parent), gguf_path.name)
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        info = {
            "format_version": CONVERTED_FORMAT_VERSION,
            "source_file": str(gguf_path.resolve()),
            "source_sha256": sha256,
            "source_size": gguf_path.stat().st_size,
            "dtype": "float32",
            "versions": _library_versions(),
            "files": record_files(tmp),  # verified on every first use per process (cache_problem)
        }
        # The info file is written last: its presence marks the directory as complete.
        (tmp / CONVERTED_INFO_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", "utf-8")
        fileio.apply_default_permissions(tmp)
        if final.exists() and not _is_complete(final, sha256):
            # A stale or half-removed directory from an older layout: move it aside, then replace it.
            stale = Path(tempfile.mkdtemp(prefix=f".{final.name}.stale-", dir=final.parent))
            with contextlib.suppress(FileNotFoundError):  # another converter moved it first
                os.replace(final, stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            if not _is_complete(final, sha256):  # not a lost race: a real failure
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final
