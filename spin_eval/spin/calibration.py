"""Calibration sets: prompt/response pairs from CSV, JSONL or a hub dataset; seeded sampling; tokenisation
with the loss on response tokens only.

A sample is the prompt followed by the response. Raw mode (default, as the paper's code) tokenises
``prompt`` and ``"\\n" + response`` separately and concatenates them, so the boundary is exact; chat mode
wraps the prompt as a user turn with the tokenizer's chat template (generation prompt added) and
appends the response. Labels are -100 on prompt tokens.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import file_sha256, iter_jsonl

logger = logging.getLogger(__name__)

SET_NAMES = ("general", "fairness", "privacy")
#: Which shipped fairness/privacy sets SPIN's defaults use: the aware ones, or their malicious twins (the
#: same prompts with unaware answers, ``spin_eval/datagen/malicious.py``; robustness experiments only).
#: The general set is the same for both.
CALIBRATION_VARIANTS = ("aware", "malicious")
#: Separator between prompt and response in raw mode.
RAW_SEPARATOR = "\n"
#: How the raw-mode separator is placed (``SpinConfig.separator``): "newline" tokenises "\n" + response
#: together, so the newline is the first labelled (scored) token; "newline-unscored" puts the "\n"
#: tokens after the prompt, labelled -100; "none" joins prompt and response tokens with nothing between.
SEPARATORS = ("newline", "newline-unscored", "none")
IGNORE_INDEX = -100


@dataclass(frozen=True)
class CalibrationSet:
    """Rows of one calibration set and where they came from."""

    name: str  # file name or hub id
    source: str  # path or hub id as given
    sha256: str  # of the file bytes (hub: of the canonical JSON of the rows)
    rows: tuple[tuple[str, str], ...]


def default_calibration_path(set_name: str, variant: str = "aware") -> Path:
    """The shipped set ``spin_eval/spin/calibration_data/<set_name>.jsonl``; with ``variant="malicious"`` the
    fairness and privacy sets are ``malicious_<set_name>.jsonl`` (the general set stays the aware one)."""
    if set_name not in SET_NAMES:
        raise InputError(f"calibration set {set_name!r} is unknown; choose one of {', '.join(SET_NAMES)}")
    if variant not in CALIBRATION_VARIANTS:
        raise InputError(f"calibration variant {variant!r} is unknown; choose one of {', '.join(CALIBRATION_VARIANTS)}")
    prefix = "malicious_" if variant == "malicious" and set_name != "general" else ""
    return Path(__file__).resolve().parent / "calibration_data" / f"{prefix}{set_name}.jsonl"


def _check_row(prompt: Any, response: Any, where: str) -> tuple[str, str]:
    for field_name, value in (("prompt", prompt), ("response", response)):
        if value is None or not isinstance(value, str) or not value.strip():
            raise InputError(f"{where}: empty or missing '{field_name}'; every row needs a non-empty prompt and response")
    return prompt, response


#: Key under which csv.DictReader puts the fields of a row beyond the header's.
_EXTRA_FIELDS = "\x00extra"


def _read_csv(path: Path) -> list[tuple[str, str]]:
    """Rows of a calibration CSV (UTF-8, a leading byte-order mark allowed); InputError naming file and line
    for non-UTF-8 bytes, malformed CSV, a missing column, or a row with more fields than the header."""
    rows: list[tuple[str, str]] = []
    start = 1
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:  # -sig: Excel writes a BOM before the header
            reader = csv.DictReader(fh, restkey=_EXTRA_FIELDS)
            fields = reader.fieldnames or []
            if "prompt" not in fields or "response" not in fields:
                raise InputError(
                    f"{path}: line 1: the header {fields} lacks 'prompt' and/or 'response'; a calibration CSV needs both columns"
                )
            start = reader.line_num + 1
            for row in reader:
                where = f"{path}: line {start}"
                if _EXTRA_FIELDS in row:
                    raise InputError(
                        f"{where}: {len(fields) + len(row[_EXTRA_FIELDS])} fields but the header has {len(fields)}; "
                        "quote fields that contain commas"
                    )
                rows.append(_check_row(row.get("prompt"), row.get("response"), where))
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{path}: line {start}: not valid CSV ({exc}); check the quoting") from None
    return rows


def _read_jsonl(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for where, obj in iter_jsonl(path, fix="one JSON object per line", where="{path}: line {lineno}"):
        if not isinstance(obj, dict):
            raise InputError(f"{where}: not a JSON object with 'prompt' and 'response'")
        rows.append(_check_row(obj.get("prompt"), obj.get("response"), where))
    return rows


def load_calibration(source: str | Path) -> CalibrationSet:
    """Load a calibration set from a ``.csv`` / ``.jsonl`` / ``.json`` file, or a hub dataset id
    ``owner/name`` (optionally ``owner/name:split``, default split ``train``) with prompt/response columns."""
    text = str(source)
    path = Path(text).expanduser()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows = _read_csv(path)
        elif suffix in (".jsonl", ".json"):
            rows = _read_jsonl(path)
        else:
            raise InputError(f"{path}: unknown calibration file type {suffix!r}; use .csv or .jsonl with prompt/response")
        if not rows:
            raise InputError(f"{path}: no rows; a calibration set needs at least one prompt/response pair")
        return CalibrationSet(name=path.name, source=str(path), sha256=file_sha256(path), rows=tuple(rows))
    looks_local = text.endswith((".csv", ".jsonl", ".json")) or text.startswith((".", "/", "~")) or text.count("/") != 1
    if looks_local:
        raise InputError(f"calibration file {text} does not exist; give a CSV/JSONL path or a hub dataset id owner/name")
    return _load_hub(text)


def _load_hub(text: str) -> CalibrationSet:  # pragma: no cover - needs the hub (real users only)
    repo, _, split = text.partition(":")
    try:
        import datasets

        ds = datasets.load_dataset(repo, split=split or "train")
    except Exception as exc:
        raise InputError(f"cannot load hub dataset {text!r} ({type(exc).__name__}: {exc}); check the id or pass a file") from None
    if "prompt" not in ds.column_names or "response" not in ds.column_names:
        raise InputError(f"hub dataset {text!r} has columns {ds.column_names}; it needs 'prompt' and 'response'")
    rows = [_check_row(r["prompt"], r["response"], f"{text}: row {i}") for i, r in enumerate(ds)]
    canonical = json.dumps(rows, ensure_ascii=False).encode()
    return CalibrationSet(name=text, source=text, sha256=hashlib.sha256(canonical).hexdigest(), rows=tuple(rows))


def sample_rows(cal: CalibrationSet, nsamples: int, seed: int) -> list[tuple[str, str]]:
    """``nsamples`` rows drawn without replacement with ``numpy.random.default_rng(seed)`` (all rows, in a
    seeded order, when the set is smaller; logged)."""
    import numpy as np

    n = len(cal.rows)
    if nsamples > n:
        logger.warning("calibration set %s has %d rows, fewer than nsamples=%d; using all of them", cal.name, n, nsamples)
    order = np.random.default_rng(seed).permutation(n)[: min(nsamples, n)]
    return [cal.rows[int(i)] for i in order]


def tokenize_sample(
    tokenizer: Any, prompt: str, response: str, *, chat_template: bool = False, max_length: int = 1024,
    separator: str = "newline",
) -> tuple[list[int], list[int]]:
    """``(input_ids, labels)`` for one sample; labels are -100 on prompt tokens. Long samples lose prompt
    tokens from the left first (at most half the budget goes to the prompt when both are long).
    ``separator`` (one of SEPARATORS) places the raw-mode "\n"; the chat template brings its own."""
    if separator not in SEPARATORS:
        raise InputError(f"separator {separator!r} is unknown; choose one of {', '.join(SEPARATORS)}")
    if chat_template:
        if not getattr(tokenizer, "chat_template", None):
            raise InputError("chat_template=True but the tokenizer has no chat template; drop --chat-template")
        prompt_text = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
        prompt_ids = list(tokenizer(prompt_text, add_special_tokens=False)["input_ids"])
        response_ids = list(tokenizer(response, add_special_tokens=False)["input_ids"])
    else:
        prompt_ids = list(tokenizer(prompt, add_special_tokens=True)["input_ids"])
        if separator == "newline":
            response_ids = list(tokenizer(RAW_SEPARATOR + response, add_special_tokens=False)["input_ids"])
        else:
            response_ids = list(tokenizer(response, add_special_tokens=False)["input_ids"])
        if separator == "newline-unscored":
            prompt_ids += list(tokenizer(RAW_SEPARATOR, add_special_tokens=False)["input_ids"])
    if not response_ids:
        raise InputError(f"response {response[:40]!r} tokenises to nothing; give a non-empty response")
    if len(prompt_ids) + len(response_ids) > max_length:
        keep_response = min(len(response_ids), max_length - min(len(prompt_ids), max_length // 2))
        keep_prompt = max_length - keep_response
        response_ids = response_ids[:keep_response]
        prompt_ids = prompt_ids[len(prompt_ids) - keep_prompt :] if keep_prompt else []
    input_ids = prompt_ids + response_ids
    labels = [IGNORE_INDEX] * len(prompt_ids) + response_ids
    return input_ids, labels
