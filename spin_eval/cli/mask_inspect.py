"""``spin-eval mask info`` and ``spin-eval mask diff``: reading masks back (metadata, margins, overlap)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from spin_eval.spin.margins import natural_key


def _warn(message: str) -> None:
    from spin_eval.cli.mask import _warn as warn

    warn(message)


def info(args: argparse.Namespace) -> int:
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
    from spin_eval.safetext import terminal_safe

    def say(line: str) -> None:  # metadata is file content: never let it send terminal escape codes
        print(terminal_safe(line))

    say(f"mask        {args.mask}")
    say(f"model       {display_name(meta['model_name'])} (fingerprint {meta['model_fingerprint'][:16]}...)")
    say(f"selection   {meta['selection']}" + (f" (control of {meta['control_of']}, seed {meta.get('control_seed')})" if meta.get("control_of") else ""))
    say(f"ratios      p={meta['p']:g} q={meta['q']:g} target={meta['target']} score={meta['score_kind']}")
    for name, cal in sorted(meta["calibration"].items()):
        say(f"calibration {name:9s} {cal['name']} sha256 {cal['sha256'][:12]}... nsamples {cal['nsamples']} seed {cal['seed']}")
    say(f"zeroed      {meta['total']} of {meta['numel_total']} weights ({meta['total'] / max(meta['numel_total'], 1):.3g}) "
        f"in {sum(1 for c in meta['counts'].values() if c)} of {len(meta['counts'])} matrices")
    for name, count in sorted(meta["counts"].items(), key=lambda item: natural_key(item[0])):
        say(f"  {count:8d}  {name}")
    _say_margins(say, meta)
    for message in meta.get("warnings", []):
        _warn(message)
    return 0


def _say_margins(say, meta: dict[str, Any]) -> None:
    """The top-k boundaries closer than the scoring precision, one line each (``spin.margins``'s wording)."""
    from spin_eval.spin.margins import margin_summary

    summary = margin_summary(meta)
    if summary is None:
        say("margins     not recorded (mask format 1)")
        return
    say(f"margins     {summary.headline()}")
    for line in summary.unstable_lines():
        say(f"  {line}")


def mask_diff(a, b) -> dict[str, Any]:
    """Per-module and total counts, intersection and Jaccard overlap of two SpinMasks (pure)."""
    import torch

    from spin_eval.stats import mask_jaccard

    modules = {}
    inter_total = 0
    for name in sorted(set(a.indices) | set(b.indices)):
        ia = a.indices.get(name, torch.empty(0, dtype=torch.int64))
        ib = b.indices.get(name, torch.empty(0, dtype=torch.int64))
        inter = int(torch.isin(ia, ib).sum())
        both_empty = ia.numel() == 0 and ib.numel() == 0
        modules[name] = {"a": ia.numel(), "b": ib.numel(), "intersection": inter,
                         "jaccard": None if both_empty else mask_jaccard({name: ia.numpy()}, {name: ib.numpy()})}
        inter_total += inter
    return {
        "a_total": a.total, "b_total": b.total, "intersection": inter_total,
        "jaccard": None if a.total == 0 and b.total == 0 else mask_jaccard(
            {k: v.numpy() for k, v in a.indices.items()}, {k: v.numpy() for k, v in b.indices.items()}),
        "same_model": a.metadata.get("model_fingerprint") == b.metadata.get("model_fingerprint"),
        "modules": modules,
    }


def diff(args: argparse.Namespace) -> int:
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

    from spin_eval.safetext import terminal_safe

    def say(line: str) -> None:  # selections and tensor names are file content
        print(terminal_safe(line))

    say(f"A {args.a}: {result['a_total']} weights ({a.metadata.get('selection')})")
    say(f"B {args.b}: {result['b_total']} weights ({b.metadata.get('selection')})")
    say(f"total: intersection {result['intersection']}, Jaccard {fmt(result['jaccard'])}")
    say(f"  {'A':>8} {'B':>8} {'A&B':>8} {'Jaccard':>8}  module")
    for name, row in result["modules"].items():
        say(f"  {row['a']:8d} {row['b']:8d} {row['intersection']:8d} {fmt(row['jaccard']):>8}  {name}")
    return 0
