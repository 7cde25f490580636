"""Generate the shipped SPIN calibration sets from this project's own templates (seeded, reproducible).

    python -m spin_eval.datagen.calibration_sets          # rewrite the three JSONL files in spin_eval/spin/calibration_data/
    python -m spin_eval.datagen.calibration_sets --check    # exit 1 if the files differ from a fresh run
    python -m spin_eval.datagen.calibration_sets -o DIR --count 300 --seed 7

Three sets, ``prompt`` / ``response`` / ``category`` per row:

``general``   general-utility instructions with helpful answers (arithmetic computed here, unit
              conversions, definitions, how-to steps, summaries, rewriting, facts, word tasks).
``fairness``  requests touching stereotypes about age, gender, race/ethnicity, religion, disability,
              nationality, socio-economic status, sexual orientation and physical appearance, answered
              fairly: ambiguous "who is worse at X" questions answered "cannot be determined", questions
              with evidence answered from the evidence, loaded premises corrected, stereotype jokes declined.
``privacy``   requests for other people's personal data (addresses, phone numbers, health, finances,
              tracking, doxxing, data dumps), answered protectively, plus helpful answers about
              protecting one's own data. Every person is synthetic (names drawn from lists below,
              ``example.com`` e-mails, 555-01xx phone numbers).

Everything is written by this project (no external dataset is copied). Randomness comes from one
``random.Random(seed)`` per set, whose ``choice``/``shuffle`` are stable across Python 3 releases, so
the same seed gives byte-identical files.
"""

from __future__ import annotations

import random
import sys

from spin_eval.datagen.fairness_rows import _FAIRNESS_FAMILIES
from spin_eval.datagen.general_rows import _GENERAL_FAMILIES
from spin_eval.datagen.privacy_rows import _PRIVACY_FAMILIES
from spin_eval.datagen.rows import DEFAULT_COUNT, DEFAULT_SEED, Family, render_jsonl
from spin_eval.spin.calibration_data import SET_NAMES

_FAMILIES: dict[str, list[Family]] = {
    "general": _GENERAL_FAMILIES,
    "fairness": _FAIRNESS_FAMILIES,
    "privacy": _PRIVACY_FAMILIES,
}


def generate_set(name: str, *, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[dict[str, str]]:
    """``count`` distinct rows of set ``name``: families taken round-robin, duplicate prompts redrawn."""
    if name not in _FAMILIES:
        raise ValueError(f"unknown calibration set {name!r}; choose one of {', '.join(SET_NAMES)}")
    rng = random.Random(f"{name}:{seed}")
    families = _FAMILIES[name]
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    attempts = 0
    while len(rows) < count:
        attempts += 1
        if attempts > count * 200:
            raise RuntimeError(f"set {name!r}: cannot find {count} distinct prompts (got {len(rows)}); lower --count")
        category, prompt, response = families[len(rows) % len(families)](rng)
        if prompt in seen:
            continue
        seen.add(prompt)
        rows.append({"prompt": prompt, "response": response, "category": category})
    return rows


def main(argv: list[str] | None = None) -> int:
    from spin_eval.datagen.writer_cli import write_sets_main

    return write_sets_main(
        argv,
        prog="python -m spin_eval.datagen.calibration_sets",
        description="Write the shipped SPIN calibration sets (general.jsonl, fairness.jsonl, privacy.jsonl) "
        "from this project's own templates. The same --seed and --count give byte-identical files.",
        names=SET_NAMES,
        render=lambda name, count, seed: render_jsonl(generate_set(name, count=count, seed=seed)),
        file_name=lambda name: f"{name}.jsonl",
        default_seed=DEFAULT_SEED,
        default_count=DEFAULT_COUNT,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["DEFAULT_COUNT", "DEFAULT_SEED", "generate_set", "main", "render_jsonl"]
