"""Partial score files (``--save-scores`` / ``--shard`` / ``--from-scores`` / the sweep), streamed.

A score file is a safetensors file: tensors ``<set>/<param name>`` holding int64 sums of per-sample
absolute gradients on the 2^-48 grid (``spin_eval.spin.scoring``; not yet multiplied by |W|), metadata
``spin_eval_scores`` JSON (fingerprint, config, shard, sample counts, calibration sha256s, score
arithmetic).

Bounded memory on both sides:

* :func:`write_score_file` writes the safetensors header first (every tensor's shape is known before
  scoring) and then each tensor at its offset as it arrives, through a temp file (atomic): no copy
  of the file's bytes in memory. The bytes equal ``safetensors.torch.save`` of the same tensors (tested).
* :class:`ScoreFiles` validates shard files (headers only) and reads ONE merged sum at a time:
  ``files[set][param]`` opens each shard, reads that one tensor (``safe_open``, closed again so the
  file's pages leave the process) and adds the shards in int64 (exact: any order and split give the
  one-process sums bit for bit). ``mask_from_sums`` takes it like a dict, so a merge holds one matrix.

``merge_score_files`` / ``load_score_sums`` return plain dicts of every sum (tests, small models).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spin_eval.constants import SCORES_FORMAT_VERSION
from spin_eval.errors import InputError, MaskError
from spin_eval.fileio import write_stream_atomic

if TYPE_CHECKING:  # pragma: no cover
    import torch

SCORES_METADATA_KEY = "spin_eval_scores"


def _header(layout: Mapping[str, tuple[int, ...]], metadata: dict[str, Any]) -> tuple[bytes, dict[str, int], int]:
    """(header bytes, absolute start of each tensor's data, file size) of int64 tensors ``layout``
    ({key: shape}), laid out as safetensors does: keys sorted, JSON padded with spaces to 8 bytes."""
    from spin_eval.spin.io import _dumps  # the one metadata serialiser of mask and score files

    entries: dict[str, Any] = {"__metadata__": {SCORES_METADATA_KEY: _dumps(metadata)}}
    offset = 0
    for key in sorted(layout):
        size = 8 * math.prod(int(d) for d in layout[key])
        entries[key] = {"dtype": "I64", "shape": [int(d) for d in layout[key]], "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    head = struct.pack("<Q", len(text)) + text
    return head, {key: len(head) + entries[key]["data_offsets"][0] for key in layout}, len(head) + offset


def write_score_file(path: str | Path, layout: Mapping[str, tuple[int, ...]], metadata: dict[str, Any],
                     tensors: Iterable[tuple[str, "torch.Tensor"]]) -> None:
    """Write the int64 ``tensors`` (``(key, tensor)`` pairs, each key of ``layout`` once, in any order,
    consumed one at a time) and ``metadata`` to the score file ``path``, atomically."""
    import torch

    meta = dict(metadata)
    meta["format_version"] = SCORES_FORMAT_VERSION
    head, starts, size = _header(layout, meta)

    def fill(fh: Any) -> None:
        fh.write(head)
        fh.truncate(size)
        written: set[str] = set()
        for key, tensor in tensors:
            if key not in layout or key in written:
                raise ValueError(f"score tensor {key}: not in the file's layout, or written twice")
            if tensor.dtype != torch.int64 or tuple(tensor.shape) != tuple(layout[key]):
                raise ValueError(f"score sums must be int64 grid sums of shape {tuple(layout[key])}, got "
                                 f"{tensor.dtype} {tuple(tensor.shape)} for {key}")
            fh.seek(starts[key])
            fh.write(tensor.detach().to("cpu").contiguous().numpy().data)
            written.add(key)
        if written != set(layout):
            raise ValueError(f"score file {path}: {len(set(layout) - written)} tensors were never written")

    write_stream_atomic(path, fill)


def save_score_sums(sums: dict[str, dict[str, "torch.Tensor"]], metadata: dict[str, Any], path: str | Path) -> None:
    """Write ``{set: {param: int64 grid sum}}`` and JSON ``metadata`` atomically to ``path``."""
    layout = {f"{s}/{p}": tuple(t.shape) for s, params in sums.items() for p, t in params.items()}
    write_score_file(path, layout, metadata, ((f"{s}/{p}", t) for s, params in sums.items() for p, t in params.items()))


def _open(path: Path) -> Any:
    from safetensors import safe_open

    try:
        return safe_open(str(path), framework="pt")
    except Exception as exc:  # safetensors raises several types for bad headers / truncation
        raise InputError(f"score file {path} is corrupt or truncated ({type(exc).__name__}: {exc}); rescore it") from None


def _file_layout(path: Path) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    """(metadata, {key: shape}) of score file ``path`` from its header alone; InputError naming the field."""
    from spin_eval.spin.io import _parse_metadata_json
    from spin_eval.spin.scoring import SCORE_ARITHMETIC

    if not path.is_file():
        raise InputError(f"score file {path} does not exist; check the path")
    with _open(path) as handle:
        meta = handle.metadata() or {}
        if SCORES_METADATA_KEY not in meta:
            raise InputError(f"{path} is not a spin-eval score file (no '{SCORES_METADATA_KEY}' metadata)")
        try:
            metadata = _parse_metadata_json(meta[SCORES_METADATA_KEY], path, "score")
        except MaskError as exc:
            raise InputError(str(exc)) from None
        layout = {}
        for key in handle.keys():
            piece = handle.get_slice(key)
            if piece.get_dtype() != "I64":
                raise InputError(f"score file {path}: tensor {key} is {piece.get_dtype()}, not int64 grid sums "
                                 "(another precision); rescore with this spin-eval version")
            layout[key] = tuple(int(d) for d in piece.get_shape())
    if metadata.get("format_version") != SCORES_FORMAT_VERSION:
        raise InputError(f"score file {path} has format_version {metadata.get('format_version')!r}, expected "
                         f"{SCORES_FORMAT_VERSION}; rescore with this spin-eval version")
    if metadata.get("score_arithmetic") != SCORE_ARITHMETIC:
        raise InputError(f"score file {path}: field score_arithmetic {metadata.get('score_arithmetic')!r:.60} differs "
                         "from this spin-eval's; rescore with this version")
    return metadata, layout


class _SetSums(Mapping):
    """``files[set]``: the merged sums of one set, read one matrix at a time on access."""

    def __init__(self, files: "ScoreFiles", set_name: str) -> None:
        self._files, self._set = files, set_name

    def __getitem__(self, param: str) -> "torch.Tensor":
        return self._files.read(self._set, param)

    def __contains__(self, param: object) -> bool:
        return param in self._files.params[self._set]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files.params[self._set])

    def __len__(self) -> int:
        return len(self._files.params[self._set])


class ScoreFiles(Mapping):
    """Shards 0..n-1 of one run as ``{set: {param: merged int64 sum}}``, merged lazily per tensor.

    Opening reads the headers only and refuses missing, repeated or foreign shards (different model,
    config, calibration data, score arithmetic, precision or tensors), one line naming the field."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in sorted(str(p) for p in paths)]
        if not self.paths:
            raise InputError("no score files given; pass the files written by `spin-eval mask build --shard i/n`")
        first: dict[str, Any] = {}
        seen: dict[int, Path] = {}
        scored: dict[str, int] = {}
        self.file_metadata = []
        for path in self.paths:
            meta, layout = _file_layout(path)
            self.file_metadata.append(meta)
            shard = meta.get("shard", [0, 1])
            key = {k: meta.get(k) for k in ("model_fingerprint", "config", "calibration", "score_arithmetic")}
            if not first:
                first.update(meta=meta, key=key, layout=layout, path=path)
            elif key != first["key"]:
                differing = [k for k in key if key[k] != first["key"][k]]
                raise InputError(f"score file {path} differs from {first['path']} in {', '.join(differing)}; merge "
                                 "only shards of one run (same model, config and calibration data)")
            elif layout != first["layout"]:
                other = sorted(set(layout) ^ set(first["layout"])) or [k for k in layout if layout[k] != first["layout"][k]]
                raise InputError(f"score file {path} differs from {first['path']} in tensor {other[0]} (missing or "
                                 "another shape); merge only shards of one run")
            if shard[1] != first["meta"].get("shard", [0, 1])[1]:
                raise InputError(f"score file {path} is shard {shard[0]}/{shard[1]}, others are of "
                                 f"/{first['meta']['shard'][1]}")
            if shard[0] in seen:
                raise InputError(f"score files {seen[shard[0]]} and {path} are both shard {shard[0]}; pass each once")
            seen[shard[0]] = path
            for set_name, count in meta.get("samples_scored", {}).items():
                scored[set_name] = scored.get(set_name, 0) + int(count)
        n = first["meta"].get("shard", [0, 1])[1]
        missing = sorted(set(range(n)) - set(seen))
        if missing:
            raise InputError(f"score files lack shard(s) {', '.join(f'{i}/{n}' for i in missing)}; score them first")
        self.layout: dict[str, tuple[int, ...]] = first["layout"]
        self.params: dict[str, list[str]] = {}
        for key in self.layout:
            set_name, _, param = key.partition("/")
            self.params.setdefault(set_name, []).append(param)
        self.metadata = dict(first["meta"], shard=[0, 1], merged_from=n, samples_scored=scored)

    def read(self, set_name: str, param: str) -> "torch.Tensor":
        """The merged int64 sum of one matrix of one set (each shard's tensor read, added, freed)."""
        key = f"{set_name}/{param}"
        if key not in self.layout:
            raise KeyError(key)
        total = None
        for path in self.paths:
            with _open(path) as handle:
                try:
                    tensor = handle.get_tensor(key)
                except Exception as exc:  # noqa: BLE001  (a file changed since it was opened)
                    raise InputError(f"score file {path} is corrupt or truncated at {key} ({type(exc).__name__}); "
                                     "rescore it") from None
            if total is None:
                total = tensor
            else:
                _add_exact_(total, tensor, str(path), key)
                del tensor
        return total

    def tensors(self) -> Iterator[tuple[str, "torch.Tensor"]]:
        """``(key, merged sum)`` one at a time, e.g. for :func:`write_score_file`."""
        for key in self.layout:
            set_name, _, param = key.partition("/")
            yield key, self.read(set_name, param)

    def __getitem__(self, set_name: str) -> _SetSums:
        if set_name not in self.params:
            raise KeyError(set_name)
        return _SetSums(self, set_name)

    def __contains__(self, set_name: object) -> bool:
        return set_name in self.params

    def __iter__(self) -> Iterator[str]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)


def _add_exact_(total: "torch.Tensor", part: "torch.Tensor", path: str, key: str) -> None:
    """``total += part`` for non-negative int64 sums; InputError instead of a silent int64 wrap-around."""
    if int(total.max()) + int(part.max()) > 2**63 - 1:
        raise InputError(f"score file {path}: {key} summed over the shards passes the int64 range; score fewer samples")
    total += part


def merge_score_files(paths: list[str | Path]) -> tuple[dict[str, dict[str, "torch.Tensor"]], dict[str, Any]]:
    """Every merged sum of shards 0..n-1 of one run in memory (``ScoreFiles`` reads them one at a time)."""
    files = ScoreFiles(paths)
    return {s: {p: files.read(s, p) for p in params} for s, params in files.params.items()}, files.metadata


def load_score_sums(path: str | Path) -> tuple[dict[str, dict[str, "torch.Tensor"]], dict[str, Any]]:
    """Read a score file written by ``save_score_sums``: ``({set: {param: sum}}, metadata)``."""
    files = ScoreFiles([path])
    return {s: {p: files.read(s, p) for p in params} for s, params in files.params.items()}, files.file_metadata[0]
