"""`spin-eval export`: a standard HF checkpoint whose outputs equal the model with the mask applied."""

from __future__ import annotations

import json
import os

import pytest
import torch

from spin_eval import __version__
from spin_eval.cli import main as cli_main
from spin_eval.constants import MASK_FORMAT_VERSION
from spin_eval.errors import FingerprintMismatchError, InputError, MaskError
from spin_eval.export import EXPORT_INFO_FILE, export_masked_checkpoint, render_model_card

# A few loglikelihood requests in the tiny tokenizer's vocabulary.
REQUESTS = [
    ("The quick brown fox", " jumps over the lazy dog."),
    ("What is 2 plus 3?", " The answer is 5."),
    ("My email is", " jane.doe@example.com"),
]


def _tiny(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(tiny_model_dir)


def _make_mask(model, path, *, per_matrix=40, seed=0):
    """A hand-made mask: ``per_matrix`` seeded random entries of every MLP weight, saved with spin.io."""
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask, model_fingerprint, target_linears

    gen = torch.Generator().manual_seed(seed)
    indices, shapes = {}, {}
    for name, module in target_linears(model, "mlp").items():
        numel = module.weight.numel()
        indices[name] = torch.randperm(numel, generator=gen)[:per_matrix].sort().values.to(torch.int64)
        shapes[name] = tuple(module.weight.shape)
    counts = {n: int(i.numel()) for n, i in indices.items()}
    metadata = {
        "format_version": MASK_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "model_name": "tiny-llama",
        "model_fingerprint": model_fingerprint(model, "mlp"),
        "p": 0.1,
        "q": 0.2,
        "target": "mlp",
        "selection": "random",
        "score_kind": "test",
        "calibration": {},
        "counts": counts,
        "total": sum(counts.values()),
        "numel_total": sum(int(torch.tensor(s).prod()) for s in shapes.values()),
    }
    mask = SpinMask(indices=indices, shapes=shapes, metadata=metadata)
    save_mask(mask, path)
    return mask


def _loglikelihoods(lm):
    from lm_eval.api.instance import Instance

    instances = [
        Instance(request_type="loglikelihood", doc={}, arguments=req, idx=i) for i, req in enumerate(REQUESTS)
    ]
    return [ll for ll, _ in lm.loglikelihood(instances, disable_tqdm=True)]


@pytest.fixture(scope="module")
def exported(tiny_model_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    model, _ = _tiny(tiny_model_dir)
    mask_path = root / "mask.safetensors"
    mask = _make_mask(model, mask_path)
    out = root / "out"
    rc = cli_main(["export", "--model", str(tiny_model_dir), "--mask", str(mask_path), "-o", str(out)])
    assert rc == 0
    return out, mask_path, mask


def test_export_writes_standard_checkpoint_with_card(exported):
    out, mask_path, mask = exported
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md", EXPORT_INFO_FILE} <= names
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.")], "temp folder left behind"
    from spin_eval.spin.io import file_sha256

    sha = file_sha256(mask_path)
    info = json.loads((out / EXPORT_INFO_FILE).read_text())
    assert info["mask_sha256"] == sha and info["zeroed"] == mask.total == 2 * 3 * 40  # layers x MLP matrices x per_matrix
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's owner-only 0700
    assert (out / "model.safetensors").stat().st_mode & 0o777 == 0o666 & ~umask
    card = (out / "README.md").read_text()
    assert sha in card and mask_path.name in card and "lm_eval --model hf" in card


def test_exported_weights_are_zero_exactly_where_masked(exported, tiny_model_dir):
    from safetensors.torch import load_file

    out, _, mask = exported
    saved = load_file(out / "model.safetensors")
    original = load_file(tiny_model_dir / "model.safetensors")
    for name, tensor in saved.items():
        if name in mask.indices:
            expected = original[name].clone().view(-1)
            expected[mask.indices[name]] = 0
            assert torch.equal(tensor.view(-1), expected), name
            assert int((original[name].view(-1)[mask.indices[name]] != 0).sum()) == mask.counts[name]
        else:
            assert torch.equal(tensor, original[name]), name


def test_hf_loglikelihoods_of_export_equal_hand_masked_model(exported, tiny_model_dir):
    from lm_eval.models.huggingface import HFLM

    from spin_eval.spin.mask import apply_mask

    out, _, mask = exported
    exported_ll = _loglikelihoods(HFLM(pretrained=str(out), batch_size=1, device="cpu"))

    model, tok = _tiny(tiny_model_dir)
    plain_ll = _loglikelihoods(HFLM(pretrained=model, tokenizer=tok, batch_size=1, device="cpu"))
    apply_mask(model, mask)
    masked_ll = _loglikelihoods(HFLM(pretrained=model, tokenizer=tok, batch_size=1, device="cpu"))

    assert exported_ll == pytest.approx(masked_ll, rel=1e-6, abs=1e-6)
    assert any(abs(a - b) > 1e-6 for a, b in zip(exported_ll, plain_ll)), "mask changed nothing"


def test_hf_loglikelihoods_of_export_equal_spin_hf(exported):
    spin_hf = pytest.importorskip("spin_eval.adapter.spin_hf")
    from lm_eval.models.huggingface import HFLM

    out, mask_path, _ = exported
    base_dir = json.loads((out / EXPORT_INFO_FILE).read_text())["base_model_spec"]
    exported_ll = _loglikelihoods(HFLM(pretrained=str(out), batch_size=1, device="cpu"))
    spin_ll = _loglikelihoods(
        spin_hf.SpinHFLM(pretrained=base_dir, mask=str(mask_path), batch_size=1, device="cpu")
    )
    assert exported_ll == pytest.approx(spin_ll, rel=1e-6, abs=1e-6)


def test_export_refuses_nonempty_output_unless_forced(exported, tiny_model_dir):
    out, mask_path, _ = exported
    with pytest.raises(InputError, match="--force"):
        export_masked_checkpoint(str(tiny_model_dir), mask_path, out)
    result = export_masked_checkpoint(str(tiny_model_dir), mask_path, out, force=True)
    assert (result.out_dir / "model.safetensors").is_file()
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".out.tmp", ".out.old"))]


def test_export_rejects_mask_for_other_model_and_corrupt_mask(tiny_model_dir, tmp_path):
    from tiny_model import build_tiny_llama

    other_dir = build_tiny_llama(tmp_path / "other", seed=1)
    model, _ = _tiny(tiny_model_dir)
    mask_path = tmp_path / "mask.safetensors"
    _make_mask(model, mask_path)
    with pytest.raises(FingerprintMismatchError):
        export_masked_checkpoint(str(other_dir), mask_path, tmp_path / "o1")
    assert not (tmp_path / "o1").exists()

    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(mask_path.read_bytes()[:50])
    assert cli_main(["export", "--model", str(tiny_model_dir), "--mask", str(bad), "-o", str(tmp_path / "o2")]) == 2
    with pytest.raises(MaskError):
        export_masked_checkpoint(str(tiny_model_dir), bad, tmp_path / "o2")
    assert not (tmp_path / "o2").exists()


def test_model_card_names_control_masks():
    info = {
        "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct", "spin_eval_version": "0", "zeroed": 7,
        "mask_file": "m.safetensors", "mask_sha256": "ab" * 32, "dtype": "float32",
        "mask_metadata": {"selection": "random", "control_of": "paper", "control_seed": 3, "p": 1e-4, "q": 1e-4,
                          "total": 7, "numel_total": 100,
                          "calibration": {"general": {"name": "general.jsonl", "sha256": "cd" * 32, "nsamples": 8, "seed": 0}}},
    }
    card = render_model_card(info)
    assert card.startswith("---\nbase_model: HuggingFaceTB/SmolLM2-135M-Instruct\n")
    assert "control of paper, seed 3" in card and "0.0001 / 0.0001" in card and "general.jsonl" in card
