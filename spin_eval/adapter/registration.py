"""Registers the ``spin_hf`` model with lm-eval's model registry, for lm-eval 0.4.13 and later.

Why a hook: lm-eval 0.4.13 has no plugin discovery. Its CLI resolves ``--model NAME`` against
``lm_eval.api.registry.model_registry`` before any user code runs, so ``lm_eval --model spin_hf`` can
only work if something registers ``spin_hf`` in every interpreter that imports lm-eval.

How: ``spin_eval_register.pth`` (installed into site-packages by the wheel and by editable installs)
puts a tiny finder (:data:`PTH_HOOK_SOURCE`) at the front of ``sys.meta_path`` at interpreter start-up.
It imports nothing, not even spin_eval, and for every import other than ``lm_eval.api.registry`` it
costs one string comparison (measured in ``bench/bench_adapter.py``). When ``lm_eval.api.registry`` is
imported, the finder removes itself, imports this module, lets the normal machinery find and execute
lm-eval's registry (:func:`find_registry_spec`), then calls :func:`register_spin_hf`, which

1. imports ``lm_eval.models`` first, so lm-eval's built-in table (``hf``, ``vllm``, ...) is registered:
   lm-eval 0.4.13's ``get_model`` imports that table only while the registry is still EMPTY, so
   registering ``spin_hf`` alone would hide every built-in model;
2. registers ``spin_hf`` as the lazy placeholder :data:`SPIN_HF_TARGET` (torch, transformers and
   ``spin_eval.adapter.spin_hf`` load only when a run asks for ``spin_hf``).

Collisions with the ``lm_eval.models`` entry point (pyproject; discovered by later lm-eval releases,
upstream PR #4013): both name the same target string, and :func:`register_spin_hf` is idempotent. It
leaves an existing ``spin_hf`` entry alone when it is ours in any form lm-eval stores (that same string,
an ``EntryPoint`` whose value is that string, or the materialised ``SpinHFLM`` class, which lm-eval's
registry upgrades from the string placeholder itself), and it never replaces somebody else's
``spin_hf`` (it logs a warning instead). A failure inside the hook is logged, never raised, so
installing spin-eval can never break ``import lm_eval``.

Opt out for one process with ``SPIN_EVAL_NO_REGISTER=1``. Without the ``.pth`` (``python -S``, an
embedding interpreter, a ``--target`` install) call :func:`install` or :func:`register_spin_hf` yourself;
importing ``spin_eval.adapter.spin_hf`` also registers.

Only ``sys`` and ``os`` are imported at module level, so importing this module stays cheap too.
Regenerate the .pth after changing :data:`PTH_HOOK_SOURCE`:
``python -m spin_eval.adapter.registration > spin_eval_register.pth``.
"""

from __future__ import annotations

import os
import sys

#: The name users pass to ``lm_eval --model``.
SPIN_HF_NAME = "spin_hf"
#: The lazy target, identical to the ``lm_eval.models`` entry point declared in pyproject.toml.
SPIN_HF_TARGET = "spin_eval.adapter.spin_hf:SpinHFLM"
#: Set to ``1`` to skip installing the start-up hook in a process.
DISABLE_ENV = "SPIN_EVAL_NO_REGISTER"

_REGISTRY_MODULE = "lm_eval.api.registry"
_BUILTINS_MODULE = "lm_eval.models"
_HOOK_MARKER = "_spin_eval_registry_hook"


def _normalise_target(value: str) -> str:
    """``"pkg.mod : Cls"`` -> ``"pkg.mod:Cls"`` (entry point values may carry spaces)."""
    module, _, attr = value.partition(":")
    return f"{module.strip()}:{attr.strip()}"


def _is_ours(entry: object) -> bool:
    """True when a registry entry is spin-eval's ``spin_hf`` in any form lm-eval stores."""
    if isinstance(entry, str):
        return _normalise_target(entry) == SPIN_HF_TARGET
    value = getattr(entry, "value", None)  # importlib.metadata.EntryPoint
    if isinstance(value, str) and getattr(entry, "group", None) is not None:
        return _normalise_target(value) == SPIN_HF_TARGET
    if isinstance(entry, type):
        return f"{entry.__module__}:{entry.__qualname__}" == SPIN_HF_TARGET
    return False


def register_spin_hf(registry_module=None) -> bool:
    """Register ``spin_hf`` in lm-eval's model registry, after lm-eval's built-in models.

    Idempotent. Returns True when this call added the entry, False when an entry was already there
    (ours: nothing to do; someone else's: left in place with a warning). Imports lm-eval's registry
    and built-in model table (both light: no torch), never the adapter itself.
    """
    import importlib

    registry = registry_module if registry_module is not None else importlib.import_module(_REGISTRY_MODULE)
    # Built-ins first: 0.4.13's get_model() imports lm_eval.models only while the registry is empty.
    importlib.import_module(_BUILTINS_MODULE)
    model_registry = registry.model_registry
    current = dict(model_registry.items()).get(SPIN_HF_NAME)
    if current is None:
        model_registry.register(SPIN_HF_NAME, target=SPIN_HF_TARGET)
        return True
    if not _is_ours(current):
        import logging

        logging.getLogger(__name__).warning(
            "lm-eval already has a model named %r (%r); spin-eval leaves it in place, so "
            "--model %s will not be spin-eval's SPIN adapter",
            SPIN_HF_NAME,
            current,
            SPIN_HF_NAME,
        )
    return False


def _register_quietly(registry_module) -> None:
    """Called right after ``lm_eval.api.registry`` has executed; never lets an error escape."""
    try:
        register_spin_hf(registry_module)
    except Exception as exc:  # noqa: BLE001 - installing spin-eval must never break `import lm_eval`
        import logging

        logging.getLogger(__name__).warning(
            "spin-eval could not register the %r model with lm-eval (%s: %s); "
            "`--model %s` will be unavailable in this process",
            SPIN_HF_NAME,
            type(exc).__name__,
            exc,
            SPIN_HF_NAME,
        )


class _RegisteringLoader:
    """Wraps the real loader of ``lm_eval.api.registry``: executes it, restores it, then registers."""

    def __init__(self, loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        # Put the real loader back, so introspection (inspect, importlib.resources) sees lm-eval's own.
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        _register_quietly(module)

    def __getattr__(self, name):  # get_source, get_filename, is_package, ... while executing
        return getattr(self._loader, name)


def find_registry_spec(fullname, path=None, target=None):
    """The spec of ``lm_eval.api.registry`` from the other finders, its loader wrapped to register after."""
    for finder in sys.meta_path:
        if getattr(finder, _HOOK_MARKER, False):
            continue
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        spec = find_spec(fullname, path, target)
        if spec is not None:
            break
    else:
        return None
    if spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return spec
    spec.loader = _RegisteringLoader(spec.loader)
    return spec


class _RegistryImportHook:
    """A ``sys.meta_path`` finder that only reacts to ``lm_eval.api.registry``, once (as the .pth's)."""

    _spin_eval_registry_hook = True

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _REGISTRY_MODULE:
            return None
        try:  # one-shot: later imports (and reloads) go straight to the normal finders
            sys.meta_path.remove(self)
        except ValueError:
            pass
        return find_registry_spec(fullname, path, target)


#: The start-up code of ``spin_eval_register.pth``: a finder like ``_RegistryImportHook`` that imports
#: nothing (not even spin_eval) until lm-eval's registry is imported. ``pth_line()`` wraps it into the
#: file's one executable line; a test keeps the shipped file in sync with it.
PTH_HOOK_SOURCE = '''class SpinEvalRegistryHook:
    """spin-eval: on the import of lm_eval.api.registry, register spin_hf (spin_eval/adapter/registration.py)."""
    _spin_eval_registry_hook = True
    def find_spec(self, name, path=None, target=None):
        if name != "lm_eval.api.registry":
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        try:
            from spin_eval.adapter.registration import find_registry_spec
        except ImportError:
            return None
        return find_registry_spec(name, path, target)
if os.environ.get("SPIN_EVAL_NO_REGISTER", "") in ("", "0") and not any(
    getattr(f, "_spin_eval_registry_hook", False) for f in sys.meta_path
):
    sys.meta_path.insert(0, SpinEvalRegistryHook())
'''

PTH_HEADER = (
    "# spin-eval: registers the spin_hf model with lm-eval's registry when lm-eval imports "
    "lm_eval.api.registry; start-up cost: one tiny finder class, no imports (see "
    "spin_eval/adapter/registration.py, which holds this code's source and a test that keeps both in sync)"
)


def pth_line() -> str:
    """The executable line of ``spin_eval_register.pth`` (site.py runs lines starting with ``import``)."""
    return (
        "import sys, os; exec("
        + repr(PTH_HOOK_SOURCE)
        + ', {"sys": sys, "os": os, "__name__": "spin_eval_register"})'
    )


def pth_text() -> str:
    """The whole ``spin_eval_register.pth`` file."""
    return PTH_HEADER + "\n" + pth_line() + "\n"


def is_installed() -> bool:
    """True while the start-up hook is waiting for ``lm_eval.api.registry`` to be imported."""
    return any(getattr(finder, _HOOK_MARKER, False) for finder in sys.meta_path)


def install() -> None:
    """Arrange for ``spin_hf`` to be registered whenever lm-eval's registry is imported (cheap).

    If the registry is already imported, registers at once. Does nothing when ``SPIN_EVAL_NO_REGISTER``
    is set to a non-empty value other than ``0``, or when the hook is already installed.
    """
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        return
    registry_module = sys.modules.get(_REGISTRY_MODULE)
    if registry_module is not None:
        _register_quietly(registry_module)
        return
    if not is_installed():
        sys.meta_path.insert(0, _RegistryImportHook())


if __name__ == "__main__":  # python -m spin_eval.adapter.registration > spin_eval_register.pth
    sys.stdout.write(pth_text())
