"""Adversarial validation of the shipped tasks: every context-blind answerer of spin_eval/validity/{bbq,
awareness,privacy,safety}.py (those that exist) on the shipped data, as one table (answerer x task x condition,
score, bound). Exits 1 naming each answerer and task that beats its bound.

    python scripts/validate_tasks.py [--tasks-dir DIR] [--write-docs] [--bbq-reference 'DIR/*.jsonl']

--write-docs writes the table into docs/tasks.md between <!-- validity-table:begin --> and
<!-- validity-table:end -->. --bbq-reference also runs the BBQ answerers on BBQ-schema files (e.g. the
original BBQ data/*.jsonl, never shipped) and prints that table; with --write-docs it goes between
<!-- validity-reference:begin --> and <!-- validity-reference:end -->.
"""

from __future__ import annotations

import argparse
import glob
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spin_eval.fileio import write_text_atomic  # noqa: E402
from spin_eval.paths import tasks_dir as default_tasks_dir  # noqa: E402

MODULES = ("bbq", "awareness", "privacy", "safety")
DOCS = ROOT / "docs" / "tasks.md"
BEGIN, END = "<!-- validity-table:begin -->", "<!-- validity-table:end -->"
REF_BEGIN, REF_END = "<!-- validity-reference:begin -->", "<!-- validity-reference:end -->"


def collect_rows(tasks_dir: Path) -> list:
    """Rows of every attack module that exists, in MODULES order."""
    rows = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"spin_eval.validity.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"spin_eval.validity.{name}":
                continue
            raise
        rows += module.attack_rows(tasks_dir)
    return rows


def format_table(rows) -> str:
    lines = ["| task | answerer | condition | score | bound | n | ok | note |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ok = "**beats bound**" if r.beats_bound else "yes"
        lines.append(f"| {r.task} | {r.attack} | {r.condition} | {r.score:.3f} | {r.bound:.2f} | {r.n} | {ok} | {r.note} |")
    return "\n".join(lines)


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    if begin not in text or end not in text:
        raise SystemExit(f"{DOCS}: markers {begin} / {end} not found; add them where the table belongs")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks-dir", type=Path, default=None, help="tasks folder (default: the shipped one)")
    parser.add_argument("--write-docs", action="store_true", help="write the table(s) into docs/tasks.md")
    parser.add_argument("--bbq-reference", default=None, help="glob of BBQ-schema JSONL files to attack for reference")
    args = parser.parse_args(argv)
    rows = collect_rows(args.tasks_dir or default_tasks_dir())
    table = format_table(rows)
    print(table)
    ref_table = None
    if args.bbq_reference:
        from spin_eval.validity import bbq

        files = sorted(glob.glob(args.bbq_reference))
        ref_rows = bbq.attack_items("BBQ (original)", bbq.load_items([Path(f) for f in files]))
        ref_table = format_table(ref_rows)
        print(f"\nReference: {len(files)} files\n{ref_table}")
    if args.write_docs:
        text = replace_between(DOCS.read_text(encoding="utf-8"), BEGIN, END, table)
        if ref_table is not None:
            text = replace_between(text, REF_BEGIN, REF_END, ref_table)
        write_text_atomic(DOCS, text)
    failures = [r for r in rows if r.beats_bound]
    for r in failures:
        print(f"FAIL: {r.attack!r} on {r.task} ({r.condition}) scores {r.score:.3f} > bound {r.bound:.2f}",
              file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
