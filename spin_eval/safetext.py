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
