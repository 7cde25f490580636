"""SpinHFLM in-process on the tiny Llama: masked logits, every request type, model info, bad input."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from adapter_support import hand_mask_indices, write_hand_mask  # noqa: E402

from spin_eval.errors import FingerprintMismatchError, InputError, MaskError, SpinEvalError  # noqa: E402

LL_REQUESTS = [("Question: What is the capital of France?\nAnswer:", " Paris"), ("The quick brown", " fox")]
ROLLING_TEXTS = ["Everyone deserves respect regardless of age, religion, gender or nationality."]
GEN_REQUESTS = [("Who was the engineer?", {"until": ["\n\n"], "max_gen_toks": 12, "do_sample": False})]


def _spin_lm(pretrained, **model_args):
    from spin_eval.adapter.spin_hf import SpinHFLM

    return SpinHFLM(pretrained=pretrained, device="cpu", dtype="float32", batch_size=1, **model_args)


def _hand_masked_model(tiny_model_dir):
    """The plain model with the fixture mask applied by hand (not through spin_eval.spin.mask)."""
    model, indices, _ = hand_mask_indices(tiny_model_dir)
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, idx in indices.items():
            params[name].data.view(-1)[idx] = 0.0
    return model.eval(), indices


def _requests(kind, args_list):
    from lm_eval.api.instance import Instance

    return [Instance(request_type=kind, doc={}, arguments=args, idx=i) for i, args in enumerate(args_list)]


def _run_all(lm):
    return (
        lm.loglikelihood(_requests("loglikelihood", LL_REQUESTS)),
        lm.loglikelihood_rolling(_requests("loglikelihood_rolling", [(t,) for t in ROLLING_TEXTS])),
        lm.generate_until(_requests("generate_until", GEN_REQUESTS)),
    )


@pytest.fixture(scope="module")
def masked_lm(tiny_model_dir, hand_mask):
    return _spin_lm(str(tiny_model_dir), mask=str(hand_mask))


def test_logits_equal_hand_masked_model_and_differ_from_unmasked(tiny_model_dir, masked_lm):
    from transformers import AutoModelForCausalLM

    ids = masked_lm.tokenizer("The woman was the engineer and the man was the nurse.", return_tensors="pt").input_ids
    by_hand, indices = _hand_masked_model(tiny_model_dir)
    plain = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        got = masked_lm.model(ids).logits
        want = by_hand(ids).logits
        unmasked = plain(ids).logits
    torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert (got - unmasked).abs().max().item() > 1e-4
    params = dict(masked_lm.model.named_parameters())
    for name, idx in indices.items():
        assert torch.count_nonzero(params[name].data.view(-1)[idx]) == 0


def test_every_request_type_sees_masked_weights(tiny_model_dir, masked_lm):
    from lm_eval.models.huggingface import HFLM

    # A pre-forward hook records, at each forward call, whether the masked entries are zero.
    _, indices = _hand_masked_model(tiny_model_dir)
    name = sorted(indices)[0]
    module = masked_lm.model.get_submodule(name.rsplit(".", 1)[0])
    seen: list[bool] = []
    handle = module.register_forward_pre_hook(
        lambda mod, args: seen.append(bool(torch.count_nonzero(mod.weight.view(-1)[indices[name]]) == 0))
    )
    try:
        got = _run_all(masked_lm)
    finally:
        handle.remove()
    assert seen and all(seen)

    by_hand, _ = _hand_masked_model(tiny_model_dir)
    want = _run_all(HFLM(pretrained=by_hand, tokenizer=masked_lm.tokenizer, batch_size=1))
    assert [ll for ll, _ in got[0]] == pytest.approx([ll for ll, _ in want[0]], abs=1e-5)  # loglikelihood
    assert [greedy for _, greedy in got[0]] == [greedy for _, greedy in want[0]]
    assert got[1] == pytest.approx(want[1], abs=1e-5)  # loglikelihood_rolling
    assert got[2] == want[2]  # generate_until (greedy)

    unmasked = _spin_lm(str(tiny_model_dir), spin="none")
    base = _run_all(unmasked)
    assert abs(got[0][0][0] - base[0][0][0]) > 1e-4
    assert abs(got[1][0] - base[1][0]) > 1e-4


def test_model_info_carries_mask_metadata(masked_lm, hand_mask):
    from spin_eval.spin.io import file_sha256

    spin = masked_lm.get_model_info()["spin"]
    assert spin["mode"] == "mask"
    assert spin["mask_path"] == str(hand_mask.resolve())
    assert spin["mask_sha256"] == file_sha256(hand_mask)
    assert spin["mask_metadata"]["total"] == sum(spin["mask_metadata"]["counts"].values()) > 0
    assert spin["mask_metadata"]["score_kind"] == "hand-made test fixture"
    json.dumps(spin)  # lm-eval writes it into results_*.json


def test_spin_none_is_the_unmodified_model(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    lm = _spin_lm(str(tiny_model_dir), spin="none")
    plain = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    for (name, p), (_, q) in zip(lm.model.named_parameters(), plain.named_parameters()):
        assert torch.equal(p, q), name
    expected = {"mode": "none", "mask_path": None, "mask_sha256": None, "mask_metadata": None}
    assert lm.get_model_info()["spin"] == expected


def test_mask_for_another_model_is_rejected_naming_the_arg(tiny_model_dir, tmp_path):
    from tiny_model import build_tiny_llama

    other = build_tiny_llama(tmp_path / "other", seed=1)  # same shapes, other weights
    mask = write_hand_mask(other, tmp_path / "other.safetensors", model_name="other-llama")
    with pytest.raises(FingerprintMismatchError, match=r"mask=.*other\.safetensors.*fingerprint"):
        _spin_lm(str(tiny_model_dir), mask=str(mask))
    # spin_force=true applies it anyway (weights differ harmlessly, e.g. another export)
    forced = _spin_lm(str(tiny_model_dir), mask=str(mask), spin_force="true")
    assert forced.get_model_info()["spin"]["mode"] == "mask"


def test_mask_with_other_shapes_is_rejected(tmp_path, tiny_model_dir):
    from tiny_model import build_tiny_llama

    wider = build_tiny_llama(tmp_path / "wide", intermediate_size=96)
    mask = write_hand_mask(wider, tmp_path / "wide.safetensors")
    with pytest.raises(MaskError, match=r"mask=.*wide\.safetensors"):
        _spin_lm(str(tiny_model_dir), mask=str(mask))


@pytest.mark.parametrize("content", [b"", b"not a safetensors file at all", None])
def test_unreadable_mask_is_rejected_before_loading_the_model(tmp_path, content, monkeypatch):
    from lm_eval.models.huggingface import HFLM

    path = tmp_path / "bad.safetensors"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(HFLM, "__init__", lambda *a, **k: pytest.fail("model loaded before the mask was checked"))
    with pytest.raises(MaskError, match=r"mask=.*bad\.safetensors"):
        _spin_lm("unused", mask=str(path))


def test_truncated_mask_is_rejected(tmp_path, hand_mask):
    path = tmp_path / "cut.safetensors"
    path.write_bytes(hand_mask.read_bytes()[:-40])
    with pytest.raises(MaskError, match="mask="):
        _spin_lm("unused", mask=str(path))


@pytest.mark.parametrize(
    ("model_args", "pattern"),
    [
        ({"spin_pp": 1e-3}, "unknown model_arg spin_pp"),
        ({"mask": "m.safetensors", "spin": "auto"}, "mask=m.safetensors and spin=auto conflict"),
        ({"mask": "m.safetensors", "spin": None}, "spin=none conflict"),
        ({"spin": "sometimes"}, "spin='sometimes' is not valid"),
        ({"spin": "mask"}, "spin=mask needs mask=PATH"),
        ({"spin_p": 1e-3}, "spin_p=0.001 only applies with spin=auto"),
        ({"spin": "auto", "spin_p": "lots"}, "spin_p='lots' is not valid"),
        ({"spin": "auto", "spin_p": 2.0}, "spin_p=2.0 is not valid"),
        ({"spin": "auto", "spin_nsamples": 1.5}, "spin_nsamples=1.5 is not valid"),
        ({"spin": "auto", "spin_chat_template": "maybe"}, "spin_chat_template='maybe' is not valid"),
        ({"spin": None, "spin_force": True}, "spin_force=true has no effect"),
    ],
)
def test_bad_model_args_raise_before_anything_loads(model_args, pattern, monkeypatch):
    from lm_eval.models.huggingface import HFLM

    monkeypatch.setattr(HFLM, "__init__", lambda *a, **k: pytest.fail("model loaded before the args were checked"))
    with pytest.raises(InputError, match=pattern):
        _spin_lm("unused", **model_args)


@pytest.mark.parametrize(
    "settings", [{"spin_target": "everything"}, {"spin_selection": "best"}, {"spin_nsamples": 0}]
)
def test_bad_spin_auto_settings_fail_before_the_model_loads(settings, monkeypatch):
    from lm_eval.models.huggingface import HFLM

    monkeypatch.setattr(HFLM, "__init__", lambda *a, **k: pytest.fail("model loaded before the settings were checked"))
    with pytest.raises(SpinEvalError, match=r"spin=auto settings \(model_args spin_\*\)"):
        _spin_lm("unused", spin="auto", spin_p=1e-2, **settings)


def test_pretrained_smollm2_goes_through_the_model_spec_resolver(tiny_model_dir, hand_mask, monkeypatch):
    import spin_eval.modelspec as modelspec

    calls = []

    def fake_resolve(spec, **kwargs):
        calls.append(spec)
        return modelspec.ModelSpec(spec, str(tiny_model_dir), None, "tiny", None, True)

    monkeypatch.setattr(modelspec, "resolve_model_spec", fake_resolve)
    lm = _spin_lm("smollm2", mask=str(hand_mask))
    assert calls == ["smollm2"]
    assert lm.get_model_info()["spin"]["mode"] == "mask"


def test_spin_auto_defaults_p_q_from_the_model(monkeypatch):
    from spin_eval.adapter.spin_hf import parse_spin_args, spin_config
    from spin_eval.spin.config import EMBEDDED_DEFAULT_RATIO, PAPER_RATIO

    embedded = spin_config(parse_spin_args({"spin": "auto"}), "smollm2")
    assert (embedded.p, embedded.q) == (EMBEDDED_DEFAULT_RATIO, EMBEDDED_DEFAULT_RATIO)
    hub = spin_config(parse_spin_args({"spin": "auto", "spin_q": 1e-6}), "Qwen/Qwen2-7B-Instruct")
    assert (hub.p, hub.q) == (PAPER_RATIO, 1e-6)
    assert spin_config(parse_spin_args({}), "smollm2") is None


def test_model_args_strings_from_the_cli_are_parsed():
    from lm_eval.utils import simple_parse_args_string

    from spin_eval.adapter.spin_hf import parse_spin_args

    kwargs = simple_parse_args_string(
        "pretrained=x,spin=auto,spin_p=1e-3,spin_q=2e-3,spin_nsamples=8,spin_seed=3,spin_general=123,"
        "spin_chat_template=true,spin_selection=reference,batch_size=2"
    )
    request = parse_spin_args(kwargs)
    assert request.mode == "auto"
    assert request.build == {
        "p": 1e-3,
        "q": 2e-3,
        "nsamples": 8,
        "seed": 3,
        "general": "123",
        "chat_template": True,
        "selection": "reference",
    }
    assert kwargs == {"pretrained": "x", "batch_size": 2}  # the rest goes to HFLM untouched
    assert parse_spin_args({"mask": "a.safetensors"}).mode == "mask"
    assert parse_spin_args({}).mode == "none"
    assert parse_spin_args({"spin": "NONE"}).mode == "none"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_cuda_mask_is_applied_on_the_device(tiny_model_dir, hand_mask, dtype):
    from spin_eval.adapter.spin_hf import SpinHFLM

    force = {"spin_force": "true"} if dtype != "float32" else {}  # the fixture mask hashes float32 weights
    lm = SpinHFLM(pretrained=str(tiny_model_dir), mask=str(hand_mask), device="cuda", dtype=dtype, **force)
    assert lm.model.device.type == "cuda"
    by_hand, indices = _hand_masked_model(tiny_model_dir)
    by_hand = by_hand.to(device="cuda", dtype=getattr(torch, dtype))
    ids = lm.tokenizer("Paris is the capital of France.", return_tensors="pt").input_ids.cuda()
    with torch.no_grad():
        torch.testing.assert_close(lm.model(ids).logits, by_hand(ids).logits, rtol=0, atol=0)
    params = dict(lm.model.named_parameters())
    for name, idx in indices.items():
        assert torch.count_nonzero(params[name].data.view(-1)[idx.cuda()]) == 0


def test_lower_precision_mismatch_explains_spin_force(tiny_model_dir, hand_mask):
    from spin_eval.adapter.spin_hf import SpinHFLM

    with pytest.raises(FingerprintMismatchError, match="spin_force=true is safe"):
        SpinHFLM(pretrained=str(tiny_model_dir), mask=str(hand_mask), device="cpu", dtype="bfloat16")
