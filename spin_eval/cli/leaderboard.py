"""``spin-eval leaderboard submit|build``: pack runs into submissions and rank them."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Leaderboard submissions.

  spin-eval leaderboard submit RUN_DIR -o SUBMISSION.json [--name LABEL] [--embed-mask]
      Pack a 'spin-eval run' folder (or a single lm-eval output folder) into one JSON file: each variant's
      lm-eval results, the mask's sha256, metadata and the command that rebuilds it (the file itself with
      --embed-mask), model name/revision/fingerprint, package versions, task versions and hashes, the
      headline numbers, and a content hash. Validated against the shipped JSON schema.

  spin-eval leaderboard build SUBMISSION... -o DIR [--sort-by COLUMN]
      Verify and rank submissions into DIR/leaderboard.{html,csv,json}. Columns: fairness, privacy,
      over-refusal, capability, alignment tax. Malformed, tampered (hash or headline mismatch) and
      mismatched (task version / task hash) submissions are rejected with the reason; the rest are ranked.
      Exit 0 when at least one submission was ranked, 2 when none was.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "leaderboard", help="pack runs into submissions; rank submissions into a leaderboard",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="leaderboard_command", metavar="{submit,build}")
    submit = sub.add_parser("submit", help="pack a run folder into a submission JSON")
    submit.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    submit.add_argument("-o", "--output", type=Path, required=True, help="submission file to write (.json)")
    submit.add_argument("--name", default=None, help="label on the leaderboard (default: model [variant])")
    submit.add_argument("--embed-mask", action="store_true", help="include the mask file itself (base64)")
    submit.add_argument("--variant", default=None, metavar="NAME",
                        help="submit only this variant (with base), e.g. one sweep point: --variant spin-p0.0001")
    submit.set_defaults(handler=handle_submit)
    build = sub.add_parser("build", help="verify and rank submissions into HTML, CSV and JSON")
    build.add_argument("submissions", type=Path, nargs="+", metavar="SUBMISSION")
    build.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    build.add_argument("--sort-by", default="mean_rank",
                       help="mean_rank (default) or one column: fairness, privacy, overrefusal, capability, alignment_tax")
    build.set_defaults(handler=handle_build)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def handle_submit(args: argparse.Namespace) -> int:
    from spin_eval.pipeline.leaderboard import make_submission, write_submission

    submission = make_submission(args.run_dir, name=args.name, embed_mask=args.embed_mask, variant=args.variant)
    path = write_submission(submission, args.output)
    h = submission["headline"]
    print(f"wrote {path} ({submission['name']}; fairness {h['fairness']}, privacy {h['privacy']}, "
          f"overrefusal {h['overrefusal']}, capability {h['capability']}, alignment tax {h['alignment_tax']})")
    return 0


def handle_build(args: argparse.Namespace) -> int:
    import sys

    from spin_eval.pipeline.leaderboard import build_leaderboard, render_csv, write_leaderboard

    board = build_leaderboard(args.submissions, sort_by=args.sort_by)
    paths = write_leaderboard(board, args.output)
    print(render_csv(board), end="")
    for _source, reason in board.rejected:
        print(f"rejected: {reason}", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0 if board.entries else 2
