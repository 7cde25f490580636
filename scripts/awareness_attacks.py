"""The context-blind answerers of spin_eval.validity.awareness on the two MC awareness tasks, as a table.

    python scripts/awareness_attacks.py                 # print
    python scripts/awareness_attacks.py --write-docs    # ... and write it into docs/tasks.md (between markers)

Exits 1 when an answerer beats its bound (naming it). scripts/validate_tasks.py prints the same rows with
every other task's.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spin_eval.fileio import write_text_atomic  # noqa: E402
from spin_eval.validity.awareness import attack_rows  # noqa: E402

DOCS = ROOT / "docs" / "tasks.md"
BEGIN, END = "<!-- awareness-attacks:begin -->", "<!-- awareness-attacks:end -->"


def render(rows) -> str:
    lines = ["| task | answerer | accuracy | bound | items | how |", "|---|---|---:|---:|---:|---|"]
    lines += [f"| {r.task} | {r.attack} | {r.score:.3f} | {r.bound:.2f} | {r.n} | {r.note} |" for r in rows]
    return "\n".join(lines) + "\n"


def docs_table(path: Path = DOCS) -> str | None:
    m = re.search(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), path.read_text(encoding="utf-8"), flags=re.S)
    return m.group(1) if m else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/tasks.md")
    args = parser.parse_args(argv)
    rows = attack_rows(ROOT / "tasks")
    table = render(rows)
    print(table, end="")
    if args.write_docs:
        text = DOCS.read_text(encoding="utf-8")
        if BEGIN not in text:
            print(f"{DOCS}: markers {BEGIN} / {END} not found; add them where the table belongs", file=sys.stderr)
            return 2
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: f"{BEGIN}\n{table}{END}", text, flags=re.S)
        write_text_atomic(DOCS, text)
    beaten = [r for r in rows if r.beats_bound]
    for r in beaten:
        print(f"FAIL {r.task}: {r.attack} scores {r.score:.3f} > bound {r.bound:.2f}", file=sys.stderr)
    return 1 if beaten else 0


if __name__ == "__main__":
    sys.exit(main())
