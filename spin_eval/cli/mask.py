"""``spin-eval mask build|plan|info|diff``: build SPIN / control masks, plan their memory, show them, compare two."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from spin_eval.cli.args import dtype_name
from spin_eval.cli.mask_inspect import diff as _diff
from spin_eval.cli.mask_inspect import info as _info
from spin_eval.cli.mask_inspect import mask_diff, natural_key  # noqa: F401 - the names bench/ and users import from here
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

data-parallel (samples split over ranks, sums all-reduced; rank 0 writes the same file as one process):
  torchrun --nproc_per_node 8 -m spin_eval mask build --model M --device cuda -o M.spin.safetensors
  accelerate launch -m spin_eval mask build --model M --device cuda -o M.spin.safetensors
  (multi-node: torchrun --nnodes N --node_rank R --rdzv_endpoint HOST:PORT ... the same arguments)

a model larger than one GPU:
  spin-eval mask plan --model M --device cuda --device-map auto
  spin-eval mask build --model M --device cuda --device-map auto -o M.spin.safetensors

Ratios: G = top floor(p*numel) of the general scores per matrix, F, P = top floor(q*numel) of the
fairness / privacy scores. p defaults to 5e-7 (the paper's) for hub models and to a measured 1e-4 for
the embedded smollm2 (5e-7 selects 0 weights in a 135M model's matrices, see docs/spin.md); q defaults
to p. Scores are exact int64 sums (docs/spin.md): batch size, shards and ranks never change the mask.
"""


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: use i/n, e.g. 0/4") from None
    if count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: need 0 <= i < n")
    return index, count


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mask",
        help="build, inspect and compare SPIN masks",
        description="Build SPIN masks (coupled fairness/privacy neurons, arXiv 2410.16672) and control masks; "
        "show a mask's metadata; compare two masks.",
    )
    sub = parser.add_subparsers(dest="mask_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    from spin_eval.spin.settings import add_setting_arguments

    b = sub.add_parser(
        "build",
        help="score a model on calibration sets and write a mask file",
        description="Score every target weight as |W| * sum_n |dL_n/dW| on the general, fairness and privacy "
        "calibration sets, select the coupled weights (or a control set), and write the mask file. Prints the "
        "memory plan first and stops early when it cannot fit.",
        epilog=_BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _model_arguments(b)
    b.add_argument("--device", default="cpu",
                   help="device for scoring, e.g. cpu or cuda (default cpu); under torchrun, cuda means cuda:LOCAL_RANK")
    b.add_argument("--device-map", default=None, metavar="MAP",
                   help="'auto' spreads a model larger than one device over the visible GPUs (accelerate big-model "
                        "loading); per-sample gradients stay exact. Not with torchrun/accelerate launch")
    add_setting_arguments(b)
    b.add_argument("--save-scores", metavar="DIR", default=None, help="also write the score sums to DIR")
    b.add_argument("--shard", type=_shard, default=None, metavar="i/n",
                   help="score only slice i of n of the samples (needs --save-scores; merge with --from-scores)")
    b.add_argument("--from-scores", nargs="+", metavar="FILE", default=None,
                   help="merge score files of shards 0..n-1 instead of scoring")
    b.add_argument("--join-timeout", type=float, default=None, metavar="SECONDS",
                   help="under torchrun / accelerate launch: how long a rank waits for all ranks to join "
                        "(default 300); collectives after joining wait up to 30 minutes")
    b.add_argument("--no-plan-check", action="store_true",
                   help="build even when the memory plan says it will not fit (the plan is an estimate)")
    b.add_argument("--no-progress", action="store_true", help="hide progress bars")
    b.add_argument("-o", "--output", metavar="MASK", default=None, help="mask file to write (.safetensors)")
    b.set_defaults(handler=_build)

    from spin_eval.cli.mask_plan import register_plan

    register_plan(sub, _model_arguments)

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
    from spin_eval.safetext import terminal_safe

    print(f"spin-eval: WARNING: {terminal_safe(message)}", file=sys.stderr)


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="smollm2",
                        help="model spec: smollm2 (default), a local HF dir, a .gguf, or a hub id")
    parser.add_argument("--gguf-file", default=None, help="GGUF file name inside --model's directory")
    parser.add_argument("--revision", default=None, help="hub revision for a hub id")
    parser.add_argument("--dtype", default="float32", type=dtype_name, help="dtype to load the model in (default float32)")


def _check_build_args(args: argparse.Namespace, ranks: Any) -> None:
    if args.shard is not None and args.shard[1] > 1 and not args.save_scores:
        raise InputError("--shard needs --save-scores DIR (the shard's score file goes there)")
    if args.output is None and not (args.shard is not None and args.shard[1] > 1):
        raise InputError("mask build needs -o MASK (the mask file to write)")
    if args.from_scores and args.shard is not None:
        raise InputError("use either --shard (score a slice) or --from-scores (merge), not both")
    if ranks is not None and (args.shard is not None or args.save_scores or args.from_scores):
        raise InputError("under torchrun / accelerate launch the ranks split the samples themselves; drop "
                         "--shard/--save-scores/--from-scores (those are for machines without a shared launcher)")
    if ranks is not None and args.device_map:
        raise InputError("--device-map spreads ONE process's model over the GPUs; do not combine it with "
                         "torchrun / accelerate launch (data parallel): use one or the other")
    if args.device_map is not None and args.device_map != "auto":
        raise InputError(f"--device-map {args.device_map!r}: only 'auto' is supported")
    from spin_eval.outputs import check_creatable, check_output_file

    inputs = {f"--{name}": getattr(args, f"setting_{name}", None) for name in ("general", "fairness", "privacy")}
    inputs["--from-scores"] = args.from_scores
    if args.output is not None:
        check_output_file(args.output, "-o", inputs=inputs)
    if args.save_scores is not None:
        check_creatable(args.save_scores, "--save-scores", folder=True)


def _build(args: argparse.Namespace) -> int:
    from spin_eval.spin.distributed import JOIN_TIMEOUT_S, Ranks

    _setup_logging()
    if args.join_timeout is not None and not args.join_timeout > 0:
        raise InputError(f"--join-timeout {args.join_timeout:g}: use a positive number of seconds, e.g. 300")
    ranks = Ranks.from_environment(args.device, join_timeout=args.join_timeout or JOIN_TIMEOUT_S)
    try:
        return _build_on(args, ranks)
    finally:
        if ranks is not None:
            ranks.close()


def _build_on(args: argparse.Namespace, ranks: Any) -> int:
    from spin_eval.modelspec import load_model_and_tokenizer, resolve_model_spec
    from spin_eval.preflight import preflight
    from spin_eval.spin import build as build_mod
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import model_fingerprint
    from spin_eval.spin.plan import check_plan_fits, format_plan, make_plan
    from spin_eval.spin.scorefile import ScoreFiles
    from spin_eval.spin.settings import given_settings, make_settings

    _check_build_args(args, ranks)
    preflight(model=args.model, revision=args.revision, device=args.device,
              files=[("--from-scores", f) for f in args.from_scores or ()],
              calibration={**{f"--{n}": getattr(args, f"setting_{n}", None) for n in ("general", "fairness", "privacy")},
                           **{f"--set {v.split('=', 1)[0]}": v.split("=", 1)[1] for v in args.setting_sets or ()}})
    main_rank = ranks is None or ranks.is_main
    spec = resolve_model_spec(args.model, gguf_file=args.gguf_file, revision=args.revision)
    config, options = make_settings(given_settings(args), spec, where="mask build")
    device = args.device
    if ranks is not None and device == "cuda":
        device = f"cuda:{ranks.local_rank}"
    if not args.from_scores:
        try:
            plan = make_plan(spec, config, options, dtype=args.dtype, device=device, device_map=args.device_map,
                             nproc=1 if ranks is None else ranks.world_size)
        except InputError as exc:  # e.g. a config the meta device cannot build: plan nothing, still build
            plan = None
            _warn(f"no memory plan ({exc})")
        if plan is not None and main_rank:
            print(format_plan(plan), file=sys.stderr)
        if plan is not None and not args.no_plan_check:
            check_plan_fits(plan)

    model, tokenizer = load_model_and_tokenizer(spec, dtype=args.dtype, device=device, device_map=args.device_map)
    fingerprint = model_fingerprint(model, config.target)
    progress = not args.no_progress and main_rank
    if args.from_scores:
        sums = ScoreFiles(args.from_scores)  # headers checked now; each matrix merged when it is scored
        meta = sums.metadata
        if meta.get("model_fingerprint") != fingerprint:
            raise InputError(f"score files were computed on another model (fingerprint {meta.get('model_fingerprint', '?')[:16]}...) than {args.model}")
        scored_config = SpinConfig.from_dict(meta["config"])
        scoring_fields = ("target", "nsamples", "seed", "chat_template", "calibration", "general", "fairness", "privacy",
                          "max_length", "separator")
        differing = [f for f in scoring_fields if getattr(scored_config, f) != getattr(config, f)]
        if differing:
            raise InputError(f"score files were computed with different {', '.join(differing)}; pass the same options as when scoring")
        from spin_eval.spin.namedsets import changed_sets

        changed = changed_sets(scored_config.sets, config.sets)
        if changed:
            raise InputError(f"--set {changed[0]}: the score files scored another file for this set; pass the same "
                             "--set NAME=FILE as when scoring")
        mask = build_mod.mask_from_sums(model, sums, config, fingerprint=fingerprint, calibration=meta["calibration"],
                                        model_name=spec.name)
    elif args.save_scores:
        sets = build_mod.calibration_sets(config)
        index, count = args.shard or (0, 1)
        out = Path(args.save_scores) / f"scores-{fingerprint[:12]}-shard{index:03d}-of-{count:03d}.safetensors"
        meta = build_mod.write_score_sums(model, tokenizer, config, out, shard=args.shard, progress=progress,
                                          batch_size=options.batch_size, sets=sets, fingerprint=fingerprint)
        print(f"wrote score sums of shard {index}/{count} to {out}")
        if count > 1:
            return 0
        mask = build_mod.mask_from_sums(model, ScoreFiles([out]), config, fingerprint=fingerprint, calibration=meta["calibration"],
                                        model_name=spec.name)
    else:
        mask = build_mod.build_masks(model, tokenizer, config, batch_size=options.batch_size, progress=progress,
                                     model_name=spec.name, ranks=ranks, fingerprint=fingerprint)[config.selection]
    if not main_rank:
        return 0
    save_mask(mask, args.output)
    ranks_note = "" if ranks is None else f" (samples split over {ranks.world_size} ranks)"
    print(f"wrote {args.output}: {mask.total} weights zeroed by selection {config.selection!r} "
          f"(p={config.p:g}, q={config.q:g}, target {config.target}) in {len(mask.indices)} matrices "
          f"of {mask.numel_total} entries{ranks_note}")
    return 0


def _setup_logging() -> None:
    """Show spin_eval's warnings (e.g. 'selects nothing') loudly on stderr, one line each."""
    log = logging.getLogger("spin_eval")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("spin-eval: WARNING: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)
