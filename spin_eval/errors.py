"""Errors raised for bad user input. The CLI prints them as one line and exits with code 2.

Every message names the input (file, line, field, argument or value) and says how to fix it.
"""

from __future__ import annotations

from spin_eval.safetext import one_line


class SpinEvalError(Exception):
    """Base class: a problem with the user's input or environment, reported without a traceback.

    ``str()`` is always one line: control characters, line separators and bidi overrides that reached the
    message from an input (a key or value read from a file) are shown escaped, for every raiser at once."""

    def __str__(self) -> str:
        return one_line(super().__str__())


class InputError(SpinEvalError):
    """A file, field or argument is missing or malformed."""


class ModelSpecError(SpinEvalError):
    """A model spec cannot be resolved (unknown name, missing package, missing file)."""


class MaskError(SpinEvalError):
    """A mask file is unreadable, corrupt, or does not fit the model it is applied to."""


class FingerprintMismatchError(MaskError):
    """The mask was built for a model whose target weights differ from the one given."""


class ScoringError(SpinEvalError):
    """Importance scoring failed on a sample (NaN/inf gradients, empty response)."""
