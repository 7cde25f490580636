"""``spin-eval sweep``: SPIN and its controls over several ratios -> the trust-capability frontier."""

from __future__ import annotations

import argparse
from pathlib import Path

from spin_eval.cli.args import dtype_name, finite_float, non_negative_int, positive_int
from spin_eval.cli.args import objectives as objectives_arg
from spin_eval.cli.run import ALL, _batch_size, _csv, _limit

DESCRIPTION = """\
Which SPIN ratio should I use? Scores the calibration sets ONCE (or reuses score files from
'spin-eval mask build --save-scores DIR', --from-scores), derives every ratio's SPIN mask and its
control masks from those sums (seconds per mask, no new backward pass), evaluates the base model once
and every (ratio, mask) variant through lm-eval with identical settings, and writes the frontier
report OUT/report.{html,md,json}: trust change (x) against capability change (y) per ratio with paired
95% intervals for SPIN and each control, the alignment tax per ratio, a dose-response trend test of
each headline metric against ln(weights zeroed) for SPIN and each control (and whether they differ),
and the best ratio within a capability allowance, or a plain "none distinguishable from zero".

Ratios: unsorted or repeated values are sorted and de-duplicated (with a note). A ratio that selects
nothing in every matrix is reported and not evaluated; one that misses some matrices is noted.
--q-ratios makes a p x q grid (every --ratios value as p with every --q-ratios value as q).

Resumable like 'spin-eval run' (same OUT/spin-eval-run.json manifest; finished variants are not redone;
Ctrl-C leaves nothing half-written). One point can be gated or submitted on its own:
  spin-eval check OUT --variant spin-p0.0001 ...   spin-eval leaderboard submit OUT --variant spin-p0.0001 ...

Default (the embedded SmolLM2, sized for <= 15 minutes on a quiet 2-core machine, docs/sweep.md):
  spin-eval sweep -o sweep/      # --ratios 3e-5,1e-4,1e-3 --controls magnitude-random --limit 60 --gen-limit 12
"""


def _ratios(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in _csv(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: give comma-separated fractions, e.g. 3e-5,1e-4,1e-3") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    from spin_eval.run.settings import RUN_SPIN_DEFAULTS
    from spin_eval.run.sweep import DEFAULT_GEN_LIMIT, DEFAULT_LIMIT, DEFAULT_RATIOS
    from spin_eval.spin.settings import add_setting_arguments
    from spin_eval.stats import DEFAULT_RESAMPLES

    parser = subparsers.add_parser(
        "sweep", help="SPIN and controls over several ratios: the trust-capability frontier",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="smollm2", help="model spec: smollm2 (default), a HF folder, a hub id")
    parser.add_argument("--ratios", type=_ratios, default=DEFAULT_RATIOS,
                        help="comma-separated p values (q = p unless --q-ratios); default "
                             + ",".join(f"{r:g}" for r in DEFAULT_RATIOS))
    parser.add_argument("--q-ratios", type=_ratios, default=None, help="comma-separated q values: a p x q grid")
    parser.add_argument("--controls", type=_csv, default=("magnitude-random",),
                        help="control masks per ratio (comma-separated, or none; default magnitude-random)")
    parser.add_argument("--baselines", type=_csv, default=(), metavar="NAME,...",
                        help="fine-tuning baselines (as in spin-eval run, e.g. sft-privacy,sft-fairness,sft-mix) "
                             "evaluated on the same documents and shown as reference points on the frontier")
    parser.add_argument("--tune-steps", type=positive_int, default=None, metavar="N",
                        help="optimiser steps of every baseline (default: spin-eval tune's, 32)")
    parser.add_argument("--from-scores", nargs="+", metavar="FILE", default=(),
                        help="score files from 'spin-eval mask build --save-scores' (refused if of another model or "
                             "calibration set)")
    parser.add_argument("--tasks", type=_csv, default=None,
                        help="lm-eval tasks/groups (default spin_suite; spin_suite_safety for --objectives safety,helpfulness)")
    parser.add_argument("--objectives", type=objectives_arg, default=None, metavar="A,B",
                        help="the conflict studied: fairness,privacy (default) or safety,helpfulness (tasks, the "
                             "coupled calibration sets, the frontier's trust axis; as spin-eval run)")
    parser.add_argument("--limit", type=_limit, default=None,
                        help=f"documents per task and variant, spread evenly (default {DEFAULT_LIMIT}; none = all)")
    parser.add_argument("--gen-limit", type=_limit, default=None,
                        help=f"documents per generation task (default {DEFAULT_GEN_LIMIT}, or --limit when given)")
    parser.add_argument("-o", "--output", type=Path, default=Path("spin-eval-sweep"), help="output folder")
    spin = parser.add_argument_group("SPIN scoring (the ratios and selections come from --ratios and --controls)")
    # the same flags as spin-eval run, from the one definition in spin_eval.spin.settings
    add_setting_arguments(spin, exclude=("p", "q", "selection"), rename={"batch_size": "--score-batch-size"},
                          shown_defaults=RUN_SPIN_DEFAULTS)
    parser.add_argument("--batch-size", "--batch_size", type=_batch_size, default=8,
                        help="lm-eval batch size: an integer, auto or auto:N (default 8)")
    parser.add_argument("--bootstrap-iters", type=non_negative_int, default=DEFAULT_RESAMPLES,
                        help=f"lm-eval's stderr bootstrap (default {DEFAULT_RESAMPLES}, the project's one bootstrap default)")
    parser.add_argument("--include-path", action="append", default=[], metavar="DIR", help="extra lm-eval task folder")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--dtype", default="float32", type=dtype_name, help="model dtype (default float32)")
    parser.add_argument("--allowance", type=finite_float, default=1.0,
                        help="capability points a 'best ratio' may lose (default 1.0)")
    parser.add_argument("--force", action="store_true", help="redo everything (scores, masks, evaluations, report)")
    parser.add_argument("--no-report", action="store_true", help="skip the report stage")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from spin_eval.errors import InputError
    from spin_eval.run.settings import RunSettings
    from spin_eval.run.sweep import DEFAULT_GEN_LIMIT, DEFAULT_LIMIT, SweepSettings, normalize_ratios, run_sweep
    from spin_eval.spin.settings import given_settings

    if not args.allowance >= 0:
        raise InputError(f"--allowance {args.allowance}: must be 0 or more capability points")
    ratios, notes = normalize_ratios(args.ratios, "--ratios")
    q_ratios = None
    if args.q_ratios is not None:
        q_ratios, more = normalize_ratios(args.q_ratios, "--q-ratios")
        notes += more
    controls = () if args.controls in ((), ("none",)) else args.controls
    limit = DEFAULT_LIMIT if args.limit is None else args.limit
    gen_limit = args.gen_limit if args.gen_limit is not None else (args.limit if args.limit is not None else DEFAULT_GEN_LIMIT)
    limit, gen_limit = (None if v == ALL else v for v in (limit, gen_limit))
    from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES
    from spin_eval.run.objectives import objective_calibration, objective_tasks
    from spin_eval.spin.calibration_data import DATA_DIR

    objectives = args.objectives or DEFAULT_OBJECTIVES
    tasks = objective_tasks(objectives, args.tasks) or ("spin_suite",)
    spin = {("score_batch_size" if k == "batch_size" else k): v for k, v in given_settings(args).items()}
    spin = objective_calibration(objectives, spin, DATA_DIR)
    run = RunSettings.with_spin(
        model=args.model, tasks=tasks, limit=limit, gen_limit=gen_limit, **spin, objectives=objectives,
        baselines=tuple(args.baselines), tune_steps=args.tune_steps,
        controls=(), batch_size=args.batch_size, bootstrap_iters=args.bootstrap_iters,
        include_path=tuple(str(Path(p).resolve()) for p in args.include_path), dtype=args.dtype, device=args.device,
    )
    settings = SweepSettings(run=run, ratios=ratios, q_ratios=q_ratios, controls=controls,
                             from_scores=tuple(str(Path(f)) for f in args.from_scores))
    outcome = run_sweep(settings, args.output, force=args.force, report=not args.no_report, notes=notes,
                        allowance=args.allowance)
    print(f"variants: {', '.join(outcome.variants)}; results in {outcome.out_dir / 'runs'}")
    if outcome.skipped:
        print(f"reused from an earlier run: {', '.join(outcome.skipped)}")
    for note in outcome.notes:
        print(f"note: {note}")
    if outcome.best:
        print(outcome.best)
    for path in outcome.report_files:
        print(f"report: {path}")
    return 0
