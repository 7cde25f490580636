"""Benchmark: SPIN importance scoring, per-layer reference loop vs one backward per sample vs batched.

Each method scores the SAME samples (drawn from the shipped general calibration set) and runs in its
own subprocess, so the printed peak memory is that method's alone (CUDA: max_memory_allocated; CPU:
peak RSS of the process, model included). Results are checked against each other (max relative
difference of the gradient sums). Prints a side-by-side table and the speed-up ratios; no thresholds.

    python bench/bench_scoring.py                          # smollm2 on CPU, 4 samples
    python bench/bench_scoring.py --device cuda --nsamples 16 --batch-sizes 4 16
    python bench/bench_scoring.py --loop-layers 6          # time the loop on 6 layers, extrapolate

``--loop-layers K`` times the per-layer loop on the first K target layers only and extrapolates
linearly to all layers (every layer costs the same N forward/backward passes); the table says so.
``--random-init DIR`` builds a randomly initialised model from DIR's config.json (timings only: the
machine has the architecture but not the weights).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _load(args):
    import torch

    if args.random_init:
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

        torch.manual_seed(0)
        config = AutoConfig.from_pretrained(args.random_init)
        model = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, args.dtype))
        tok = AutoTokenizer.from_pretrained(args.random_init)
        model.to(args.device).eval()
        return model, tok
    from spin_eval.modelspec import load_model_and_tokenizer

    return load_model_and_tokenizer(args.model, dtype=args.dtype, device=args.device)


def _samples(tok, n, seed):
    from spin_eval.spin.calibration import default_calibration_path, load_calibration, sample_rows, tokenize_sample
    from spin_eval.spin.scoring import Sample

    cal = load_calibration(default_calibration_path("general"))
    return [Sample(*tokenize_sample(tok, p, r), label=f"row {i}") for i, (p, r) in enumerate(sample_rows(cal, n, seed))]


def _worker(args) -> None:
    """Run one method, write timings, peak memory and the sums (for the cross-check) to args.out."""
    import torch
    from safetensors.torch import save_file

    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.scoring import gradient_sums, gradient_sums_per_layer

    model, tok = _load(args)
    samples = _samples(tok, args.nsamples, args.seed)
    linears = target_linears(model, args.target)
    n_all = len(linears)
    if args.method == "loop" and args.loop_layers:
        linears = dict(list(linears.items())[: args.loop_layers])
    cuda = args.device.startswith("cuda")

    def run():
        if args.method == "loop":
            return gradient_sums_per_layer(model, samples, linears, progress=False)
        return gradient_sums(model, samples, linears, batch_size=args.batch_size, progress=False)

    if cuda:
        run()  # warm-up (kernels, allocator)
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    sums = run()
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() if cuda else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if args.method == "loop" and args.loop_layers:
        seconds *= n_all / len(linears)
    save_file({k: v.cpu() for k, v in sums.items()}, args.out + ".safetensors")
    tokens = sum(len(s.input_ids) for s in samples)
    Path(args.out + ".json").write_text(
        json.dumps({"seconds": seconds, "peak_bytes": peak, "layers_timed": len(linears), "layers": n_all,
                    "tokens": tokens, "threads": torch.get_num_threads()})
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2", help="model spec (default smollm2)")
    parser.add_argument("--random-init", default=None, metavar="DIR", help="random weights from DIR/config.json")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--target", default="mlp", choices=["mlp", "attn", "all"])
    parser.add_argument("--nsamples", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[4], help="batched variants to time")
    parser.add_argument("--loop-layers", type=int, default=0, help="time the per-layer loop on K layers, extrapolate")
    parser.add_argument("--skip-loop", action="store_true", help="do not run the per-layer loop")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    parser.add_argument("--method", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.method:
        _worker(args)
        return 0

    import torch
    from safetensors.torch import load_file

    runs = [("one pass (batch 1)", "onepass", 1)] + [(f"batched ({b})", "batched", b) for b in args.batch_sizes if b > 1]
    if not args.skip_loop:
        runs.insert(0, ("per-layer loop (reference)", "loop", 1))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, method, batch in runs:
            out = os.path.join(tmp, f"{method}{batch}")
            cmd = [sys.executable, __file__, "--method", method, "--batch-size", str(batch), "--out", out,
                   "--model", args.model, "--device", args.device, "--dtype", args.dtype, "--target", args.target,
                   "--nsamples", str(args.nsamples), "--seed", str(args.seed), "--loop-layers", str(args.loop_layers)]
            if args.random_init:
                cmd += ["--random-init", args.random_init]
            print(f"running {label} ...", file=sys.stderr, flush=True)
            subprocess.run(cmd, check=True)
            info = json.loads(Path(out + ".json").read_text())
            info["sums"] = load_file(out + ".safetensors")
            results[label] = info
        base_label = "one pass (batch 1)"
        base = results[base_label]
        rows = []
        for label, info in results.items():
            common = [k for k in info["sums"] if k in base["sums"]]
            rel = max(float((info["sums"][k] - base["sums"][k]).abs().max() / base["sums"][k].abs().max()) for k in common)
            rows.append({
                "method": label, "seconds": info["seconds"], "peak_mib": info["peak_bytes"] / 2**20,
                "speedup_vs_loop": None, "max_rel_diff_vs_one_pass": rel,
                "note": (f"timed {info['layers_timed']}/{info['layers']} layers, extrapolated"
                         if info["layers_timed"] != info["layers"] else ""),
            })
        loop = next((r for r in rows if r["method"].startswith("per-layer")), None)
        for r in rows:
            if loop:
                r["speedup_vs_loop"] = loop["seconds"] / r["seconds"]
            r["speedup_vs_one_pass"] = base["seconds"] / r["seconds"]
    device = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else f"CPU ({base['threads']} threads)"
    print(f"\nSPIN scoring benchmark: {args.random_init or args.model}, target {args.target}, {args.nsamples} samples "
          f"({base['tokens']} tokens), {args.dtype}, {device}, {base['layers']} target layers")
    print(f"{'method':30s} {'seconds':>9s} {'x vs loop':>9s} {'x vs 1-pass':>11s} {'peak MiB':>9s} {'max rel diff':>12s}  note")
    for r in rows:
        vs_loop = f"{r['speedup_vs_loop']:.1f}" if r["speedup_vs_loop"] else "-"
        print(f"{r['method']:30s} {r['seconds']:9.2f} {vs_loop:>9s} {r['speedup_vs_one_pass']:11.2f} "
              f"{r['peak_mib']:9.0f} {r['max_rel_diff_vs_one_pass']:12.2e}  {r['note']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "device": device, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
