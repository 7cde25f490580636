"""The order the suite's modules start in under ``--dist loadscope`` (used by tests/conftest.py)."""

from __future__ import annotations

#: The longest modules (one worker-minute or near it on a 2-core machine, measured 2026-12-05), started first in
#: this order; a stale entry only changes the order. Every other module holding a ``slow`` test follows, then the rest.
LONGEST_FIRST = (
    "tests/adapter/test_prefix_sharing.py", "tests/adapter/test_fast_generate_smollm2.py",
    "tests/spin/test_spin_exact_smollm2.py", "tests/test_gpu_recipe.py", "tests/spin/test_spin_distributed.py",
    "tests/run/test_sweep_smollm2.py", "tests/adapter/test_adapter_cli.py", "tests/run/test_sweep.py",
)
