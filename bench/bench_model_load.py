"""Benchmark: loading the embedded SmolLM2 from its GGUF vs from the cached safetensors copy.

    .venv/bin/python bench/bench_model_load.py [--repeats 3] [--cache DIR]

Both loads run in the same process, alternating, each timed from resolving the spec (including the
sha256 of the GGUF, as a fresh process would compute it) to a ready (model, tokenizer) pair in float32.
Prints the median times and their ratio (target: cached >= 5x faster). The one-off conversion is timed
separately when the cache is empty. No timing assertions: figures go into docs/models.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="loads of each kind (default 3)")
    parser.add_argument("--cache", default=None, help="cache folder (default: $SPIN_EVAL_CACHE or ~/.cache/spin-eval)")
    args = parser.parse_args(argv)
    if args.cache:
        os.environ["SPIN_EVAL_CACHE"] = args.cache
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch
    import transformers
    from transformers.utils import logging as hf_logging

    from spin_eval import model_cache, modelspec

    hf_logging.disable_progress_bar()
    torch.set_num_threads(max(1, torch.get_num_threads()))

    gguf = modelspec.embedded_gguf_path()
    target = model_cache.converted_model_dir(gguf)
    if not model_cache._is_complete(target, model_cache.file_sha256(gguf)):
        t0 = time.perf_counter()
        model_cache.convert_gguf(gguf)
        print(f"one-off conversion GGUF -> safetensors: {time.perf_counter() - t0:.2f} s")

    def timed(convert: bool) -> float:
        model_cache._DIGEST_CACHE.clear()  # as in a fresh process
        t0 = time.perf_counter()
        model, tok = modelspec.load_model_and_tokenizer(modelspec.resolve_model_spec("smollm2", convert=convert))
        elapsed = time.perf_counter() - t0
        assert tok is not None and next(model.parameters()).dtype == torch.float32
        del model, tok
        return elapsed

    timed(True)  # warm the OS page cache and imports for both paths alike
    gguf_times, cached_times = [], []
    for _ in range(args.repeats):
        gguf_times.append(timed(False))
        cached_times.append(timed(True))
    g, c = statistics.median(gguf_times), statistics.median(cached_times)
    print(f"SmolLM2-135M-Instruct load, median of {args.repeats} (transformers {transformers.__version__}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"{'GGUF (Q4_1, dequantised at load)':<40} {g:8.2f} s   runs: {', '.join(f'{t:.2f}' for t in gguf_times)}")
    print(f"{'cached float32 safetensors':<40} {c:8.2f} s   runs: {', '.join(f'{t:.2f}' for t in cached_times)}")
    print(f"{'speed-up (GGUF / cached)':<40} {g / c:8.1f} x   (target >= 5x)")
    print(f"cache: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
