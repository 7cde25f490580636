"""The top-k selection with margins: the topk shortcut vs the full-pass rule, side by side on SmolLM2's scores.

    .venv/bin/python bench/bench_selection.py [--ratio 1e-3] [--nsamples 2]

Scores SmolLM2's MLP matrices once (general / fairness / privacy, int64 grid sums), then times
``selection.top_k_with_margin`` (one pass for the first outsider when no tie crosses the boundary) against
the full-pass rule it replaced (three comparisons and ``nonzero`` passes per matrix and set), alternating
the two for ``--rounds`` rounds in one process, and checks that both give the same indices, gaps and
shifts. Prints CPU seconds per variant and the ratio. Nothing is asserted beyond that equality.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "spin"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ratio", type=float, default=1e-3)
    parser.add_argument("--nsamples", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch
    from test_spin_selection import _full_pass_top_k_with_margin

    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.scoring import importance_scores
    from spin_eval.spin.selection import top_count, top_k_with_margin

    model, tok = load_model_and_tokenizer("smollm2")
    config = SpinConfig(p=args.ratio, q=args.ratio, nsamples=args.nsamples, max_length=128)
    sums, _ = build.score_sums(model, tok, config, progress=False)
    linears = target_linears(model, config.target)
    scores = [importance_scores(lin.weight, sums[s][name]) for name, lin in linears.items() for s in sums]
    del sums
    variants = {"full-pass rule": _full_pass_top_k_with_margin, "topk shortcut": top_k_with_margin}
    cpu = {name: 0.0 for name in variants}
    results = {}
    for _ in range(args.rounds):
        for name, fn in variants.items():
            t0 = time.process_time()
            results[name] = [fn(x, top_count(args.ratio, x.numel())) for x in scores]
            cpu[name] += time.process_time() - t0
    same = all(a[0].tolist() == b[0].tolist() and a[1] == b[1]
               for a, b in zip(results["full-pass rule"], results["topk shortcut"]))
    print(f"{len(scores)} score matrices ({sum(x.numel() for x in scores):,} scores), ratio {args.ratio:g}, "
          f"{args.rounds} rounds, torch threads {torch.get_num_threads()}, load {os.getloadavg()[0]:.1f}")
    for name, seconds in cpu.items():
        print(f"  {name:<15} {seconds / args.rounds:7.2f} CPU-s per round")
    print(f"  ratio {cpu['full-pass rule'] / cpu['topk shortcut']:.2f}x; same indices, gaps and shifts: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
