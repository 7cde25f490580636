"""Benchmark: multiple-choice log-likelihood throughput of ``hf`` vs ``spin_hf`` (prefix sharing on / off).

    .venv/bin/python bench/bench_mc.py [--model smollm2] [--task spin_bbq] [--limit 200] [--rounds 3]
        [--batch-size 8] [--device cpu] [--dtype float32]

Builds the task's loglikelihood requests once through lm-eval's TaskManager (``--limit`` documents; BBQ
has 3 requests per document), loads the model once and wraps it three ways on the same weights: plain
``HFLM`` (``--model hf``), ``SpinHFLM`` with ``prefix_sharing=true`` (the default) and with
``prefix_sharing=false``. Each round times every variant on the same requests, rotating the order so
load drift hits all alike. Prints requests/s (median over rounds), the ratio to ``hf``, and the largest
|loglikelihood difference| and number of differing ``is_greedy`` flags against ``hf``.

The floor: one plain causal forward (batched like the shared rows, output head on the last position
only) over exactly the tokens prefix sharing feeds - each distinct context once, each continuation
without its last token once. Its requests/s is what sharing could reach with zero overhead; the token
counts say how much work ``hf`` repeats.

No timing assertions: the figures go into bench/README.md and docs/adapter.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench_common import add_model_args, build_instances, offline_torch  # noqa: E402


def load_variants(model: str, device: str, dtype: str, batch_size: int):
    """``{name: lm}``: hf, spin_hf sharing on, spin_hf sharing off, all on one loaded model."""
    from lm_eval.models.huggingface import HFLM

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.modelspec import resolve_model_spec

    spec = resolve_model_spec(model)
    hf = HFLM(pretrained=spec.pretrained, device=device, dtype=dtype, batch_size=batch_size)
    on = SpinHFLM(pretrained=hf.model, tokenizer=hf.tokenizer, device=device, batch_size=batch_size)
    off = SpinHFLM(
        pretrained=hf.model, tokenizer=hf.tokenizer, device=device, batch_size=batch_size, prefix_sharing=False
    )
    return {"hf": hf, "spin_hf (sharing on)": on, "spin_hf (sharing off)": off}


def floor_runner(lm, instances, batch_size: int):
    """A callable doing one plain forward over the shared rows' tokens, and (hf tokens, unique tokens)."""
    import torch

    from spin_eval.adapter import prefix_sharing as ps

    encoded = [lm._encode_pair(*inst.args) for inst in instances]
    rows = ps.plan_rows(encoded, lm.max_length)
    hf_tokens = sum(len((c + k)[-(lm.max_length + 1) :][:-1]) for c, k in encoded)
    unique_tokens = sum(r.length for r in rows)
    flat = [list(r.context) + [t for m in r.members for t in m.continuation[:-1]] for r in rows]

    def run():
        with torch.no_grad():
            for start in range(0, len(flat), batch_size):
                chunk = flat[start : start + batch_size]
                width = max(map(len, chunk))
                ids = torch.tensor([s + [0] * (width - len(s)) for s in chunk], device=lm.device)
                mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in chunk], device=lm.device)
                lm.model(ids, attention_mask=mask, logits_to_keep=1)

    return run, hf_tokens, unique_tokens


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="spin_bbq", help="a loglikelihood task of tasks/ (default spin_bbq)")
    parser.add_argument("--limit", type=int, default=200, help="documents of the task (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per variant (default 3)")
    parser.add_argument("--warmup", type=int, default=24, help="requests per variant before timing (default 24)")
    add_model_args(parser)
    args = parser.parse_args(argv)

    torch = offline_torch(args.threads)

    instances = build_instances([args.task], args.limit, "loglikelihood")
    variants = load_variants(args.model, args.device, args.dtype, args.batch_size)
    floor, hf_tokens, unique_tokens = floor_runner(variants["hf"], instances, args.batch_size)
    variants["floor (one forward over unique tokens)"] = None
    n = len(instances)
    print(
        f"{args.task}: {n} loglikelihood requests ({args.limit} docs), model {args.model}, {args.device} "
        f"{args.dtype}, batch_size {args.batch_size}, torch threads {torch.get_num_threads()}"
    )
    print(f"tokens fed: hf {hf_tokens}, unique (shared rows) {unique_tokens} -> {hf_tokens / unique_tokens:.2f}x less")

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    for lm in (v for v in variants.values() if v is not None):  # warm-up (allocator, kernels)
        lm.loglikelihood(instances[: min(n, args.warmup)], disable_tqdm=True)
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu_times: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list] = {}
    names = list(variants)
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            sync()
            start, cpu_start = time.perf_counter(), time.process_time()
            if variants[name] is None:
                floor()
            else:
                outputs[name] = variants[name].loglikelihood(instances, disable_tqdm=True)
            sync()
            times[name].append(time.perf_counter() - start)
            cpu_times[name].append(time.process_time() - cpu_start)
        print(f"round {r + 1}: " + ", ".join(f"{k} {n / v[-1]:.2f} req/s" for k, v in times.items()), flush=True)

    base = n / statistics.median(times["hf"])
    cpu_base = n / statistics.median(cpu_times["hf"])
    print(
        "\n| variant | requests/s (wall) | x hf (wall) | requests per CPU-s | x hf (CPU time) | max abs d loglik "
        "| is_greedy differs |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for name in names:
        rate = n / statistics.median(times[name])
        cpu_rate = n / statistics.median(cpu_times[name])
        if name in outputs:
            diff = max(abs(a[0] - b[0]) for a, b in zip(outputs[name], outputs["hf"]))
            greedy = sum(a[1] != b[1] for a, b in zip(outputs[name], outputs["hf"]))
            extra = f"{diff:.2e} | {greedy}"
        else:
            extra = "- | -"
        print(f"| {name} | {rate:.2f} | {rate / base:.2f} | {cpu_rate:.2f} | {cpu_rate / cpu_base:.2f} | {extra} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
