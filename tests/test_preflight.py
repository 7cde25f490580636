"""Fail fast: files, devices and the hub are checked before any model load, in one line (spin_eval.preflight)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from spin_eval import preflight as pf
from spin_eval.cli import main
from spin_eval.errors import InputError, ModelSpecError

REPO = Path(__file__).resolve().parent.parent


def _no_model_load(monkeypatch):
    """Any model load would fail the test: preflight must stop first."""
    import spin_eval.modelspec as modelspec

    def boom(*a, **k):  # pragma: no cover - reached only when preflight misses
        raise AssertionError("a model was loaded before the preflight checks")

    monkeypatch.setattr(modelspec, "load_model_and_tokenizer", boom)


def test_hub_id_offline_not_cached_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    _no_model_load(monkeypatch)
    assert main(["mask", "build", "--model", "ORG/MODEL", "-o", str(tmp_path / "m.safetensors")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--model ORG/MODEL" in err and "HF_HUB_OFFLINE" in err and "huggingface-cli download ORG/MODEL" in err


def test_missing_calibration_file_and_absent_cuda_come_first(monkeypatch, tmp_path, capsys):
    _no_model_load(monkeypatch)
    assert main(["mask", "build", "--model", "ORG/MODEL", "--general", "g.csv", "--device", "cuda",
                 "-o", str(tmp_path / "m.safetensors")]) == 2
    assert "--general g.csv: does not exist" in capsys.readouterr().err
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    assert main(["mask", "build", "--model", "smollm2", "--device", "cuda", "-o", str(tmp_path / "m.safetensors")]) == 2
    assert "--device cuda: no CUDA device is visible" in capsys.readouterr().err


def test_run_and_export_check_before_loading(monkeypatch, tmp_path, capsys):
    _no_model_load(monkeypatch)
    monkeypatch.setattr("spin_eval.run.main.run_pipeline",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("pipeline started")))
    assert main(["run", "--mask", str(tmp_path / "nope.safetensors"), "-o", str(tmp_path / "o")]) == 2
    assert "--mask" in capsys.readouterr().err
    assert main(["run", "--judge", "ORG/JUDGE", "-o", str(tmp_path / "o")]) == 2
    assert "--judge ORG/JUDGE: hub model not in the local Hugging Face cache" in capsys.readouterr().err
    assert main(["export", "--model", "ORG/MODEL", "--mask", str(tmp_path / "m.safetensors"),
                 "-o", str(tmp_path / "x")]) == 2
    assert "--mask" in capsys.readouterr().err


def test_unreachable_hub_is_detected_without_waiting(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelSpecError, match="unreachable"):
        pf.check_hub_model("ORG/MODEL", probe=lambda: False)
    pf.check_hub_model("ORG/MODEL", probe=lambda: True)  # reachable: transformers downloads it
    pf.check_hub_model("smollm2", probe=lambda: False)  # local specs are never probed
    pf.check_hub_model(str(tmp_path), probe=lambda: False)


def test_cached_hub_model_goes_offline_when_hub_unreachable(monkeypatch, tmp_path, capsys):
    import huggingface_hub.constants as constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    snap = tmp_path / "hub" / "models--ORG--MODEL" / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (tmp_path / "hub" / "models--ORG--MODEL" / "refs").mkdir()
    (tmp_path / "hub" / "models--ORG--MODEL" / "refs" / "main").write_text("a" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert pf.cached_on_disk("ORG/MODEL")
    pf.check_hub_model("ORG/MODEL", probe=lambda: False)  # cached: no error
    pf.offline_if_unreachable({"--model": "ORG/MODEL"}, probe=lambda: False)
    assert constants.HF_HUB_OFFLINE is True
    assert "the hub is unreachable; using the cached copies of ORG/MODEL" in capsys.readouterr().err


@pytest.mark.parametrize(("spec", "hub"), [("ORG/MODEL", True), ("smollm2", False), ("./x", False),
                                           ("a/b/c", False), ("m.gguf", False), ("g.csv", False)])
def test_looks_like_hub_id(spec, hub):
    assert pf.looks_like_hub_id(spec) is hub


def test_check_device_names_the_flag():
    pf.check_device("cpu")
    with pytest.raises(InputError, match="--device gpu0: unknown device"):
        pf.check_device("gpu0")


def test_spin_hf_bad_model_arg_is_one_line_without_traceback(tmp_path):
    """Through the adapter as lm_eval's CLI uses it: an uncaught SpinEvalError prints one line."""
    code = ("from spin_eval.adapter.spin_hf import SpinHFLM\n"
            "SpinHFLM(pretrained='smollm2', spin='auto', spin_p='abc')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**__import__("os").environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("lm_eval: error:")]
    assert lines == ["lm_eval: error: spin_hf model_arg spin_p='abc' is not valid: expected a ratio in [0, 1], e.g. 5e-7"]


def test_spin_hf_offline_hub_model_fails_before_loading(monkeypatch, tmp_path):
    from spin_eval.adapter.spin_hf import SpinHFLM

    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelSpecError, match="model_arg pretrained=ORG/MODEL: hub model not in the local"):
        SpinHFLM(pretrained="ORG/MODEL", spin="auto")
    with pytest.raises(InputError, match="spin_general=missing.csv: does not exist"):
        SpinHFLM(pretrained="ORG/MODEL", spin="auto", spin_general="missing.csv")


def test_metadata_notice_is_dropped_for_spin_tasks_only(caplog):
    import spin_eval.taskdata  # noqa: F401 - installs the filter

    log = logging.getLogger("lm_eval.api.task")
    with caplog.at_level(logging.WARNING, logger="lm_eval.api.task"):
        log.warning("spin_bbq_mini: Custom kwargs can be passed to `--metadata` in console (as json string)")
        log.warning("other_task: Custom kwargs can be passed to `--metadata` in console (as json string)")
        log.warning("spin_bbq_mini: something real went wrong")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["other_task: Custom kwargs can be passed to `--metadata` in console (as json string)",
                        "spin_bbq_mini: something real went wrong"]

