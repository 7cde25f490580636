"""``spin-eval run``: the main job (SPIN mask, base / SPIN / control evaluations through lm-eval, report)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from spin_eval.cli.args import dtype_name, non_negative_int
from spin_eval.cli.args import objectives as _objectives

DESCRIPTION = """\
The main job. With no arguments it runs the embedded default end to end, offline:

  1. builds the SPIN mask for the model (or reuses it from the mask cache / takes --mask PATH),
     and the control mask(s) with the same number of zeroed weights per matrix (--controls);
  2. evaluates the base model, the SPIN model and every control through lm-eval (model spin_hf, loaded
     once; identical tasks, limit, seeds and batch size; samples logged), into OUT/runs/<variant>/;
  3. writes the comparative report OUT/report.{html,md,json} (baseline: base; the answer first) and
     prints a summary table with the answer: trust and capability change, alignment tax, perplexity,
     and whether SPIN's effect is specific versus each control.

Resumable: OUT/spin-eval-run.json records finished stages; re-running the same command skips them
(Ctrl-C leaves no half-written file). --force redoes everything. Re-running into OUT with other
settings is refused (use --force or another -o).

Tasks: --suite embedded (the default: spin_suite, offline) or --suite public (lm-eval's own hub tasks close to
the paper's table, docs/public-tasks.md), plus any --tasks list; --metadata data_files=PATH runs bbq / spin_bbq
on local BBQ-schema files.

Defaults: --model smollm2 --tasks spin_suite --budget 15 --controls magnitude-random --nsamples 32 (documents per
task planned from a timed pilot to fit 15 minutes; --limit N / --gen-limit N, or --budget none for 60 / 20, instead);
p = the measured default for the embedded SmolLM2 (the paper's 5e-7 for other models), q = p. The SPIN
flags are the same as `spin-eval mask build`'s and the spin_hf model_args spin_*, so a mask built here
is reused from the mask cache by `spin=auto` with the same settings (the batch sizes are not part of it).
"""


ALL = "all"


def _limit(text: str) -> float | str:
    if text.lower() in ("none", "0", "all"):
        return ALL
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--limit {text}: give a number of documents per task, a fraction < 1, or none") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text}: not a finite number; give a number of documents per task, a "
                                         "fraction < 1, or none for all documents")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--limit {text}: must be positive (or none for all documents)")
    return int(value) if value >= 1 and value.is_integer() else value


def _batch_size(text: str) -> int | str:
    """lm-eval's batch size values: an integer, auto or auto:N."""
    from spin_eval.errors import InputError
    from spin_eval.run.settings import check_batch_size

    value: int | str = int(text) if text.strip().lstrip("-").isdigit() else text.strip()
    try:
        check_batch_size(value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _bool(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"{text}: give true or false")


def _budget(text: str) -> float | str:
    if text.lower() == "none":
        return ALL
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--budget {text}: give minutes (e.g. 15) or none") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text}: not a finite number of minutes; give e.g. 15, or none")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"--budget {text}: must be a positive number of minutes (or none)")
    return value


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _sizes(text: str) -> tuple[int, ...]:
    from spin_eval.errors import InputError
    from spin_eval.tune.sizes import parse_sizes

    try:
        return parse_sizes(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    from spin_eval.run.settings import ALL_CONTROLS, DEFAULT_GEN_LIMIT, DEFAULT_LIMIT, RUN_SPIN_DEFAULTS
    from spin_eval.spin.config import SPIN_SELECTIONS
    from spin_eval.spin.settings import add_setting_arguments
    from spin_eval.stats import DEFAULT_RESAMPLES

    parser = subparsers.add_parser(
        "run", help="the main job: SPIN mask + base/SPIN/control evaluations through lm-eval + report",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="smollm2", help="model spec: smollm2 (default), a HF folder, a hub id")
    parser.add_argument("--tasks", type=_csv, default=None,
                        help="comma-separated lm-eval tasks or groups, run after the --suite's (default: the "
                             "embedded suite, spin_suite, offline)")
    parser.add_argument("--metadata", default=None, metavar="data_files=PATH",
                        help="BBQ-schema JSONL files (a path or glob; ';' between several) for bbq / spin_bbq, e.g. "
                             "the original BBQ data/*.jsonl, offline; other tasks are refused (docs/public-tasks.md)")
    parser.add_argument("--objectives", type=_objectives, default=None, metavar="A,B",
                        help="the conflict studied: fairness,privacy (default) or safety,helpfulness; sets the "
                             "default tasks (spin_suite_safety), the mask's coupled calibration sets (the shipped "
                             "safety / helpfulness sets) and the report's trust families, plane and tax")
    parser.add_argument("--suite", choices=("embedded", "public"), default=None,
                        help="embedded: the shipped offline suite (default); public: lm-eval's own hub tasks close "
                             "to the SPIN paper's table (needs the hub; docs/public-tasks.md)")
    parser.add_argument("--limit", type=_limit, default=None,
                        help=f"documents per task for every variant, spread evenly over each task (default "
                             f"{DEFAULT_LIMIT}, generation tasks {DEFAULT_GEN_LIMIT}; 'none' for all documents)")
    parser.add_argument("--gen-limit", type=_limit, default=None,
                        help="documents per generation task (default: --limit when given, else "
                             f"{DEFAULT_GEN_LIMIT}; generation costs ~15x more per document than multiple choice)")
    parser.add_argument("--budget", type=_budget, default=None, metavar="MINUTES",
                        help="minutes for the whole run (default 15 when no --limit is given; 'none': the fixed "
                        "default limits): a timed pilot of every task measures its seconds per document, then the "
                        "documents per task are chosen to make the widest headline 95%% interval as narrow as the "
                        "budget allows (generation documents cost ~15x more). --limit/--gen-limit override it")
    parser.add_argument("-o", "--output", type=Path, default=Path("spin-eval-run"),
                        help="output folder (default ./spin-eval-run)")
    spin = parser.add_argument_group("SPIN mask (either --mask, or the build settings)")
    spin.add_argument("--mask", default=None, help="use this mask file instead of building one")
    add_setting_arguments(
        spin, rename={"batch_size": "--score-batch-size"}, shown_defaults=RUN_SPIN_DEFAULTS,
        choices={"selection": SPIN_SELECTIONS},
    )
    parser.add_argument("--controls", type=_csv, default=("magnitude-random",),
                        help=f"comma-separated control masks from {', '.join(ALL_CONTROLS)}, or none "
                             "(default magnitude-random)")
    parser.add_argument("--baselines", type=_csv, default=(), metavar="NAME,...",
                        help="fine-tuning baselines evaluated beside SPIN on the same documents: METHOD-DATA with "
                             "METHOD sft (= lora), lora, dora or full and DATA general, fairness, privacy or mix, "
                             "e.g. sft-privacy,sft-fairness,sft-mix (trained once by 'spin-eval tune', cached)")
    parser.add_argument("--metric-facts", type=Path, default=None, metavar="FILE.yaml",
                        help="facts (family, direction, aggregation, headline) of metrics of your own tasks that the "
                             "catalog does not know (docs/public-tasks.md); recorded in the run")
    parser.add_argument("--tune-steps", type=int, default=None, metavar="N",
                        help="optimiser steps of every baseline (default: spin-eval tune's, 32)")
    parser.add_argument("--data-sizes", type=_sizes, default=(), metavar="N,...",
                        help="the limited-data experiment: for each calibration size N also evaluate a SPIN mask "
                             "built from N samples per set (variant spin-nN) and every --baselines entry trained on N "
                             "rows (e.g. sft-privacy-nN), on the same documents (e.g. 8,32,128; docs/seesaw.md)")
    parser.add_argument("--batch-size", "--batch_size", type=_batch_size, default=8,
                        help="lm-eval batch size: an integer, auto or auto:N (default 8)")
    parser.add_argument("--bootstrap-iters", type=non_negative_int, default=DEFAULT_RESAMPLES,
                        help=f"lm-eval's bootstrap iterations for its stderr (default {DEFAULT_RESAMPLES}, the project's "
                             "one bootstrap default; the report does its own)")
    lm = parser.add_argument_group(
        "lm-eval evaluation options (lm-eval's names and meaning; the underscore spellings work too; recorded "
        "in the run manifest and the report, and part of the settings a re-run must match)")
    lm.add_argument("--apply-chat-template", "--apply_chat_template", nargs="?", const=True, default=False,
                    metavar="TEMPLATE", help="format prompts with the model's chat template (optionally a named "
                                             "template); recommended for instruct models")
    lm.add_argument("--fewshot-as-multiturn", "--fewshot_as_multiturn", nargs="?", const=True, default=None,
                    type=_bool, metavar="BOOL",
                    help="few-shot examples as a multi-turn conversation (default: on with --apply-chat-template)")
    lm.add_argument("--system-instruction", "--system_instruction", default=None, metavar="TEXT",
                    help="system instruction prepended to every prompt")
    lm.add_argument("--num-fewshot", "--num_fewshot", type=non_negative_int, default=None, metavar="N",
                    help="few-shot examples per prompt (default: each task's own, 0 for the shipped tasks)")
    lm.add_argument("--gen-kwargs", "--gen_kwargs", default=None, metavar="K=V,...",
                    help="generation arguments for generation tasks, e.g. temperature=0,max_gen_toks=128")
    lm.add_argument("--model-args", "--model_args", default="", metavar="K=V,...",
                    help="extra lm-eval hf model_args, e.g. revision=main,trust_remote_code=True,parallelize=True,"
                         "max_length=4096 (pretrained/dtype/device/batch size come from spin-eval's own flags)")
    lm.add_argument("--judge", default=None, metavar="SPEC",
                    help="judge of the generation tasks: builtin (default: rule-based, offline) or a judge model "
                         "(local folder or hub id, e.g. OpenSafetyLab/MD-Judge-v0_1); lm-eval's --metadata judge")
    parser.add_argument("--include-path", action="append", default=[], metavar="DIR",
                        help="extra lm-eval task folder (repeatable); the shipped tasks are always included")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--dtype", default="float32", type=dtype_name, help="model dtype (default float32)")
    parser.add_argument("--force", action="store_true", help="redo every stage (masks, evaluations, report)")
    parser.add_argument("--no-report", action="store_true", help="skip the report stage")
    parser.add_argument("--verbose", action="store_true",
                        help="also explain, once each, the lm-eval warnings spin-eval has checked and filtered "
                             "(spin_eval/lmeval_warnings.py)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from spin_eval.run.main import run_pipeline
    from spin_eval.run.settings import DEFAULT_BUDGET, DEFAULT_GEN_LIMIT, DEFAULT_LIMIT, RunSettings

    controls = () if args.controls in ((), ("none",)) else args.controls
    limit = DEFAULT_LIMIT if args.limit is None else args.limit
    gen_limit = args.gen_limit if args.gen_limit is not None else (args.limit if args.limit is not None else DEFAULT_GEN_LIMIT)
    limit, gen_limit = (None if v == ALL else v for v in (limit, gen_limit))
    budget = None
    if args.limit is None and args.gen_limit is None and args.budget != ALL:  # --limit overrides the plan
        budget = float(DEFAULT_BUDGET if args.budget is None else args.budget)
        limit = gen_limit = None
    from spin_eval.spin.settings import given_settings
    from spin_eval.suites import combine

    facts = ()
    if args.metric_facts is not None:
        from spin_eval.metrics.catalog import use_metric_facts
        from spin_eval.metrics.user_facts import load_facts_file

        facts = tuple(load_facts_file(args.metric_facts))
        use_metric_facts(list(facts))

    from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES
    from spin_eval.run.objectives import objective_calibration, objective_tasks
    from spin_eval.spin.calibration_data import DATA_DIR

    objectives = args.objectives or DEFAULT_OBJECTIVES
    chosen = args.tasks if args.suite else objective_tasks(objectives, args.tasks)
    tasks, include_path = combine(args.suite, chosen), tuple(str(Path(p).resolve()) for p in args.include_path)
    data_files: tuple[str, ...] = ()
    if args.metadata is not None:
        from spin_eval.datafiles import prepare
        from spin_eval.paths import cache_dir, tasks_dir

        data_files, folder = prepare(tasks, args.metadata, tasks_dir(), cache_dir())
        include_path += (folder,) if folder else ()
    spin = {("score_batch_size" if k == "batch_size" else k): v for k, v in given_settings(args).items()}
    spin = objective_calibration(objectives, {**spin, "mask": args.mask}, DATA_DIR)
    spin.pop("mask")
    settings = RunSettings.with_spin(
        model=args.model, tasks=tasks, limit=limit, gen_limit=gen_limit, mask=args.mask, **spin,
        controls=controls, batch_size=args.batch_size, bootstrap_iters=args.bootstrap_iters, budget=budget,
        include_path=include_path, dtype=args.dtype, device=args.device,
        apply_chat_template=args.apply_chat_template, fewshot_as_multiturn=args.fewshot_as_multiturn,
        system_instruction=args.system_instruction, num_fewshot=args.num_fewshot, gen_kwargs=args.gen_kwargs,
        model_args=args.model_args, judge=args.judge, baselines=tuple(args.baselines), tune_steps=args.tune_steps,
        data_sizes=tuple(args.data_sizes), metric_facts=facts, data_files=data_files, objectives=objectives,
    )
    _preflight(settings)
    outcome = run_pipeline(settings, args.output, force=args.force, report=not args.no_report)
    print()
    print(outcome.summary)
    print()
    if args.verbose:
        from spin_eval.lmeval_warnings import explain

        for line in explain():
            print(line)
    limit = "all documents" if settings.limit is None else f"{settings.limit} documents per task"
    if settings.budget is not None:
        limit = f"documents per task planned for --budget {settings.budget:g} min, see the report"
    limit += "" if settings.gen_limit == settings.limit else (
        ", all for generation tasks" if settings.gen_limit is None else f", {settings.gen_limit} per generation task")
    print(f"variants: {', '.join(outcome.variants)} ({limit}); results in {outcome.out_dir / 'runs'}")
    if outcome.skipped:
        print(f"reused from an earlier run: {', '.join(outcome.skipped)}")
    for path in outcome.report_files:
        print(f"report: {path}")
    return 0


def _preflight(settings) -> None:
    """Files, device and hub checked before the model loads (spin_eval.preflight)."""
    from spin_eval.preflight import preflight
    from spin_eval.run.settings import parse_model_args

    judge = settings.judge if settings.judge not in (None, "builtin") else None
    preflight(model=settings.model, revision=parse_model_args(settings.model_args).get("revision"),
              device=settings.device, files={"--mask": settings.mask},
              calibration={"--general": settings.spin.general, "--fairness": settings.spin.fairness,
                           "--privacy": settings.spin.privacy},
              models={"--judge": judge})
