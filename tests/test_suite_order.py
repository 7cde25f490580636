"""The suite's scheduling under ``-n auto --dist loadscope`` (tests/conftest.py): xdist keeps our module order."""

from __future__ import annotations

from pathlib import Path

from suite_order import LONGEST_FIRST

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_xdist_does_not_reorder_modules_by_test_count(pytestconfig):
    # xdist's default (loadscopereorder) sorts modules by number of tests, which put the one-test SmolLM2
    # modules last; conftest.pytest_configure turns it off in the controller and in every worker
    assert getattr(pytestconfig.option, "loadscopereorder", False) is False


def test_the_longest_modules_named_first_exist():
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
    assert all((REPO_ROOT / module).is_file() for module in LONGEST_FIRST)
