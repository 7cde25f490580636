"""Fixtures of the report tests (helpers in report_fixtures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_fixtures import build_fixture_runs  # noqa: E402


@pytest.fixture
def fixture_runs(tmp_path) -> dict[str, Path]:
    """base / spin / random runs of one model in lm-eval's on-disk format (see report_fixtures.py)."""
    return build_fixture_runs(tmp_path)
