"""Benchmark: ``hf`` vs ``spin_hf`` before and after continuous batching, on the suite's generation tasks.

    .venv/bin/python bench/bench_generate.py [--model smollm2] [--limit 8] [--rounds 1] [--batch-size 8]
        [--tasks spin_pii_leakage,spin_overrefusal,spin_privacy_awareness_gen,spin_fairness_awareness_gen]
        [--skip "hf (batch 16)"]

Builds the ``generate_until`` requests of ``--limit`` documents of each task once through lm-eval's
TaskManager, loads the model once and answers them, side by side in one run (rounds rotate the order), with:

- ``hf``: lm-eval's HFLM at ``--batch-size`` (what ``spin-eval run`` uses);
- ``spin_hf (before)``: the adapter with ``fast_generate=false`` (HFLM's ``generate_until``: no prefix
  reuse, no compaction);
- ``spin_hf``: the default, ``spin_eval.adapter.fast_generate`` (continuous batching, prefix reuse);
- ``hf (batch 2x)``: lm-eval's own answer to "more rows per forward".

Prints requests/s and generated tokens/s (median over rounds), the ratio to ``hf`` in wall-clock time and
in this process's CPU time (steadier than wall clock when other jobs share the cores), outputs differing from
``hf``'s text (must be 0), and decode rows (one row = one request in one decode forward): what ``hf`` ran,
what ``spin_hf`` ran, and the floor (one row per generated token of each answer, no padded or finished
rows), with the wasted share of each. Also the load average at the start and end: only ratios measured
side by side count on a shared machine. No timing assertions: the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
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


def hf_decode_rows(lm, instances, lengths, batch_size: int) -> int:
    """Decode rows hf runs: each of its batches runs as long as its longest answer."""
    rows = 0
    for members in batches(lm, instances, batch_size):
        rows += max(lengths[j] for j in members) * len(members)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=DEFAULT_TASKS, help="comma-separated generate_until tasks of tasks/")
    parser.add_argument("--limit", type=int, default=8, help="documents per task (default 8)")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds per variant (default 1)")
    parser.add_argument("--skip", default="", help="comma-separated variant names to leave out")
    add_model_args(parser)
    args = parser.parse_args(argv)

    torch = offline_torch(args.threads)
    from lm_eval.models.huggingface import HFLM

    from spin_eval.adapter.continuous_batching import GenerateStats
    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.modelspec import resolve_model_spec

    tasks = [t for t in args.tasks.split(",") if t]
    instances = build_instances(tasks, args.limit, "generate_until")
    spec = resolve_model_spec(args.model)
    bs = args.batch_size
    hf = HFLM(pretrained=spec.pretrained, device=args.device, dtype=args.dtype, batch_size=bs)
    common = {"tokenizer": hf.tokenizer, "device": args.device}
    fast = SpinHFLM(pretrained=hf.model, batch_size=bs, fast_generate=True, **common)
    variants = {
        "hf": hf,
        "spin_hf (before)": SpinHFLM(pretrained=hf.model, batch_size=bs, fast_generate=False, **common),
        "spin_hf": fast,
        f"hf (batch {2 * bs})": HFLM(pretrained=hf.model, batch_size=2 * bs, **common),
    }
    for name in [s.strip() for s in args.skip.split(",") if s.strip()]:
        variants.pop(name, None)
    n = len(instances)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores: only ratios measured side by side count",
          flush=True)
    print(f"{','.join(tasks)}: {n} generate_until requests ({args.limit} docs per task), model {args.model}, "
          f"{args.device} {args.dtype}, batch_size {bs}, torch threads {torch.get_num_threads()}", flush=True)
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list[str]] = {}
    names = list(variants)
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            lm = variants[name]
            if lm is fast:
                fast.generate_stats = GenerateStats()
            start, start_cpu = time.perf_counter(), time.process_time()
            outputs[name] = lm.generate_until(instances, disable_tqdm=True)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            print(f"round {r + 1}: {name} {n / times[name][-1]:.3f} req/s ({times[name][-1]:.1f} s wall, "
                  f"{cpu[name][-1]:.1f} CPU-s), load {os.getloadavg()[0]:.1f}", flush=True)

    tok = hf.tokenizer
    generated = {name: sum(len(tok(o, add_special_tokens=False).input_ids) for o in outs) for name, outs in outputs.items()}
    base = n / statistics.median(times["hf"])
    base_cpu = n / statistics.median(cpu["hf"])
    print("\n| variant | requests/s | x hf | generated tokens/s | requests per CPU-s | x hf (CPU) | outputs differing from hf |"
          "\n|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        med, med_cpu = statistics.median(times[name]), statistics.median(cpu[name])
        differ = sum(a != b for a, b in zip(outputs[name], outputs["hf"]))
        print(f"| {name} | {n / med:.3f} | {n / med / base:.2f} | {generated[name] / med:.1f} | {n / med_cpu:.3f} | "
              f"{n / med_cpu / base_cpu:.2f} | {differ} / {n} |")

    max_new = [inst.args[1].get("max_gen_toks", hf.max_gen_toks) for inst in instances]
    # an answer cut at a stop string needed its tokens plus about one for the stop; a full one max_gen_toks
    needed = [min(len(tok(o, add_special_tokens=False).input_ids) + 1, m) for o, m in zip(outputs["hf"], max_new)]
    floor = sum(needed)
    hf_rows = hf_decode_rows(hf, instances, needed, bs)
    st = fast.generate_stats
    print(f"\ndecode rows (one request in one decode forward): hf {hf_rows} (wasted {100 * (1 - floor / hf_rows):.0f}%), "
          f"spin_hf {st.decode_rows + n} (wasted {100 * (1 - floor / max(st.decode_rows + n, 1)):.0f}%), floor {floor} "
          f"(one row per generated token); most rows in flight {st.max_rows}, forwards {st.forwards}; prompt tokens "
          f"prefilled {st.prefill_tokens} of {st.prompt_tokens} ({100 * st.prefill_tokens / max(st.prompt_tokens, 1):.0f}%); "
          f"batches run by hf's own generate {st.extra.get('hf_batches', 0)}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
