"""Output to a pipe that closes early (``spin-eval mask info M | head``): stop quietly, exit 0."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_may_close() -> Iterator[None]:
    """Run a printing block; when the reader of stdout goes away, stop without a traceback.

    stdout is flushed inside the block (so a closed pipe is noticed here, not at interpreter exit), and
    on ``BrokenPipeError`` it is pointed at /dev/null so Python's final flush does not complain either.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
