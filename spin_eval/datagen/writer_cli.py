"""The command line both calibration-set generators share: write the sets, or ``--check`` them byte for byte."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from spin_eval.fileio import write_bytes_atomic
from spin_eval.spin.calibration_data import DATA_DIR


def write_sets_main(
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    names: Iterable[str],
    render: Callable[[str, int, int], bytes],
    file_name: Callable[[str], str],
    default_seed: int,
    default_count: int,
) -> int:
    """Parse ``-o/--seed/--count/--check``; write ``render(name, count, seed)`` to ``OUT/file_name(name)`` for
    every set (atomically), or with ``--check`` write nothing and return 1 when a file differs from it."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-o", "--out", type=Path, default=DATA_DIR, help="output folder (default: the package folder)")
    parser.add_argument("--seed", type=int, default=default_seed, help=f"random seed (default {default_seed})")
    parser.add_argument("--count", type=int, default=default_count, help=f"rows per set (default {default_count})")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files in --out differ from a fresh run")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error(f"--count must be at least 1 (got {args.count})")
    differs = []
    for name in names:
        data = render(name, args.count, args.seed)
        path = args.out / file_name(name)
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                differs.append(str(path))
        else:
            write_bytes_atomic(path, data)
            print(f"wrote {path} ({args.count} rows)")
    if differs:
        print("differs from a fresh generation: " + ", ".join(differs), file=sys.stderr)
        return 1
    return 0
