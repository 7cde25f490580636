"""Precision and recall of the judges on the project's labelled responses (spin_eval/judges/labelled/).

    python scripts/measure_judge.py                      # the rule-based classifiers, printed
    python scripts/measure_judge.py --write-docs         # ... and written into docs/tasks.md (between markers)
    python scripts/measure_judge.py --judge MODEL_DIR    # a model judge (as --judge of spin-eval run), printed
    python scripts/measure_judge.py --judge MODEL_DIR --limit 40   # the first 40 responses of each split

A model judge answers ``safe`` / ``unsafe`` on harmful requests, so it is scored on the fairness and
privacy responses (where the awareness generation tasks use it); on benign requests a "safe" verdict is
not a refusal.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spin_eval.fileio import write_text_atomic  # noqa: E402
from spin_eval.judges.measure import (  # noqa: E402
    SPLITS,
    builtin_classifiers,
    figures,
    judge_classifier,
    load_labelled,
    render_markdown,
)

DOCS = ROOT / "docs" / "tasks.md"
BEGIN, END = "<!-- judge-figures:begin -->", "<!-- judge-figures:end -->"


def builtin_table() -> str:
    """The Markdown table of the rule-based classifiers on both splits (what docs/tasks.md shows)."""
    return render_markdown(figures(builtin_classifiers(), {s: load_labelled(s) for s in SPLITS}))


def model_table(spec: str, limit: int | None = None, device: str = "cpu") -> str:
    from spin_eval.judges import ModelJudge

    judge = ModelJudge(spec, device=device)
    data = {s: [r for r in load_labelled(s) if r["domain"] in ("fairness", "privacy")][:limit] for s in SPLITS}
    return render_markdown(figures({f"model judge ({judge.name})": (judge_classifier(judge),
                                                                  ("fairness", "privacy"))}, data))


def write_docs(table: str, path: Path = DOCS) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    write_text_atomic(path, text)


def docs_table(path: Path = DOCS) -> str | None:
    """The table now in docs/tasks.md between the markers (None when they are missing)."""
    m = re.search(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), path.read_text(encoding="utf-8"), flags=re.S)
    return m.group(1) if m else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-docs", action="store_true", help="write the rule-based table into docs/tasks.md")
    parser.add_argument("--judge", help="a model judge (local folder or hub id) to measure instead")
    parser.add_argument("--limit", type=int, help="with --judge: at most this many responses per split")
    parser.add_argument("--device", default="cpu", help="with --judge: torch device (default cpu)")
    args = parser.parse_args(argv)
    if args.judge:
        if args.write_docs:
            parser.error("--write-docs writes the rule-based table only; run it without --judge")
        print(model_table(args.judge, args.limit, args.device), end="")
        return 0
    table = builtin_table()
    print(table, end="")
    if args.write_docs:
        write_docs(table)
        print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
