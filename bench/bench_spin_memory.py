"""Peak host memory of every mask-build path, side by side in one run: the default build, ``--save-scores``
(one score file, then the mask from it), 2 shards (``--shard i/2 --save-scores``) and their merge
(``--from-scores``), each ``spin-eval mask build`` in a fresh process; optionally the same paths with the
code of an older commit (``--old-commit``, taken with ``git archive``; needs a git checkout).

Each child loads the model once, reads every parameter so the whole model is resident, resets the
kernel's peak-RSS counter (``/proc/self/clear_refs`` 5, so VmHWM restarts at the model's own footprint)
and then runs the CLI in-process (its model load answered with the loaded model). "extra" is VmHWM at
the end minus the RSS before the build, per target (MLP) weight. CPU only; memory figures do not depend
on the machine's load, times do (the load average is printed).

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD HF_HUB_OFFLINE=1 nice -n 5 .venv/bin/python bench/bench_spin_memory.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHS = ("build", "save-scores", "shard 0/2", "shard 1/2", "merge")


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(argv: list[str], model_spec: str) -> dict:
    import spin_eval.modelspec as modelspec
    from spin_eval.cli import main
    from spin_eval.spin.mask import target_linears

    model, tok = modelspec.load_model_and_tokenizer(model_spec)
    for p in model.parameters():  # page the memory-mapped weights in: the model's whole footprint is the base
        float(p.detach().abs().sum())
    modelspec.load_model_and_tokenizer = lambda *a, **k: (model, tok)
    targets = sum(lin.weight.numel() for lin in target_linears(model, "mlp").values())
    import gc

    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM (peak RSS) to the current RSS
    base = _status("VmRSS")
    start = time.perf_counter()
    code = main(argv)
    return {"code": code, "targets": targets, "base_rss": base, "peak_rss": _status("VmHWM"),
            "seconds": time.perf_counter() - start}


def run_child(argv: list[str], model: str, root: Path | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(([str(root)] if root else []) + [str(REPO), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(argv), "--model", model],
                         capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result['code']}:\n{out.stderr[-3000:]}")
    return result


def measure(label: str, model: str, nsamples: int, work: Path, root: Path | None) -> list[dict]:
    common = ["mask", "build", "--model", model, "--nsamples", str(nsamples), "--no-progress"]
    one, two = work / f"{label}-scores1", work / f"{label}-scores2"
    argvs = {
        "build": common + ["-o", str(work / f"{label}-build.safetensors")],
        "save-scores": common + ["--save-scores", str(one), "-o", str(work / f"{label}-save.safetensors")],
        "shard 0/2": common + ["--shard", "0/2", "--save-scores", str(two)],
        "shard 1/2": common + ["--shard", "1/2", "--save-scores", str(two)],
    }
    rows = []
    for path in PATHS:
        if path == "merge":
            argvs[path] = common + ["--from-scores", *map(str, sorted(two.glob("*.safetensors"))),
                                    "-o", str(work / f"{label}-merge.safetensors")]
        r = run_child(argvs[path], model, root)
        r.update(code=label, path=path, extra_per_target=(r["peak_rss"] - r["base_rss"]) / r["targets"])
        rows.append(r)
        print(f"{label:6s} {path:12s} model RSS {r['base_rss'] / 2**30:5.2f} GiB  peak {r['peak_rss'] / 2**30:5.2f} GiB  "
              f"extra {(r['peak_rss'] - r['base_rss']) / 2**30:5.2f} GiB = {r['extra_per_target']:6.2f} B per target "
              f"weight ({r['targets']:,})  {r['seconds']:6.1f} s  load {open('/proc/loadavg').read().split()[0]}",
              flush=True)
    masks = [(work / f"{label}-{n}.safetensors").read_bytes() for n in ("build", "save", "merge")]
    print(f"{label}: build, --save-scores and merge masks byte-identical: {len(set(masks)) == 1}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--model", default="smollm2", help="model spec (default smollm2)")
    parser.add_argument("--nsamples", type=int, default=4, help="samples per calibration set (default 4)")
    parser.add_argument("--old-commit", default="", help="also measure the paths with this commit's spin_eval")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child), args.model)))
        return
    print(f"load before: {open('/proc/loadavg').read().strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = []
        if args.old_commit:
            old = work / "old"
            old.mkdir()
            archive = subprocess.run(["git", "archive", args.old_commit, "spin_eval"], cwd=REPO, capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            rows += measure("old", args.model, args.nsamples, work, old)
        rows += measure("new", args.model, args.nsamples, work, None)
    print(f"load after: {open('/proc/loadavg').read().strip()}")
    if args.old_commit:
        for path in PATHS:
            old, new = (next(r for r in rows if r["code"] == c and r["path"] == path) for c in ("old", "new"))
            print(f"{path:12s} extra per target weight old {old['extra_per_target']:6.2f} B, new "
                  f"{new['extra_per_target']:6.2f} B ({old['extra_per_target'] / max(new['extra_per_target'], 1e-9):.1f}x)")


if __name__ == "__main__":
    main()
