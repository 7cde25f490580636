"""Registration of spin_hf with lm-eval 0.4.13: the .pth start-up hook, import orders, the entry point.

Every scenario that depends on interpreter start-up runs in a fresh subprocess.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from adapter_support import REPO_ROOT, subprocess_env

from spin_eval.adapter import registration
from spin_eval.adapter.registration import SPIN_HF_NAME, SPIN_HF_TARGET

# What every scenario prints: the registry's view of spin_hf and of lm-eval's built-ins.
REPORT = """
import json, sys
from lm_eval.api.registry import get_model, model_registry
from lm_eval.models import MODEL_MAPPING
entries = dict(model_registry.items())
missing = sorted(name for name in MODEL_MAPPING if name not in entries)
spin = entries.get("spin_hf")
print(json.dumps({
    "missing_builtins": missing,
    "spin_hf": spin if isinstance(spin, str) else f"{spin.__module__}:{spin.__qualname__}" if spin else None,
    "hf": str(entries.get("hf")),
    "torch_imported": "torch" in sys.modules,
}))
"""


def run_python(code: str, *flags: str, **env: str) -> dict:
    proc = subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(**env),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_startup_hook_is_installed_without_importing_torch_or_lm_eval():
    out = run_python(
        """
        import json, sys
        print(json.dumps({
            "hooks": [type(f).__name__ for f in sys.meta_path if getattr(f, "_spin_eval_registry_hook", False)],
            "imported": sorted(m for m in ("torch", "lm_eval", "transformers", "numpy", "spin_eval")
                               if m in sys.modules),
        }))
        """
    )
    assert out == {"hooks": ["SpinEvalRegistryHook"], "imported": []}


def test_pth_file_is_generated_from_the_hook_source():
    assert (REPO_ROOT / "spin_eval_register.pth").read_text() == registration.pth_text(), (
        "regenerate it: python -m spin_eval.adapter.registration > spin_eval_register.pth"
    )
    lines = registration.pth_text().splitlines()
    assert lines[0].startswith("#") and lines[1].startswith("import ") and len(lines) == 2


def test_pth_file_installed_matches_the_repository():
    installed = [Path(p) / "spin_eval_register.pth" for p in site.getsitepackages()]
    installed = [p for p in installed if p.is_file()]
    assert installed, "spin_eval_register.pth is not in site-packages: reinstall spin-eval (pip install -e .)"
    assert installed[0].read_text() == (REPO_ROOT / "spin_eval_register.pth").read_text(), (
        "the installed spin_eval_register.pth is stale: reinstall spin-eval (pip install -e .)"
    )


@pytest.mark.parametrize(
    "first_imports",
    [
        "import lm_eval",  # lm-eval first
        "import spin_eval; import lm_eval",  # spin_eval first
        "import lm_eval.models",  # the built-in table triggers the registry import itself
        "from lm_eval.api.registry import model_registry",
        "import lm_eval.evaluator",  # what the CLI and simple_evaluate import
    ],
)
def test_builtins_and_spin_hf_resolve_in_any_import_order(first_imports):
    out = run_python(first_imports + "\n" + REPORT)
    assert out["missing_builtins"] == []
    assert out["spin_hf"] == SPIN_HF_TARGET
    assert out["hf"] == "lm_eval.models.huggingface:HFLM"  # still lazy: nothing heavy imported
    assert out["torch_imported"] is False


def test_get_model_materialises_hf_and_spin_hf():
    out = run_python(
        """
        import json
        import spin_eval
        from lm_eval.api.registry import get_model
        print(json.dumps([f"{c.__module__}:{c.__qualname__}" for c in (get_model("hf"), get_model("spin_hf"),
                                                                      get_model("steered"))]))
        """
    )
    assert out == ["lm_eval.models.huggingface:HFLM", SPIN_HF_TARGET, "lm_eval.models.hf_steered:SteeredModel"]


def test_importing_the_adapter_first_keeps_builtins():
    out = run_python("from spin_eval.adapter.spin_hf import SpinHFLM\n" + REPORT)
    assert out["missing_builtins"] == []
    assert out["spin_hf"] in (SPIN_HF_TARGET,)


def test_opt_out_leaves_lm_eval_untouched():
    out = run_python(REPORT, SPIN_EVAL_NO_REGISTER="1")
    assert out["missing_builtins"] == []
    assert out["spin_hf"] is None


@pytest.mark.parametrize("when", ["before", "after"])
def test_install_without_the_pth(when):
    """python -S skips site-packages' .pth files; install() then works before or after lm-eval's import."""
    paths = [p for p in sys.path if p.endswith("site-packages")] + [str(REPO_ROOT)]
    setup = f"import sys; sys.path[:0] = {paths!r}\n"
    install = "from spin_eval.adapter.registration import install; install()\n"
    body = (install + "import lm_eval\n") if when == "before" else ("import lm_eval.api.registry\n" + install)
    out = run_python(setup + body + REPORT, "-S")
    assert out["missing_builtins"] == []
    assert out["spin_hf"] == SPIN_HF_TARGET
    bare = run_python(setup + REPORT, "-S")
    assert bare["spin_hf"] is None and bare["missing_builtins"] == []


def test_entry_point_declares_the_same_target():
    points = [ep for ep in md.entry_points(group="lm_eval.models") if ep.name == SPIN_HF_NAME]
    assert len(points) == 1, "reinstall spin-eval: the lm_eval.models entry point spin_hf is missing"
    assert registration._normalise_target(points[0].value) == SPIN_HF_TARGET


class _FakeRegistryModule:
    """A stand-in for lm_eval.api.registry holding a fresh, empty model registry."""

    def __init__(self):
        from lm_eval.api.registry import Registry

        self.model_registry = Registry("model")


def _our_entry_point():
    return md.EntryPoint(name=SPIN_HF_NAME, value="spin_eval.adapter.spin_hf : SpinHFLM", group="lm_eval.models")


@pytest.mark.parametrize(
    "existing",
    [
        None,
        SPIN_HF_TARGET,  # the .pth hook ran already
        "entry_point",  # a later lm-eval loaded the pyproject entry point first
        "class",  # the placeholder was materialised
    ],
)
def test_register_is_idempotent_and_never_collides(existing):
    fake = _FakeRegistryModule()
    if existing == "entry_point":
        fake.model_registry.register(SPIN_HF_NAME, target=_our_entry_point())
    elif existing == "class":
        from spin_eval.adapter.spin_hf import SpinHFLM

        fake.model_registry.register(SPIN_HF_NAME, target=SpinHFLM)
    elif existing is not None:
        fake.model_registry.register(SPIN_HF_NAME, target=existing)
    before = dict(fake.model_registry.items()).get(SPIN_HF_NAME)

    added = registration.register_spin_hf(fake)
    assert added is (existing is None)
    assert registration.register_spin_hf(fake) is False  # second call: no change, no error
    after = dict(fake.model_registry.items())[SPIN_HF_NAME]
    assert after == (SPIN_HF_TARGET if existing is None else before)

    from spin_eval.adapter.spin_hf import SpinHFLM

    assert fake.model_registry.get(SPIN_HF_NAME) is SpinHFLM
    # lm-eval's own decorator on top of our placeholder upgrades it instead of raising
    fake.model_registry.register(SPIN_HF_NAME)(SpinHFLM)
    assert fake.model_registry.get(SPIN_HF_NAME) is SpinHFLM


def test_a_foreign_spin_hf_is_left_alone(caplog):
    fake = _FakeRegistryModule()
    fake.model_registry.register(SPIN_HF_NAME, target="somebody.else:Model")
    with caplog.at_level("WARNING"):
        assert registration.register_spin_hf(fake) is False
    assert dict(fake.model_registry.items())[SPIN_HF_NAME] == "somebody.else:Model"
    assert "leaves it in place" in caplog.text


def test_hook_failure_never_breaks_lm_eval_import():
    out = run_python(
        """
        import json, logging
        import spin_eval.adapter.registration as reg
        def boom(module=None):
            raise RuntimeError("simulated")
        reg.register_spin_hf = boom
        from lm_eval.api.registry import model_registry, get_model
        dummy = get_model("dummy")  # the built-in table still loads lazily
        print(json.dumps({"dummy": dummy.__name__, "hf": "hf" in model_registry, "spin": "spin_hf" in model_registry}))
        """
    )
    assert out == {"dummy": "DummyLM", "hf": True, "spin": False}
