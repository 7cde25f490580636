"""The one home of the small file helpers: atomic writes, sha256 digests, JSON / JSONL reading.

Writes go to a temp file in the target's folder, are fsynced and then ``os.replace``d into place, so an
interrupted write leaves the old file (or none), never a half-written one. Reading errors raise
:class:`~spin_eval.errors.InputError` naming the file (and the line, for JSONL) and the fix.
Standard library only: importing this module imports neither torch nor lm-eval.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def apply_default_permissions(folder: Path) -> None:
    """Give a finished folder made with ``mkdtemp`` (0700) and its files the usual umask permissions.

    ``tempfile.mkdtemp`` and some writers (safetensors via a temp file) create owner-only entries; a
    cache or export folder should be readable like any other file the user creates.
    """
    umask = _umask()
    for child in [folder, *folder.rglob("*")]:
        child.chmod((0o777 if child.is_dir() else 0o666) & ~umask)


def resolve_inside(folder: str | Path, relative: Any, where: str) -> Path:
    """``folder / relative`` when it stays inside ``folder`` (symlinks resolved), else InputError naming
    ``where``: a path read from a manifest or a submission may not reach outside its folder (``../``,
    absolute paths, links pointing away)."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise InputError(f"{where}: {relative!r:.80} is not a relative path; the file is corrupt")
    root = Path(folder).resolve()
    candidate = (root / relative).resolve()
    if Path(relative).is_absolute() or not candidate.is_relative_to(root):
        raise InputError(f"{where}: path {relative!r:.80} leads outside {folder}; refusing to read it")
    return candidate


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file beside it and ``os.replace``; returns the path.

    The file gets the permissions a plain ``open(path, "w")`` would give (0666 less the umask), not
    ``mkstemp``'s owner-only 0600, so shared caches and outputs stay readable to the group as usual.
    """
    return write_stream_atomic(path, lambda fh: fh.write(data))


def write_stream_atomic(path: str | Path, fill: Callable[[Any], Any]) -> Path:
    """:func:`write_bytes_atomic` for content written piece by piece: ``fill(fh)`` writes (and may seek)
    into the temp file's binary handle, so no copy of the whole content is held in memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 (line ends as given), atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented, key-sorted JSON with a trailing newline, atomically."""
    return write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def copy_file_atomic(src: str | Path, dst: str | Path) -> Path:
    """Copy ``src`` to ``dst`` atomically (read whole, then :func:`write_bytes_atomic`); returns ``dst``."""
    return write_bytes_atomic(dst, Path(src).read_bytes())


def write_folder_atomic(path: str | Path, fill: Callable[[Path], None], *, replace: bool = False) -> Path:
    """Write a folder through ``fill(tmp)`` into a temporary sibling, give it the permissions ``mkdir`` would
    (not ``mkdtemp``'s owner-only ones), then rename it to ``path``; returns ``path``.

    An existing ``path`` is swapped out (moved aside, then removed) only with ``replace``; otherwise
    FileExistsError (also when another process renamed its folder into place first). On any error or
    Ctrl-C the temporary folder is removed: an interrupted write leaves the old folder or none, never a
    half-written one. The one folder swap of ``spin-eval export`` and ``spin-eval tune``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        fill(tmp)
        apply_default_permissions(tmp)
        if path.exists() and replace:
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, old / "previous")
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        elif path.exists():
            raise FileExistsError(f"{path} exists; it is not replaced")
        else:
            try:
                os.rename(tmp, path)  # fails when another writer's folder arrived first (not empty)
            except OSError as exc:
                raise FileExistsError(f"{path} was written by another process meanwhile ({exc.strerror})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(data: Any) -> str:
    """The byte-stable form used for hashing: sorted keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_json(data: Any) -> str:
    """Hex sha256 of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def read_json(path: str | Path, *, fix: str, missing_ok: bool = False) -> Any:
    """The parsed JSON file, read through the bounded reader (``spin_eval.bounded``: regular files only,
    size, depth and number length limited). A missing file gives None with ``missing_ok``, else
    InputError; a corrupt one gives InputError ``<path>: not valid JSON (<why>); <fix>``."""
    from spin_eval.bounded import LARGE, read_json_file

    path = Path(path)
    if missing_ok and not path.exists() and not path.is_symlink():
        return None
    return read_json_file(path, str(path), LARGE, fix=fix)


def iter_jsonl(path: str | Path, *, fix: str, where: str = "{path}:{lineno}") -> Iterator[tuple[str, Any]]:
    """``(location, value)`` for each non-blank line of a JSONL file (a regular file; each line read and
    parsed under ``spin_eval.bounded.LINE``'s limits).

    ``location`` is ``where`` filled with the path and the 1-based line number, for the caller's own
    errors about that line; a line that is not JSON raises InputError ``<location>: not valid JSON
    (<why>); <fix>``."""
    from spin_eval.bounded import LINE, loads_json, open_regular

    with open_regular(path, str(path)) as fh:
        lineno = 0
        while True:
            raw = fh.readline(LINE.max_bytes + 1)
            if not raw:
                break
            lineno += 1
            location = where.format(path=path, lineno=lineno)
            if len(raw) > LINE.max_bytes:
                raise InputError(f"{location}: a line over {LINE.max_bytes} bytes; {fix}")
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{location}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
            if not line.strip():
                continue
            yield location, loads_json(line, location, LINE, fix=fix)
