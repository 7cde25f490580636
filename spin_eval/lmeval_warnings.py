"""lm-eval warnings that spin-eval has checked and that cannot matter for its numbers: filtered in one place.

Every entry names the lm-eval logger, a pattern of the message and why it cannot change a number spin-eval
reports. Anything not listed here passes through unchanged, so every warning that can matter still shows.
``spin-eval run --verbose`` prints each filtered message once with its explanation
(:func:`explain`). Uses only the standard library (bottom floor).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckedWarning:
    logger: str
    pattern: str
    why: str


CHECKED: tuple[CheckedWarning, ...] = (
    CheckedWarning(
        "lm_eval.evaluator_utils",
        r"Metrics were not scored on the same number of documents",
        "BBQ's per-context metrics (acc_ambig, acc_disambig, s_amb, s_dis) are scored on the ambiguous or the "
        "disambiguated documents only, by design. The warning is about lm-eval's size-weighted group score; "
        "spin-eval's groups (tasks/groups/*.yaml) declare no aggregate_metric_list, so lm-eval computes no group "
        "score, and spin-eval reads every metric per task and recomputes intervals from the per-document "
        "samples with each metric's own document count.",
    ),
    CheckedWarning(
        "lm_eval.evaluator_utils",
        r"Higher_is_better values for metric \S+ in group \S+ are not consistent",
        "the same metric name (e.g. refusal_rate) means a good refusal in one task and an over-refusal in "
        "another, so lm-eval's merged direction for the group is undefined. lm-eval uses that merged direction "
        "only for group scores, which spin-eval's groups do not compute; spin-eval takes every metric's "
        "direction from its own catalog (spin_eval/results/facts.py), per task.",
    ),
)


class CheckedWarningFilter(logging.Filter):
    """Drops the records of :data:`CHECKED` (counting them); lets every other record through."""

    def __init__(self, checked: tuple[CheckedWarning, ...] = CHECKED) -> None:
        super().__init__()
        self.checked = [(c, re.compile(c.pattern)) for c in checked]
        self.seen: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            return True  # errors always show
        message = record.getMessage()
        for c, rx in self.checked:
            if record.name == c.logger and rx.search(message):
                self.seen[c.pattern] += 1
                return False
        return True


_INSTALLED: CheckedWarningFilter | None = None


def install() -> CheckedWarningFilter:
    """Attach the filter to the loggers named in :data:`CHECKED` (once per process); returns it."""
    global _INSTALLED
    if _INSTALLED is None:
        _INSTALLED = CheckedWarningFilter()
        for name in sorted({c.logger for c in CHECKED}):
            logging.getLogger(name).addFilter(_INSTALLED)
    return _INSTALLED


def explain(flt: CheckedWarningFilter | None = None) -> list[str]:
    """One line per checked warning that was filtered in this process: how often, and why it cannot matter."""
    flt = flt or _INSTALLED
    if flt is None:
        return []
    return [f"lm-eval warned {flt.seen[c.pattern]}x '{c.pattern.replace(chr(92), '')}': filtered, because {c.why}"
            for c, _ in flt.checked if flt.seen[c.pattern]]
