"""Count the run settings' walk through spin_eval: stays, rooms, returns (issue 22's "walk" figure).

Runs ``spin-eval run`` on a tiny random Llama (tests/tiny_model.py) and one small multiple-choice task with
``sys.settrace`` on every call into a spin_eval module. A call counts when one of its locals at call time
(an argument, mostly) is the settings object: the places the settings are handed to.

- stays: that sequence of modules with consecutive repeats collapsed (one stay = arriving in a module);
- rooms: the distinct modules visited;
- returns: stays in a module visited before (coming back to a room left earlier).

Count A follows the RunSettings only; count B also the SpinConfig / ScoringOptions made from it. Another
checkout (e.g. ``git archive <commit> | tar -x -C /tmp/base``) is measured by putting it first on the path:

    PYTHONPATH=.:tests HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_settings_walk.py /tmp/walk
    PYTHONPATH=/tmp/base:/tmp/base/tests HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_settings_walk.py /tmp/walk0
"""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = {"RunSettings", "SpinConfig", "ScoringOptions"}


def walk(modules: list[str]) -> tuple[list[str], int, int]:
    """(stays, rooms, returns) of a sequence of module names. Pure."""
    stays: list[str] = []
    for mod in modules:
        if not stays or stays[-1] != mod:
            stays.append(mod)
    seen: set[str] = set()
    returns = 0
    for mod in stays:
        returns += mod in seen
        seen.add(mod)
    return stays, len(seen), returns


def main(out_root: Path) -> None:
    import spin_eval
    from spin_eval.cli import main as cli

    package = str(Path(spin_eval.__file__).resolve().parent)
    tests = Path(package).parent / "tests"
    sys.path[:0] = [str(tests), str(tests / "pipeline")]  # run_fixtures.py (pipeline_fixtures.py before the layout)
    from tiny_model import build_tiny_llama

    try:
        from run_fixtures import QUESTIONS, write_mc_task
    except ImportError:
        from pipeline_fixtures import QUESTIONS, write_mc_task

    model = build_tiny_llama(out_root / "tiny")
    (out_root / "tasks").mkdir(parents=True, exist_ok=True)
    write_mc_task(out_root / "tasks", "walk_mc", QUESTIONS)
    calls: list[tuple[str, bool]] = []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(package):
            kinds = {type(v).__name__ for v in frame.f_locals.values()} & KINDS
            if kinds:
                calls.append((frame.f_code.co_filename[len(package) + 1:], "RunSettings" in kinds))
        return None

    sys.settrace(tracer)
    try:
        code = cli(["run", "--model", str(model), "--tasks", "walk_mc", "--include-path", str(out_root / "tasks"),
                    "--limit", "4", "--p", "0.05", "--nsamples", "2", "--batch-size", "4", "--bootstrap-iters", "0",
                    "--controls", "random", "--no-report", "-o", str(out_root / "run")])
    finally:
        sys.settrace(None)
    print(f"spin-eval run exit {code}")
    for label, modules in (("A (RunSettings)", [m for m, run in calls if run]),
                           ("B (RunSettings, SpinConfig, ScoringOptions)", [m for m, _ in calls])):
        stays, rooms, returns = walk(modules)
        print(f"{label}: {len(modules)} calls, {len(stays)} stays, {rooms} rooms, {returns} returns")
        print("  " + " -> ".join(stays))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/spin-eval-walk"))
