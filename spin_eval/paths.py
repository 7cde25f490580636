"""Where the shipped tasks, report templates and the cache live, for a checkout and an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

from spin_eval.constants import CACHE_ENV, DEFAULT_CACHE_SUBDIR

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """A folder that a wheel installs as ``spin_eval/_<name>`` and a checkout keeps at top level.

    A checkout (editable install) is recognised by the ``pyproject.toml`` beside the package and always
    gets its live top-level folder, so a stale ``spin_eval/_<name>`` left in the tree never shadows it.
    Anywhere else (site-packages) the installed copy wins, never a stray top-level ``<name>`` folder
    that some other distribution put into site-packages.
    """
    root = _PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / name).is_dir():
        return root / name
    return _PACKAGE_DIR / f"_{name}"


def tasks_dir() -> Path:
    """The folder to pass to lm-eval as ``--include_path``."""
    return _bundled("tasks")


def reports_dir() -> Path:
    """The folder holding the Jinja2 report templates."""
    return _bundled("reports")


def cache_dir() -> Path:
    """The cache root: ``$SPIN_EVAL_CACHE``, else ``$XDG_CACHE_HOME/spin-eval``, else ``~/.cache/spin-eval``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / DEFAULT_CACHE_SUBDIR
