"""Benchmark: cost of verifying the converted SmolLM2 cache (sizes + sha256 of every file) vs loading it.

    .venv/bin/python bench/bench_cache_verify.py [--repeats 3] [--dir DIR]

Converts the embedded GGUF into a private folder (default: a temp dir, so the shared cache is never
touched; or reuses --dir when it already holds a complete conversion), then, alternating in one process:

- **cheap check** (every use): ``model_cache.cache_problem``: stat every recorded file, compare sizes and
  mtimes, and hash 64 sampled 64 KiB blocks per file;
- **full check**: ``cache_problem(..., full=True)`` with the per-process digest cache emptied: the sha256 of
  every file (what a use pays when a file's mtime changed since conversion);
- **load**: ``load_model_and_tokenizer`` on the folder (float32, CPU).

Prints the medians and the ratios check / load. No timing assertions: figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each kind (default 3)")
    parser.add_argument("--dir", default=None, help="folder for the private conversion (default: a temp dir)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from spin_eval import model_cache, modelspec
    from spin_eval.model_cache import cache_problem, convert_gguf, read_converted_info
    from spin_eval.modelspec import ModelSpec, embedded_gguf_path

    folder = Path(args.dir or tempfile.mkdtemp(prefix="spin-eval-bench-cache-")) / "smollm2"
    t0 = time.perf_counter()
    out = convert_gguf(embedded_gguf_path(), out_dir=folder)
    print(f"conversion (or reuse) of {out}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    info = read_converted_info(out)
    size = sum(e["size"] for e in info["files"].values())
    spec = ModelSpec("bench", str(out), None, "bench", None, False)

    cheap, full, load = [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        assert cache_problem(out, info) is None
        cheap.append(time.perf_counter() - t)
        model_cache._DIGEST_CACHE.clear()
        t = time.perf_counter()
        assert cache_problem(out, info, full=True) is None
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        model, tokenizer = modelspec.load_model_and_tokenizer(spec)
        load.append(time.perf_counter() - t)
        del model, tokenizer

    c, f, ld = (statistics.median(x) for x in (cheap, full, load))
    print(f"files verified: {len(info['files'])} ({size / 1e6:.0f} MB); medians of {args.repeats}")
    print(f"cheap check (every use):  {c * 1000:8.1f} ms   {c / ld:6.1%} of the load")
    print(f"full sha256 check:        {f * 1000:8.1f} ms   {f / ld:6.1%} of the load")
    print(f"load_model_and_tokenizer: {ld * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
