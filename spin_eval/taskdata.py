"""Loading the tasks' JSONL data for lm-eval (the I/O behind ``custom_dataset:`` in ``tasks/*/*.yaml``).

lm-eval hands ``data_files`` to ``datasets.load_dataset`` relative to the *current directory*, which breaks
when the tasks folder is used from another cwd or from the installed wheel (``spin_eval/_tasks``). Each
task's ``utils.py`` therefore calls :func:`load_task_dataset` with its own folder, and relative paths are
resolved next to the YAML. Lines are checked one by one, so a malformed line names its file and line.

Keyword arguments come from the YAML's ``dataset_kwargs`` plus lm-eval's metadata (which also carries the
model_args; unknown keys are ignored):

* ``data_files``: a path, glob or list of them (relative: next to the YAML, else in the current directory;
  absolute: anywhere), e.g. the original BBQ ``data/*.jsonl`` files. For ``spin_bbq`` it may come from the
  YAML's ``dataset_kwargs`` or from ``--metadata '{"data_files": ...}'``, not from both (lm-eval passes both
  as keyword arguments to ``custom_dataset`` and Python refuses the duplicate);
* ``path`` (+ ``name``, ``split``): load from the hub or a local dataset folder with ``datasets.load_dataset``
  instead (the hub is only contacted when the user asks for it);
* ``judge``: judge spec for the generation variants (``builtin`` or a judge model id / path), copied into
  every doc as ``_judge``.
"""

from __future__ import annotations

import glob
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import iter_jsonl, write_bytes_atomic


class _MetadataNoticeFilter(logging.Filter):
    """Drops lm-eval's "<task>: Custom kwargs can be passed to `--metadata`" notice, which lm-eval 0.4.13
    logs as a warning for every task with a ``custom_dataset`` loader, for this project's tasks only
    (names starting with ``spin_``): their only such kwarg, ``judge``, is documented. Every other record,
    and the notice for other tasks, passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("spin_") and "Custom kwargs can be passed to `--metadata`" in message)


def quiet_metadata_notice() -> None:
    """Install :class:`_MetadataNoticeFilter` on lm-eval's task logger (once)."""
    log = logging.getLogger("lm_eval.api.task")
    if not any(isinstance(f, _MetadataNoticeFilter) for f in log.filters):
        log.addFilter(_MetadataNoticeFilter())


# The tasks' utils.py import this module when lm-eval reads their YAML, before any dataset is loaded.
quiet_metadata_notice()


def _resolve(base_dir: Path, data_files: str | Sequence[str]) -> list[Path]:
    patterns = [data_files] if isinstance(data_files, str) else list(data_files)
    files: list[Path] = []
    for pattern in patterns:
        p = Path(pattern).expanduser()
        # relative: next to the task's YAML first, then the current directory (--metadata from a shell)
        candidates = [p] if p.is_absolute() else [base_dir / p, Path.cwd() / p]
        matches: list[str] = []
        for c in candidates:
            matches = sorted(glob.glob(str(c))) if any(ch in str(c) for ch in "*?[") else [str(c)]
            if matches and Path(matches[0]).is_file():
                break
        else:
            raise InputError(
                f"data file {candidates[0]} not found (data_files={pattern!r}; relative paths are resolved in "
                f"{base_dir}, then in the current directory); give an existing JSONL file or glob, or run "
                "'spin-eval tasks generate' to rebuild the shipped data"
            )
        files += [Path(m) for m in matches]
    return files


def read_jsonl(path: Path, required: Iterable[str] = ()) -> list[dict]:
    """Rows of a JSONL file; :class:`InputError` naming file and line for bad JSON or a missing field."""
    required = tuple(required)
    rows = []
    for where, row in iter_jsonl(path, fix="fix or remove this line"):
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a JSON object per line, got {type(row).__name__}")
        missing = [k for k in required if k not in row]
        if missing:
            raise InputError(f"{where}: missing field(s) {', '.join(missing)}; every line needs {', '.join(required)}")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no data lines; give a JSONL file with one JSON object per line")
    return rows


def load_task_dataset(
    base_dir: str | Path,
    required: Sequence[str] = (),
    *,
    data_files: str | Sequence[str] | None = None,
    path: str | None = None,
    name: str | None = None,
    split: str = "test",
    judge: str | None = None,
    **_ignored,
):
    """A ``datasets.DatasetDict`` with one split ``split`` (see module docstring for the arguments)."""
    import datasets

    if path is not None:
        loaded = datasets.load_dataset(path, name)
        ds = loaded[split] if split in loaded else loaded[next(iter(loaded))]
        rows = list(ds)
    else:
        if data_files is None:
            raise InputError("no data_files in the task's dataset_kwargs; give data_files: <file.jsonl> or path: <hub id>")
        rows = []
        for f in _resolve(Path(base_dir), data_files):
            rows += read_jsonl(f, required)
    if judge is not None:
        for row in rows:
            row["_judge"] = str(judge)
    return datasets.DatasetDict({split: datasets.Dataset.from_list(rows)})


def _round_robin(groups: list[list[int]]) -> list[int]:
    out: list[int] = []
    for r in range(max((len(g) for g in groups), default=0)):
        out += [g[r] for g in groups if r < len(g)]
    return out


def _by_stratum(rows_strata: Sequence[tuple]) -> list[tuple[tuple, list[int]]]:
    by_key: dict[tuple, list[int]] = {}
    for i, key in enumerate(rows_strata):
        by_key.setdefault(tuple(key), []).append(i)
    return [(key, by_key[key]) for key in sorted(by_key, key=repr)]


def select_stratified(rows_strata: Sequence[tuple], per_stratum: int, seed: int = 0) -> list[int]:
    """Indices of a deterministic stratified subset: ``per_stratum`` rows (seeded draw) of each stratum key.

    ``rows_strata[i]`` is the stratum key of row ``i``. The result is ordered round-robin over the strata,
    so that any prefix (lm-eval's ``--limit``) is itself spread over all strata."""
    import numpy as np

    rng = np.random.default_rng(seed)
    groups = []
    for _key, idx in _by_stratum(rows_strata):
        take = min(per_stratum, len(idx))
        groups.append([idx[j] for j in sorted(rng.choice(len(idx), size=take, replace=False))])
    return _round_robin(groups)


def interleave_strata(rows_strata: Sequence[tuple], seed: int = 0) -> list[int]:
    """All indices, shuffled within each stratum (seeded) and ordered round-robin over the strata, so that
    lm-eval's ``--limit N`` (the first N documents) covers every stratum instead of the first one."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return _round_robin([[idx[j] for j in rng.permutation(len(idx))] for _key, idx in _by_stratum(rows_strata)])


#: :func:`select_docs` results by (dataset fingerprint, strata, per_stratum, seed). lm-eval calls a task's
#: ``process_docs`` on every ``eval_docs`` access (about ten per task and run); the selection is a pure
#: function of the data, whose fingerprint ``datasets`` derives from the file contents and every operation.
_SELECTED: dict[tuple, Any] = {}
_SELECTED_MAX = 64


def select_docs(dataset, strata: Sequence[str], per_stratum: int | None = None, seed: int = 0):
    """The ``process_docs`` hook of the tasks: ``dataset`` (a ``datasets.Dataset``) stratified by the
    columns ``strata``; all documents (:func:`interleave_strata`) or, with ``per_stratum``, the
    ``*_mini`` subset (:func:`select_stratified`). Repeated calls on the same data return the cached result."""
    fingerprint = getattr(dataset, "_fingerprint", None)
    key = (fingerprint, tuple(strata), per_stratum, seed)
    if fingerprint is not None and key in _SELECTED:
        return _SELECTED[key]
    columns = dataset.select_columns(list(strata)).to_dict()  # columnar: no per-row formatting
    keys = list(zip(*(columns[column] for column in strata)))
    order = interleave_strata(keys, seed=seed) if per_stratum is None else select_stratified(keys, per_stratum, seed=seed)
    selected = dataset.select(order)
    if fingerprint is not None:
        if len(_SELECTED) >= _SELECTED_MAX:
            _SELECTED.pop(next(iter(_SELECTED)))
        _SELECTED[key] = selected
    return selected


def limit_indices(n: int, k: int, interleaved: bool) -> list[int]:
    """The ``k`` of ``n`` documents a limited run evaluates (all when ``k >= n``). Pure.

    ``interleaved``: the documents come from :func:`select_docs` (every shipped task), ordered round-robin
    over the task's strata (BBQ: category x context_condition x question_polarity), so the first ``k`` are
    the stratified sample: every stratum once before any twice, each category in both BBQ scores as soon as
    ``k`` reaches the number of strata. Otherwise (a task of another suite, possibly sorted by category) the
    ``k`` documents are spread evenly over the file (a centred systematic sample). A systematic sample of an
    interleaved order would alias with the strata (at 60 of BBQ's 2,592 documents it hit the ambiguous
    context of only 5 of 9 categories), hence the two cases.
    """
    if k >= n:
        return list(range(n))
    if interleaved:
        return list(range(k))
    return [((2 * i + 1) * n) // (2 * k) for i in range(k)]


def write_jsonl(rows: Iterable[dict], path: str | Path) -> Path:
    """Write ``rows`` as JSONL (:func:`jsonl_bytes`: sorted keys, ``\\n`` line ends, UTF-8) atomically;
    returns the path."""
    return write_bytes_atomic(path, jsonl_bytes(rows))


def generator_main(generate, output: Path, default_seed: int, description: str, argv=None, extra=()) -> int:
    """Command line shared by the generators in ``tasks/*/generate.py``: ``[--seed N] [--output FILE]``.

    ``extra``: further ``(generate_fn, path)`` pairs written with the same seed (fixed paths)."""
    import argparse

    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=default_seed, help="seed of the generator (default %(default)s)")
    parser.add_argument("--output", type=Path, default=output, help="JSONL file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    rows = generate(args.seed)
    write_jsonl(rows, args.output)
    print(f"wrote {len(rows)} items to {args.output}")
    for fn, path in extra:
        more = fn(args.seed)
        write_jsonl(more, path)
        print(f"wrote {len(more)} items to {path}")
    return 0


def load_generators(tasks_root: str | Path) -> list:
    """The generator modules ``<tasks_root>/*/generate.py`` (imported by path, sorted by folder name).

    Each defines ``OUTPUT`` (path), ``DEFAULT_SEED``, ``generate(seed) -> list[dict]`` and optionally
    ``EXTRA``: further ``(function of the seed, path)`` pairs."""
    import importlib.util

    modules = []
    for script in sorted(Path(tasks_root).glob("*/generate.py")):
        name = f"_spin_eval_generator_{script.parent.name}"
        spec = importlib.util.spec_from_file_location(name, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        modules.append(module)
    return modules


def generator_outputs(module, seed: int | None = None) -> dict[Path, list[dict]]:
    """``{path: rows}`` of everything a generator module writes, for ``seed`` (default: its own)."""
    seed = module.DEFAULT_SEED if seed is None else seed
    out = {Path(module.OUTPUT): module.generate(seed)}
    for fn, path in getattr(module, "EXTRA", ()):
        out[Path(path)] = fn(seed)
    return out


def jsonl_bytes(rows: Iterable[dict]) -> bytes:
    """The JSONL bytes of ``rows`` (what :func:`write_jsonl` writes; ``tasks generate --check`` compares them)."""
    return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
