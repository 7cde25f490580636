"""float32 vs float64 accumulation of the SPIN score sums on SmolLM2: do the masks change?

Every per-sample |dL/dW| is computed once (``gradient_sums`` of one sample is exactly that sample's
float32 gradient) and added both to a float32 sum (what ``mask build`` does since the bounded-memory
build) and to a float64 sum (the build before it). Scores are |W| * sum in the sum's precision; the
paper masks at each ratio are compared index for index.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_spin_precision.py --nsamples 64
"""

from __future__ import annotations

import argparse
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--nsamples", type=int, default=64)
    parser.add_argument("--ratios", default="1e-4,1e-3")
    args = parser.parse_args()

    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin.build import _samples, calibration_sets
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.scoring import gradient_sums
    from spin_eval.spin.selection import TopSets, paper_set, top_count, top_k_indices

    torch.manual_seed(0)
    model, tok = load_model_and_tokenizer(args.model)
    config = SpinConfig(nsamples=args.nsamples)
    linears = target_linears(model, "mlp")
    ratios = [float(r) for r in args.ratios.split(",")]
    start = time.perf_counter()
    tops: dict[str, dict[float, dict[str, dict[str, torch.Tensor]]]] = {"float32": {}, "float64": {}}
    near = {}
    for set_name, cal in calibration_sets(config).items():
        s32 = {n: torch.zeros(lin.weight.shape, dtype=torch.float32) for n, lin in linears.items()}
        s64 = {n: torch.zeros(lin.weight.shape, dtype=torch.float64) for n, lin in linears.items()}
        for sample in _samples(set_name, cal, tok, config, 0, 1):
            one = gradient_sums(model, [sample], linears, progress=False)
            for n in linears:  # one sample's int64 grid sum back to its (2^-48-truncated) float values
                values = one[n].double() * 2.0**-48
                s32[n].add_(values.float())
                s64[n].add_(values)
        for n, lin in linears.items():
            w = lin.weight.detach()
            sc32 = s32[n] * w.abs()
            sc64 = s64[n] * w.double().abs()
            for dtype, scores in (("float32", sc32), ("float64", sc64)):
                for r in ratios:
                    tops[dtype].setdefault(r, {}).setdefault(n, {})[set_name] = top_k_indices(
                        scores, top_count(r, scores.numel()))
            rel = ((sc32.double() - sc64).abs() / sc64.clamp_min(1e-300)).max().item()
            near[set_name] = max(near.get(set_name, 0.0), rel)
    print(f"model {args.model}, {args.nsamples} samples per set, {len(linears)} MLP matrices, "
          f"{time.perf_counter() - start:.0f} s")
    print("max relative score difference float32 vs float64: "
          + ", ".join(f"{k} {v:.2e}" for k, v in near.items()))
    for r in ratios:
        same_sets = 0
        totals = {}
        inter = 0
        for dtype in ("float32", "float64"):
            totals[dtype] = 0
        changed = 0
        for n, lin in linears.items():
            numel = lin.weight.numel()
            masks = {}
            for dtype in ("float32", "float64"):
                t = tops[dtype][r][n]
                masks[dtype] = paper_set(TopSets(t["general"], t["fairness"], t["privacy"], numel))
                totals[dtype] += masks[dtype].numel()
            if torch.equal(masks["float32"], masks["float64"]):
                same_sets += 1
            else:
                changed += 1
            inter += int(torch.isin(masks["float32"], masks["float64"]).sum())
            for s in ("general", "fairness", "privacy"):
                if not torch.equal(tops["float32"][r][n][s], tops["float64"][r][n][s]):
                    pass
        union = totals["float32"] + totals["float64"] - inter
        topdiff = sum(
            int((~torch.isin(tops["float32"][r][n][s], tops["float64"][r][n][s])).sum())
            for n in linears for s in ("general", "fairness", "privacy")
        )
        print(f"ratio {r:g}: paper mask float32 {totals['float32']} vs float64 {totals['float64']} weights, "
              f"identical in {same_sets}/{len(linears)} matrices, Jaccard {inter / max(union, 1):.6f}; "
              f"top-set entries that differ: {topdiff}")


if __name__ == "__main__":
    main()
