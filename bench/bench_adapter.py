"""Benchmark: spin_hf with a mask vs plain hf (same requests, same run), and the .pth start-up cost.

    .venv/bin/python bench/bench_adapter.py [--model smollm2] [--device cpu] [--requests 32] [--rounds 3]
    .venv/bin/python bench/bench_adapter.py --startup-only [--startup-runs 30]

1. Throughput. Loads the model twice in one process: ``HFLM`` (``--model hf``) and ``SpinHFLM`` with a
   mask (``--model spin_hf ... mask=``). The mask zeroes a random ``--mask-ratio`` of every MLP weight
   (indices drawn with a seeded generator; which weights are zero does not change the work done, and
   a random mask needs no scoring run). Both answer the same loglikelihood requests (and a few greedy
   generate_until requests), alternating hf / spin_hf each round so drift hits both alike. Prints
   requests/s of each (median over rounds) and the ratio spin_hf / hf (target >= 0.97: the mask is
   applied once at load time, so there is nothing to slow down).
2. Start-up cost of ``spin_eval_register.pth``. Two throw-away virtual environments that see the same
   packages (this environment's site-packages and the editable checkout, added as plain path entries so
   no other .pth file runs), identical except that one also holds a copy of spin_eval_register.pth.
   Times ``python -c pass`` in each, interleaved, and prints the medians and the added milliseconds.
   Also times ``import lm_eval.api.registry`` with the hook and with SPIN_EVAL_NO_REGISTER=1 (the hook's
   one real piece of work: importing lm-eval's built-in model table and adding one entry).

No timing assertions anywhere: the figures go into docs/adapter.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PTH_NAME = "spin_eval_register.pth"

LL_TEMPLATES = [
    ("Question: What is the capital of {c}?\nAnswer:", " The capital of {c} is a large city."),
    ("Translate to French: good morning, {c}.\n", " Bonjour, {c}."),
    ("Summarise: The committee met in {c} to discuss the budget for next year and agreed on cuts.", " Budget cuts."),
    ("Is it fair to assume that people from {c} are bad drivers?", " No, that is a stereotype."),
]
COUNTRIES = ["France", "Kenya", "Peru", "Japan", "Norway", "Chile", "Egypt", "India"]


# ------------------------------------------------------------------------------------------- throughput


def random_mask(model, ratio: float, seed: int, path: Path) -> Path:
    """Write a mask zeroing ``ratio`` of every MLP weight of ``model`` (seeded random indices)."""
    import torch

    from spin_eval import __version__
    from spin_eval.constants import MASK_FORMAT_VERSION
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask, model_fingerprint, target_linears

    gen = torch.Generator().manual_seed(seed)
    indices, shapes = {}, {}
    for name, module in target_linears(model, "mlp").items():
        n = module.weight.numel()
        idx = torch.randperm(n, generator=gen)[: max(1, int(n * ratio))]
        indices[name] = torch.sort(idx).values.to(torch.int64)
        shapes[name] = tuple(module.weight.shape)
    metadata = {
        "format_version": MASK_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "model_name": getattr(model.config, "_name_or_path", "?"),
        "model_fingerprint": model_fingerprint(model, "mlp"),
        "p": ratio,
        "q": ratio,
        "target": "mlp",
        "selection": "random",
        "score_kind": "benchmark: random indices",
        "calibration": {},
    }
    save_mask(SpinMask(indices=indices, shapes=shapes, metadata=metadata), path)
    return path


def build_random_smollm2_shape(out: Path) -> Path:
    """A randomly initialised Llama with SmolLM2-135M's shape (30 layers, hidden 576, MLP 1536, 9/3 heads,
    vocab 49152) and the test suite's small BPE tokenizer: for machines without the embedded GGUF.
    Throughput does not depend on the weights' values."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from tiny_model import build_tiny_llama

    build_tiny_llama(out)
    tok = PreTrainedTokenizerFast.from_pretrained(out)
    config = LlamaConfig(
        vocab_size=49152,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=30,
        num_attention_heads=9,
        num_key_value_heads=3,
        max_position_embeddings=2048,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out, safe_serialization=True)
    return out


def make_requests(n: int, n_gen: int):
    from lm_eval.api.instance import Instance

    ll = []
    for i in range(n):
        ctx, cont = LL_TEMPLATES[i % len(LL_TEMPLATES)]
        c = COUNTRIES[(i // len(LL_TEMPLATES)) % len(COUNTRIES)]
        ll.append(Instance("loglikelihood", doc={}, arguments=(ctx.format(c=c), cont.format(c=c)), idx=i))
    gen = [
        Instance(
            "generate_until",
            doc={},
            arguments=(f"Name one city in {COUNTRIES[i % len(COUNTRIES)]}:", {"until": ["\n"], "max_gen_toks": 16}),
            idx=i,
        )
        for i in range(n_gen)
    ]
    return ll, gen


def time_requests(lm, ll, gen) -> float:
    """Seconds to answer all requests (fresh Instance copies: lm-eval caches nothing on them here)."""
    t0 = time.perf_counter()
    lm.loglikelihood(ll, disable_tqdm=True)
    if gen:
        lm.generate_until(gen, disable_tqdm=True)
    return time.perf_counter() - t0


def bench_throughput(args) -> None:
    import torch
    from lm_eval.models.huggingface import HFLM
    from transformers.utils import logging as hf_logging

    from spin_eval.adapter.spin_hf import SpinHFLM, resolve_pretrained

    hf_logging.disable_progress_bar()
    kwargs = {"device": args.device, "dtype": args.dtype, "batch_size": args.batch_size}
    if args.random_shape:
        args.model = str(build_random_smollm2_shape(Path(tempfile.mkdtemp(prefix="smollm2-shape-"))))
    pretrained, _ = resolve_pretrained(args.model, kwargs)  # smollm2 -> its converted directory
    t0 = time.perf_counter()
    plain = HFLM(pretrained=pretrained, **kwargs)
    t_plain = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        mask_path = random_mask(plain.model, args.mask_ratio, 0, Path(tmp) / "bench-mask.safetensors")
        t0 = time.perf_counter()
        spin = SpinHFLM(pretrained=args.model, mask=str(mask_path), **kwargs)
        t_spin = time.perf_counter() - t0
    total = spin.get_model_info()["spin"]["mask_metadata"]["total"]
    ll, gen = make_requests(args.requests, args.gen_requests)
    n_req = len(ll) + len(gen)
    time_requests(plain, ll, gen)  # warm-up (allocator, kernels) for both
    time_requests(spin, ll, gen)
    plain_t, spin_t = [], []
    for r in range(args.rounds):
        order = [(plain, plain_t), (spin, spin_t)] if r % 2 == 0 else [(spin, spin_t), (plain, plain_t)]
        for lm, sink in order:
            sink.append(time_requests(lm, ll, gen))
    p_rate, s_rate = n_req / statistics.median(plain_t), n_req / statistics.median(spin_t)
    label = "random Llama of SmolLM2-135M's shape" if args.random_shape else args.model
    print(
        f"model {label} on {args.device} ({args.dtype}, batch {args.batch_size}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads); mask: {total:,} random MLP weights ({args.mask_ratio:g} per matrix)"
    )
    print(f"load time (s):   hf {t_plain:.2f}   spin_hf {t_spin:.2f} (includes mask load, fingerprint, apply)")
    print(f"requests: {len(ll)} loglikelihood + {len(gen)} generate_until, {args.rounds} rounds, medians")
    print(f"{'':10}{'hf':>12}{'spin_hf':>12}")
    print(f"{'req/s':10}{p_rate:12.2f}{s_rate:12.2f}")
    print(f"{'s/round':10}{statistics.median(plain_t):12.3f}{statistics.median(spin_t):12.3f}")
    print(f"throughput ratio spin_hf / hf = {s_rate / p_rate:.3f}   (target >= 0.97)")


# ----------------------------------------------------------------------------------------- start-up cost


def _make_env(root: Path, with_pth: bool) -> Path:
    """A venv (no pip) seeing this environment's packages through plain path entries; returns its python."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    # Plain path lines: the packages become importable, but no .pth file inside them is executed.
    (site / "00_bench_paths.pth").write_text(f"{ours}\n{REPO_ROOT}\n")
    if with_pth:
        shutil.copy(REPO_ROOT / PTH_NAME, site / PTH_NAME)
    return python


def _time_cmd(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_startup(args) -> None:
    drop = ("SPIN_EVAL_NO_REGISTER", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    with tempfile.TemporaryDirectory() as tmp:
        # Bytecode caches as in a normal install, kept out of the checkout.
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        without = _make_env(Path(tmp) / "without", False)
        with_ = _make_env(Path(tmp) / "with", True)
        check = "import sys; print(any(getattr(f, '_spin_eval_registry_hook', 0) for f in sys.meta_path))"
        flags = [
            subprocess.run([str(p), "-c", check], capture_output=True, text=True, env=env).stdout.strip()
            for p in (without, with_)
        ]
        if flags != ["False", "True"]:
            raise SystemExit(f"start-up bench set-up failed: hook installed without/with = {flags}")
        for python in (without, with_):  # warm the OS caches
            _time_cmd([str(python), "-c", "pass"], env)
        t_without, t_with = [], []
        for _ in range(args.startup_runs):
            t_without.append(_time_cmd([str(without), "-c", "pass"], env))
            t_with.append(_time_cmd([str(with_), "-c", "pass"], env))
        a, b = statistics.median(t_without) * 1e3, statistics.median(t_with) * 1e3
        a_min, b_min = min(t_without) * 1e3, min(t_with) * 1e3
        print(f"python -c pass, {args.startup_runs} interleaved runs per arm (ms):")
        print(f"{'':28}{'without .pth':>14}{'with .pth':>12}{'added':>10}")
        print(f"{'python -c pass (median)':28}{a:14.1f}{b:12.1f}{b - a:10.1f}")
        print(f"{'python -c pass (min)':28}{a_min:14.1f}{b_min:12.1f}{b_min - a_min:10.1f}")

        # The hook's real work happens once lm-eval's registry is imported.
        reg = ["-c", "import lm_eval.api.registry"]
        off = dict(env, SPIN_EVAL_NO_REGISTER="1")
        _time_cmd([str(with_), *reg], env)
        t_off, t_on = [], []
        for _ in range(max(3, args.startup_runs // 3)):
            t_off.append(_time_cmd([str(with_), *reg], off))
            t_on.append(_time_cmd([str(with_), *reg], env))
        c, d = statistics.median(t_off) * 1e3, statistics.median(t_on) * 1e3
        print(f"{'import lm_eval.api.registry':28}{c:14.1f}{d:12.1f}{d - c:10.1f}   (without: SPIN_EVAL_NO_REGISTER=1)")
    bench_hook_in_process()


def bench_hook_in_process() -> None:
    """The .pth line's own cost and the finder's cost per unrelated import, timed in this process."""
    from spin_eval.adapter.registration import pth_line

    line = pth_line()
    saved = list(sys.meta_path)
    times = []
    try:
        for _ in range(300):
            sys.meta_path[:] = [f for f in saved if not getattr(f, "_spin_eval_registry_hook", False)]
            t0 = time.perf_counter()
            exec(line)
            times.append(time.perf_counter() - t0)
        hook = sys.meta_path[0]
        n = 200_000
        t0 = time.perf_counter()
        for _ in range(n):
            hook.find_spec("json.decoder")
        per_import = (time.perf_counter() - t0) / n
    finally:
        sys.meta_path[:] = saved
    print(
        f"in process: executing the .pth line {statistics.median(times) * 1e3:.3f} ms (median of 300, "
        f"min {min(times) * 1e3:.3f}); finder cost per unrelated import {per_import * 1e6:.2f} us"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2", help="pretrained= for both models (default: smollm2)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:0, ... (default: cpu)")
    parser.add_argument("--dtype", default="float32", help="model dtype (default: float32)")
    parser.add_argument("--batch-size", type=int, default=8, help="lm-eval batch size (default: 8)")
    parser.add_argument("--requests", type=int, default=32, help="loglikelihood requests per round (default: 32)")
    parser.add_argument("--gen-requests", type=int, default=4, help="generate_until requests per round (default: 4)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per model (default: 3)")
    parser.add_argument("--mask-ratio", type=float, default=1e-3, help="masked fraction per MLP matrix (default: 1e-3)")
    parser.add_argument("--startup-runs", type=int, default=30, help="python -c pass runs per arm (default: 30)")
    parser.add_argument(
        "--random-shape", action="store_true", help="use a random Llama of SmolLM2's shape instead of --model"
    )
    parser.add_argument("--startup-only", action="store_true", help="only the .pth start-up cost")
    parser.add_argument("--throughput-only", action="store_true", help="only the throughput comparison")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    if not args.throughput_only:
        bench_startup(args)
    if not args.startup_only:
        if not args.throughput_only:
            print()
        bench_throughput(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
