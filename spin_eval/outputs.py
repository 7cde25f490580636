"""The one output-path guard of every command that writes (docs/reliability.md, "Output paths").

Every command checks its outputs here before any work (model load, scoring, deletion):

* :func:`check_output_file` / :func:`check_output_folder`: the path can be made (no dangling link, no file
  where a folder is needed, a file where a file is written and a folder where a folder is), it is never one
  of the command's inputs nor a file read from an input folder (results, samples, manifests, masks), and it
  does not lie inside what a spin-eval manifest records as written (the next ``--force`` would remove it);
* :func:`check_distinct`: two outputs of one command are never the same file;
* run folders (``run``, ``sweep``): :func:`planned_outputs` are recorded in the manifest before the first
  write, the way pip records an install in ``RECORD``; :func:`run_folder` checks, locks, lets ``--force``
  remove exactly the recorded outputs and refuses an output path holding a file spin-eval did not write;
* export folders: :func:`export_folder`, the same rules for ``spin-eval export`` (its record is
  ``spin_eval_export.json``'s ``outputs``);
* :func:`folder_lock`: an exclusive ``flock`` on ``FOLDER/.spin-eval.lock`` while a command writes a folder;
  a second one refuses at once naming the holder's pid (the kernel releases a dead holder's lock, so its lock
  file is simply taken over; ``flock`` is local: on NFS use one folder per machine);
* :func:`cache_lock`: the mask cache's lock; every writer of the cache waits for it (``spin.build``).

Standard library only (no torch, no lm-eval); errors are :class:`~spin_eval.errors.InputError` (exit 2).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from spin_eval.constants import EXPORT_INFO_FILE, MASKS_SUBDIR, RUN_MANIFEST, RUNS_SUBDIR
from spin_eval.errors import InputError
from spin_eval.fileio import read_json

LOCK_FILE = ".spin-eval.lock"
CACHE_LOCK_FILE = ".spin-eval-cache.lock"
REPORT_NAMES = ("report.html", "report.md", "report.json")
SCORE_SUMS = f"{MASKS_SUBDIR}/score_sums.safetensors"
#: Files the readers of an input folder read (lm-eval results and samples, manifests, masks, records).
READ_PATTERNS = ("results_*.json", "samples_*.jsonl", "*.safetensors", RUN_MANIFEST, EXPORT_INFO_FILE,
                 "*.verification.json", "evidence/*.jsonl")

Inputs = Mapping[str, "str | Path | Iterable[str | Path] | None"]


# -------------------------------------------------------------------------------------------- path checks


def _inputs(inputs: Inputs | None) -> Iterator[tuple[str, Path]]:
    for flag, given in (inputs or {}).items():
        for one in ([given] if isinstance(given, (str, Path)) else list(given or [])):
            if one:
                yield flag, Path(one).expanduser()


def _dangling(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def check_creatable(path: str | Path, flag: str, *, folder: bool) -> Path:
    """InputError (one line, exit 2) when ``path`` cannot be written as a file (``folder=False``) or a folder."""
    path = Path(path).expanduser()
    what = "folder" if folder else "file"
    if _dangling(path):
        raise InputError(f"{flag} {path}: is a symbolic link to {os.readlink(path)}, which does not exist; remove "
                         f"the link or give another {what}")
    if path.exists():
        if folder and not path.is_dir():
            raise InputError(f"{flag} {path}: is a file, not a folder; give a folder (it is created)")
        if not folder and path.is_dir():
            raise InputError(f"{flag} {path}: is a folder; give a file name, e.g. {path / 'out'}")
    for parent in path.parents:
        if _dangling(parent):
            raise InputError(f"{flag} {path}: {parent} is a symbolic link to {os.readlink(parent)}, which does not "
                             "exist; choose another path")
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{flag} {path}: {parent} is a file, not a folder; choose another path")
            writable = path if folder and path.is_dir() else parent
            if not os.access(writable, os.W_OK | os.X_OK):
                raise InputError(f"{flag} {path}: cannot write in {writable} (permission denied); choose another path")
            break
    return path


def _read_from(path: Path) -> bool:
    """Whether a reader of a folder holding ``path`` reads it (by name)."""
    tail = f"{path.parent.name}/{path.name}"
    return any(fnmatch(path.name, pattern) or fnmatch(tail, pattern) for pattern in READ_PATTERNS)


def _check_not_input(path: Path, flag: str, inputs: Inputs | None, *, outside: bool) -> None:
    target = path.resolve()
    for in_flag, given in _inputs(inputs):
        if not given.exists():
            continue
        real = given.resolve()
        if target == real:
            raise InputError(f"{flag} {path}: is also the input {in_flag} {given}; write the output elsewhere")
        folder = real if real.is_dir() else real.parent if fnmatch(real.name, "results_*.json") else None
        if folder is None or not target.is_relative_to(folder):
            continue
        if outside:
            raise InputError(f"{flag} {path}: is inside the input {in_flag} {given}; write the output elsewhere")
        if target.is_file() and _read_from(target):
            raise InputError(f"{flag} {path}: would overwrite {target.name}, which is read from the input {in_flag} "
                             f"{given}; write the output elsewhere")


def _check_not_recorded(path: Path, flag: str, start: Path) -> None:
    """InputError when ``path`` is, or lies inside, an output a spin-eval manifest above it records."""
    target = path.resolve()
    for folder in [start, *start.parents]:
        for name, recorded in ((RUN_MANIFEST, recorded_outputs), (EXPORT_INFO_FILE, _export_recorded)):
            if not (folder / name).is_file():
                continue
            try:
                data = read_json(folder / name, fix="")
            except InputError:
                continue
            for rel in recorded(data):
                if target == folder / rel or target.is_relative_to(folder / rel):
                    raise InputError(
                        f"{flag} {path}: is {'inside ' if target != folder / rel else ''}{rel}, which {folder / name} "
                        "records as written by spin-eval (its --force would remove it); write the output elsewhere")


def check_output_file(path: str | Path, flag: str, *, inputs: Inputs | None = None, outside_inputs: bool = False) -> Path:
    """``path`` as an output file, checked before any work: creatable, not an input (nor a file read from an
    input folder; with ``outside_inputs`` not inside an input folder at all), not inside a recorded output."""
    path = check_creatable(path, flag, folder=False)
    _check_not_input(path, flag, inputs, outside=outside_inputs)
    _check_not_recorded(path, flag, path.resolve().parent)
    return path


def check_output_folder(path: str | Path, flag: str, *, inputs: Inputs | None = None,
                        writes: Iterable[str] = ()) -> Path:
    """``path`` as an output folder: creatable, not inside a recorded output of another manifest, and no input
    is (or lies inside) one of the relative paths ``writes`` it writes or removes (``""``: the whole folder)."""
    path = check_creatable(path, flag, folder=True)
    _check_not_recorded(path, flag, path.resolve().parent)
    root = path.resolve()
    owned = [root / rel if rel else root for rel in writes]
    for in_flag, given in _inputs(inputs):
        real = given.resolve()
        for out in owned:
            if real == out or real.is_relative_to(out):
                where = f"{out.relative_to(root)} in " if out != root else ""
                raise InputError(
                    f"{in_flag} {given}: is an output of this command ({where}{flag} {path}), so it would be overwritten "
                    f"or removed; copy it elsewhere first or choose another {flag}")
    return path


def check_distinct(outputs: Mapping[str, str | Path | None]) -> None:
    """InputError when two outputs of one command are the same file (``check --markdown F --junit F``)."""
    seen: dict[Path, str] = {}
    for flag, given in outputs.items():
        if given is None:
            continue
        real = Path(given).expanduser().resolve()
        if real in seen:
            raise InputError(f"{seen[real]} and {flag} {given}: are the same file; give each output its own path")
        seen[real] = f"{flag} {given}"


# -------------------------------------------------------------------------------------- recorded outputs


def planned_outputs(variant_names: Iterable[str], mask_names: Iterable[str]) -> list[str]:
    """Relative paths a run or sweep writes: mask files, score sums, one folder per variant (and its partial
    folder), the reports. The manifest and the lock file are spin-eval's by name."""
    out = [f"{MASKS_SUBDIR}/{name}" for name in mask_names] + [SCORE_SUMS]
    for name in variant_names:
        out += [f"{RUNS_SUBDIR}/{name}", f"{RUNS_SUBDIR}/.{name}.partial"]
    return out + list(REPORT_NAMES)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def recorded_outputs(manifest: Any) -> list[str]:
    """The outputs a run or sweep manifest records (``outputs``; for manifests written before that field: its
    masks, variant folders and report files, as its settings or sweep points name them). Paths leaving the
    folder are dropped."""
    if not isinstance(manifest, dict):
        return []
    listed = manifest.get("outputs")
    if isinstance(listed, list):
        return [p for p in listed if isinstance(p, str) and _is_plain_relative(p)]
    stages = _dict(manifest.get("stages"))
    masks = _dict(_dict(stages.get("masks")).get("masks"))
    paths = [m.get("path") for m in masks.values() if isinstance(m, dict)]
    names = [str(n) for n in _dict(manifest.get("variants"))]
    for point in _dict(manifest.get("sweep")).get("points") or []:  # a sweep: its points name their masks
        point = _dict(point)
        mask_names = [point.get("spin"), *_dict(point.get("controls")).values()]
        paths += [f"{MASKS_SUBDIR}/{n}.safetensors" for n in mask_names if isinstance(n, str)]
    paths += [f"{RUNS_SUBDIR}/{n}" for n in names] + [f"{RUNS_SUBDIR}/.{n}.partial" for n in names]
    paths += [SCORE_SUMS] if paths else []
    files = _dict(stages.get("report")).get("files") or []
    paths += [str(f) for f in files if f in REPORT_NAMES] if isinstance(files, list) else []
    controls = _dict(manifest.get("settings")).get("controls")
    if manifest.get("kind") != "sweep" and isinstance(controls, list) and all(isinstance(c, str) for c in controls):
        # what a run with these settings writes, even where it stopped before recording a stage
        paths += planned_outputs(["base", "spin", *(f"control-{c}" for c in controls)],
                                 ["spin.safetensors", *(f"control-{c}.safetensors" for c in controls)])
    return [p for p in paths if isinstance(p, str) and _is_plain_relative(p)]


def _is_plain_relative(path: str) -> bool:
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def _remove(path: Path) -> bool:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    else:
        return False
    return True


def clear_recorded_outputs(out_dir: Path, manifest: Any) -> list[str]:
    """``--force``: remove exactly the outputs ``manifest`` records; returns what was removed."""
    return [rel for rel in recorded_outputs(manifest) if _remove(out_dir / rel)]


def refuse_foreign_files(out_dir: Path, outputs: Iterable[str], recorded: Iterable[str]) -> None:
    """InputError when an output path exists but no spin-eval manifest recorded it (the user's own file)."""
    known = set(recorded)
    for rel in outputs:
        if rel not in known and (out_dir / rel).exists():
            raise InputError(
                f"-o {out_dir}: {rel} exists but was not written by spin-eval (not in {RUN_MANIFEST}); move it "
                "away or choose another -o folder, spin-eval never overwrites files it did not write"
            )


def check_run_folder(out_dir: Path, outputs: list[str], inputs: Inputs) -> Path:
    """The path checks of :func:`run_folder` alone (cheap, no lock): callers run them before validating
    their other inputs, so a path error is reported first and nothing is loaded for it."""
    return check_output_folder(out_dir, "-o", inputs=inputs, writes=[*outputs, RUN_MANIFEST, LOCK_FILE])


@contextmanager
def run_folder(out_dir: Path, outputs: list[str], inputs: Inputs, *, force: bool) -> Iterator[list[str]]:
    """The folder safety of ``run`` and ``sweep``: check ``-o`` and the inputs, hold the lock, let ``force``
    remove only the previously recorded outputs, refuse foreign files at output paths. Yields ``outputs``,
    which the caller records in its manifest before its first write."""
    check_run_folder(out_dir, outputs, inputs)
    with folder_lock(out_dir):
        try:
            previous = read_json(out_dir / RUN_MANIFEST, fix="delete it or re-run with --force", missing_ok=True)
        except InputError:
            if not force:
                raise
            previous = None  # unreadable: nothing counts as recorded, so nothing is removed
        recorded = recorded_outputs(previous)
        if force:
            clear_recorded_outputs(out_dir, previous)
            recorded = []
        refuse_foreign_files(out_dir, outputs, recorded)
        yield outputs


def _export_recorded(info: Any) -> list[str]:
    listed = _dict(info).get("outputs")
    return [p for p in listed if isinstance(p, str) and _is_plain_relative(p)] if isinstance(listed, list) else []


@contextmanager
def export_folder(out_dir: Path, inputs: Inputs, *, force: bool) -> Iterator[Path]:
    """The folder safety of ``export`` (which replaces the whole folder): no input inside it, the lock held, and
    an existing non-empty folder replaced only with ``force`` and only when every file in it is one a previous
    export recorded writing (``spin_eval_export.json``'s ``outputs``)."""
    check_output_folder(out_dir, "-o", inputs=inputs, writes=[""])
    created = not out_dir.exists()
    with folder_lock(out_dir) as lock:
        present = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*")
                         if not p.is_dir() and p.name != LOCK_FILE)
        if present and not force:
            raise InputError(f"-o {out_dir}: the folder is not empty; choose another -o or pass --force to replace "
                             "an earlier export there")
        info = read_json(out_dir / EXPORT_INFO_FILE, fix="move the folder away or choose another -o",
                         missing_ok=True) if present else None
        recorded = set(_export_recorded(info))
        foreign = [p for p in present if p not in recorded]
        if foreign:
            raise InputError(f"-o {out_dir}: {foreign[0]} exists but was not written by spin-eval export (not in "
                             f"{EXPORT_INFO_FILE}); --force replaces only an earlier export: move it or choose another -o")
        try:
            yield out_dir
        except BaseException:
            if created and [p.name for p in out_dir.iterdir()] == [LOCK_FILE]:  # a failed export leaves nothing
                lock.unlink()
                out_dir.rmdir()
            raise


# ------------------------------------------------------------------------------------------------- locks


def _flock(path: Path, *, wait: bool) -> int | None:
    """An fd holding an exclusive flock on ``path`` (created), or None when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError as exc:
        if wait or exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            os.close(fd)
            raise
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown pid"
        os.close(fd)
        raise InputError(f"{path.parent}: another spin-eval command is writing there ({holder}); wait for it to "
                         "finish or choose another output folder") from None
    os.ftruncate(fd, 0)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
    return fd


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold the exclusive lock of ``folder`` (created) for the ``with`` block; InputError naming the holder's pid
    when another process holds it. The lock file stays (removing it would let two commands lock two files)."""
    fd = _flock(Path(folder) / LOCK_FILE, wait=False)
    try:
        yield Path(folder) / LOCK_FILE
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def cache_lock(folder: str | Path) -> Iterator[None]:
    """Wait for, then hold, the lock of the mask cache ``folder``: concurrent builders (parallel runs, data-parallel
    ranks) build once, the others then load the cached file."""
    fd = _flock(Path(folder) / CACHE_LOCK_FILE, wait=True)
    try:
        yield
    finally:
        os.close(fd)
