"""Docs that hold: every shell command shown in README.md and docs/*.md is run (cheap ones) or validated.

How it works (extend the tables below when a doc shows a new kind of command):

* Commands are taken from fenced code blocks (no language, or bash/sh/shell/console) and from indented
  (4+ spaces) code blocks; ``\\`` continuations are joined, ``# comments`` dropped, and ``&&``, ``||``,
  ``|``, ``;`` split a line into commands. ``[--flag value|other]`` shows an optional flag: it is validated
  with its first alternative. ``...`` stands for "more arguments" and is dropped (or, after a flag that
  needs a value, replaced by one). Upper-case placeholders (``N``, ``DIR``) get a valid dummy value.
* ``spin-eval``: parsed by spin-eval's own argparse parser (a removed or renamed flag fails); the commands
  in :data:`RUN_CHEAPLY` (``--help``, ``tasks path``, ``tasks list``) are executed and must exit 0.
* ``lm_eval`` / ``lm-eval`` / ``python -m lm_eval``: parsed by lm-eval 0.4.13's own CLI parser (with its
  legacy form, which inserts ``run``); ``--model`` must be a registered model; ``--model_args`` must not
  hold keys lm-eval passes itself (``device``, ``batch_size``, ``max_batch_size``: "got multiple values"),
  and ``spin_*`` keys must be ones ``spin_hf`` knows.
* ``accelerate launch``: accelerate's own launch parser, then the launched ``-m lm_eval`` command as above.
* ``bash scripts/X.sh --opt``: the script exists and handles ``--opt`` in its ``case``.
* Any argument naming a path under one of the checkout's top-level folders (``scripts/``, ``docs/``,
  ``bench/`` ...) must exist.
* Commands of :data:`NOT_VALIDATED` (pip, jq, vllm ...) get only the path check. Anything else fails the
  test with its file and line, so that an unknown command is looked at once and added here.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

#: spin-eval commands executed for real (cheap, offline): argv prefixes.
RUN_CHEAPLY = (("tasks", "path"), ("tasks", "list"), ("--version",))
#: Programs whose arguments are not parsed here (only paths into the checkout are checked).
NOT_VALIDATED = {"pip", "pip3", "jq", "vllm", "huggingface-cli", "hf", "git", "cat", "cd", "ls", "head", "export",
                 "mkdir", "cp", "curl", "chromium", "nvidia-smi", "echo", "tar", "source", "uv"}
#: Placeholder values shown in docs -> a value the parsers accept.
PLACEHOLDERS = {"N": "1", "<n>": "1", "K": "1"}
#: A shell substitution ("$(...)", "$VAR") after these flags -> a value of the right form.
SHELL_VALUES = {"--model_args": "pretrained=SHELL", "-a": "pretrained=SHELL", "--samples": '{"t": [0]}'}
FENCE_LANGS = {"", "bash", "sh", "shell", "console"}
#: Programs whose lines are commands even in unmarked code blocks (which also hold diagrams and output).
KNOWN_PROGRAMS = {"spin-eval", "lm_eval", "lm-eval", "accelerate", "torchrun", "bash", "python", "python3", "pip", "vllm",
                  "huggingface-cli"}
#: model_args lm-eval 0.4.13 passes to the model itself (a duplicate raises "got multiple values").
LM_EVAL_OWN_MODEL_ARGS = {"device", "batch_size", "max_batch_size"}


@dataclass(frozen=True)
class DocCommand:
    file: str
    line: int
    argv: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {shlex.join(self.argv)}"


# ------------------------------------------------------------------------------------------- extraction


def code_lines(text: str) -> list[tuple[int, str, bool]]:
    """(line number, text, strict) of the lines in code blocks, continuations joined; ``strict``: the block
    is marked as shell (```bash ...), so every line in it is a command."""
    out: list[tuple[int, str, bool]] = []
    fence: str | None = None
    previous_blank = True
    in_indented = False
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip().lower()
            previous_blank, in_indented = False, False
            continue
        if fence is not None:
            is_code = fence in FENCE_LANGS
        else:
            indent = len(raw) - len(raw.lstrip(" "))
            in_indented = bool(stripped) and indent >= 4 and (previous_blank or in_indented)
            is_code = in_indented
        previous_blank = not stripped
        if not is_code or not stripped:
            continue
        if pending is not None:
            pending = (pending[0], pending[1] + " " + stripped)
        else:
            pending = (number, stripped)
        if pending[1].endswith("\\"):
            pending = (pending[0], pending[1][:-1].rstrip())
            continue
        out.append((*pending, fence is not None and fence != ""))
        pending = None
    return out


def _optional_groups(line: str) -> str:
    """``[--format html|md|json]`` -> ``--format html`` (outside quotes only flags in brackets)."""
    def first(match: re.Match) -> str:
        return re.sub(r"(\S+?)\|\S+", r"\1", match.group(1))

    return re.sub(r"\[(-[^\]\[]*)\]", first, line)


def split_commands(line: str) -> list[list[str]]:
    lexer = shlex.shlex(_optional_groups(line), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in (";", "&&", "||", "|", "&", "|&"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def doc_commands() -> list[DocCommand]:
    found = []
    for path in DOC_FILES:
        for number, line, strict in code_lines(path.read_text(encoding="utf-8")):
            words = [w for w in line.split() if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w)]
            program = words[0].removeprefix(".venv/bin/") if words else ""
            if not strict and program not in KNOWN_PROGRAMS:  # a diagram, code or output, not a command
                continue
            try:
                commands = split_commands(line)
            except ValueError as exc:  # unbalanced quotes: reported by the test, not at collection
                commands = [["<unparsable>", str(exc), line]]
            for argv in commands:
                while argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):  # VAR=value prefix
                    argv = argv[1:]
                if argv:
                    found.append(DocCommand(str(path.relative_to(REPO)), number, tuple(argv)))
    return found


def _fill(argv: list[str]) -> list[str]:
    out: list[str] = []
    for token in argv:
        if token == "...":
            if out and out[-1].startswith("-") and "=" not in out[-1]:
                out.append("X")
            continue
        if "$(" in token or token.startswith("$"):  # filled in by the shell
            token = SHELL_VALUES.get(out[-1] if out else "", "SHELL")
        out.append(PLACEHOLDERS.get(token, token))
    return out


# ------------------------------------------------------------------------------------------- validation


def _parse(parser, argv: list[str]) -> tuple[int, str]:
    """Exit code (0 parsed / help shown, else argparse's) and stderr of parsing ``argv``."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0), err.getvalue()
    return 0, ""


def check_spin_eval(argv: list[str]) -> str | None:
    from spin_eval.cli import build_parser, main

    if any(tuple(argv[: len(p)]) == p for p in RUN_CHEAPLY) or "--help" in argv or "-h" in argv:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = int(exc.code or 0)
        return None if code == 0 else f"exit {code}: {err.getvalue().strip()[-300:]}"
    code, err = _parse(build_parser(), argv)
    return None if code == 0 else err.strip().splitlines()[-1]


def check_lm_eval(argv: list[str]) -> str | None:
    import lm_eval.models  # noqa: F401 - registers lm-eval's model names
    from lm_eval._cli import HarnessCLI
    from lm_eval.api.registry import model_registry
    from lm_eval.utils import simple_parse_args_string

    cli = HarnessCLI()
    if argv and argv[0] not in cli._subparsers.choices:
        argv = ["run", *argv]  # lm-eval's legacy form
    code, err = _parse(cli._parser, argv)
    if code != 0:
        return err.strip().splitlines()[-1]
    args = cli._parser.parse_args(argv)
    if getattr(args, "command", None) != "run":
        return None
    if args.model and args.model not in model_registry:
        return f"--model {args.model} is not an lm-eval model"
    model_args = args.model_args or {}
    if isinstance(model_args, str):
        model_args = simple_parse_args_string(model_args)
    if any("$(" in str(v) for v in model_args.values()) or any("$(" in str(k) for k in model_args):
        return None  # filled in by the shell
    clash = sorted(LM_EVAL_OWN_MODEL_ARGS & set(model_args))
    if clash:
        return (f"--model_args {','.join(clash)}=...: lm-eval passes {', '.join(clash)} to the model itself "
                f"('got multiple values'); use lm-eval's --{clash[0]} flag")
    if args.model == "spin_hf":
        from spin_eval.adapter.spin_hf import OTHER_ARGS
        from spin_eval.spin.settings import adapter_arg_names

        build_args = adapter_arg_names()
        unknown = [k for k in model_args if k.startswith("spin_") and k not in build_args and k not in OTHER_ARGS]
        if unknown:
            return f"spin_hf does not know model_args {', '.join(unknown)}"
    return None


def check_accelerate(argv: list[str]) -> str | None:
    from accelerate.commands.launch import launch_command_parser

    if not argv or argv[0] != "launch":
        return f"accelerate {' '.join(argv[:1])}: only 'accelerate launch' is validated"
    code, err = _parse(launch_command_parser(), argv[1:])
    if code != 0:
        return err.strip().splitlines()[-1]
    args = launch_command_parser().parse_args(argv[1:])
    if args.module and args.training_script in ("lm_eval", "lm_eval.__main__"):
        return check_lm_eval(list(args.training_script_args))
    if args.module and args.training_script == "spin_eval":
        return check_spin_eval(list(args.training_script_args))
    return f"accelerate launch {args.training_script}: not a launch this test knows how to check"


def check_torchrun(argv: list[str]) -> str | None:
    """torch's own torchrun parser, then the launched ``-m spin_eval`` / ``-m lm_eval`` command."""
    from torch.distributed.run import get_args_parser

    code, err = _parse(get_args_parser(), argv)
    if code != 0:
        return err.strip().splitlines()[-1]
    args = get_args_parser().parse_args(argv)
    if args.module and args.training_script == "spin_eval":
        return check_spin_eval(list(args.training_script_args))
    if args.module and args.training_script == "lm_eval":
        return check_lm_eval(list(args.training_script_args))
    return f"torchrun {args.training_script}: not a launch this test knows how to check"


def check_script(argv: list[str]) -> str | None:
    script = REPO / argv[0]
    if not script.is_file():
        return f"{argv[0]} does not exist"
    text = script.read_text(encoding="utf-8")
    unknown = [a for a in argv[1:] if a.startswith("-") and not re.search(rf"^\s*{re.escape(a)}\)", text, re.M)]
    return f"{argv[0]} does not handle {', '.join(unknown)}" if unknown else None


def check_paths(argv: list[str]) -> str | None:
    """Arguments naming a path under a top-level folder of the checkout must exist."""
    top = {p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith(".")}
    for token in argv:
        value = token.split("=", 1)[1] if token.startswith("-") and "=" in token else token
        first = value.split("/", 1)[0]
        if "/" in value and first in top and "$" not in value:
            if not any(REPO.glob(value)) and not (REPO / value).exists():
                return f"{value} does not exist in the checkout"
    return None


def check(command: DocCommand) -> str | None:
    if command.argv[0] == "<unparsable>":
        return f"shell syntax: {command.argv[1]}"
    argv = _fill(list(command.argv))
    program = argv[0].removeprefix(".venv/bin/")
    rest = argv[1:]
    problem = check_paths(rest)
    if problem:
        return problem
    if program == "spin-eval":
        return check_spin_eval(rest)
    if program in ("lm_eval", "lm-eval"):
        return check_lm_eval(rest)
    if program == "accelerate":
        return check_accelerate(rest)
    if program == "torchrun":
        return check_torchrun(rest)
    if program in ("python", "python3"):
        if rest[:2] == ["-m", "lm_eval"]:
            return check_lm_eval(rest[2:])
        if rest[:2] == ["-m", "spin_eval"]:
            return check_spin_eval(rest[2:])
        if rest[:2] in (["-m", "pytest"], ["-m", "pip"], ["-m", "build"]):
            return None
        if rest and rest[0].endswith(".py"):
            return None if (REPO / rest[0]).is_file() else f"{rest[0]} does not exist"
        return f"python {' '.join(rest[:2])}: not a form this test knows"
    if program == "bash" and rest and rest[0].startswith("scripts/"):
        return check_script(rest)
    if program in NOT_VALIDATED:
        return None
    return (f"unknown program {program!r}: add a check to tests/test_docs.py (or list it in NOT_VALIDATED "
            "if it cannot be validated here)")


COMMANDS = doc_commands()


def test_the_docs_show_commands_of_every_kind():
    programs = {c.argv[0].removeprefix(".venv/bin/") for c in COMMANDS}
    assert {"spin-eval", "lm_eval", "accelerate", "bash"} <= programs
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_doc_command_holds(command):
    problem = check(command)
    assert problem is None, f"{command}\n  -> {problem}"


@pytest.mark.parametrize("argv", [
    ("spin-eval", "run", "--no-such-flag"),
    ("spin-eval", "mask", "build", "--p"),
    ("lm_eval", "--model", "hf", "--model_args", "pretrained=x,device=cpu", "--tasks", "t"),
    ("lm_eval", "run", "--model", "spin_hf", "--model_args", "pretrained=x,spin_pp=1", "--tasks", "t"),
    ("lm_eval", "--model", "nosuchmodel", "--tasks", "t"),
    ("lm_eval", "--modle", "hf"),
    ("accelerate", "launch", "--num_processes", "2", "-m", "lm_eval", "--model", "hf", "--bad-flag"),
    ("bash", "scripts/setup.sh", "--gpu"),
    ("spin-eval", "check", "--policy", "docs/no-such-policy.yaml"),
    ("frobnicate", "--now"),
])
def test_stale_commands_are_caught(argv):
    assert check(DocCommand("x.md", 1, argv)) is not None


def test_extraction_of_blocks_continuations_comments_and_options():
    text = ("Intro\n\n    spin-eval mask info m.safetensors [--json]   # comment\n"
            "    spin-eval report a b -o r.html [--format html|md|json] \\\n        --baseline a\n\n"
            "```python\nlm_eval.simple_evaluate(model=lm)\n```\n"
            "```bash\nX=1 lm_eval --model hf --tasks t && spin-eval tasks path\n```\n"
            "   - a list item, indented three\n")
    lines = code_lines(text)
    assert [(n, strict) for n, _, strict in lines] == [(3, False), (4, False), (11, True)]
    commands = [c for _, line, _ in lines for c in split_commands(line)]
    assert commands[0] == ["spin-eval", "mask", "info", "m.safetensors", "--json"]
    assert commands[1][-4:] == ["--format", "html", "--baseline", "a"]
    assert commands[2][:2] == ["X=1", "lm_eval"] and commands[3] == ["spin-eval", "tasks", "path"]


# ------------------------------------------------------------------------------------------- figures


def _leaf_counts(group: str) -> dict[str, int]:
    from lm_eval.tasks import TaskManager

    from spin_eval.paths import tasks_dir
    from spin_eval.run.documents import leaf_tasks

    manager = TaskManager(include_path=[str(tasks_dir())], include_defaults=False)
    return {name: len(task.eval_docs) for name, task in leaf_tasks(manager.load([group])["tasks"]).items()}


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_item_counts_in_docs_tasks_md_are_the_loaded_ones():
    """docs/tasks.md's counts per group and per task equal what lm-eval loads from the shipped tasks."""
    doc = (REPO / "docs" / "tasks.md").read_text(encoding="utf-8")
    suite, full = _leaf_counts("spin_suite"), _leaf_counts("spin_suite_full")
    row = re.search(r"\| `spin_suite` \|[^|]*\(([\d,]+) items\)", doc)
    assert row and _number(row.group(1)) == sum(suite.values())
    row = re.search(r"\| `spin_suite_full` \|[^|]*\(([\d,]+) items\)", doc)
    assert row and _number(row.group(1)) == sum(full.values())
    suite.update(_leaf_counts("spin_suite_safety"))  # the second conflict's tasks (--objectives safety,helpfulness)
    full.update(_leaf_counts("spin_safety_helpfulness"))
    checked = 0
    for heading in re.finditer(r"^### (.+)$", doc, re.M):
        names = re.findall(r"`(spin_\w+)`", heading.group(1).split("(")[0])
        counts = re.search(r"\(([\d,]+)[^;)]*;\s*mini:?\s*([\d,]+)", heading.group(1))
        if not names or not counts:
            continue
        for name in names:
            assert full[name] == _number(counts.group(1)), f"{name}: {heading.group(0)}"
            assert suite[f"{name}_mini"] == _number(counts.group(2)), f"{name}_mini: {heading.group(0)}"
            checked += 1
    assert checked >= 8


def test_markdown_links_point_to_files():
    missing = []
    for path in DOC_FILES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                missing.append(f"{path.relative_to(REPO)} -> {target}")
    assert not missing, missing
