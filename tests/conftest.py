"""Shared fixtures. Every test runs offline: nothing may reach a model or data hub."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# One intra-op thread per test process (and per CLI subprocess, which inherits it): the tests' models are tiny
# or SmolLM2-135M, where torch's second thread gains little and, on a loaded 2-core machine, spin-waiting
# OpenMP threads made a tiny-model forward ~5x slower in wall time (see the README's test section).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "data" / "spin-reference"

if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from suite_order import LONGEST_FIRST  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Llama (2 layers, hidden 32) with tokenizer and chat template, saved as safetensors."""
    from tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def spin_reference_dir() -> Path:
    """The SPIN paper's CSVs in ../shared (skips the test where they are absent)."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"SPIN reference data not found at {SHARED_REFERENCE}")
    return SHARED_REFERENCE


def _cache_lm_eval_builtin_index() -> None:
    """Parse lm-eval's ~14,000 built-in task YAMLs once per test process, not once per TaskManager.

    ``TaskManager()`` re-walks lm-eval's own task folder every time (10-40 s of YAML parsing on the shared
    machine), and the suite builds dozens. The built-in folder never changes during a run, so its index is
    parsed once and each TaskManager gets a deep copy; include paths (the project's tasks, a test's tmp
    folder) are still parsed fresh every time, and later paths override earlier ones exactly as before.
    """
    import copy

    import lm_eval.tasks
    from lm_eval.tasks._index import TaskIndex

    builtin = Path(lm_eval.tasks.__file__).resolve().parent
    original = TaskIndex.build
    cache: dict = {}

    def build(paths, *, resolve_includes=True):
        paths = list(paths)
        if not any(Path(p).resolve() == builtin for p in paths):
            return original(paths, resolve_includes=resolve_includes)
        index: dict = {}
        for root in paths:
            if Path(root).resolve() == builtin:
                key = resolve_includes
                if key not in cache:
                    cache[key] = original([root], resolve_includes=resolve_includes)
                part = copy.deepcopy(cache[key])
            else:
                part = original([root], resolve_includes=resolve_includes)
            index.update(part)  # later paths override earlier, as in lm-eval (which also logs each override)
        return index

    TaskIndex.build = staticmethod(build)


_cache_lm_eval_builtin_index()


# ------------------------------------------------------------------ CPU seconds per test (opt-in report)
# SPIN_EVAL_CPU_DURATIONS=N prints the N tests that used the most CPU seconds (this process and the
# subprocesses it waited for; setup + call + teardown). On a shared machine wall time (--durations) mostly
# measures the neighbours; CPU seconds compare before/after under any load.
_CPU: dict[str, float] = {}


def pytest_configure(config):
    """Keep the collection order below under ``--dist loadscope``: pytest-xdist otherwise reorders modules by
    their number of tests (most first), which put the one-test SmolLM2 modules last and ended the suite with
    one process running them alone."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(session, config, items):
    """The longest modules first (:data:`LONGEST_FIRST`), then the other modules holding ``slow`` tests, then
    the rest; the order within each stays as collected (a stable sort).

    With two test processes and ``--dist loadscope`` pytest-xdist hands out whole modules in this order,
    first come first served: started first, the long modules overlap and the short ones fill the gaps."""
    slow_files = {item.nodeid.split("::", 1)[0] for item in items if item.get_closest_marker("slow")}

    def rank(item) -> tuple[int, int]:
        module = item.nodeid.split("::", 1)[0]
        if module in LONGEST_FIRST:
            return (0, LONGEST_FIRST.index(module))
        return (1 if module in slow_files else 2, 0)

    items.sort(key=rank)


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = _cpu_now()
    yield
    _CPU[item.nodeid] = _cpu_now() - start


def pytest_terminal_summary(terminalreporter):
    n = int(os.environ.get("SPIN_EVAL_CPU_DURATIONS", "0") or 0)
    if n <= 0 or not _CPU:
        return
    terminalreporter.write_sep("=", f"{n} most CPU-expensive tests (CPU seconds, total {sum(_CPU.values()):.0f})")
    for nodeid, cpu in sorted(_CPU.items(), key=lambda kv: -kv[1])[:n]:
        terminalreporter.write_line(f"{cpu:8.1f}  {nodeid}")
