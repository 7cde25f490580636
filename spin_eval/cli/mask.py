"""``spin-eval mask build|info|diff``: build SPIN / control masks, show them, compare two of them."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError

_BUILD_EPILOG = """\
examples:
  spin-eval mask build --model smollm2 -o smollm2.spin.safetensors
  spin-eval mask build --model smollm2 --selection magnitude-random -o control.safetensors
  spin-eval mask build --model ORG/MODEL --general g.csv --fairness f.csv --privacy p.csv \\
      --nsamples 128 --p 5e-7 --q 5e-7 -o model.spin.safetensors

sharded scoring (several machines/GPUs, then one merge):
  spin-eval mask build --model M --shard 0/4 --save-scores scores/    # ... up to --shard 3/4
  spin-eval mask build --model M --from-scores scores/*.safetensors -o M.spin.safetensors

Ratios: G = top floor(p*numel) of the general scores per matrix, F, P = top floor(q*numel) of the
fairness / privacy scores. Default p = q = 5e-7 (the paper's) for hub models; for the embedded smollm2
a measured default (see docs/spin.md), because 5e-7 selects 0 weights in a 135M model's matrices.
"""


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: use i/n, e.g. 0/4") from None
    if count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: need 0 <= i < n")
    return index, count


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (e.g. 5e-7 or 1e-3)") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is outside [0, 1]")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mask",
        help="build, inspect and compare SPIN masks",
        description="Build SPIN masks (coupled fairness/privacy neurons, arXiv 2410.16672) and control masks; "
        "show a mask's metadata; compare two masks.",
    )
    sub = parser.add_subparsers(dest="mask_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    from spin_eval.spin.config import SELECTIONS, TARGETS

    b = sub.add_parser(
        "build",
        help="score a model on calibration sets and write a mask file",
        description="Score every target weight as |W| * sum_n |dL_n/dW| on the general, fairness and privacy "
        "calibration sets, select the coupled weights (or a control set), and write the mask file.",
        epilog=_BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--model", default="smollm2", help="model spec: smollm2 (default), a local HF dir, a .gguf, or a hub id")
    b.add_argument("--gguf-file", default=None, help="GGUF file name inside --model's directory")
    b.add_argument("--revision", default=None, help="hub revision for a hub id")
    b.add_argument("--dtype", default="float32", help="dtype to load the model in (default float32)")
    b.add_argument("--device", default="cpu", help="device for scoring, e.g. cpu or cuda (default cpu)")
    for name in ("general", "fairness", "privacy"):
        b.add_argument(f"--{name}", default=None, metavar="FILE",
                       help=f"{name} calibration set: CSV/JSONL with prompt,response or a hub dataset id (default: shipped set)")
    b.add_argument("--nsamples", type=int, default=128, help="samples drawn from each set (default 128)")
    b.add_argument("--seed", type=int, default=0, help="seed of the calibration sampling (default 0)")
    b.add_argument("--p", type=_ratio, default=None, help="general top fraction per matrix (default: see below)")
    b.add_argument("--q", type=_ratio, default=None, help="fairness/privacy top fraction per matrix (default: --p)")
    b.add_argument("--target", choices=TARGETS, default="mlp", help="Linear layers to score: mlp (default), attn, all")
    b.add_argument("--selection", choices=SELECTIONS, default="paper",
                   help="paper: (F-G)&(P-G) (default); reference: the public code's positional AND; others are control masks")
    b.add_argument("--control-seed", type=int, default=0, help="seed of control-mask draws (default 0)")
    b.add_argument("--chat-template", action="store_true", help="wrap prompts in the model's chat template")
    b.add_argument("--batch-size", type=int, default=1, help="samples per backward pass; per-sample gradients stay exact")
    b.add_argument("--max-length", type=int, default=1024, help="token limit per sample (default 1024)")
    b.add_argument("--save-scores", metavar="DIR", default=None, help="also write the score sums to DIR")
    b.add_argument("--shard", type=_shard, default=None, metavar="i/n",
                   help="score only slice i of n of the samples (needs --save-scores; merge with --from-scores)")
    b.add_argument("--from-scores", nargs="+", metavar="FILE", default=None,
                   help="merge score files of shards 0..n-1 instead of scoring")
    b.add_argument("--no-progress", action="store_true", help="hide progress bars")
    b.add_argument("-o", "--output", metavar="MASK", default=None, help="mask file to write (.safetensors)")
    b.set_defaults(handler=_build)

    i = sub.add_parser("info", help="show a mask's metadata and counts", description="Show a mask file's metadata.")
    i.add_argument("mask", help="mask file")
    i.add_argument("--json", action="store_true", help="print the metadata as JSON")
    i.set_defaults(handler=_info)

    d = sub.add_parser(
        "diff",
        help="compare two masks (Jaccard overlap per module and total)",
        description="Compare two masks of the same model: counts, intersection and Jaccard overlap "
        "|A&B| / |A|B| per weight matrix and in total.",
    )
    d.add_argument("a", help="first mask file")
    d.add_argument("b", help="second mask file")
    d.add_argument("--json", action="store_true", help="print the comparison as JSON")
    d.set_defaults(handler=_diff)


def _warn(message: str) -> None:
    print(f"spin-eval: WARNING: {message}", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from spin_eval.spin.config import SpinConfig, default_ratio

    _setup_logging()
    if args.shard is not None and args.shard[1] > 1 and not args.save_scores:
        raise InputError("--shard needs --save-scores DIR (the shard's score file goes there)")
    if args.output is None and not (args.shard is not None and args.shard[1] > 1):
        raise InputError("mask build needs -o MASK (the mask file to write)")
    if args.from_scores and args.shard is not None:
        raise InputError("use either --shard (score a slice) or --from-scores (merge), not both")

    from spin_eval.modelspec import load_model_and_tokenizer, resolve_model_spec
    from spin_eval.preflight import preflight

    preflight(model=args.model, revision=args.revision, device=args.device,
              files=[("--from-scores", f) for f in args.from_scores or ()],
              calibration={f"--{n}": getattr(args, n) for n in ("general", "fairness", "privacy")})
    spec = resolve_model_spec(args.model, gguf_file=args.gguf_file, revision=args.revision)
    p = args.p if args.p is not None else default_ratio(spec)
    q = args.q if args.q is not None else p
    config = SpinConfig(
        p=p, q=q, target=args.target, selection=args.selection, nsamples=args.nsamples, seed=args.seed,
        chat_template=args.chat_template, general=args.general, fairness=args.fairness, privacy=args.privacy,
        batch_size=args.batch_size, control_seed=args.control_seed, max_length=args.max_length,
    )
    from spin_eval.spin import build as build_mod
    from spin_eval.spin.io import merge_score_files, save_mask, save_score_sums
    from spin_eval.spin.mask import model_fingerprint

    model, tokenizer = load_model_and_tokenizer(spec, dtype=args.dtype, device=args.device)
    fingerprint = model_fingerprint(model, config.target)
    if args.from_scores:
        sums, meta = merge_score_files(args.from_scores)
        if meta.get("model_fingerprint") != fingerprint:
            raise InputError(f"score files were computed on another model (fingerprint {meta.get('model_fingerprint', '?')[:16]}...) than {args.model}")
        scored_config = SpinConfig(**meta["config"])
        scoring_fields = ("target", "nsamples", "seed", "chat_template", "general", "fairness", "privacy", "max_length")
        differing = [f for f in scoring_fields if getattr(scored_config, f) != getattr(config, f)]
        if differing:
            raise InputError(f"score files were computed with different {', '.join(differing)}; pass the same options as when scoring")
        calibration = meta["calibration"]
    else:
        sets = build_mod.calibration_sets(config)
        sums, meta = build_mod.score_sums(
            model, tokenizer, config, shard=args.shard, progress=not args.no_progress, sets=sets, fingerprint=fingerprint
        )
        calibration = meta["calibration"]
        if args.save_scores:
            index, count = args.shard or (0, 1)
            out = Path(args.save_scores) / f"scores-{fingerprint[:12]}-shard{index:03d}-of-{count:03d}.safetensors"
            save_score_sums(sums, meta, out)
            print(f"wrote score sums of shard {index}/{count} to {out}")
        if args.shard is not None and args.shard[1] > 1:
            return 0
    mask = build_mod.mask_from_sums(model, sums, config, fingerprint=fingerprint, calibration=calibration, model_name=spec.name)
    save_mask(mask, args.output)
    print(f"wrote {args.output}: {mask.total} weights zeroed by selection {config.selection!r} "
          f"(p={config.p:g}, q={config.q:g}, target {config.target}) in {len(mask.indices)} matrices "
          f"of {mask.numel_total} entries")
    return 0


def _info(args: argparse.Namespace) -> int:
    from spin_eval.cli.pipes import stdout_may_close

    with stdout_may_close():
        return _print_info(args)


def _print_info(args: argparse.Namespace) -> int:
    from spin_eval.spin.io import file_sha256, load_mask

    mask = load_mask(args.mask)
    meta = dict(mask.metadata)
    if args.json:
        meta["file_sha256"] = file_sha256(args.mask)
        print(json.dumps(meta, indent=2, sort_keys=True))
        return 0
    from spin_eval.modelspec import display_name

    print(f"mask        {args.mask}")
    print(f"model       {display_name(meta['model_name'])} (fingerprint {meta['model_fingerprint'][:16]}...)")
    print(f"selection   {meta['selection']}" + (f" (control of {meta['control_of']}, seed {meta.get('control_seed')})" if meta.get("control_of") else ""))
    print(f"ratios      p={meta['p']:g} q={meta['q']:g} target={meta['target']} score={meta['score_kind']}")
    for name, cal in sorted(meta["calibration"].items()):
        print(f"calibration {name:9s} {cal['name']} sha256 {cal['sha256'][:12]}... nsamples {cal['nsamples']} seed {cal['seed']}")
    print(f"zeroed      {meta['total']} of {meta['numel_total']} weights ({meta['total'] / max(meta['numel_total'], 1):.3g}) "
          f"in {sum(1 for c in meta['counts'].values() if c)} of {len(meta['counts'])} matrices")
    for name, count in sorted(meta["counts"].items(), key=lambda item: natural_key(item[0])):
        print(f"  {count:8d}  {name}")
    for message in meta.get("warnings", []):
        _warn(message)
    return 0


def natural_key(name: str) -> tuple:
    """Sort key reading digit runs as numbers: layers.2 before layers.10. Pure."""
    import re

    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def mask_diff(a, b) -> dict[str, Any]:
    """Per-module and total counts, intersection and Jaccard overlap of two SpinMasks (pure)."""
    import torch

    modules = {}
    inter_total = union_total = 0
    for name in sorted(set(a.indices) | set(b.indices)):
        ia = a.indices.get(name, torch.empty(0, dtype=torch.int64))
        ib = b.indices.get(name, torch.empty(0, dtype=torch.int64))
        inter = int(torch.isin(ia, ib).sum())
        union = ia.numel() + ib.numel() - inter
        modules[name] = {"a": ia.numel(), "b": ib.numel(), "intersection": inter,
                         "jaccard": (inter / union) if union else None}
        inter_total += inter
        union_total += union
    return {
        "a_total": a.total, "b_total": b.total, "intersection": inter_total,
        "jaccard": (inter_total / union_total) if union_total else None,
        "same_model": a.metadata.get("model_fingerprint") == b.metadata.get("model_fingerprint"),
        "modules": modules,
    }


def _diff(args: argparse.Namespace) -> int:
    from spin_eval.spin.io import load_mask

    a, b = load_mask(args.a), load_mask(args.b)
    result = mask_diff(a, b)
    result["a"], result["b"] = str(args.a), str(args.b)
    if not result["same_model"]:
        _warn("the two masks were built for different models (fingerprints differ)")
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0

    def fmt(j):
        return "n/a" if j is None else f"{j:.3f}"

    print(f"A {args.a}: {result['a_total']} weights ({a.metadata.get('selection')})")
    print(f"B {args.b}: {result['b_total']} weights ({b.metadata.get('selection')})")
    print(f"total: intersection {result['intersection']}, Jaccard {fmt(result['jaccard'])}")
    print(f"  {'A':>8} {'B':>8} {'A&B':>8} {'Jaccard':>8}  module")
    for name, row in result["modules"].items():
        print(f"  {row['a']:8d} {row['b']:8d} {row['intersection']:8d} {fmt(row['jaccard']):>8}  {name}")
    return 0


def _setup_logging() -> None:
    """Show spin_eval's warnings (e.g. 'selects nothing') loudly on stderr, one line each."""
    log = logging.getLogger("spin_eval")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("spin-eval: WARNING: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)
