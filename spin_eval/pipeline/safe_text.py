"""Submitted text made safe to show: in a terminal, in a spreadsheet (CSV), in one line. Pure.

HTML is escaped by the leaderboard template (Jinja autoescape); these cover the other outputs.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Leading characters that make spreadsheet programs evaluate a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def one_line(text: object) -> str:
    """Control characters (terminal escapes, newlines, bidi overrides) shown as ``\\xNN`` / ``\\uNNNN``."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def csv_cell(text: object) -> str:
    """A text cell that spreadsheets show as text: one line, and a leading ``'`` before formula starters."""
    raw = str(text)
    safe = one_line(raw)
    return "'" + safe if raw.startswith(_FORMULA_START) else safe
