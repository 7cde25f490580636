"""Make untrusted text safe to show: on a terminal (no escape codes) and in a CSV cell (no formulas).

Text read from user files (a mask's ``model_name``, a submission's fields) can carry terminal control
sequences (``\\x1b]8;;...``, ``\\x1b[2J``) or spreadsheet formulas (``=HYPERLINK(...)``). Pure functions,
standard library only.
"""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, and C1 controls (ESC sequences start with \x1b or \x9b).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def terminal_safe(text: object) -> str:
    """``str(text)`` with every control character (escape codes included) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def csv_safe(value: object) -> object:
    """A CSV cell that no spreadsheet evaluates: strings starting with ``= + - @``, tab or CR get a
    leading ``'`` (OWASP advice); numbers and None pass unchanged, so numeric columns stay numeric."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    return "'" + value


#: What :func:`one_line` shows as escapes: every control character (newlines and tabs too), the Unicode line
#: and paragraph separators, and the bidirectional overrides and isolates (text that reads other than it is).
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Leading characters that make spreadsheet programs evaluate a text cell (OWASP CSV injection), strictest set.
_CELL_FORMULA_START = _FORMULA_START + ("|", "%")


def one_line(text: object) -> str:
    """``str(text)`` on one line: control characters (terminal escapes, newlines), line separators and bidi
    overrides shown as ``\\xNN`` / ``\\uNNNN``."""
    return _NOT_ONE_LINE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def csv_cell(text: object) -> str:
    """A text cell that spreadsheets show as text: one line, and a leading ``'`` before formula starters."""
    raw = str(text)
    safe = one_line(raw)
    return "'" + safe if raw.startswith(_CELL_FORMULA_START) else safe
