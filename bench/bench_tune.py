"""Benchmark: time to fine-tune each default baseline (`spin-eval run --baselines` defaults) on SmolLM2.

    .venv/bin/python bench/bench_tune.py [--baselines sft-privacy,sft-fairness,sft-mix] [--steps N] [--threads N]

Each baseline is trained by ``spin_eval.tune.job.tune_baseline`` exactly as ``spin-eval run --baselines``
does (TuneConfig's defaults, seed 0), into a temporary tune cache so that nothing is taken from the real
one; timed from the call (model load included) to the saved adapter. Prints one row per baseline: wall
seconds, the ratio to the 5-minute target (< 1 meets it), seconds per optimiser step, the loss first ->
last, and the 1-minute load average before and after (the machine is shared: the load is part of the
figure). No timing assertions: figures go into docs/seesaw.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 300.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2", help="model spec (default: the embedded smollm2)")
    parser.add_argument("--baselines", default="sft-privacy,sft-fairness,sft-mix",
                        help="comma-separated baseline names (default: spin-eval run's documented defaults)")
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps (default: TuneConfig's, 32)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import torch
    from transformers.utils import logging as hf_logging

    import spin_eval.tune.job as job
    from spin_eval.tune.baselines import baseline_config, check_baselines

    hf_logging.disable_progress_bar()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = tuple(n.strip() for n in args.baselines.split(",") if n.strip())
    check_baselines(names)
    print(f"model {args.model}, device {args.device}, torch threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {os.cpu_count()} CPUs", flush=True)
    header = f"{'baseline':<16}{'rows x steps':>14}{'wall s':>9}{'x target':>10}{'s/step':>8}{'loss first->last':>20}" \
             f"{'load before->after':>22}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="bench-tune-") as tmp:
        job.tuned_cache_dir = lambda: Path(tmp)  # train every baseline; never read or fill the real cache
        for name in names:
            config = baseline_config(name, steps=args.steps, seed=0)
            before = os.getloadavg()[0]
            t0 = time.perf_counter()
            result = job.tune_baseline(args.model, config, device=args.device, progress=False)
            wall = time.perf_counter() - t0
            after = os.getloadavg()[0]
            losses = result.provenance.get("losses") or [float("nan")]
            print(f"{name:<16}{f'{config.nsamples} x {config.steps}':>14}{wall:>9.1f}{wall / TARGET_S:>10.2f}"
                  f"{wall / config.steps:>8.2f}{f'{losses[0]:.2f} -> {losses[-1]:.2f}':>20}"
                  f"{f'{before:.1f} -> {after:.1f}':>22}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MiB; target: each baseline <= {TARGET_S / 60:.0f} min (x target <= 1). "
          "Wall includes loading the model (once per baseline, as in spin-eval run).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
