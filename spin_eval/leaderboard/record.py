"""Verification records: what ``spin-eval leaderboard verify`` concluded about one submission.

``verify SUBMISSION`` writes ``<SUBMISSION stem>.verification.json`` beside the submission (or into
``--record-dir``); ``build`` reads it from the same place and counts a submission as verified only when
the record says ``verified`` for exactly this submission (its ``content_sha256``). A record is as
trustworthy as the folder it is kept in: a maintainer keeps records in a folder of their own
(``verify --record-dir D`` and ``build --verifications D``), not beside the submitted files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spin_eval.fileio import write_json_atomic

SUFFIX = ".verification.json"
VERDICTS = ("verified", "mismatch", "cannot-verify")


def record_path(submission_path: str | Path, record_dir: str | Path | None = None) -> Path:
    path = Path(submission_path)
    return (Path(record_dir) if record_dir is not None else path.parent) / f"{path.stem}{SUFFIX}"


def write_record(path: str | Path, sub: dict[str, Any], verdict: str, details: dict[str, Any]) -> Path:
    if verdict not in VERDICTS:
        raise ValueError(verdict)
    return write_json_atomic(path, {
        "kind": "spin-eval-verification", "verdict": verdict,
        "content_sha256": sub["integrity"]["content_sha256"], "name": sub.get("name"), **details,
    })


def verified_status(submission_path: str | Path, sub: dict[str, Any], record_dir: str | Path | None = None) -> tuple[bool, str]:
    """(verified, a short note for the board)."""
    path = record_path(submission_path, record_dir)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False, "not verified"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False, f"unreadable verification record {path.name}"
    if not isinstance(record, dict) or record.get("content_sha256") != sub["integrity"]["content_sha256"]:
        return False, "verification record is for another submission"
    verdict = record.get("verdict")
    if verdict != "verified":
        return False, f"verify said {verdict}"
    return True, f"verified ({record.get('documents_per_task')} docs/task, seed {record.get('seed')}, {record.get('date')})"
