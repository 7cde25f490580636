"""spin_hf's fast greedy generation (spin_eval.adapter.fast_generate) against lm-eval's hf, token for token.

Both models share one tiny Llama, so any difference is the generation path's. The tiny model's own
end-of-sequence token is rare, so the tests add tokens it does generate to the generation config's
eos ids: rows then finish at different steps and leave the batch (the compaction path runs).
"""

from __future__ import annotations

import pytest

PREFIX = "<|im_start|>system\nAnswer the question about the capital of France and the engineer. " * 2
QUESTIONS = [
    "What is 2 plus 3?",
    "Who was the engineer?",
    "Paris is",
    "My email is",
    "The quick brown fox",
    "Everyone deserves",
    "Can't be",
    "Answer: yes",
    "I cannot share",
]


@pytest.fixture(scope="module")
def models(tiny_model_dir):
    import torch
    from lm_eval.models.huggingface import HFLM

    from spin_eval.adapter.spin_hf import SpinHFLM

    torch.manual_seed(0)
    hf = HFLM(pretrained=str(tiny_model_dir), device="cpu", dtype="float32", batch_size=4)
    _train_briefly(hf)
    common = {"tokenizer": hf.tokenizer, "device": "cpu", "batch_size": 4}
    fast = SpinHFLM(pretrained=hf.model, fast_generate=True, **common)
    no_prefix = SpinHFLM(pretrained=hf.model, fast_generate=True, generate_prefix_cache=False, **common)
    off = SpinHFLM(pretrained=hf.model, fast_generate=False, **common)
    return hf, fast, no_prefix, off


def _train_briefly(hf, steps: int = 40) -> None:
    """A few seeded Adam steps on the tiny corpus: the random model only repeats its last token, which
    would hide wrong positions or masks; the trained one continues text from its context."""
    import torch
    from tiny_model import _CORPUS

    torch.manual_seed(0)
    ids = hf.tokenizer(" ".join(_CORPUS[:9]), return_tensors="pt").input_ids
    opt = torch.optim.Adam(hf.model.parameters(), lr=1e-2)
    hf.model.train()
    for _ in range(steps):
        loss = hf.model(input_ids=ids, labels=ids).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    hf.model.eval()
    hf.model.requires_grad_(False)


def _instances(pairs):
    from lm_eval.api.instance import Instance

    return [Instance(request_type="generate_until", doc={}, arguments=args, idx=i) for i, args in enumerate(pairs)]


def _frequent_tokens(hf, outputs, k=3):
    """Token ids the model generates mid-answer (to serve as extra eos ids)."""
    from collections import Counter

    counts = Counter(t for o in outputs for t in hf.tokenizer.encode(o, add_special_tokens=False)[2:])
    return [t for t, _ in counts.most_common(k)]


def _compare(models, pairs, *, eos_extra=None):
    hf, fast, no_prefix, off = models
    config = hf.model.generation_config
    saved = config.eos_token_id
    try:
        if eos_extra:
            config.eos_token_id = [saved, *eos_extra]
        expected = hf.generate_until(_instances(pairs), disable_tqdm=True)
        from spin_eval.adapter.continuous_batching import GenerateStats

        fast.generate_stats = GenerateStats()
        got = {name: lm.generate_until(_instances(pairs), disable_tqdm=True)
               for name, lm in (("fast", fast), ("no_prefix", no_prefix), ("off", off))}
    finally:
        config.eos_token_id = saved
    for name, outs in got.items():
        assert outs == expected, name
    return expected, fast.generate_stats


def test_greedy_outputs_match_hf_and_rows_leave_the_batch(models):
    hf = models[0]
    plain = [(PREFIX + q, {"until": ["\n\n"], "max_gen_toks": 24, "do_sample": False}) for q in QUESTIONS]
    first, _ = _compare(models, plain)
    expected, stats = _compare(models, plain, eos_extra=_frequent_tokens(hf, first))
    assert stats.prefill_tokens < stats.prompt_tokens, stats  # the shared prefix ran once
    assert stats.decode_rows < len(plain) * 23, stats  # rows that stopped left the batch
    assert len(set(expected)) > 1


def test_stop_strings_that_split_across_tokens_match_hf(models):
    hf = models[0]
    base = [(PREFIX + q, {"until": ["\n\n"], "max_gen_toks": 20, "do_sample": False}) for q in QUESTIONS]
    first = hf.generate_until(_instances(base), disable_tqdm=True)
    stops = []
    for text in first:  # two characters straddling the first token boundary of each answer
        ids = hf.tokenizer.encode(text, add_special_tokens=False)
        if len(ids) > 2:
            head = hf.tokenizer.decode(ids[:1])
            stops.append(text[len(head) - 1 : len(head) + 1])
    stops = [s for s in stops if len(s) == 2][:3]
    assert stops
    pairs = [(PREFIX + q, {"until": stops + ["\n"], "max_gen_toks": 20, "do_sample": False}) for q in QUESTIONS]
    expected, _ = _compare(models, pairs, eos_extra=_frequent_tokens(hf, first, k=1))
    assert any(len(e) < len(f) for e, f in zip(expected, first))  # a stop string cut some answer


def test_edge_cases_match_hf(models):
    hf = models[0]
    long_prompt = "The quick brown fox jumps over the lazy dog. " * 120  # longer than max_length
    assert len(hf.tok_encode(long_prompt)) > hf.max_length
    greedy = {"until": ["\n\n"], "max_gen_toks": 12, "do_sample": False}
    pairs = [
        ("", greedy),
        (long_prompt, greedy),
        (PREFIX + "Paris is", greedy),
        ("Answer:", {"until": ["no"], "max_gen_toks": 5, "temperature": 0.0}),
    ]
    _compare(models, pairs)  # the empty prompt shares a batch with non-empty ones


def test_batch_of_only_empty_prompts_fails_as_in_hf(models):
    """A batch whose prompts are all empty has no tokens at all: hf's model call fails; spin_hf the same way."""
    pairs = [("", {"until": [], "max_gen_toks": 3, "do_sample": False})] * 2
    kinds = set()
    for lm in models:
        with pytest.raises((RuntimeError, IndexError)) as err:
            lm.generate_until(_instances(pairs), disable_tqdm=True)
        kinds.add((type(err.value), str(err.value)))
    assert len(kinds) == 1


def test_max_gen_toks_zero_fails_as_in_hf(models):
    """hf's transformers refuses to generate zero tokens (max_length == input length): spin_hf the same way."""
    pairs = [("Answer:", {"until": "yes", "max_gen_toks": 0, "do_sample": False})]
    messages = []
    for lm in models:
        with pytest.raises(ValueError) as err:
            lm.generate_until(_instances(pairs), disable_tqdm=True)
        messages.append(str(err.value))
    assert len(set(messages)) == 1 and "max_length" in messages[0]


def test_sampling_and_extra_kwargs_take_hfs_path(models):
    from spin_eval.adapter import fast_generate as fg

    hf, fast = models[0], models[1]
    assert fg.plain_reason({"do_sample": False}, 10, 100) is None
    assert fg.plain_reason({"do_sample": False, "temperature": 0.0}, 10, 100) is None
    assert fg.plain_reason({"do_sample": True}, 10, 100) == "sampling"
    assert fg.plain_reason({"do_sample": False, "temperature": 0.7}, 10, 100) == "sampling"
    assert "top_k" in fg.plain_reason({"do_sample": False, "top_k": 5}, 10, 100)
    assert fg.plain_reason({"do_sample": False}, 0, 100) == "max_gen_toks=0"
    assert fg.model_reason(fast) is None
    hf.model.generation_config.repetition_penalty = 1.3
    try:
        assert "repetition_penalty" in fg.model_reason(fast)
    finally:
        hf.model.generation_config.repetition_penalty = 1.0


def test_common_prefix():
    from spin_eval.adapter.continuous_batching import common_prefix

    assert common_prefix([[1, 2, 3], [1, 2, 4], [1, 2]]) == 2
    assert common_prefix([[1], [2]]) == 0
    assert common_prefix([[1, 2], [1, 2]]) == 2
    assert common_prefix([]) == 0
