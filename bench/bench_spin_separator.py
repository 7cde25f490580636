"""The separator's effect on the SmolLM2 mask, and how close the mask's top-k boundaries are.

Scores the shipped calibration sets once per ``--separator`` value (newline, newline-unscored, none) with
the same sampled rows, then compares the paper and reference masks of each against the default
(newline) at each ratio: total indices, Jaccard, matrices equal. For the default it also counts the
top-k boundaries whose relative gap is below ``selection.UNSTABLE_GAP`` (``mask info``'s "unstable").

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 .venv/bin/python bench/bench_spin_separator.py --nsamples 16
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsamples", type=int, default=16)
    parser.add_argument("--ratios", default="1e-4,1e-3")
    args = parser.parse_args()

    from spin_eval.cli.mask import mask_diff
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build
    from spin_eval.spin.calibration import SEPARATORS
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.selection import UNSTABLE_GAP

    model, tok = load_model_and_tokenizer("smollm2")
    ratios = [float(r) for r in args.ratios.split(",")]
    start = time.perf_counter()
    sums = {}
    for sep in SEPARATORS:
        config = SpinConfig(nsamples=args.nsamples, separator=sep)
        sums[sep], meta = build.score_sums(model, tok, config, progress=False)
    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    print(f"SmolLM2, {args.nsamples} samples per set, scored in {time.perf_counter() - start:.0f} s")
    for ratio in ratios:
        for selection in ("paper", "reference"):
            masks = {sep: build.mask_from_sums(model, sums[sep], SpinConfig(
                nsamples=args.nsamples, separator=sep, p=ratio, q=ratio, selection=selection), **kw)
                for sep in SEPARATORS}
            base = masks["newline"]
            for sep in SEPARATORS[1:]:
                d = mask_diff(base, masks[sep])
                equal = sum(1 for row in d["modules"].values() if row["a"] == row["b"] == row["intersection"])
                print(f"r={ratio:g} {selection:9s} newline {d['a_total']:6d} vs {sep:16s} {d['b_total']:6d}: "
                      f"Jaccard {d['jaccard']:.3f}, {equal}/{len(d['modules'])} matrices equal")
            margins = [m for sets in base.metadata["margins"].values() for m in sets.values() if m is not None]
            unstable = [m for m in margins if m["gap"] < UNSTABLE_GAP]
            gaps = sorted(m["gap"] for m in margins)
            print(f"r={ratio:g} {selection:9s} newline: {len(unstable)} of {len(margins)} boundaries below "
                  f"{UNSTABLE_GAP:g}; smallest gap {gaps[0]:.3g}, median {gaps[len(gaps) // 2]:.3g}; "
                  f"largest reference shift among them {max((m['shift'] for m in unstable), default=0)}")


if __name__ == "__main__":
    main()
