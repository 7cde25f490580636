"""The converted model cache: bytes overwritten at the same size, a truncated file, a missing file or an
older cache without digests are each reported in one line and converted again, never used silently."""

from __future__ import annotations

import json
import os

import pytest

from spin_eval import model_cache
from spin_eval.model_cache import CONVERTED_INFO_FILE, convert_gguf


@pytest.fixture()
def converted(tiny_model_dir, tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    calls = []

    def fake_gguf_loader(src_dir, name):
        calls.append(name)
        return AutoModelForCausalLM.from_pretrained(tiny_model_dir), AutoTokenizer.from_pretrained(tiny_model_dir)

    monkeypatch.setattr(model_cache, "_load_gguf", fake_gguf_loader)
    gguf = tmp_path / "fake.gguf"
    gguf.write_bytes(b"a fake gguf")
    out = convert_gguf(gguf)
    assert len(calls) == 1
    return gguf, out, calls


def test_every_written_file_is_recorded(converted):
    _, out, _ = converted
    files = json.loads((out / CONVERTED_INFO_FILE).read_text())["files"]
    assert set(files) == {p.name for p in out.iterdir() if p.name != CONVERTED_INFO_FILE}
    assert files["model.safetensors"]["size"] == (out / "model.safetensors").stat().st_size


def _overwrite_same_size(path, *, keep_mtime: bool):
    data = bytearray(path.read_bytes())
    data[-64:] = b"\x7f" * 64  # weight bytes: NaN-ish garbage, file size unchanged
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns if keep_mtime else stat.st_mtime_ns + 1))


@pytest.mark.parametrize("damage", ["overwrite", "overwrite-keeping-mtime", "truncate", "delete", "legacy"])
def test_damaged_cache_is_reported_in_one_line_and_rebuilt(converted, capsys, damage):
    gguf, out, calls = converted
    model_file = out / "model.safetensors"
    original = model_file.read_bytes()
    capsys.readouterr()
    if damage.startswith("overwrite"):
        _overwrite_same_size(model_file, keep_mtime=damage.endswith("mtime"))
    elif damage == "truncate":
        model_file.write_bytes(original[: len(original) // 2])
    elif damage == "delete":
        model_file.unlink()
    else:
        info = json.loads((out / CONVERTED_INFO_FILE).read_text())
        del info["files"]
        (out / CONVERTED_INFO_FILE).write_text(json.dumps(info))
    assert convert_gguf(gguf) == out
    assert len(calls) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if "is damaged (" in line]
    assert len(lines) == 1 and str(out) in lines[0]
    assert model_file.read_bytes() == original
    assert convert_gguf(gguf) == out and len(calls) == 2  # now intact: reused


def test_full_check_finds_a_change_outside_the_sampled_blocks(converted):
    from spin_eval.model_cache import cache_problem

    _, out, _ = converted
    model_file = out / "model.safetensors"
    info = json.loads((out / CONVERTED_INFO_FILE).read_text())
    stat = model_file.stat()
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2 + 12345] ^= 0xFF  # one bit pattern flipped, mtime restored: the full check finds it anywhere
    model_file.write_bytes(bytes(data))
    os.utime(model_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "sha256" in cache_problem(out, info, full=True)
