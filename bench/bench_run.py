"""Benchmark of ``spin-eval run``: wall time per stage of the main job, and what loading the model once saves.

    .venv/bin/python bench/bench_run.py                      # the default run (smollm2, spin_suite, limits 24 / 6 gen)
    .venv/bin/python bench/bench_run.py --limit 10 --tasks spin_bbq_mini

Prints one row per stage (masks, each variant, report) with its seconds, the total against the
15-minute target, and side by side: one shared model load vs one load per variant (what separate
``lm_eval --model spin_hf`` processes would pay), as a ratio. No timing is asserted anywhere.
Runs offline into a temporary folder (or --out) with a fresh mask cache unless --warm-cache.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--tasks", default="spin_suite")
    parser.add_argument("--limit", default="24")
    parser.add_argument("--gen-limit", default="6")
    parser.add_argument("--controls", default="magnitude-random")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: a temporary one)")
    parser.add_argument("--warm-cache", action="store_true", help="reuse the user's mask cache (default: fresh)")
    args = parser.parse_args()

    from spin_eval.run.evaluate import load_shared_model
    from spin_eval.run.main import run_pipeline
    from spin_eval.run.settings import RunSettings

    def parse(text: str):
        return None if text.lower() == "none" else (float(text) if "." in text else int(text))

    limit, gen_limit = parse(args.limit), parse(args.gen_limit)
    controls = tuple(c for c in args.controls.split(",") if c and c != "none")
    settings = RunSettings(model=args.model, tasks=tuple(args.tasks.split(",")), limit=limit, gen_limit=gen_limit,
                           controls=controls)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-run-")) / "out"
    if not args.warm_cache:
        # A fresh mask cache (so the SPIN mask is really built), sharing the converted models.
        from spin_eval.paths import cache_dir

        fresh = Path(tempfile.mkdtemp(prefix="bench-cache-"))
        if (cache_dir() / "models").is_dir():
            (fresh / "models").symlink_to(cache_dir() / "models")
        os.environ["SPIN_EVAL_CACHE"] = str(fresh)

    t0 = time.perf_counter()
    outcome = run_pipeline(settings, out, force=True)
    total = time.perf_counter() - t0
    manifest = json.loads((out / "spin-eval-run.json").read_text())

    t1 = time.perf_counter()
    load_shared_model(settings)
    load = time.perf_counter() - t1
    n_variants = len(outcome.variants)

    print("\nstage                          seconds (wall, and process CPU seconds)")
    print("--------------------------------------")
    masks = manifest["stages"].get("masks", {})
    print(f"{'masks':<30} {masks.get('seconds', 0):>7.1f}   cpu {masks.get('cpu_seconds', 0):.1f}")
    for name in outcome.variants:
        entry = manifest["variants"][name]
        print(f"{'evaluate ' + name:<30} {entry.get('seconds', 0):>7.1f}   cpu {entry.get('cpu_seconds', 0):.1f}")
    print(f"{'total (incl. load, report)':<30} {total:>7.1f}   target <= 900 s: {'met' if total <= 900 else 'MISSED'}")
    print(f"\nmodel load: {load:.1f} s; loaded once: {load:.1f} s vs once per variant ({n_variants}): "
          f"{load * n_variants:.1f} s -> {n_variants:.0f}x fewer load seconds")
    print(f"settings: model={settings.model} tasks={','.join(settings.tasks)} limit={settings.limit}/{settings.gen_limit} gen "
          f"controls={','.join(controls) or 'none'} nsamples={settings.nsamples}; cores={os.cpu_count()}")
    print(f"run folder: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
