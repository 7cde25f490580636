"""Keep ``spin-eval run`` from destroying what it did not write, and from racing another run.

* :func:`planned_outputs`: every path a run writes into its folder (relative), recorded in the manifest
  under ``outputs`` before the first write, the way pip records an install in ``RECORD``;
* :func:`check_run_paths`: the output folder is not a file, and no input (``--mask``, calibration files,
  ``--include-path``) is one of the run's outputs (refused, exit 2);
* :func:`clear_recorded_outputs`: what ``--force`` removes: only the paths the previous manifest recorded
  (files spin-eval did not write, such as the user's own notes or masks, are kept);
* :func:`refuse_foreign_files`: an output path that exists but was not recorded by spin-eval is never
  overwritten (refused, exit 2: move it, or choose another ``-o``);
* :func:`run_folder_lock`: an exclusive ``flock`` on ``OUT/.spin-eval-run.lock`` while a run writes; a
  second run refuses at once naming the holder's pid. The kernel releases the lock when its holder dies,
  so a lock file left by a killed run is simply taken over. (``flock`` is local: on NFS use one folder
  per machine.)
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.results.runfolder import MASKS_SUBDIR, RUN_MANIFEST, RUNS_SUBDIR

LOCK_FILE = ".spin-eval-run.lock"
REPORT_NAMES = ("report.html", "report.md", "report.json")
SCORE_SUMS = f"{MASKS_SUBDIR}/score_sums.safetensors"


def planned_outputs(variant_names: Iterable[str], mask_names: Iterable[str]) -> list[str]:
    """Relative paths a run writes: mask files, score sums, one folder per variant (and its partial
    folder), the reports. The manifest and the lock file are spin-eval's by name."""
    out = [f"{MASKS_SUBDIR}/{name}" for name in mask_names] + [SCORE_SUMS]
    for name in variant_names:
        out += [f"{RUNS_SUBDIR}/{name}", f"{RUNS_SUBDIR}/.{name}.partial"]
    return out + list(REPORT_NAMES)


def recorded_outputs(manifest: Any) -> list[str]:
    """The outputs a previous run's manifest records (``outputs``; for manifests written before that field:
    its mask paths, variant folders and report files). Paths leaving the folder are dropped."""
    if not isinstance(manifest, dict):
        return []
    listed = manifest.get("outputs")
    if isinstance(listed, list):
        paths = [p for p in listed if isinstance(p, str)]
    else:
        stages = manifest.get("stages") if isinstance(manifest.get("stages"), dict) else {}
        masks = (stages.get("masks") or {}).get("masks") or {}
        paths = [m.get("path") for m in masks.values() if isinstance(m, dict)] if isinstance(masks, dict) else []
        variants = manifest.get("variants") if isinstance(manifest.get("variants"), dict) else {}
        paths += [f"{RUNS_SUBDIR}/{name}" for name in variants] + [f"{RUNS_SUBDIR}/.{name}.partial" for name in variants]
        paths += [SCORE_SUMS] if paths else []
        files = (stages.get("report") or {}).get("files") or []
        paths += [str(f) for f in files if f in REPORT_NAMES] if isinstance(files, list) else []
        settings = manifest.get("settings") if isinstance(manifest.get("settings"), dict) else {}
        controls = settings.get("controls")
        if isinstance(controls, list) and all(isinstance(c, str) for c in controls):
            # what a run with these settings writes, even where it stopped before recording a stage
            paths += planned_outputs(["base", "spin", *(f"control-{c}" for c in controls)],
                                     ["spin.safetensors", *(f"control-{c}.safetensors" for c in controls)])
    return [p for p in paths if isinstance(p, str) and _is_plain_relative(p)]


def _is_plain_relative(path: str) -> bool:
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


def check_run_paths(out_dir: Path, outputs: Iterable[str], inputs: dict[str, str | Path | None]) -> None:
    """InputError when ``out_dir`` is a file, or when an input (flag -> path) is one of the run's outputs
    or lies inside one (``--mask OUT/masks/spin.safetensors``, ``--mask OUT/runs/...``)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"-o {out_dir}: is a file, not a folder; give a folder for the run (it is created)")
    root = out_dir.resolve()
    owned = [root / p for p in outputs] + [root / RUN_MANIFEST, root / LOCK_FILE]
    for flag, given in inputs.items():
        if not given:
            continue
        path = Path(given).expanduser().resolve()
        for out in owned:
            if path == out or path.is_relative_to(out):
                raise InputError(
                    f"{flag} {given}: is an output of this run ({out.relative_to(root)} in -o {out_dir}), so it "
                    "would be overwritten or removed; copy it elsewhere first or choose another -o"
                )


def clear_recorded_outputs(out_dir: Path, manifest: Any) -> list[str]:
    """``--force``: remove exactly the outputs ``manifest`` records; returns what was removed."""
    removed = []
    for rel in recorded_outputs(manifest):
        path = out_dir / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            continue
        removed.append(rel)
    return removed


def refuse_foreign_files(out_dir: Path, outputs: Iterable[str], recorded: Iterable[str]) -> None:
    """InputError when an output path exists but no spin-eval manifest recorded it (the user's own file)."""
    known = set(recorded)
    for rel in outputs:
        if rel not in known and (out_dir / rel).exists():
            raise InputError(
                f"-o {out_dir}: {rel} exists but was not written by spin-eval (not in {RUN_MANIFEST}); move it "
                "away or choose another -o folder, spin-eval never overwrites files it did not write"
            )


@contextmanager
def run_folder_lock(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``out_dir`` for the ``with`` block; InputError naming the holder's pid when
    another process holds it. The lock file stays (removing it would let two runs lock different files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown pid"
            raise InputError(
                f"-o {out_dir}: another spin-eval run is writing there ({holder}); wait for it to finish or "
                "choose another -o folder"
            ) from None
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the flock
