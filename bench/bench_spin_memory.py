"""Peak host memory of a SPIN mask build per target weight: the build before the bounded-memory change
(``--old-commit``, float64 sums of all three sets kept at once) against today's streaming build, side by
side, each in a fresh process, on SmolLM2 and on a random-init model with a 1B-class layer shape.

Peak RSS is sampled every 5 ms from /proc/self/statm while the build runs; "extra" is the peak minus the
RSS after the model is loaded, divided by the number of target (MLP) weights. The old code is taken from
git (``git archive <commit> spin_eval``), so this needs a git checkout. CPU only here; on an accelerator
the same split applies to its memory (the plan of ``spin-eval mask plan`` states it).

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_spin_memory.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: A 1B-class decoder layer (TinyLlama-1.1B: hidden 2048, MLP 5632, 32 heads, 4 KV heads), 4 of its 22
#: layers so the old build fits a small machine; bytes per target weight do not depend on the depth.
ONE_B_SHAPE = {"hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 4, "num_attention_heads": 32,
               "num_key_value_heads": 4, "vocab_size": 49152, "tie_word_embeddings": False}


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(method: str, model_kind: str, nsamples: int) -> dict:
    import gc

    import torch

    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.mask import target_linears

    torch.manual_seed(0)
    model, tok = load_model_and_tokenizer("smollm2")
    if model_kind == "1b":
        from transformers import AutoModelForCausalLM, LlamaConfig

        del model
        model = AutoModelForCausalLM.from_config(LlamaConfig(**ONE_B_SHAPE)).eval()
    targets = sum(lin.weight.numel() for lin in target_linears(model, "mlp").values())
    params = sum(p.numel() for p in model.parameters())
    gc.collect()
    base = _rss()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    config = SpinConfig(p=1e-3, q=1e-3, nsamples=nsamples, max_length=128)
    mask = build.build_mask(model, tok, config, progress=False)
    seconds = time.perf_counter() - start
    done.set()
    thread.join()
    peak[0] = max(peak[0], _rss())
    return {"method": method, "model": model_kind, "targets": targets, "params": params, "base_rss": base,
            "peak_rss": peak[0], "extra_per_target": (peak[0] - base) / targets, "seconds": seconds,
            "total": mask.total}


def run_child(method: str, model_kind: str, nsamples: int, old_root: Path | None, mmap_threshold: int = 0) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    if mmap_threshold:  # glibc: allocations above it are mmapped and go back to the OS when freed
        env["MALLOC_MMAP_THRESHOLD_"] = str(mmap_threshold)
    env["PYTHONPATH"] = os.pathsep.join(([str(old_root)] if old_root else []) + [str(REPO), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, __file__, "--child", method, "--model", model_kind,
                          "--nsamples", str(nsamples)], capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{method}/{model_kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--model", default="smollm2,1b", help="smollm2, 1b or both (default both)")
    parser.add_argument("--nsamples", type=int, default=2, help="samples per calibration set (default 2)")
    parser.add_argument("--old-commit", default="c4ec82c", help="commit of the build before the change")
    parser.add_argument("--methods", default="old,new", help="old, new or both (default both)")
    parser.add_argument("--mmap-threshold", type=int, default=0,
                        help="set glibc's MALLOC_MMAP_THRESHOLD_ in the builds (bytes; 0: glibc's dynamic default). "
                             "A fixed threshold returns freed gradient-sized buffers to the OS instead of keeping "
                             "them in the heap, which the dynamic default does after the first free")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.model, args.nsamples)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.old_commit, "spin_eval"], cwd=REPO, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        rows = []
        for model_kind in args.model.split(","):
            for method in [m for m in ("old", "new") if m in args.methods.split(",")]:
                rows.append(run_child(method, model_kind, args.nsamples, Path(tmp) if method == "old" else None,
                                      args.mmap_threshold))
                r = rows[-1]
                print(f"{model_kind:8s} {method:4s} target weights {r['targets']:>12,}  model RSS "
                      f"{r['base_rss'] / 2**30:6.2f} GiB  peak {r['peak_rss'] / 2**30:6.2f} GiB  extra "
                      f"{r['extra_per_target']:6.2f} bytes/target weight  {r['seconds']:6.1f} s  zeroed {r['total']}",
                      flush=True)
        for model_kind in args.model.split(","):
            if {r["method"] for r in rows if r["model"] == model_kind} != {"old", "new"}:
                continue
            old, new = (next(r for r in rows if r["model"] == model_kind and r["method"] == m) for m in ("old", "new"))
            print(f"{model_kind}: extra memory per target weight old/new = "
                  f"{old['extra_per_target'] / max(new['extra_per_target'], 1e-9):.1f}x; same mask size: "
                  f"{old['total'] == new['total']}")


if __name__ == "__main__":
    main()
