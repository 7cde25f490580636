"""Benchmark: where the time of the suite's generation tasks goes, and ``hf`` vs ``spin_hf`` on them.

    .venv/bin/python bench/bench_generate.py [--model smollm2] [--limit 8] [--rounds 2] [--batch-size 8]
        [--tasks spin_pii_leakage,spin_overrefusal,spin_privacy_awareness_gen,spin_fairness_awareness_gen]

Builds the ``generate_until`` requests of ``--limit`` documents of each task once through lm-eval's
TaskManager (the tasks ask for 48-64 new tokens), loads the model once and answers them with:

- ``hf``: lm-eval's HFLM at ``--batch-size`` (what ``spin-eval run`` uses: batch 8, requests sorted by
  length by lm-eval's Collator, dynamic KV cache);
- ``spin_hf (before)``: spin-eval's adapter with ``fast_generate=false`` (HFLM's ``generate_until``, as
  before issue 26);
- ``spin_hf``: the adapter's default, ``spin_eval.adapter.fast_generate`` (finished rows leave the batch,
  the shared prompt prefix is prefilled once);
- ``hf (batch 1)`` and ``hf (batch 2x)``: what batching buys;
- ``hf (static cache)``: transformers' ``cache_implementation="static"`` passed through the requests'
  generation kwargs (a preallocated KV cache; on GPUs it is meant to pair with torch.compile).

Each round times every variant on the same requests, rotating the order. Prints requests/s and generated
tokens/s (median over rounds), the ratio to ``hf``, and how many outputs differ from ``hf``'s text.

Where the time goes (``hf`` at ``--batch-size``): the prefill (one forward over each batch's left-padded
prompts) is timed separately with the same batches; the rest of ``generate_until`` is the decode loop
(one forward per new token for the whole batch, until every row has hit a stop sequence or
``max_gen_toks``) plus lm-eval's bookkeeping. "padding waste" is the share of decode-step rows that had
already finished: a batch runs as long as its longest answer.

No timing assertions: the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench_common import add_model_args, build_instances, offline_torch  # noqa: E402

DEFAULT_TASKS = "spin_pii_leakage,spin_overrefusal,spin_privacy_awareness_gen,spin_fairness_awareness_gen"


def with_gen_kwargs(instances, **extra):
    """Copies of the instances whose generation kwargs carry ``extra``."""
    out = []
    for inst in instances:
        inst = copy.copy(inst)
        context, kwargs = inst.args
        inst.arguments = (context, {**kwargs, **extra})
        out.append(inst)
    return out


def prefill_seconds(lm, instances, batch_size: int) -> float:
    """One forward over each batch's left-padded prompts, batches formed like HFLM's (longest first)."""
    import torch

    start = time.perf_counter()
    with torch.no_grad():
        for batch in batches(lm, instances, batch_size):
            ids, mask = lm.tok_batch_encode([instances[i].args[0] for i in batch], left_truncate_len=lm.max_length)
            lm.model(ids.to(lm.device), attention_mask=mask.to(lm.device), logits_to_keep=1)
    return time.perf_counter() - start


def batches(lm, instances, batch_size: int) -> list[list[int]]:
    """Indices of the batches HFLM forms: grouped by generation kwargs, longest prompt first."""
    groups: dict[str, list[int]] = {}
    for i, inst in enumerate(instances):
        groups.setdefault(json.dumps(inst.args[1], sort_keys=True, default=str), []).append(i)
    out = []
    for members in groups.values():
        members = sorted(members, key=lambda i: -len(lm.tok_encode(instances[i].args[0])))
        out += [members[j : j + batch_size] for j in range(0, len(members), batch_size)]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=DEFAULT_TASKS, help="comma-separated generate_until tasks of tasks/")
    parser.add_argument("--limit", type=int, default=8, help="documents per task (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per variant (default 2)")
    parser.add_argument("--skip", default="", help="comma-separated variant names to leave out")
    add_model_args(parser)
    args = parser.parse_args(argv)

    torch = offline_torch(args.threads)
    from lm_eval.models.huggingface import HFLM

    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.modelspec import resolve_model_spec

    tasks = [t for t in args.tasks.split(",") if t]
    instances = build_instances(tasks, args.limit, "generate_until")
    spec = resolve_model_spec(args.model)
    bs = args.batch_size
    hf = HFLM(pretrained=spec.pretrained, device=args.device, dtype=args.dtype, batch_size=bs)
    common = {"tokenizer": hf.tokenizer, "device": args.device}
    variants = {
        "hf": (hf, instances),
        "spin_hf (before)": (SpinHFLM(pretrained=hf.model, batch_size=bs, fast_generate=False, **common), instances),
        "spin_hf": (SpinHFLM(pretrained=hf.model, batch_size=bs, fast_generate=True, **common), instances),
        "hf (batch 1)": (HFLM(pretrained=hf.model, batch_size=1, **common), instances),
        f"hf (batch {2 * bs})": (HFLM(pretrained=hf.model, batch_size=2 * bs, **common), instances),
        "hf (static cache)": (hf, with_gen_kwargs(instances, cache_implementation="static")),
    }
    for name in [s.strip() for s in args.skip.split(",") if s.strip()]:
        variants.pop(name, None)
    n = len(instances)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores: only ratios measured side by side count",
          flush=True)
    print(f"{','.join(tasks)}: {n} generate_until requests ({args.limit} docs per task), model {args.model}, "
          f"{args.device} {args.dtype}, batch_size {bs}, torch threads {torch.get_num_threads()}", flush=True)

    variants["hf"][0].generate_until(instances[: min(n, bs)], disable_tqdm=True)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list[str]] = {}
    names = list(variants)
    fast = variants["spin_hf"][0] if "spin_hf" in variants else None
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            lm, reqs = variants[name]
            if lm is fast:
                fast.generate_stats.clear()
            start = time.perf_counter()
            outputs[name] = lm.generate_until(reqs, disable_tqdm=True)
            times[name].append(time.perf_counter() - start)
        print(f"round {r + 1}: " + ", ".join(f"{k} {n / v[-1]:.2f} req/s" for k, v in times.items()), flush=True)

    tok = hf.tokenizer
    generated = {name: sum(len(tok(o, add_special_tokens=False).input_ids) for o in outs) for name, outs in outputs.items()}
    base = n / statistics.median(times["hf"])
    print("\n| variant | requests/s | x hf | generated tokens/s | outputs differing from hf |\n|---|---:|---:|---:|---:|")
    for name in names:
        med = statistics.median(times[name])
        differ = sum(a != b for a, b in zip(outputs[name], outputs["hf"]))
        print(f"| {name} | {n / med:.2f} | {n / med / base:.2f} | {generated[name] / med:.1f} | {differ} / {n} |")

    if fast is not None and fast.generate_stats:
        st = fast.generate_stats
        busy = sum(min(len(tok(o, add_special_tokens=False).input_ids), m - 1) for o, m in zip(outputs["spin_hf"], [
            inst.args[1].get("max_gen_toks", hf.max_gen_toks) for inst in instances]))
        print(f"\ndecode rows (one row = one request in one decode forward): full batches over spin_hf's steps {st['padded_rows']}, spin_hf ran "
              f"{st['decode_rows']}, needed about {busy} (the answers' tokens); wasted share hf "
              f"{100 * (1 - busy / st['padded_rows']):.0f}%, spin_hf {100 * (1 - busy / max(st['decode_rows'], 1)):.0f}% "
              f"floor (one decode forward per generated token of the non-padded rows, time taken as proportional "
              f"to rows): at most {st['padded_rows'] / max(busy, 1):.2f}x hf on the decode loop; "
              f"shared prefix tokens prefilled once: {st['prefix_tokens']} over the batches")

    # Where the time of hf at --batch-size goes.
    prefill = statistics.median(prefill_seconds(hf, instances, bs) for _ in range(args.rounds))
    total = statistics.median(times["hf"])
    max_new = [inst.args[1].get("max_gen_toks", hf.max_gen_toks) for inst in instances]
    lengths = [len(tok(o, add_special_tokens=False).input_ids) for o in outputs["hf"]]
    steps = rows_busy = 0
    for members in batches(hf, instances, bs):
        batch = [min(lengths[j] + 1, max_new[j]) for j in members]
        steps += max(batch) * len(batch)
        rows_busy += sum(batch)
    print(f"\nwhere hf's time goes (batch {bs}): total {total:.1f} s = prefill {prefill:.1f} s "
          f"({100 * prefill / total:.0f}%) + decode loop and bookkeeping {total - prefill:.1f} s "
          f"({100 * (total - prefill) / total:.0f}%); {sum(lengths)} tokens generated, mean {sum(lengths) / n:.1f} "
          f"of max {statistics.mean(max_new):.0f}; padding waste {100 * (1 - rows_busy / steps):.0f}% of decode rows; "
          f"floor if only non-padded decode rows and no prefill cost time: {total / ((total - prefill) * rows_busy / steps):.2f}x hf")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
