"""The README's before/after figure: headline CI half-widths of the fixed default limits vs ``--budget``.

    .venv/bin/python bench/bench_budget.py                   # --limit 60 --gen-limit 20 vs --budget 15
    .venv/bin/python bench/bench_budget.py --budget 15 --limit 60 --gen-limit 20 --out /tmp/bench-budget

Runs ``spin-eval run`` twice on the same machine, one after the other, the budget run first (a quiet
machine is needed: the budget plan depends on the measured seconds per document; with an empty mask
cache, ``SPIN_EVAL_CACHE`` pointing at a copy holding only ``models/``, the budget run pays for the mask
build like a first ``spin-eval run`` and the fixed run reuses the mask), and prints per headline metric of the SPIN
variant the 95% CI half-width in points for both runs, their ratio, the widest of each, each run's wall
time and the budget's allocation. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def _half_widths(out: Path, variant: str = "spin") -> dict[str, float]:
    report = json.loads((out / "report.json").read_text())
    return {c["metric"]: c["ci_half_width"] * c["scale"] for c in report["answer"]["sensitivity"]
            if c["variant"] == variant and c["ci_half_width"] is not None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=15.0)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--gen-limit", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--resume", action="store_true",
                        help="reuse runs already finished under --out (delete one run's folder to redo only it)")
    args = parser.parse_args()

    from spin_eval.run.main import run_pipeline
    from spin_eval.run.settings import RunSettings

    root = args.out or Path(tempfile.mkdtemp(prefix="bench-budget-"))
    # the budget run first: with an empty mask cache it pays for the mask build, as a first `spin-eval run` does
    runs = {"budget": RunSettings(limit=None, gen_limit=None, budget=args.budget),
            "fixed": RunSettings(limit=args.limit, gen_limit=args.gen_limit)}
    seconds = {}
    for name, settings in runs.items():
        t0 = time.perf_counter()
        run_pipeline(settings, root / name, force=not args.resume)
        seconds[name] = time.perf_counter() - t0
    fixed, budget = _half_widths(root / "fixed"), _half_widths(root / "budget")
    print(f"\n{'headline metric (spin vs base)':<48} {'fixed':>8} {'budget':>8} {'ratio':>7}   (95% CI half-width)")
    for metric in sorted(set(fixed) | set(budget)):
        a, b = fixed.get(metric), budget.get(metric)
        ratio = f"{b / a:.2f}" if a and b is not None else "n/a"
        print(f"{metric:<48} {'n/a' if a is None else f'{a:.2f}':>8} {'n/a' if b is None else f'{b:.2f}':>8} {ratio:>7}")
    print(f"{'widest':<48} {max(fixed.values(), default=0):>8.2f} {max(budget.values(), default=0):>8.2f}")
    print(f"\nwall time: fixed {seconds['fixed'] / 60:.1f} min, budget {seconds['budget'] / 60:.1f} min "
          f"(budget {args.budget:g} min); cores={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    plan = json.loads((root / "budget" / "spin-eval-run.json").read_text())["stages"].get("budget", {})
    print(f"allocation: {plan.get('note', 'n/a')}")
    print(f"run folders: {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
