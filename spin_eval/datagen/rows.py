"""What every calibration-set generator shares: the row type, the defaults, the JSONL rendering."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

DEFAULT_SEED = 20241021
DEFAULT_COUNT = 200

Row = tuple[str, str, str]  # (category, prompt, response)
Family = Callable[[random.Random], Row]


def render_jsonl(rows: list[dict[str, str]]) -> bytes:
    """One JSON object per line, keys in a fixed order, UTF-8, trailing newline."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
