"""Reading leaderboard files: the one reader of submissions and of their evidence files.

Both are untrusted input. A file must be a regular file (a FIFO would block, a device such as
``/dev/zero`` never ends) no larger than a limit, and is read with a bounded read of at most limit + 1
bytes, so no input can hang a command or exhaust memory. JSON numbers must be finite: ``NaN``,
``Infinity`` and numbers too large for a float (``1e999`` parses as infinity) are refused naming the
file and the field, as are integers with more digits than Python parses. Every error is one line
(InputError, exit 2).

The bytes are read by ``spin_eval.bounded`` (the one bounded reader of every user file).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "submission.schema.json"
#: Largest submission file read (an embedded mask is base64 inside it).
MAX_SUBMISSION_BYTES = 256 * 1024 * 1024
#: Largest evidence file read (one task's logged samples of one variant).
MAX_EVIDENCE_BYTES = 256 * 1024 * 1024
SUBMISSION_FIX = "give a submission written by 'spin-eval leaderboard submit'"


class Tampered(InputError):
    """A submission whose files were changed after packing, or whose numbers do not follow from its
    evidence (``leaderboard verify``: a mismatch, exit 1; other InputErrors are malformed input, exit 2)."""


def read_bounded(path: str | Path, limit: int, label: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, through the one bounded reader
    (``spin_eval.bounded.read_bounded``: never blocks on a FIFO, never reads past the limit)."""
    from spin_eval.bounded import read_bounded as _read

    return _read(path, label, limit)


def first_non_finite(value: Any, path: str = "") -> str | None:
    """The dotted path of the first NaN or infinite float inside a JSON value, else None. Pure."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "(top level)"
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item))))
    return None


def require_finite(value: Any, where: str, prefix: str = "") -> None:
    """InputError ``<where>: field <path> is not a finite number`` for the first NaN/infinity in ``value``."""
    bad = first_non_finite(value, prefix)
    if bad is not None:
        raise InputError(f"{where}: field {bad} is not a finite number (NaN or infinity); a broken or forged "
                         "run is never ranked: re-run the evaluation")


def parse_json(data: bytes, where: str, fix: str) -> Any:
    """JSON from bytes: one-line InputError for text that is not UTF-8 JSON (or nested too deeply)."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{where}: malformed: not UTF-8 text; {fix}") from None
    except RecursionError:
        raise InputError(f"{where}: malformed: not JSON (nested too deeply); {fix}") from None
    except ValueError as exc:  # JSONDecodeError, and integers with too many digits
        raise InputError(f"{where}: malformed: not JSON ({str(exc).splitlines()[0][:120]}); {fix}") from None


def read_submission(path: str | Path) -> dict[str, Any]:
    """A submission file as a dict: bounded read, JSON, an object, every number finite."""
    where = str(path)
    sub = parse_json(read_bounded(path, MAX_SUBMISSION_BYTES, where), where, SUBMISSION_FIX)
    if not isinstance(sub, dict):
        raise InputError(f"{where}: malformed: not a JSON object; {SUBMISSION_FIX}")
    require_finite(sub, where)
    return sub


def read_evidence_rows(path: Path, label: str, sha256: str) -> list[dict[str, Any]]:
    """One evidence file's rows (JSON objects, one per line, every number finite), its bytes checked
    against ``sha256`` first."""
    import hashlib

    data = read_bounded(path, MAX_EVIDENCE_BYTES, label)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Tampered(f"{label}: tampered: sha256 mismatch (the file changed after packing)")
    rows = []
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        row = parse_json(line, f"{label} line {lineno}", "re-pack the submission with 'spin-eval leaderboard submit'")
        if not isinstance(row, dict):
            raise InputError(f"{label} line {lineno}: malformed: not a JSON object")
        require_finite(row, f"{label} line {lineno}")
        rows.append(row)
    return rows


def validate_schema(sub: Any, *, where: str) -> None:
    """Raise InputError naming the first violation of the shipped submission schema (path and message)."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(sub), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        loc = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise InputError(f"{where}: schema violation at {loc}: {str(err.message)[:200]}")
