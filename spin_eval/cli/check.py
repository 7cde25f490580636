"""``spin-eval check``: the regression gate for CI (exit 0 pass, 1 regression, 2 bad input)."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Compare a candidate run with a baseline run and fail on regressions, per a policy.

BASELINE / CANDIDATE may be a 'spin-eval run' output folder (the variant given by --variant is used,
default 'spin'), a 'spin-eval sweep' folder (one point: --variant spin-p0.0001), an lm-eval --output_path folder written with --log_samples, or a results_*.json file.

For every metric of the baseline: delta = candidate - baseline with a 95% paired bootstrap CI and a
paired p-value over the documents both runs share. Every aggregate judged is recomputed from the logged
samples; when a results file and its samples disagree the check refuses (exit 2) instead of judging. A metric fails when it is worse by more
than the policy's max_regression (and, with significant_only, when p < alpha). The policy can also
require the same model fingerprint and a minimum Jaccard overlap between the two masks. A candidate
metric that is NaN or infinite fails ("candidate metric is not a number"); a baseline one is refused (exit 2).
Without --policy the shipped default applies (spin_eval/gate/default_policy.yaml; see docs/pipeline.md).

Outputs: a table on stdout, --markdown FILE (CI job summary), --junit FILE (JUnit XML for CI).
Exit codes: 0 pass, 1 regression or policy violation, 2 bad input (also: results disagree with samples),
3 internal error (a bug; traceback).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="regression gate: compare a candidate run with a baseline under a policy",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--baseline", required=True, type=Path, help="baseline run folder or results file")
    parser.add_argument("--candidate", required=True, type=Path, help="candidate run folder or results file")
    parser.add_argument("--policy", type=Path, default=None, help="policy YAML (default: the shipped one)")
    parser.add_argument("--variant", default="spin",
                        help="variant to compare when a path is a 'spin-eval run' folder (default: spin)")
    parser.add_argument("--baseline-variant", default=None, help="variant for the baseline only (default: --variant)")
    parser.add_argument("--baseline-mask", type=Path, default=None, help="mask of the baseline (for min_mask_jaccard)")
    parser.add_argument("--candidate-mask", type=Path, default=None, help="mask of the candidate (for min_mask_jaccard)")
    parser.add_argument("--markdown", type=Path, default=None, help="write a Markdown summary to this file")
    parser.add_argument("--junit", type=Path, default=None, help="write JUnit XML to this file")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")
    parser.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="facts of metrics the catalog does not know (docs/public-tasks.md); a run folder's "
                             "recorded facts apply without it")
    parser.set_defaults(handler=handle)


def _load_mask_indices(path: Path | None) -> dict | None:
    if path is None:
        return None
    from spin_eval.spin.io import load_mask

    mask = load_mask(path)
    return {name: idx.numpy() for name, idx in mask.indices.items()}


def handle(args: argparse.Namespace) -> int:
    if args.metric_facts is not None:
        from spin_eval.metrics.catalog import use_metric_facts
        from spin_eval.metrics.user_facts import load_facts_file

        use_metric_facts(load_facts_file(args.metric_facts))
    from spin_eval.errors import InputError
    from spin_eval.fileio import write_text_atomic
    from spin_eval.gate.check import render_junit, render_markdown, render_table, run_check
    from spin_eval.gate.policy import load_policy
    from spin_eval.outputs import check_distinct, check_output_file
    from spin_eval.results.runfolder import resolve_run

    inputs = {"--baseline": args.baseline, "--candidate": args.candidate, "--policy": args.policy,
              "--baseline-mask": args.baseline_mask, "--candidate-mask": args.candidate_mask}
    for flag, out in (("--markdown", args.markdown), ("--junit", args.junit)):
        if out is not None:
            check_output_file(out, flag, inputs=inputs)
    check_distinct({"--markdown": args.markdown, "--junit": args.junit})
    policy = load_policy(args.policy)
    for flag, path in (("--baseline", args.baseline), ("--candidate", args.candidate)):
        if not path.exists():
            raise InputError(f"{flag} {path}: no such file or folder")
    baseline = resolve_run(args.baseline, variant=args.baseline_variant or args.variant, mask_path=args.baseline_mask)
    candidate = resolve_run(args.candidate, variant=args.variant, mask_path=args.candidate_mask)
    masks = (None, None)
    if policy.min_mask_jaccard is not None:
        masks = tuple(_load_mask_indices(Path(run.mask_file) if run.mask_file else None) for run in (baseline, candidate))
    result = run_check(baseline, candidate, policy, baseline_mask=masks[0], candidate_mask=masks[1], progress=True)
    if args.quiet:
        print(f"spin-eval check: {'PASS' if result.passed else 'FAIL'}")
    else:
        print(render_table(result))
    if args.markdown:
        write_text_atomic(args.markdown, render_markdown(result))
    if args.junit:
        write_text_atomic(args.junit, render_junit(result))
    return 0 if result.passed else 1
