"""End to end through the real ``lm_eval`` console script (fresh interpreters) with ``--model spin_hf``.

Tiny random Llama, a tiny local multiple-choice task, ``--limit 2``: each run takes seconds, but they start
lm-eval, torch and transformers from scratch, hence ``slow``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from adapter_support import REPO_ROOT, VENV_BIN, subprocess_env

pytestmark = pytest.mark.slow

LM_EVAL = VENV_BIN / "lm_eval"
TASK = "spin_adapter_tiny"


def _calibration_files(folder: Path) -> dict[str, str]:
    """Three tiny calibration sets (prompt/response JSONL), so spin=auto does not need the shipped ones."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in ("general", "fairness", "privacy"):
        path = folder / f"{name}.jsonl"
        rows = [{"prompt": f"{name} question {i}?", "response": f"A careful {name} answer {i}."} for i in range(4)]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        files[f"spin_{name}"] = str(path)
    return files


def _lm_eval(args: list[str], *, legacy: bool, cache: Path, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [str(LM_EVAL)] + ([] if legacy else ["run"]) + args
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(SPIN_EVAL_CACHE=str(cache)),
        timeout=600,
    )
    if check:
        assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr[-4000:]}"
    return proc


def _eval_args(model_args: str, task_dir: Path, out: Path) -> list[str]:
    return [
        "--model", "spin_hf",
        "--model_args", model_args,
        "--tasks", TASK,
        "--include_path", str(task_dir),
        "--limit", "2",
        "--device", "cpu",
        "--batch_size", "1",
        "--output_path", str(out),
    ]  # fmt: skip


def _results(out: Path) -> dict:
    files = sorted(out.rglob("results_*.json"))
    assert len(files) == 1, f"expected one results file under {out}, found {files}"
    return json.loads(files[0].read_text())


@pytest.mark.parametrize("legacy", [False, True], ids=["lm_eval-run", "lm_eval-legacy"])
def test_console_script_with_a_mask_file(legacy, tiny_model_dir, hand_mask, tiny_task_dir, tmp_path):
    from spin_eval.spin.io import file_sha256

    out = tmp_path / "out"
    _lm_eval(
        _eval_args(f"pretrained={tiny_model_dir},mask={hand_mask},dtype=float32", tiny_task_dir, out),
        legacy=legacy,
        cache=tmp_path / "cache",
    )
    results = _results(out)
    spin = results["config"]["spin"]
    assert spin["mode"] == "mask"
    assert spin["mask_sha256"] == file_sha256(hand_mask)
    assert spin["mask_path"] == str(hand_mask.resolve())
    assert spin["mask_metadata"]["score_kind"] == "hand-made test fixture"
    assert spin["mask_metadata"]["total"] > 0
    assert results["config"]["model"] == "spin_hf"
    assert "acc,none" in results["results"][TASK]


def test_console_script_spin_auto_builds_then_reuses_the_cached_mask(tiny_model_dir, tiny_task_dir, tmp_path):
    cal = _calibration_files(tmp_path / "cal")
    model_args = ",".join(
        [f"pretrained={tiny_model_dir}", "dtype=float32", "spin=auto", "spin_p=0.02", "spin_q=0.02", "spin_nsamples=3"]
        + [f"{k}={v}" for k, v in cal.items()]
    )
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    _lm_eval(_eval_args(model_args, tiny_task_dir, first), legacy=True, cache=cache)
    spin1 = _results(first)["config"]["spin"]
    assert spin1["mode"] == "auto"
    mask_file = Path(spin1["mask_path"])
    assert mask_file.parent == cache / "masks"
    assert spin1["mask_metadata"]["p"] == 0.02
    assert set(spin1["mask_metadata"]["calibration"]) == {"general", "fairness", "privacy"}
    stat1 = mask_file.stat()

    second = tmp_path / "second"
    _lm_eval(_eval_args(model_args, tiny_task_dir, second), legacy=False, cache=cache)
    spin2 = _results(second)["config"]["spin"]
    assert spin2 == spin1
    stat2 = mask_file.stat()
    assert (stat2.st_ino, stat2.st_mtime_ns) == (stat1.st_ino, stat1.st_mtime_ns), "second run rebuilt the mask"
    assert sorted(p.name for p in (cache / "masks").glob("*.safetensors")) == [mask_file.name]


def test_import_spin_eval_then_simple_evaluate(tiny_model_dir, hand_mask, tiny_task_dir, tmp_path):
    code = textwrap.dedent(
        f"""
        import json
        import spin_eval
        import lm_eval
        from lm_eval.tasks import TaskManager
        res = lm_eval.simple_evaluate(
            model="spin_hf",
            model_args="pretrained={tiny_model_dir},mask={hand_mask},dtype=float32,device=cpu",
            tasks=["{TASK}"],
            task_manager=TaskManager(include_path="{tiny_task_dir}"),
            limit=2,
        )
        print(json.dumps({{"spin": res["config"]["spin"]["mode"], "acc": res["results"]["{TASK}"]["acc,none"]}}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(SPIN_EVAL_CACHE=str(tmp_path / "cache")),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["spin"] == "mask" and 0.0 <= out["acc"] <= 1.0


def test_console_script_reports_bad_model_args(tiny_model_dir, tiny_task_dir, tmp_path):
    proc = _lm_eval(
        _eval_args(f"pretrained={tiny_model_dir},spin=auto,mask={tmp_path / 'm.safetensors'}", tiny_task_dir, tmp_path),
        legacy=False,
        cache=tmp_path / "cache",
        check=False,
    )
    assert proc.returncode != 0
    # one line naming the argument and the fix, no traceback (spin_hf's excepthook under lm_eval)
    assert "lm_eval: error:" in proc.stderr and "spin=auto conflict" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.rglob("results_*.json"))
