"""``spin-eval tasks``: where the lm-eval tasks are, which there are, and regenerating their data."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

DESCRIPTION = """\
The spin-eval lm-eval tasks (fairness, privacy, over-refusal, capability) live in one folder, shipped with
the package. Use it with lm-eval directly:

  lm_eval --model hf --model_args pretrained=DIR --include_path "$(spin-eval tasks path)" --tasks spin_suite

  spin-eval tasks path        print the tasks folder (pass it to lm-eval's --include_path)
  spin-eval tasks list        list the tasks and groups with one line each and their item counts
  spin-eval tasks generate    re-run the data generators (deterministic: same seed, same bytes);
                              --check only verifies that the shipped JSONL files are reproduced byte for byte
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tasks", help="the lm-eval tasks: path, list, generate",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="tasks_command", metavar="ACTION")
    p_path = sub.add_parser("path", help="print the tasks folder for lm-eval's --include_path")
    p_path.set_defaults(handler=handle_path)
    p_list = sub.add_parser("list", help="list tasks and groups with a one-line description and item counts")
    p_list.set_defaults(handler=handle_list)
    p_gen = sub.add_parser(
        "generate", help="re-run the data generators",
        description="Re-run every tasks/*/generate.py. Without --output-dir the shipped JSONL files are rewritten "
        "in place (atomically); with --check nothing is written and the exit code says whether the "
        "shipped files are reproduced byte for byte (0 yes, 1 no).",
    )
    p_gen.add_argument("--seed", type=int, default=None, help="generator seed (default: each generator's own, 0)")
    p_gen.add_argument("--output-dir", type=Path, default=None,
                       help="write the files into this folder instead of next to the generators")
    p_gen.add_argument("--check", action="store_true", help="only compare with the shipped files; write nothing")
    p_gen.set_defaults(handler=handle_generate)
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])


def handle_path(args: argparse.Namespace) -> int:
    from spin_eval.paths import tasks_dir

    print(tasks_dir())
    return 0


def _describe(yaml_path: Path) -> tuple[str, str]:
    """(name, first sentence of the leading comment) of a task or group YAML, read as text (no !function
    resolution). The sentence may span several comment lines; it ends at a line ending with a full stop."""
    name, parts, done = yaml_path.stem, [], False
    for line in yaml_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and not done:
            text = line.lstrip("# ").strip()
            if text:
                parts.append(text)
            done = not text or text.endswith((".", ":"))
        elif parts:
            done = True
        if line.startswith(("task:", "group:")):
            name = line.split(":", 1)[1].strip()
            break
    text = " ".join(parts).rstrip(":")
    end = re.search(r"[.!?] (?=[A-Z])", text)  # the first sentence ("et al. 2022" does not end one)
    return name, text[: end.start() + 1] if end else text


def handle_list(args: argparse.Namespace) -> int:
    from spin_eval.cli.pipes import stdout_may_close
    from spin_eval.paths import tasks_dir

    root = tasks_dir()
    with stdout_may_close():
        for yaml_path in sorted(root.glob("*/*.yaml")):
            name, comment = _describe(yaml_path)
            kind = "group" if yaml_path.parent.name == "groups" else "task"
            print(f"{name:36s} {kind:5s}  {comment}")
        for data in sorted(root.glob("*/*.jsonl")):
            with open(data, "rb") as fh:
                n = sum(1 for line in fh if line.strip())
            print(f"{'  data: ' + data.parent.name + '/' + data.name:36s} {n} items")
    return 0


def handle_generate(args: argparse.Namespace) -> int:
    import contextlib

    from spin_eval.outputs import check_output_folder, folder_lock
    from spin_eval.paths import tasks_dir
    from spin_eval.taskdata import generator_outputs, jsonl_bytes, load_generators, write_jsonl

    mismatches = 0
    with contextlib.ExitStack() as stack:
        if args.output_dir is not None and not args.check:  # a folder of its own: checked first, then locked
            stack.enter_context(folder_lock(check_output_folder(args.output_dir, "--output-dir")))
        for module in load_generators(tasks_dir()):
            for path, rows in generator_outputs(module, args.seed).items():
                if args.check:
                    same = path.is_file() and path.read_bytes() == jsonl_bytes(rows)
                    mismatches += not same
                    print(f"{'ok      ' if same else 'DIFFERS '} {path} ({len(rows)} items)")
                    continue
                target = path if args.output_dir is None else args.output_dir / path.name
                write_jsonl(rows, target)
                print(f"wrote {len(rows)} items to {target}")
    return 1 if mismatches else 0
