"""spin-eval works from a BUILT WHEEL, not only from the editable checkout (issues #3 and #4).

The wheel is built from this checkout (hatchling), installed with pip (``--no-deps``) into a fresh venv
that sees the dependencies (torch, lm-eval, ...) of the test interpreter's site-packages through a
path-only ``.pth`` line. A path line does not process the ``.pth`` files of the folder it adds, so the
editable install's ``_editable_impl_spin_eval.pth`` (which puts the checkout on ``sys.path``) is inert
there: ``spin_eval`` can only come from the wheel, and every child runs from a scratch cwd.

In that environment: the wheel's ``spin_eval_register.pth`` registers ``spin_hf`` for the plain
``lm_eval`` console script (both ``lm_eval run`` and the legacy form) while ``hf`` still resolves; the
tasks, their JSONL data and generators are read from ``spin_eval/_tasks`` (``spin-eval tasks path``
prints it); the report templates come from ``spin_eval/_reports``. Building and installing takes a few
seconds; the lm-eval runs start torch and transformers from scratch in fresh interpreters, hence ``slow``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "adapter"))

from adapter_support import write_hand_mask  # noqa: E402

TASK = "spin_bbq_mini"
TASK_FOLDERS = (
    "spin_bbq", "spin_capability", "spin_fairness_awareness", "spin_overrefusal", "spin_pii_leakage",
    "spin_privacy_awareness", "spin_safety",
)  # fmt: skip
TEMPLATES = ("report.html.j2", "report.md.j2", "leaderboard.html.j2")
DEPS_PTH = "zz_spin_eval_test_dependencies.pth"
# What pip writes for lm-eval's console script (lm_eval = lm_eval.__main__:cli_evaluate), for the fresh venv.
LM_EVAL_SCRIPT = """#!{python}
import sys
from lm_eval.__main__ import cli_evaluate
if __name__ == "__main__":
    sys.argv[0] = sys.argv[0].removesuffix(".exe")
    sys.exit(cli_evaluate())
"""


def _fake_tree(root: Path, *, checkout: bool) -> Path:
    """A package folder with both a top-level ``tasks/`` and a ``spin_eval/_tasks/`` beside it."""
    package = root / "spin_eval"
    for folder in (package / "_tasks", package / "_reports", root / "tasks", root / "reports"):
        folder.mkdir(parents=True)
    if checkout:
        (root / "pyproject.toml").write_text("[project]\nname = 'spin-eval'\n", encoding="utf-8")
    return package


@pytest.mark.parametrize("checkout", [True, False], ids=["checkout", "site-packages"])
def test_bundled_folders_prefer_the_checkout_only_in_a_checkout(checkout, tmp_path, monkeypatch):
    from spin_eval import paths

    monkeypatch.setattr(paths, "_PACKAGE_DIR", _fake_tree(tmp_path, checkout=checkout))
    if checkout:  # a stale spin_eval/_tasks left in a checkout must not shadow the live tasks/
        assert (paths.tasks_dir(), paths.reports_dir()) == (tmp_path / "tasks", tmp_path / "reports")
    else:  # a stray site-packages/tasks from another distribution must not shadow the installed copy
        expected = (tmp_path / "spin_eval" / "_tasks", tmp_path / "spin_eval" / "_reports")
        assert (paths.tasks_dir(), paths.reports_dir()) == expected


@dataclass(frozen=True)
class WheelEnv:
    wheel: Path
    python: Path
    bin: Path
    site: Path
    cwd: Path
    home: Path


def _shipped_files(folder: Path) -> list[str]:
    """Files of a checkout folder that the wheel must carry (bytecode caches left out)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def _build_wheel(dest: Path) -> Path:
    """Build the wheel with the test interpreter's hatchling, else in pip's isolated build env (PyPI)."""
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", str(dest)]
    if importlib.util.find_spec("hatchling") is not None:
        proc = subprocess.run(
            [*base, "--no-build-isolation", str(REPO_ROOT)], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, f"building the wheel failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    else:
        proc = subprocess.run([*base, str(REPO_ROOT)], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            pytest.skip(
                "cannot build the wheel: hatchling is not installed (pip install 'spin-eval[test]') and pip "
                f"could not fetch it for an isolated build: {proc.stderr.strip()[-500:]}"
            )
    wheels = sorted(dest.glob("spin_eval-*.whl"))
    assert len(wheels) == 1, f"expected one spin_eval wheel in {dest}, found {wheels}"
    return wheels[0]


def _dependency_dirs() -> list[str]:
    """The test interpreter's site-packages folders (torch, lm-eval, ... live there)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(str(Path(paths[key]).resolve()) for key in ("purelib", "platlib")))


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> WheelEnv:
    root = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(root / "dist")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, f"pip install of {wheel.name} failed:\n{proc.stderr[-3000:]}"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()
    )  # fmt: skip
    (site / DEPS_PTH).write_text("".join(d + "\n" for d in _dependency_dirs()), encoding="utf-8")
    lm_eval_script = venv / "bin" / "lm_eval"
    lm_eval_script.write_text(LM_EVAL_SCRIPT.format(python=python), encoding="utf-8")
    lm_eval_script.chmod(0o755)
    cwd = root / "cwd"
    cwd.mkdir()
    return WheelEnv(wheel=wheel, python=python, bin=venv / "bin", site=site, cwd=cwd, home=root / "home")


def _env(env: WheelEnv) -> dict[str, str]:
    """Offline, quiet, nothing of the checkout: no PYTHONPATH, caches under the test's folder."""
    child = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "SPIN_EVAL_NO_REGISTER"}
    child.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        OMP_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
        SPIN_EVAL_CACHE=str(env.home / "spin-eval-cache"),
        HF_DATASETS_CACHE=str(env.home / "hf-datasets"),
        PATH=f"{env.bin}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return child


def _run(env: WheelEnv, cmd: list[str], *, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=env.cwd, env=_env(env), timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    return proc


def _python_json(env: WheelEnv, code: str) -> dict:
    """Run ``code`` in the wheel venv's interpreter; it prints one JSON object as its last line."""
    proc = _run(env, [str(env.python), "-c", textwrap.dedent(code)])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_wheel_carries_the_tasks_templates_hook_and_entry_points(wheel_env):
    from spin_eval.adapter.registration import pth_text

    with zipfile.ZipFile(wheel_env.wheel) as zf:
        names = set(zf.namelist())
        pth = zf.read("spin_eval_register.pth").decode("utf-8")
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode("utf-8")
    assert pth == pth_text(), "the wheel's .pth differs from registration.pth_text()"
    for rel in _shipped_files(REPO_ROOT / "tasks"):
        assert f"spin_eval/_tasks/{rel}" in names, f"tasks/{rel} is missing from the wheel"
    for rel in _shipped_files(REPO_ROOT / "reports"):
        assert f"spin_eval/_reports/{rel}" in names, f"reports/{rel} is missing from the wheel"
    assert not any(n.startswith(("tasks/", "reports/", "tests/")) for n in names), "top-level folders leaked"
    assert "[lm_eval.models]" in entry_points and "spin_hf = spin_eval.adapter.spin_hf:SpinHFLM" in entry_points
    assert "spin-eval = spin_eval.cli:main" in entry_points


def test_installed_package_is_the_wheel_and_finds_its_data(wheel_env):
    out = _python_json(
        wheel_env,
        """
        import json, sys
        import spin_eval
        from spin_eval import paths
        from spin_eval.adapter import registration
        from spin_eval.report.render import _environment
        tasks = paths.tasks_dir()
        print(json.dumps({
            "file": spin_eval.__file__,
            "sys_path": sys.path,
            "hook": registration.is_installed(),
            "tasks": str(tasks),
            "reports": str(paths.reports_dir()),
            "yaml": sorted(p.relative_to(tasks).as_posix() for p in tasks.glob("*/*.yaml")),
            "jsonl": sorted(p.relative_to(tasks).as_posix() for p in tasks.glob("*/*.jsonl")),
            "templates": {n: _environment(n.split(".")[1]).get_template(n).filename
                          for n in ("report.html.j2", "report.md.j2")},
        }))
        """,
    )
    site = wheel_env.site.resolve()
    assert Path(out["file"]).resolve().is_relative_to(site), f"spin_eval imported from {out['file']}, not the wheel"
    assert not any(Path(p).resolve() == REPO_ROOT for p in out["sys_path"] if p), "the checkout is on sys.path"
    assert out["hook"], "the wheel's spin_eval_register.pth did not install the registry hook"
    assert Path(out["tasks"]) == site / "spin_eval" / "_tasks"
    assert Path(out["reports"]) == site / "spin_eval" / "_reports"
    checkout_tasks = REPO_ROOT / "tasks"
    assert out["yaml"] == sorted(p.relative_to(checkout_tasks).as_posix() for p in checkout_tasks.glob("*/*.yaml"))
    assert {j.split("/")[0] for j in out["jsonl"]} == set(TASK_FOLDERS)
    for name, filename in out["templates"].items():
        assert Path(filename) == site / "spin_eval" / "_reports" / name

    tasks_path = _run(wheel_env, [str(wheel_env.bin / "spin-eval"), "tasks", "path"]).stdout.strip()
    assert Path(tasks_path) == site / "spin_eval" / "_tasks"
    listed = _run(wheel_env, [str(wheel_env.bin / "spin-eval"), "tasks", "list"]).stdout
    assert TASK in listed and "spin_suite" in listed
    check = _run(wheel_env, [str(wheel_env.bin / "spin-eval"), "tasks", "generate", "--check"]).stdout
    assert check.count("ok ") == len(out["jsonl"]) and "DIFFERS" not in check
    assert str(site / "spin_eval" / "_tasks") in check


def test_fresh_interpreter_resolves_spin_hf_and_the_builtin_models(wheel_env):
    out = _python_json(
        wheel_env,
        """
        import inspect, json, sys
        from lm_eval.api.registry import get_model
        before = "spin_eval.adapter.spin_hf" in sys.modules
        names = {n: get_model(n) for n in ("hf", "huggingface", "dummy", "spin_hf")}
        print(json.dumps({
            "adapter_imported_before_use": before,
            "classes": {n: f"{c.__module__}:{c.__qualname__}" for n, c in names.items()},
            "spin_hf_file": inspect.getfile(names["spin_hf"]),
            "spin_hf_is_hf": issubclass(names["spin_hf"], names["hf"]),
        }))
        """,
    )
    assert not out["adapter_imported_before_use"], "importing lm-eval's registry imported the adapter eagerly"
    assert out["classes"]["hf"] == "lm_eval.models.huggingface:HFLM"
    assert out["classes"]["spin_hf"] == "spin_eval.adapter.spin_hf:SpinHFLM"
    assert out["spin_hf_is_hf"]
    assert Path(out["spin_hf_file"]).resolve().is_relative_to(wheel_env.site.resolve())


@pytest.fixture(scope="module")
def wheel_hand_mask(tiny_model_dir, tmp_path_factory) -> Path:
    return write_hand_mask(tiny_model_dir, tmp_path_factory.mktemp("wheel-mask") / "hand.safetensors")


@pytest.fixture(scope="module")
def lm_eval_runs(wheel_env, tiny_model_dir, wheel_hand_mask):
    """``form -> output folder`` of ``lm_eval [run] --model spin_hf`` over the installed tasks (run once each)."""
    done: dict[str, Path] = {}

    def run(form: str) -> Path:
        if form not in done:
            tasks = _run(wheel_env, [str(wheel_env.bin / "spin-eval"), "tasks", "path"]).stdout.strip()
            out = wheel_env.home / f"spin-{form}"
            cmd = [str(wheel_env.bin / "lm_eval")] + (["run"] if form == "run" else []) + [
                "--model", "spin_hf",
                "--model_args", f"pretrained={tiny_model_dir},mask={wheel_hand_mask},dtype=float32",
                "--tasks", TASK,
                "--include_path", tasks,
                "--limit", "2",
                "--device", "cpu",
                "--batch_size", "2",
                "--log_samples",
                "--output_path", str(out),
            ]  # fmt: skip
            _run(wheel_env, cmd)
            done[form] = out
        return done[form]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("form", ["run", "legacy"], ids=["lm_eval-run", "lm_eval-legacy"])
def test_lm_eval_console_script_runs_spin_hf_on_an_installed_task(form, lm_eval_runs, wheel_hand_mask):
    from spin_eval.spin.io import file_sha256

    out = lm_eval_runs(form)
    files = sorted(out.rglob("results_*.json"))
    assert len(files) == 1, f"expected one results file under {out}, found {files}"
    results = json.loads(files[0].read_text(encoding="utf-8"))
    assert results["config"]["model"] == "spin_hf"
    spin = results["config"]["spin"]
    assert spin["mode"] == "mask" and spin["mask_sha256"] == file_sha256(wheel_hand_mask)
    assert spin["mask_metadata"]["score_kind"] == "hand-made test fixture"
    metrics = results["results"][TASK]
    assert 0.0 <= metrics["acc,none"] <= 1.0 and "s_dis,none" in metrics
    assert results["n-samples"][TASK]["effective"] == 2
    samples = [json.loads(line) for f in out.rglob(f"samples_{TASK}_*.jsonl") for line in f.read_text().splitlines()]
    assert len(samples) == 2 and all("category" in s["doc"] for s in samples)


@pytest.mark.slow
def test_report_renders_from_the_installed_templates(wheel_env, lm_eval_runs):
    runs = [str(lm_eval_runs("legacy")), str(lm_eval_runs("run"))]
    for suffix, marker in (("html", "<html"), ("md", "spin-run")):
        report = wheel_env.home / f"report.{suffix}"
        _run(
            wheel_env,
            [str(wheel_env.bin / "spin-eval"), "report", *runs, "-o", str(report), "--baseline", "spin-legacy",
             "--resamples", "100", "--quiet"],
        )  # fmt: skip
        text = report.read_text(encoding="utf-8")
        assert marker in text and "spin-legacy" in text and TASK in text
