"""Mask files and application: round trip, determinism, corrupt files, fingerprints, shards, cache."""

from __future__ import annotations

import json

import pytest
import torch

from spin_eval.errors import FingerprintMismatchError, InputError, MaskError
from spin_eval.spin import build
from spin_eval.spin.config import SpinConfig, default_ratio
from spin_eval.spin.io import load_mask, merge_score_files, save_mask, save_score_sums
from spin_eval.spin.mask import apply_mask, model_fingerprint


def _config(cal_files, **kw):
    base = dict(p=0.05, q=0.05, nsamples=4, general=str(cal_files["general"]),
                fairness=str(cal_files["fairness"]), privacy=str(cal_files["privacy"]))
    base.update(kw)
    return SpinConfig(**base)


@pytest.fixture()
def built(tiny_model64, cal_files):
    model, tok = tiny_model64
    return model, tok, build.build_mask(model, tok, _config(cal_files), progress=False)


def test_config_validation():
    with pytest.raises(InputError, match="SpinConfig.p"):
        SpinConfig(p=2.0)
    with pytest.raises(InputError, match="selection"):
        SpinConfig(selection="best")
    with pytest.raises(InputError, match="nsamples"):
        SpinConfig(nsamples=0)
    assert default_ratio("smollm2") > default_ratio("Qwen/Qwen2-7B") == 5e-7


def test_round_trip_and_metadata(built, tmp_path):
    model, _, mask = built
    assert mask.total > 0
    path = tmp_path / "m.safetensors"
    save_mask(mask, path)
    loaded = load_mask(path)
    assert set(loaded.indices) == set(mask.indices)
    for name in mask.indices:
        assert torch.equal(loaded.indices[name], mask.indices[name])
        assert loaded.shapes[name] == tuple(dict(model.named_parameters())[name].shape)
    meta = loaded.metadata
    assert meta["total"] == mask.total and meta["selection"] == "paper"
    assert meta["calibration"]["fairness"]["nsamples"] == 4
    assert meta["model_fingerprint"] == model_fingerprint(model, "mlp")
    assert json.loads(json.dumps(meta)) == meta


def test_two_builds_are_byte_identical(built, tiny_model64, cal_files, tmp_path):
    _, _, mask = built
    model2, tok2 = tiny_model64  # the same model, scored again from scratch
    again = build.build_mask(model2, tok2, _config(cal_files), progress=False)
    save_mask(mask, tmp_path / "a.safetensors")
    save_mask(again, tmp_path / "b.safetensors")
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    batched = build.build_mask(model2, tok2, _config(cal_files), batch_size=3, progress=False)
    save_mask(batched, tmp_path / "c.safetensors")  # the batch size is a runtime knob: same file
    assert (tmp_path / "c.safetensors").read_bytes() == (tmp_path / "a.safetensors").read_bytes()


def test_corrupt_and_truncated_files(built, tmp_path):
    _, _, mask = built
    path = tmp_path / "m.safetensors"
    save_mask(mask, path)
    data = path.read_bytes()
    (tmp_path / "t.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(MaskError, match="t.safetensors"):
        load_mask(tmp_path / "t.safetensors")
    (tmp_path / "g.safetensors").write_bytes(b"garbage" * 10)
    with pytest.raises(MaskError, match="corrupt"):
        load_mask(tmp_path / "g.safetensors")
    with pytest.raises(MaskError, match="does not exist"):
        load_mask(tmp_path / "absent.safetensors")
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(2)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(MaskError, match="not a spin-eval mask"):
        load_mask(tmp_path / "other.safetensors")


def test_apply_is_idempotent_and_restorable(built):
    model, _, mask = built
    params = dict(model.named_parameters())
    before = {n: params[n].detach().clone() for n in mask.indices}
    handle = apply_mask(model, mask)
    for name, idx in mask.indices.items():
        flat = params[name].detach().view(-1)
        assert bool((flat[idx] == 0).all())
        untouched = torch.ones(flat.numel(), dtype=torch.bool)
        untouched[idx] = False
        assert torch.equal(flat[untouched], before[name].view(-1)[untouched])
    again = apply_mask(model, mask)  # passes the fingerprint check although weights are now zeroed
    again.restore()
    handle.restore()
    for name in mask.indices:
        assert torch.equal(params[name].detach(), before[name])
    assert model_fingerprint(model) == mask.metadata["model_fingerprint"]


def test_fingerprint_mismatch(built, tiny_model_dir):
    from transformers import AutoModelForCausalLM

    _, _, mask = built
    other = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float64)
    with torch.no_grad():
        other.model.layers[0].mlp.up_proj.weight[0, 0] += 1.0
    with pytest.raises(FingerprintMismatchError, match="fingerprint"):
        apply_mask(other, mask)
    apply_mask(other, mask, check_fingerprint=False).restore()


def test_fingerprint_ignores_dtype(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    m32 = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    m64 = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float64)
    assert model_fingerprint(m32) == model_fingerprint(m64)
    assert model_fingerprint(m32, "attn") != model_fingerprint(m32, "mlp")


def test_shards_merge_to_unsharded(tiny_model64, cal_files, tmp_path):
    model, tok = tiny_model64
    config = _config(cal_files)
    full, meta = build.score_sums(model, tok, config, progress=False)
    paths = []
    for i in range(3):
        sums, smeta = build.score_sums(model, tok, config, shard=(i, 3), progress=False)
        paths.append(tmp_path / f"s{i}.safetensors")
        save_score_sums(sums, smeta, paths[-1])
    merged, mmeta = merge_score_files(list(reversed(paths)))
    assert mmeta["samples_scored"] == meta["samples_scored"] == {"general": 4, "fairness": 4, "privacy": 4}
    for s in full:
        for n in full[s]:
            assert torch.equal(merged[s][n], full[s][n])  # int64 grid sums: exact in any order
    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    a = build.mask_from_sums(model, full, config, **kw)
    b = build.mask_from_sums(model, merged, config, **kw)
    assert all(torch.equal(a.indices[n], b.indices[n]) for n in a.indices) and a.total > 0
    with pytest.raises(InputError, match="lack shard"):
        merge_score_files(paths[:2])
    with pytest.raises(InputError, match="both shard"):
        merge_score_files([paths[0], paths[0]])


def test_controls_have_spin_counts(tiny_model64, cal_files):
    model, tok = tiny_model64
    config = _config(cal_files)
    sums, meta = build.score_sums(model, tok, config, progress=False)
    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    spin = build.mask_from_sums(model, sums, config, **kw)
    rnd = build.mask_from_sums(model, sums, _config(cal_files, selection="random", control_seed=3), **kw)
    assert rnd.counts == spin.counts
    assert rnd.metadata["control_of"] == "paper" and rnd.metadata["control_seed"] == 3


def test_cache_hits_second_time(tiny_model64, cal_files, tmp_path, monkeypatch):
    from spin_eval.spin import scoring

    model, tok = tiny_model64
    config = _config(cal_files)
    mask, path = build.load_or_build_mask(model, tok, config, cache_dir=tmp_path, progress=False)
    assert path.is_file() and path.parent == tmp_path

    def boom(*a, **k):
        raise AssertionError("scored again despite a cached mask")

    monkeypatch.setattr(scoring, "gradient_sums", boom)
    mask2, path2 = build.load_or_build_mask(model, tok, config, cache_dir=tmp_path, progress=False)
    assert path2 == path and mask2.total == mask.total
    assert build.cache_key("f", config, {"general": {"sha256": "a"}}) != build.cache_key(
        "f", _config(cal_files, seed=1), {"general": {"sha256": "a"}}
    )


def _stored_metadata(path):
    from safetensors import safe_open

    from spin_eval.spin.io import MASK_METADATA_KEY

    with safe_open(str(path), framework="pt") as fh:
        return json.loads(fh.metadata()[MASK_METADATA_KEY])


def _rewrite_metadata(path, out, metadata):
    from safetensors import safe_open
    from safetensors.torch import save_file

    from spin_eval.spin.io import MASK_METADATA_KEY

    with safe_open(str(path), framework="pt") as fh:
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    save_file(tensors, str(out), metadata={MASK_METADATA_KEY: json.dumps(metadata)})


def test_the_file_stores_the_settings_once_and_older_files_with_copies_still_load(built, tmp_path):
    """Format 3: p, q, target, selection live only in the stored config; load_mask shows them at the top level
    through SpinConfig.from_dict. A format-2 file (top-level copies beside the config) loads to the same
    values; a copy that disagrees with the config, or a config with an unknown key, is one MaskError."""
    _, _, mask = built
    path = tmp_path / "m.safetensors"
    save_mask(mask, path)
    stored = _stored_metadata(path)
    assert stored["format_version"] == 3 and stored["config"]["p"] == 0.05
    assert not {"p", "q", "target", "selection", "control_seed"} & set(stored)
    view = load_mask(path).metadata
    assert (view["p"], view["q"], view["target"], view["selection"]) == (0.05, 0.05, "mlp", "paper")

    old = dict(stored, format_version=2, p=0.05, q=0.05, target="mlp", selection="paper")
    _rewrite_metadata(path, tmp_path / "old.safetensors", old)
    assert {k: load_mask(tmp_path / "old.safetensors").metadata[k] for k in ("p", "q", "target", "selection")} == \
        {k: view[k] for k in ("p", "q", "target", "selection")}

    _rewrite_metadata(path, tmp_path / "bad.safetensors", dict(old, q=0.5))
    with pytest.raises(MaskError, match="'q' = 0.5 disagrees with its config"):
        load_mask(tmp_path / "bad.safetensors")
    _rewrite_metadata(path, tmp_path / "unknown.safetensors", dict(stored, config={**stored["config"], "temperature": 1}))
    with pytest.raises(MaskError, match="'config' is not a SpinConfig.*temperature"):
        load_mask(tmp_path / "unknown.safetensors")


def test_a_control_mask_keeps_its_seed_once(built, tmp_path):
    model, _, mask = built
    control = build.control_mask(model, mask, "random", 7)
    path = tmp_path / "c.safetensors"
    save_mask(control, path)
    stored = _stored_metadata(path)
    assert stored["config"]["control_seed"] == 7 and "control_seed" not in stored and stored["control_of"] == "paper"
    loaded = load_mask(path).metadata
    assert (loaded["selection"], loaded["control_seed"]) == ("random", 7)
