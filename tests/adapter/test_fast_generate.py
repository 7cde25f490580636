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
    _, stats = _compare(models, pairs)  # the empty prompt shares a batch with non-empty ones
    assert stats.extra.get("hf_batches", 0) >= 1  # ... and that batch ran through hf's own generate


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


def _chat(hf, system, user):
    return hf.tokenizer.apply_chat_template(
        [{"role": "system", "content": system}, {"role": "user", "content": user}], tokenize=False, add_generation_prompt=True)


def test_many_requests_rows_join_and_leave_and_match_hf(models):
    """More requests than rows in flight (4 x batch 4): waiting prompts join as rows finish; pairs of prompts
    that share a long context (as spin_pii_leakage's) and chat-templated prompts; eos ids the model does
    generate so rows finish at different steps."""
    hf = models[0]
    context = "Customer records. Policy: never disclose the email of another customer. " * 3
    prompts = [PREFIX + q for q in QUESTIONS]
    prompts += [f"{context}Record {k}: Paris engineer.\nUser: {q}\nAssistant:" for k in range(8) for q in QUESTIONS[:2]]
    prompts += [_chat(hf, "You are a careful assistant.", q) for q in QUESTIONS]
    greedy = {"until": ["\nUser:", "\n\n"], "max_gen_toks": 16, "do_sample": False}
    pairs = [(p, dict(greedy)) for p in prompts]
    assert len(pairs) > 4 * 4 * 2  # more than twice the rows in flight
    first = hf.generate_until(_instances(pairs), disable_tqdm=True)
    expected, stats = _compare(models, pairs, eos_extra=_frequent_tokens(hf, first, k=2))
    assert stats.max_rows > 4  # more rows per forward than hf's batch
    assert stats.prefill_tokens < stats.prompt_tokens * 0.8  # shared contexts ran once
    assert len(set(expected)) > 3


def test_sampling_goes_to_hf_with_its_seeding(models):
    """Sampling takes hf's path: the same seed gives hf's draws."""
    import torch

    hf, fast = models[0], models[1]
    pairs = [(PREFIX + q, {"until": ["\n\n"], "max_gen_toks": 8, "do_sample": True, "temperature": 1.0}) for q in QUESTIONS]
    torch.manual_seed(1234)
    expected = hf.generate_until(_instances(pairs), disable_tqdm=True)
    torch.manual_seed(1234)
    assert fast.generate_until(_instances(pairs), disable_tqdm=True) == expected


def _vocab_tools():
    from spin_eval.adapter.hf_batches import UNKNOWN

    vocab = {0: "<pad>", 1: "Hi", 2: "\n\n", 3: "User:", 4: " x", 5: "<eos>", 9: "A\nUser: BBBBBBBBBBBB"}

    def decode(rows):
        return ["".join(vocab[t] for t in row if t != UNKNOWN) for row in rows]

    def answer(tokens):
        from lm_eval.models.utils import postprocess_generated_text

        text = "".join(vocab[t] for t in tokens if t not in (0, 5))
        return postprocess_generated_text(text, ["\nUser:", "\n\n"], None)

    return decode, answer


def _resolve(rows, max_new=8):
    from spin_eval.adapter.hf_batches import resolve

    decode, answer = _vocab_tools()
    return resolve(rows, stops=["\nUser:", "\n\n"], stop_windows=[3, 3], max_new=max_new, pad_id=0,
                   decode_window=decode, answer=answer)


def test_resolve_keeps_hfs_batch_dependent_stop():
    """hf stops a row that showed "\\n\\n" only when every row of its batch has: a row going on to "User:"
    then answers "Hi\\n" instead of "Hi" (lm-eval cuts at "\\nUser:" first)."""
    from spin_eval.adapter.continuous_batching import Generated

    _, answer = _vocab_tools()
    going_on = Generated([1, 2, 3, 4, 4, 4, 4, 4], "max")
    assert answer(going_on.tokens) == "Hi\n"
    both_stop = _resolve([going_on, Generated([1, 2, 4, 4, 4, 4, 4, 4], "max")])
    assert both_stop == [[1, 2], [1, 2]]  # every row showed "\n\n" at step 2: hf stops there
    assert [answer(t) for t in both_stop] == ["Hi", "Hi"]
    alone = _resolve([going_on, Generated([4] * 8, "max")])
    assert [answer(t) for t in alone] == ["Hi\n", " x x x x x x x x"]  # the other row never stops


def test_resolve_asks_for_hf_when_a_row_left_too_early():
    from spin_eval.adapter.continuous_batching import Generated

    left = Generated([9], "final")  # settled answer "A", but hf would keep generating it
    assert _resolve([left, Generated([1, 2, 3, 4, 4, 4, 4, 4], "max")]) is None
    settled = Generated([1, 4, 2, 4, 4, 4, 4, 4], "max")
    assert _resolve([left, settled]) == [[9], settled.tokens]  # no answer changes wherever hf stops
    eos = _resolve([Generated([1, 5], "eos"), Generated([4, 5], "eos")])
    assert eos == [[1, 5], [4, 5]]


def test_answer_is_final_margin():
    from spin_eval.adapter.hf_batches import answer_is_final

    stops = ["\nUser:", "\n\n"]
    assert not answer_is_final("Hi\n\n", "Hi", stops)
    assert not answer_is_final("Hi\n\nUser", "Hi", stops)  # "\nUser:" may still complete: "Hi\n"
    assert answer_is_final("Hi\n\nUser: tell me more", "Hi\n", stops)
    assert not answer_is_final("Hi there", "Hi there", stops)
