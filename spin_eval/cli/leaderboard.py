"""``spin-eval leaderboard submit|build``: pack runs into submissions and rank them."""

from __future__ import annotations

import argparse
from pathlib import Path

from spin_eval.safetext import one_line

#: The files 'leaderboard build' writes into its -o folder.
LEADERBOARD_FILES = ("leaderboard.json", "leaderboard.csv", "leaderboard.html")

DESCRIPTION = """\
Leaderboard submissions.

  spin-eval leaderboard submit RUN_DIR -o SUBMISSION.json [--name LABEL] [--embed-mask]
      Pack a 'spin-eval run' folder (or a single lm-eval output folder) into one JSON file: each variant's
      lm-eval results, the mask's sha256, metadata and the command that rebuilds it (the file itself with
      --embed-mask), model name/revision/fingerprint, package versions, task versions and hashes, the
      headline numbers, and a content hash. Validated against the shipped JSON schema. The per-document
      samples behind every number are written beside it as evidence/<sha256>.jsonl (keep that folder with
      the submission).

  spin-eval leaderboard build SUBMISSION... -o DIR [--sort-by COLUMN] [--verified-only]
                                            [--trusted-keys DIR] [--verifications DIR]
      Check and rank submissions into DIR/leaderboard.{html,csv,json}. Columns: fairness, privacy,
      over-refusal, capability, alignment tax. Rejected with the reason: malformed, tampered (hash,
      signature, or a number that does not follow from the per-document evidence), mismatched (task
      version / task hash), and a second copy of the same run. Two runs of one model and mask with
      different numbers are flagged. Exit 0 when at least one submission was ranked, 2 when none was.

  --metric-facts FILE.yaml (submit, build, verify): facts of metrics the catalog does not know; a submission
      records those its numbers used, and a board ranks only submissions made with the board's own.
  spin-eval leaderboard verify SUBMISSION [--docs K] [--seed S] [--include-path DIR] [--mask FILE]
      Re-evaluate K random documents per task of the ranked and base variants with the recorded model,
      mask and settings, and compare per-document results with the submission's evidence (log-likelihoods
      within 1e-4, generated text identical). Writes SUBMISSION stem + .verification.json (read by build).
      Exit 0 verified, 1 mismatch, 2 cannot verify (the reason is printed).

  spin-eval leaderboard keygen DIR [--name NAME]      an Ed25519 key pair: DIR/NAME.key and DIR/NAME.pub
  spin-eval leaderboard sign SUBMISSION --key FILE    add a signature to a submission (in place)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "leaderboard", help="pack runs into submissions; rank submissions into a leaderboard",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="leaderboard_command", metavar="{submit,build,verify,keygen,sign}")
    submit = sub.add_parser("submit", help="pack a run folder into a submission JSON")
    submit.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    submit.add_argument("-o", "--output", type=Path, required=True, help="submission file to write (.json)")
    submit.add_argument("--name", default=None, help="label on the leaderboard (default: model [variant])")
    submit.add_argument("--embed-mask", action="store_true", help="include the mask file itself (base64)")
    submit.add_argument("--variant", default=None, metavar="NAME",
                        help="submit only this variant (with base), e.g. one sweep point: --variant spin-p0.0001")
    submit.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="facts of metrics the catalog does not know (besides those the run recorded); recorded in the submission")
    submit.set_defaults(handler=handle_submit)
    build = sub.add_parser("build", help="verify and rank submissions into HTML, CSV and JSON")
    build.add_argument("submissions", type=Path, nargs="+", metavar="SUBMISSION")
    build.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    build.add_argument("--sort-by", default="mean_rank",
                       help="mean_rank (default) or one column: fairness, privacy, overrefusal, capability, alignment_tax")
    build.add_argument("--verified-only", action="store_true",
                       help="rank only submissions with a 'verified' record from 'leaderboard verify'")
    build.add_argument("--trusted-keys", type=Path, default=None, metavar="DIR",
                       help="folder of *.pub Ed25519 keys; every submission must be signed by one of them")
    build.add_argument("--verifications", type=Path, default=None, metavar="DIR",
                       help="folder of verification records (default: beside each submission)")
    build.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="the board's metric facts: only submissions recorded with exactly these are ranked (default: none)")
    build.set_defaults(handler=handle_build)
    verify = sub.add_parser("verify", help="re-evaluate random documents of a submission and compare (exit 0/1/2)")
    verify.add_argument("submission", type=Path, metavar="SUBMISSION")
    verify.add_argument("--docs", type=int, default=5, metavar="K", help="documents per task to re-evaluate (default 5)")
    verify.add_argument("--seed", type=int, default=None, metavar="S",
                        help="seed of the document draw (default: a fresh random seed, printed and recorded)")
    verify.add_argument("--include-path", action="append", default=[], metavar="DIR",
                        help="extra task folder (for tasks outside spin-eval's own); repeatable")
    verify.add_argument("--mask", type=Path, default=None, metavar="FILE",
                        help="the ranked variant's mask file (checked against its sha256) instead of rebuilding it")
    verify.add_argument("--model", default=None, metavar="SPEC",
                        help="where the submission's model is here (default: its recorded pretrained=); the "
                             "fingerprint must match")
    verify.add_argument("--device", default="cpu", help="torch device (default cpu)")
    verify.add_argument("--record-dir", type=Path, default=None, metavar="DIR",
                        help="write the verification record here (default: beside the submission)")
    verify.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="refuse unless the submission was made with exactly these metric facts")
    verify.set_defaults(handler=handle_verify)
    keygen = sub.add_parser("keygen", help="make an Ed25519 key pair for signing submissions")
    keygen.add_argument("folder", type=Path, metavar="DIR")
    keygen.add_argument("--name", default="submitter", help="file name of the pair (default submitter)")
    keygen.set_defaults(handler=handle_keygen)
    sign = sub.add_parser("sign", help="sign a submission with an Ed25519 private key (in place)")
    sign.add_argument("submission", type=Path, metavar="SUBMISSION")
    sign.add_argument("--key", type=Path, required=True, help="private key file from 'leaderboard keygen'")
    sign.set_defaults(handler=handle_sign)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def _facts(args: argparse.Namespace) -> list:
    """The validated --metric-facts entries, applied to this process's catalog (empty without the flag)."""
    if args.metric_facts is None:
        return []
    from spin_eval.metrics.catalog import use_metric_facts
    from spin_eval.metrics.user_facts import load_facts_file

    facts = load_facts_file(args.metric_facts)
    use_metric_facts(facts)
    return facts


def handle_submit(args: argparse.Namespace) -> int:
    from spin_eval.leaderboard.pack import make_submission_with_evidence, write_submission
    from spin_eval.outputs import check_output_file, check_output_folder

    check_output_file(args.output, "-o", inputs={"RUN_DIR": args.run_dir, "--metric-facts": args.metric_facts},
                      outside_inputs=True)
    _facts(args)
    check_output_folder(Path(args.output).parent / "evidence", f"-o {args.output}: the evidence folder",
                        inputs={"RUN_DIR": args.run_dir})
    submission, evidence = make_submission_with_evidence(args.run_dir, name=args.name, embed_mask=args.embed_mask,
                                                         variant=args.variant)
    path = write_submission(submission, args.output, evidence)
    h = submission["headline"]
    print(f"wrote {path} and {len(evidence)} evidence file(s) ({one_line(submission['name'])}; fairness {h['fairness']}, privacy {h['privacy']}, "
          f"overrefusal {h['overrefusal']}, capability {h['capability']}, alignment tax {h['alignment_tax']})")
    return 0


def handle_build(args: argparse.Namespace) -> int:
    import sys

    from spin_eval.leaderboard.build import build_leaderboard, render_csv, write_leaderboard
    from spin_eval.outputs import check_output_folder, folder_lock
    from spin_eval.safetext import terminal_safe

    inputs = {"SUBMISSION": args.submissions, "--trusted-keys": args.trusted_keys,
              "--verifications": args.verifications, "--metric-facts": args.metric_facts}
    out = check_output_folder(args.output, "-o", inputs=inputs, writes=LEADERBOARD_FILES)
    facts = _facts(args)
    with folder_lock(out):
        board = build_leaderboard(args.submissions, sort_by=args.sort_by, verified_only=args.verified_only,
                                  trusted_keys=args.trusted_keys, verifications=args.verifications,
                                  metric_facts=facts)
        paths = write_leaderboard(board, out)
    print(terminal_safe(render_csv(board)), end="")
    for _source, reason in board.rejected:
        print(f"rejected: {one_line(reason)}", file=sys.stderr)
    for e in board.entries:
        for flag in e.flags:
            print(f"flagged: {one_line(e.source)}: {one_line(flag)}", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0 if board.entries else 2


def handle_verify(args: argparse.Namespace) -> int:
    from spin_eval.leaderboard.record import record_path
    from spin_eval.leaderboard.reproduce import verify_file
    from spin_eval.outputs import check_creatable, check_output_file

    if args.metric_facts is not None:
        from spin_eval.leaderboard.board_facts import check_same_facts
        from spin_eval.leaderboard.submission_io import read_submission

        check_same_facts(read_submission(args.submission), _facts(args), str(args.submission), "--metric-facts'")
    if args.record_dir is not None:
        check_creatable(args.record_dir, "--record-dir", folder=True)
    check_output_file(record_path(args.submission, args.record_dir), "--record-dir" if args.record_dir else "record",
                      inputs={"SUBMISSION": args.submission, "--mask": args.mask})
    result = verify_file(args.submission, docs=args.docs, seed=args.seed, include_path=tuple(args.include_path),
                         mask=args.mask, model=args.model, device=args.device, record_dir=args.record_dir)
    print(f"{result.verdict.upper()}: {one_line(result.reason)}")
    print(f"seed {result.seed}; {result.rows_compared} rows compared in {result.seconds:.0f} s "
          f"({result.cpu_seconds:.0f} CPU-s)"
          + (f"; record {result.record}" if result.record else ""))
    return result.exit_code


def handle_keygen(args: argparse.Namespace) -> int:
    from spin_eval.leaderboard.signing import generate_key, key_fingerprint
    from spin_eval.outputs import check_creatable

    check_creatable(args.folder, "DIR", folder=True)
    private, public = generate_key(args.folder, args.name)
    import base64

    fp = key_fingerprint(base64.b64decode(public.read_text().strip()))
    print(f"wrote {private} (private: keep it secret) and {public} (public, key {fp}: give it to the leaderboard)")
    return 0


def handle_sign(args: argparse.Namespace) -> int:
    from spin_eval.fileio import write_json_atomic
    from spin_eval.leaderboard.checks import verify_submission
    from spin_eval.leaderboard.signing import sign_submission
    from spin_eval.leaderboard.submission_io import read_submission

    sub = read_submission(args.submission)
    verify_submission(sub, where=str(args.submission))
    write_json_atomic(args.submission, sign_submission(sub, args.key))
    print(f"signed {args.submission}")
    return 0
