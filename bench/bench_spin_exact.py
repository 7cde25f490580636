"""Wall time of the default ``spin-eval mask build`` before and after exact int64 grid scoring, side by side.

"before" and "after" are the ``spin_eval`` packages of two git refs (default ``main`` and ``HEAD``, extracted
with ``git archive`` into a temporary folder, so edits to the working tree cannot leak into a run); both run the same command line in their own subprocess
with the same Python, alternating (before, after, before, after ...) so machine load hits both alike.
Also reports whether the two mask files are byte-identical (they need not be: the exact arithmetic
truncates per-sample values to 2^-48 and sums them exactly, where "before" summed in float32) and
their per-matrix Jaccard overlap.

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 .venv/bin/python bench/bench_spin_exact.py             # default build
    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 .venv/bin/python bench/bench_spin_exact.py --repeat 2 -- --batch-size 4
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def extract(ref: str, dest: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref, "spin_eval"], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run_build(root: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system) of one mask build."""
    import resource

    env = dict(os.environ, PYTHONPATH=str(root), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    command = [sys.executable, "-m", "spin_eval", "mask", "build", "--no-progress", "-o", str(out), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{root}: mask build failed:\n{proc.stderr[-3000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(a: Path, b: Path) -> str:
    sys.path.insert(0, str(REPO))
    from spin_eval.cli.mask import mask_diff
    from spin_eval.spin.io import load_mask

    diff = mask_diff(load_mask(a), load_mask(b))
    equal = sum(1 for row in diff["modules"].values() if row["a"] == row["b"] == row["intersection"])
    return (f"masks: before {diff['a_total']} / after {diff['b_total']} indices, Jaccard {diff['jaccard']}, "
            f"{equal}/{len(diff['modules'])} matrices equal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git ref of the 'before' code (default main)")
    parser.add_argument("--after", default="HEAD", help="git ref of the 'after' code (default HEAD)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("extra", nargs="*", help="more mask build arguments after --, e.g. -- --batch-size 4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_spin_exact-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "before").mkdir()
        (tmp_path / "after").mkdir()
        before_root = extract(args.before, tmp_path / "before")
        after_root = extract(args.after, tmp_path / "after")
        times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        roots = [("before", before_root), ("after", after_root)]
        for i in range(args.repeat):
            for label, root in roots if i % 2 == 0 else roots[::-1]:  # alternate the order
                out = tmp_path / f"{label}-{i}.safetensors"
                times[label].append(run_build(root, out, ["--model", "smollm2", *args.extra]))
                wall, cpu = times[label][-1]
                print(f"{label} run {i}: wall {wall:.1f} s, CPU {cpu:.1f} s, load {os.getloadavg()[0]:.1f}", flush=True)
        print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')} args {args.extra or '(defaults)'}")
        for k, what in ((0, "wall"), (1, "CPU")):
            b, a = min(t[k] for t in times["before"]), min(t[k] for t in times["after"])
            print(f"{what}: before ({args.before}) {b:.1f} s, after ({args.after}) {a:.1f} s: after/before {a / b:.2f}")
        print(compare(tmp_path / "before-0.safetensors", tmp_path / "after-0.safetensors"))


if __name__ == "__main__":
    main()
