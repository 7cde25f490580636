"""``spin-eval report``: one comparative report (HTML, Markdown or JSON) over several evaluated runs."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Compare evaluated variants of one model (base, SPIN masks, control masks, any other lm-eval run) and
write one report: metrics grouped fairness / privacy / over-refusal / capability, the delta of every
variant against the baseline with a 95% paired-bootstrap confidence interval and a paired p-value
(exact McNemar for 0/1 scores, sign-flip permutation otherwise), the alignment tax (capability points
lost per trust point gained) for SPIN and every control mask, a verdict per metric on whether SPIN
differs from its controls, BBQ bias and PII leak rates per category, a mask panel, the documents whose
score flipped, and provenance (lm-eval / spin-eval versions, model fingerprints, task hashes).

RUN is an lm-eval --output_path folder (run lm-eval with --log_samples for paired statistics; without
samples the report falls back to lm-eval's stderr and says so), the model sub-folder lm-eval writes
inside it, a results_*.json file, or a 'spin-eval run' output folder (all its finished variants).
A single 'spin-eval sweep' folder gives the sweep's frontier report instead (docs/sweep.md).

Examples:
  spin-eval report runs/base runs/spin runs/random -o report.html
  spin-eval report out/ -o report.md --baseline base
  spin-eval report runs/* -o report.json --format json

Exit codes: 0 written, 2 bad input (no results, unknown baseline, mixed models without
--allow-mixed); nothing is written on error.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="comparative HTML/Markdown/JSON report with paired statistics and the alignment tax",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", type=Path,
                        help="lm-eval output folder, results_*.json, or 'spin-eval run' folder")
    parser.add_argument("-o", "--output", required=True, type=Path,
                        help="report file to write (format from the suffix .html/.md/.json unless --format)")
    parser.add_argument("--baseline", default=None, metavar="NAME",
                        help="run name (its folder name) to compare against (default: the first run without "
                             "a mask)")
    parser.add_argument("--format", choices=("html", "md", "json"), default=None,
                        help="output format (default: from the -o suffix, else html)")
    parser.add_argument("--allow-mixed", action="store_true",
                        help="allow runs of different models (documents are still paired by doc_hash)")
    from spin_eval.stats import DEFAULT_RESAMPLES

    parser.add_argument("--resamples", type=int, default=DEFAULT_RESAMPLES, metavar="N",
                        help=f"bootstrap and permutation resamples per metric (default: {DEFAULT_RESAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the resampling (default: 0)")
    parser.add_argument("--max-flips", type=int, default=10, metavar="N",
                        help="documents shown per task and variant in the drill-down (default: 10)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="facts of metrics the catalog does not know (docs/public-tasks.md); a run folder's "
                             "recorded facts apply without it")
    parser.add_argument("--objectives", default=None, metavar="A,B",
                        help="the objectives whose families make the trust change, the plane and the tax: "
                             "fairness,privacy (the default) or safety,helpfulness; default: what a run folder "
                             "recorded (spin-eval run --objectives)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.metric_facts is not None:
        from spin_eval.metrics.catalog import use_metric_facts
        from spin_eval.metrics.user_facts import load_facts_file

        use_metric_facts(load_facts_file(args.metric_facts))
    from spin_eval.errors import InputError
    from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, parse_objectives
    from spin_eval.outputs import check_output_file
    from spin_eval.report import Settings, compare_runs, write_report
    from spin_eval.results.runfolder import load_runs, recorded_objectives

    if args.resamples < 100:
        raise InputError(f"--resamples {args.resamples}: use at least 100 (1000 or more for reported intervals)")
    if args.max_flips < 0:
        raise InputError(f"--max-flips {args.max_flips}: must be 0 or more")
    check_output_file(args.output, "-o", inputs={"RUN": args.runs})
    from spin_eval.report.frontier_report import is_sweep_folder

    if len(args.runs) == 1 and is_sweep_folder(args.runs[0]):  # a 'spin-eval sweep' folder: the frontier report
        from spin_eval.report.frontier_report import load_sweep, write_frontier_report
        from spin_eval.results.paired import PairedSettings

        sweep = load_sweep(args.runs[0], settings=PairedSettings(n_resamples=args.resamples, seed=args.seed))
        path = write_frontier_report(sweep, args.output, args.format)
        print(f"frontier report: {path} ({len(sweep.frontier.points)} sweep points, baseline base)")
        return 0
    objectives = (parse_objectives(args.objectives) if args.objectives is not None
                  else recorded_objectives(list(args.runs)) or DEFAULT_OBJECTIVES)
    runs = load_runs(list(args.runs))
    settings = Settings(n_resamples=args.resamples, seed=args.seed, max_flips=args.max_flips,
                        allow_mixed=args.allow_mixed, progress=not args.quiet)
    comparison = compare_runs(runs, args.baseline, settings=settings, objectives=objectives)
    path = write_report(comparison, args.output, args.format)
    print(f"report: {path} ({len(comparison.variants)} variants, baseline {comparison.baseline}, "
          f"{len(comparison.rows)} metrics)")
    return 0
