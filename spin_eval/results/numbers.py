"""Numbers a person reads: the one formatting of every value, change, interval and p-value. Pure.

- metrics in points (rates, accuracies, bias scores; ``scale`` 100): one decimal (``+32.1``);
- other metrics (perplexities, bits per byte) and ratios (the alignment tax): three significant digits
  (``1.20``, ``+0.0771``, ``32.1``);
- an interval has the precision of its estimate (``+0.0771 [+0.0625, +0.0916]``, ``+32.1 [+24.0, +42.9]``);
- p-values: two significant digits (``p=0.0078``, ``p=0.31``), ``p<0.001`` below that.

The report's tables, its answer sentences, the run summary and the Markdown all format through here, so the
same evidence reads the same everywhere (tests compare the strings).
"""

from __future__ import annotations

import math

NA = "n/a"
#: Significant digits of values not in points (perplexities, ratios).
SIG_DIGITS = 3
#: Decimals of values in points.
POINT_DECIMALS = 1
MAX_DECIMALS = 6


def _finite(x: float | None) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def decimals(value: float | None, scale: float = 1.0) -> int:
    """Decimals shown for ``value``: one in points, else enough for three significant digits."""
    if scale != 1.0:
        return POINT_DECIMALS
    if not _finite(value) or value == 0:
        return 2
    return max(0, min(MAX_DECIMALS, SIG_DIGITS - 1 - math.floor(math.log10(abs(value)))))


def fmt_value(value: float | None, scale: float = 1.0, *, signed: bool = False, places: int | None = None) -> str:
    """A metric value or change (``scale`` 100: in points); ``places`` overrides the decimals."""
    if not _finite(value):
        return NA
    x = value * scale
    x = 0.0 if x == 0 else x  # never "-0.00"
    d = decimals(x, 1.0 if scale == 1.0 else scale) if places is None else places
    return f"{x:+.{d}f}" if signed else f"{x:.{d}f}"


def fmt_ci(low: float | None, high: float | None, scale: float = 1.0, *, like: float | None = None,
           signed: bool = True) -> str:
    """``[low, high]`` (signed unless ``signed=False``) with the decimals of the estimate ``like`` (else of the
    wider end); '' when an end is missing."""
    if not (_finite(low) and _finite(high)):
        return ""
    ref = like if _finite(like) and like != 0 else max(abs(low), abs(high))
    d = decimals(ref * scale if scale != 1.0 else ref, scale)
    return f"[{fmt_value(low, scale, signed=signed, places=d)}, {fmt_value(high, scale, signed=signed, places=d)}]"


def fmt_change(delta: float | None, low: float | None, high: float | None, scale: float = 1.0) -> str:
    """``+32.1 [+24.0, +42.9]`` (the interval with the estimate's precision)."""
    if not _finite(delta):
        return NA
    return f"{fmt_value(delta, scale, signed=True)} {fmt_ci(low, high, scale, like=delta)}".strip()


def fmt_ratio(value: float | None) -> str:
    """A ratio (the alignment tax) to three significant digits."""
    return fmt_value(value)


def fmt_p(p: float | None) -> str:
    """``p=0.0078`` / ``p=0.31`` / ``p<0.001`` (``p n/a`` when missing)."""
    if not _finite(p):
        return "p n/a"
    if p < 0.001:
        return "p<0.001"
    return f"p={float(f'{p:.2g}'):g}"


def fmt_relative(delta: float | None, base: float | None) -> str:
    """The change relative to the baseline value, in percent (``+6.5%``)."""
    if not (_finite(delta) and _finite(base)) or base == 0:
        return NA
    rel = 100.0 * delta / abs(base)
    return f"{rel:+.{decimals(rel)}f}%" if abs(rel) < 100 else f"{rel:+.0f}%"
