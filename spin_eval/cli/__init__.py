"""The ``spin-eval`` command line: a dispatcher over one module per sub-command.

Each sub-command module ``spin_eval/cli/<name>.py`` defines ``register(subparsers)`` which adds its
parser and sets ``handler=`` (a function taking the parsed ``argparse.Namespace`` and returning an exit
code). Modules import torch / lm-eval inside their handlers, so ``spin-eval --help`` stays fast.

Exit codes (one contract for every sub-command): 0 success; 1 a check failed (``spin-eval check`` only);
2 bad input or environment (a :class:`~spin_eval.errors.SpinEvalError`: one line on stderr naming the
file/field/argument and the fix); 3 an internal error (a bug: the traceback is printed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from spin_eval import __version__
from spin_eval.errors import SpinEvalError
from spin_eval.safetext import terminal_safe

#: Exit code of a bad input (SpinEvalError) and of an internal error (any other exception).
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3

#: Sub-command modules, in the order ``--help`` lists them.
SUBCOMMAND_MODULES = ("run", "sweep", "mask", "tune", "export", "tasks", "report", "check", "leaderboard")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other input error (exit 2): argparse's
    default prints the whole usage block (13-16 lines) first. Sub-command parsers inherit this class."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(terminal_safe(message).split())
        print(f"spin-eval: error: {text} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_INPUT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="spin-eval",
        description=(
            "Evaluate the trustworthiness of LLMs (fairness, privacy, capability) with lm-eval, apply the "
            "SPIN method (arXiv 2410.16672) and report the alignment tax against control masks."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"spin-eval {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"spin_eval.cli.{name}")
        except ModuleNotFoundError as exc:  # a sub-command not written yet in this checkout
            if exc.name == f"spin_eval.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version (0) or a one-line argument error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT_ERROR
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from spin_eval import lmeval_warnings

    lmeval_warnings.install()  # lm-eval warnings spin-eval has checked: filtered in one place, for every command
    try:
        return int(handler(args) or 0)
    except SpinEvalError as exc:
        message = str(exc)  # one line, escape codes from file contents shown escaped (SpinEvalError.__str__)
        print(f"spin-eval: error: {message}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("spin-eval: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug, not bad input: never exit 1, which `spin-eval check` uses for "regression"
        traceback.print_exc()
        print(
            f"spin-eval: internal error (exit {EXIT_INTERNAL_ERROR}); this is a bug in spin-eval, please report "
            "it with the traceback above", file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
