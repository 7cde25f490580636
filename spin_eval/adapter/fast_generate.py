"""Greedy generation for ``spin_hf``'s ``generate_until`` that skips the work ``hf`` throws away.

lm-eval's ``hf`` answers a batch of ``generate_until`` requests with one ``model.generate`` call over the
left-padded prompts (``HFLM._model_generate``). Two kinds of work in it never change an answer:

- **finished rows**: a row that produced the end-of-sequence token is padded by transformers with
  ``pad_token_id`` from then on, and a row whose answer showed a stop string keeps generating until
  every row of the batch has shown it; either way it stays in every decode forward until the whole
  batch stops (a batch runs as long as its longest answer). Here such rows leave the batch (the KV
  cache rows are dropped with ``Cache.batch_select_indices``) and are padded with ``pad_token_id``:
  lm-eval cuts every answer at its first stop string, so tokens after it never reach an output.
- **a shared prefix**: the prompts of a task share their instruction and few-shot turns. With
  ``prefix_cache`` the longest common prefix of the batch's prompts is run once (batch 1), its KV cache
  is repeated over the rows (``Cache.batch_repeat_interleave``), and only the differing suffixes are
  prefilled against it. The rows are laid out ``prefix | padding | suffix`` instead of
  ``padding | prefix | suffix``: every real token keeps its token id and position id and attends to
  exactly the same real tokens (padding is masked out), so the computation is the one ``hf`` does.

Everything else is ``hf``'s algorithm, step for step: greedy ``argmax`` over float32 logits of the last
position, position ids from the attention mask (``cumsum - 1``, padding at 0, then +1 per step), the same
stopping tests on the same token rows (transformers' end-of-sequence and max-length criteria,
lm-eval's ``MultiTokenEOSCriteria`` look-back window per stop string). The returned tensor holds the
prompt columns and the generated columns up to the last row's stop (finished rows padded); lm-eval's
post-processing (decode, cut at stop strings) is untouched.

What cannot be proven bit for bit: the floating-point summation order of a matmul may depend on the
number of rows (a batch of 8 vs the 3 rows left) and on where padding sits, exactly as ``hf`` at batch 1
and at batch 8 may differ in the last bit. A greedy answer changes only if two logits tie to that
precision; the tests and ``bench/bench_generate.py`` compare every output with ``hf``'s.

Requests this module does not take (``blocker`` says why, the caller falls back to ``hf``): sampling,
any generation kwarg other than ``do_sample``/``temperature``, a model generation config with logits
processors or extra stopping rules (repetition penalty, beams, min length, ...), no end-of-sequence or
pad token, an empty prompt batch, no room to generate, seq2seq models and prompt-learning adapters.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

#: Generation-config fields that add logits processors or stopping rules, with their neutral values.
_NEUTRAL_CONFIG: dict[str, tuple] = {
    "num_beams": (None, 1),
    "num_beam_groups": (None, 1),
    "num_return_sequences": (None, 1),
    "penalty_alpha": (None,),
    "repetition_penalty": (None, 1.0),
    "encoder_repetition_penalty": (None, 1.0),
    "no_repeat_ngram_size": (None, 0),
    "encoder_no_repeat_ngram_size": (None, 0),
    "bad_words_ids": (None,),
    "force_words_ids": (None,),
    "min_length": (None, 0),
    "min_new_tokens": (None,),
    "max_new_tokens": (None,),
    "forced_bos_token_id": (None,),
    "forced_eos_token_id": (None,),
    "suppress_tokens": (None,),
    "begin_suppress_tokens": (None,),
    "sequence_bias": (None,),
    "exponential_decay_length_penalty": (None,),
    "max_time": (None,),
    "stop_strings": (None,),
    "guidance_scale": (None, 1.0),
    "prompt_lookup_num_tokens": (None,),
    "watermarking_config": (None,),
    "dola_layers": (None,),
    "cache_implementation": (None, "dynamic"),
    "assistant_early_exit": (None,),
}

#: Generation kwargs lm-eval hands to ``_model_generate`` for a plain greedy request.
_GREEDY_KWARGS = {"attention_mask", "do_sample", "temperature"}

#: Shortest common prefix (tokens) worth a separate forward.
MIN_SHARED_PREFIX = 8


def eos_ids(model: Any) -> list[int]:
    """The end-of-sequence ids transformers' ``generate`` stops rows on (the model's generation config)."""
    eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if eos is None:
        return []
    return [int(e) for e in (eos if isinstance(eos, (list, tuple)) else [eos])]


def blocker(model: Any, backend: str, context: Any, max_length: int, kwargs: dict, pad_id: Any) -> str | None:
    """Why this ``_model_generate`` call must go to ``hf``'s ``model.generate`` (None: it can be sped up)."""
    if backend != "causal":
        return f"backend {backend}"
    if set(kwargs) - _GREEDY_KWARGS:
        return f"generation kwargs {sorted(set(kwargs) - _GREEDY_KWARGS)}"
    if kwargs.get("do_sample") is not False:
        return "sampling"
    peft_config = getattr(model, "peft_config", None) or {}
    if any(getattr(c, "is_prompt_learning", False) for c in peft_config.values()):
        return "prompt-learning adapter"
    config = getattr(model, "generation_config", None)
    for name, neutral in _NEUTRAL_CONFIG.items():
        if getattr(config, name, None) not in neutral:
            return f"generation_config.{name}={getattr(config, name)!r}"
    if not eos_ids(model) or pad_id is None:
        return "no end-of-sequence or pad token"
    if context.ndim != 2 or context.shape[1] == 0:
        return "empty prompt batch"
    if max_length <= context.shape[1]:
        return "no new tokens requested"
    return None


def common_prefix(rows: Sequence[Sequence[int]]) -> int:
    """Length of the longest token prefix shared by every row."""
    if not rows:
        return 0
    first, n = rows[0], min(len(r) for r in rows)
    for i in range(n):
        tok = first[i]
        if any(r[i] != tok for r in rows):
            return i
    return n


class StopStrings:
    """lm-eval's ``MultiTokenEOSCriteria`` for every stop string, per row.

    A row is done once the decoded (specials kept) last ``len(encode(s)) + 2`` generated tokens of one
    of its stop strings contain it, the same look-back window ``hf`` checks. ``hf`` keeps such a row
    running until every row has shown the same string; the tokens it adds come after the stop string
    and lm-eval's post-processing cuts them off, so here the row leaves the batch at once.
    """

    def __init__(self, tokenizer: Any, stops: Sequence[str]):
        self.tokenizer = tokenizer
        self.stops = [(s, len(tokenizer.encode(s, add_special_tokens=False)) + 2) for s in stops]

    def done_rows(self, generated: list[list[int]], rows: Sequence[int]) -> set[int]:
        """The rows of ``rows`` whose look-back window shows a stop string."""
        done: set[int] = set()
        for seq, look in self.stops:
            todo = [i for i in rows if i not in done]
            if not todo:
                break
            texts = self.tokenizer.batch_decode([generated[i][-look:] for i in todo])
            done.update(i for i, text in zip(todo, texts) if seq in text)
        return done


def greedy_generate(
    model: Any,
    tokenizer: Any,
    context: Any,
    attention_mask: Any,
    *,
    max_length: int,
    stop: Sequence[str],
    pad_id: int,
    forward_context: Callable[[], Any],
    prefix_cache: bool = True,
    stats: dict | None = None,
):
    """``hf``'s greedy ``generate`` result for left-padded ``context`` (see the module docstring).

    Returns a ``[rows, prompt + generated]`` LongTensor like ``model.generate``. ``stats`` (optional) gets
    ``decode_rows`` (rows run through decode forwards), ``padded_rows`` (rows a batch that keeps finished rows would have run over the same steps) and
    ``prefix_tokens`` (shared prefix length used, 0 if none) added.
    """
    import torch
    from transformers import DynamicCache

    device = context.device
    n_rows, width = context.shape
    mask = attention_mask.to(device=device, dtype=torch.long)
    padded = not bool((mask == 1).all())  # hf drops an all-ones mask (no padding anywhere) for the whole call
    eos = torch.tensor(eos_ids(model), device=device)
    rows = [context[i, width - int(mask[i].sum()) :].tolist() for i in range(n_rows)]
    shared = min(common_prefix(rows), min(len(r) for r in rows) - 1) if prefix_cache and n_rows > 1 else 0
    if shared < MIN_SHARED_PREFIX or not prefix_layout_ok(model):
        shared = 0
    cache = DynamicCache(config=model.config)
    with torch.no_grad(), forward_context():
        if shared:
            prefix = torch.tensor([rows[0][:shared]], device=device)
            model(input_ids=prefix, attention_mask=None, position_ids=torch.arange(shared, device=device)[None],
                  cache=cache, use_cache=True, logits_to_keep=1)
            cache.batch_repeat_interleave(n_rows)
            suffix_width = max(len(r) for r in rows) - shared
            suffix = torch.full((n_rows, suffix_width), pad_id, dtype=torch.long, device=device)
            suffix_mask = torch.zeros((n_rows, suffix_width), dtype=torch.long, device=device)
            for i, r in enumerate(rows):
                tail = r[shared:]
                suffix[i, suffix_width - len(tail) :] = torch.tensor(tail, device=device)
                suffix_mask[i, suffix_width - len(tail) :] = 1
            mask = torch.cat([torch.ones((n_rows, shared), dtype=torch.long, device=device), suffix_mask], dim=1)
            inputs = suffix
        else:
            inputs = context
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        out = model(input_ids=inputs, attention_mask=mask if padded else None, position_ids=positions[:, -inputs.shape[1] :],
                    cache=cache, use_cache=True, logits_to_keep=1)
        last_pos = positions[:, -1:]
        generated: list[list[int]] = [[] for _ in range(n_rows)]
        active = list(range(n_rows))  # rows still in the batch (not finished)
        criteria = StopStrings(tokenizer, stop)
        decode_rows = padded_rows = 0
        length = width
        while True:
            next_tokens = torch.argmax(out.logits[:, -1].to(dtype=torch.float32), dim=-1)
            length += 1
            token_list = next_tokens.tolist()
            is_eos = torch.isin(next_tokens, eos).tolist()
            for k, i in enumerate(active):
                generated[i].append(token_list[k])
            if length >= max_length:
                break
            stopped = criteria.done_rows(generated, [i for k, i in enumerate(active) if not is_eos[k]])
            keep = [k for k, i in enumerate(active) if not is_eos[k] and i not in stopped]
            if not keep:
                break
            if len(keep) < len(active):
                index = torch.tensor(keep, device=device)
                cache.batch_select_indices(index)
                mask, last_pos, next_tokens = mask[index], last_pos[index], next_tokens[index]
                active = [active[k] for k in keep]
            mask = torch.cat([mask, mask.new_ones((len(active), 1))], dim=1)
            last_pos = last_pos + 1
            decode_rows += len(active)
            padded_rows += n_rows
            out = model(input_ids=next_tokens[:, None], attention_mask=mask if padded else None, position_ids=last_pos,
                        cache=cache, use_cache=True, logits_to_keep=1)
        steps = len(max(generated, key=len))
        generated = [g + [pad_id] * (steps - len(g)) for g in generated]
    if stats is not None:
        stats["decode_rows"] = stats.get("decode_rows", 0) + decode_rows
        stats["padded_rows"] = stats.get("padded_rows", 0) + padded_rows
        stats["prefix_tokens"] = stats.get("prefix_tokens", 0) + shared
    new = torch.tensor(generated, dtype=context.dtype, device=device)
    return torch.cat([context, new], dim=1)


def prefix_layout_ok(model: Any) -> bool:
    """Whether padding may sit between the shared prefix and a row's suffix (2D-mask attention, no
    sliding window: the window would count the padding)."""
    config = getattr(model, "config", None)
    attn = getattr(config, "_attn_implementation", None) or "eager"
    if attn not in ("sdpa", "eager"):
        return False
    return getattr(config, "sliding_window", None) is None and "sliding_attention" not in (
        getattr(config, "layer_types", None) or ()
    )
