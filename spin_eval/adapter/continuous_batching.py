"""Continuous batching of greedy generation with prompt-prefix KV reuse (transformers' ``DynamicCache``).

``generate`` answers many prompts with one model, keeping up to ``max_rows`` of them in flight:

- **finished rows leave, waiting prompts take their place**: after every decode forward a row that produced
  an end-of-sequence id, reached its token budget, or whose answer ``is_final`` says can no longer change
  leaves the batch (``DynamicLayer`` rows dropped); once a quarter of the rows are free (or the batch is
  empty) waiting prompts are prefilled, at most ``prefill_rows`` per forward, and joined to the running
  cache (left-padded to a common width, padding masked by the 2D attention mask). Columns that became
  padding for every row are cut off on the left.
- **a shared prefix is computed once**: prompts are taken in token order, so prompts that start alike sit
  next to each other; a run of prompts sharing at least ``MIN_SHARED_PREFIX`` tokens (chosen so the tokens
  saved do not shrink, ``prefix_families``) has its common prefix run once at batch 1 and its KV cache
  placed in front of each member's suffix.

Every row keeps its own token ids and position ids (counted from its own first token), attends only to its
own tokens (everything else is masked), and is decoded by ``argmax`` over float32 logits of its last
position, as transformers' greedy ``generate`` does. The attention itself is the model's own code. What
cannot be the same bit for bit as ``hf``: which rows share a matmul and where padding sits, which may move
the last bit of a logit; a greedy token changes only on a near-tie (tests and the benchmark compare every
output with ``hf``'s).

The KV cache never holds more token slots than ``kv_budget`` (the caller passes ``hf``'s worst case,
``batch_size x max_length``), and prefill forwards take at most ``prefill_rows`` prompts (``hf``'s batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

#: Shortest common prefix (tokens) worth a separate forward.
MIN_SHARED_PREFIX = 8


@dataclass
class Generated:
    """One prompt's generated tokens and why generation stopped."""

    tokens: list[int]
    """Generated token ids (the end-of-sequence id included when it ended the row)."""
    reason: str
    """``eos`` (an end-of-sequence id), ``max`` (token budget reached) or ``final`` (``is_final`` said so)."""


@dataclass
class GenerateStats:
    """What a ``generate`` call ran (added up over calls)."""

    decode_rows: int = 0
    """Rows run through decode forwards (one row = one prompt in one forward of one new token)."""
    prefill_tokens: int = 0
    """Prompt tokens run through prefill forwards (shared prefixes counted once)."""
    prompt_tokens: int = 0
    """Prompt tokens of all prompts (what prefilling every prompt whole would run)."""
    forwards: int = 0
    """Model forwards (prefill and decode)."""
    max_rows: int = 0
    """Most rows in flight at once."""
    extra: dict = field(default_factory=dict)


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


def prefix_families(prompts: Sequence[Sequence[int]], order: Sequence[int], min_shared: int = MIN_SHARED_PREFIX) -> dict[int, tuple[int, int]]:
    """``{prompt index: (family id, shared prefix length)}`` for prompts taken in ``order`` (token-sorted).

    A family grows while adding the next prompt does not reduce the tokens it saves
    (``prefix x (members - 1)``); every member keeps at least one token of its own after the prefix.
    """
    out: dict[int, tuple[int, int]] = {}
    family: list[int] = []
    shared = 0

    def close():
        if len(family) > 1 and shared >= min_shared:
            for i in family:
                out[i] = (family[0], shared)

    for i in order:
        if family:
            candidate = min(shared, common_prefix([prompts[family[0]], prompts[i]]), len(prompts[i]) - 1)
            if candidate >= min_shared and candidate * len(family) >= shared * (len(family) - 1):
                family.append(i)
                shared = candidate
                continue
            close()
        family, shared = [i], len(prompts[i]) - 1
    close()
    return out


class _Batch:
    """The rows in flight: their cache, 2D attention mask, last position ids and last tokens."""

    def __init__(self, cache, mask, last_pos, next_tokens, ids: list[int]):
        self.cache, self.mask, self.last_pos, self.next_tokens, self.ids = cache, mask, last_pos, next_tokens, ids

    def select(self, keep: list[int]) -> None:
        import torch

        index = torch.tensor(keep, device=self.mask.device)
        self.cache.batch_select_indices(index)
        self.mask, self.last_pos, self.next_tokens = self.mask[index], self.last_pos[index], self.next_tokens[index]
        self.ids = [self.ids[k] for k in keep]
        used = self.mask.any(dim=0).nonzero()
        start = int(used[0]) if len(used) else 0
        if start:  # columns that are padding in every row
            self.mask = self.mask[:, start:]
            for layer in self.cache.layers:
                layer.keys, layer.values = layer.keys[:, :, start:], layer.values[:, :, start:]

    def join(self, other: "_Batch") -> None:
        import torch

        width = max(self.mask.shape[1], other.mask.shape[1])
        for mine, theirs in zip(self.cache.layers, other.cache.layers):
            mine.keys = torch.cat([_left_pad(mine.keys, width), _left_pad(theirs.keys, width)], dim=0)
            mine.values = torch.cat([_left_pad(mine.values, width), _left_pad(theirs.values, width)], dim=0)
        self.mask = torch.cat([_left_pad(self.mask, width, dim=1), _left_pad(other.mask, width, dim=1)], dim=0)
        self.last_pos = torch.cat([self.last_pos, other.last_pos])
        self.next_tokens = torch.cat([self.next_tokens, other.next_tokens])
        self.ids = self.ids + other.ids


def _left_pad(t, width: int, dim: int = 2):
    import torch

    missing = width - t.shape[dim]
    if missing <= 0:
        return t
    shape = list(t.shape)
    shape[dim] = missing
    return torch.cat([t.new_zeros(shape), t], dim=dim)


def _run_prefix(model, tokens: list[int], device, forward_context):
    import torch
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    with forward_context():
        model(input_ids=torch.tensor([tokens], device=device), position_ids=torch.arange(len(tokens), device=device)[None],
              cache=cache, use_cache=True, logits_to_keep=1)
    return cache


def _prefill(model, items: list[tuple[Any, int, list[int]]], pad_id: int, device, forward_context):
    """Prefill ``(prefix cache or None, prefix length, own tokens)`` rows; returns (logits, cache, mask, last_pos)."""
    import torch
    from transformers import DynamicCache

    n = len(items)
    width_p = max(p for _, p, _ in items)
    width_s = max(len(s) for _, _, s in items)
    cache = DynamicCache(config=model.config)
    mask_p = torch.zeros((n, width_p), dtype=torch.long, device=device)
    if width_p:
        for i, (_, p, _) in enumerate(items):
            mask_p[i, width_p - p :] = 1
        for layer_idx in range(len(items[0][0].layers) if items[0][0] is not None else 0):
            keys, values = [], []
            for prefix, _p, _ in items:
                layer = prefix.layers[layer_idx]
                keys.append(_left_pad(layer.keys, width_p))
                values.append(_left_pad(layer.values, width_p))
            cache.update(torch.cat(keys), torch.cat(values), layer_idx)
    ids = torch.full((n, width_s), pad_id, dtype=torch.long, device=device)
    mask_s = torch.zeros((n, width_s), dtype=torch.long, device=device)
    pos = torch.zeros((n, width_s), dtype=torch.long, device=device)
    for i, (_, p, own) in enumerate(items):
        ids[i, width_s - len(own) :] = torch.tensor(own, device=device)
        mask_s[i, width_s - len(own) :] = 1
        pos[i, width_s - len(own) :] = torch.arange(p, p + len(own), device=device)
    mask = torch.cat([mask_p, mask_s], dim=1)
    with forward_context():
        out = model(input_ids=ids, attention_mask=mask, position_ids=pos, cache=cache, use_cache=True,
                    logits_to_keep=1)
    return out.logits[:, -1], cache, mask, pos[:, -1:]


def generate(
    model: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new: int,
    eos: Sequence[int],
    pad_id: int,
    is_final: Callable[[list[int]], bool],
    forward_context: Callable[[], Any],
    max_rows: int,
    prefill_rows: int,
    kv_budget: int,
    prefix_reuse: bool = True,
    stats: GenerateStats | None = None,
) -> list[Generated]:
    """Greedy continuations of every prompt (non-empty token lists), at most ``max_new`` tokens each."""
    import torch

    stats = stats if stats is not None else GenerateStats()
    device = next(model.parameters()).device
    eos_set = set(int(e) for e in eos)
    order = sorted(range(len(prompts)), key=lambda i: list(prompts[i]))
    families = prefix_families(prompts, order) if prefix_reuse else {}
    remaining = {f: sum(1 for g, _ in families.values() if g == f) for f, _ in families.values()}
    prefix_caches: dict[int, Any] = {}
    generated: list[list[int]] = [[] for _ in prompts]
    result: list[Generated | None] = [None] * len(prompts)
    waiting = list(order)
    batch: _Batch | None = None
    stats.prompt_tokens += sum(len(p) for p in prompts)

    def finish(i: int, token: int) -> bool:
        generated[i].append(token)
        reason = "eos" if token in eos_set else "max" if len(generated[i]) >= max_new else (
            "final" if is_final(generated[i]) else None)
        if reason:
            result[i] = Generated(generated[i], reason)
        return reason is not None

    def admit(rows_now: int, width_now: int) -> list[int]:
        take: list[int] = []
        while waiting and rows_now + len(take) < max_rows and len(take) < prefill_rows:
            nxt = waiting[0]
            width = max([width_now, len(prompts[nxt])] + [len(prompts[j]) for j in take])
            if take or rows_now:
                if (rows_now + len(take) + 1) * (width + max_new) > kv_budget:
                    break
            take.append(waiting.pop(0))
        return take

    with torch.no_grad():
        while waiting or batch is not None:
            rows_now = 0 if batch is None else len(batch.ids)
            if waiting and (rows_now == 0 or max_rows - rows_now >= max(1, max_rows // 4)):
                take = admit(rows_now, 0 if batch is None else batch.mask.shape[1])
                if take:
                    items = []
                    for i in take:
                        fam = families.get(i)
                        if fam is None:
                            items.append((None, 0, list(prompts[i])))
                            continue
                        f, p = fam
                        if f not in prefix_caches:
                            prefix_caches[f] = _run_prefix(model, list(prompts[i][:p]), device, forward_context)
                            stats.prefill_tokens += p
                            stats.forwards += 1
                        items.append((prefix_caches[f], p, list(prompts[i][p:])))
                        remaining[f] -= 1
                    logits, cache, mask, last_pos = _prefill_mixed(model, items, pad_id, device, forward_context)
                    for f in [f for f, left in remaining.items() if left == 0 and f in prefix_caches]:
                        del prefix_caches[f]  # every member has its own copy now
                    stats.prefill_tokens += sum(len(it[2]) for it in items)
                    stats.forwards += 1
                    tokens = torch.argmax(logits.to(torch.float32), dim=-1)
                    keep = [k for k, (i, t) in enumerate(zip(take, tokens.tolist())) if not finish(i, t)]
                    if keep:
                        new = _Batch(cache, mask, last_pos, tokens, list(take))
                        if len(keep) < len(take):
                            new.select(keep)
                        if batch is None:
                            batch = new
                        else:
                            batch.join(new)
                    continue
            if batch is None:
                continue  # every admitted row finished on its first token
            batch.mask = torch.cat([batch.mask, batch.mask.new_ones((len(batch.ids), 1))], dim=1)
            batch.last_pos = batch.last_pos + 1
            stats.decode_rows += len(batch.ids)
            stats.max_rows = max(stats.max_rows, len(batch.ids))
            stats.forwards += 1
            with forward_context():
                out = model(input_ids=batch.next_tokens[:, None], attention_mask=batch.mask, position_ids=batch.last_pos,
                            cache=batch.cache, use_cache=True, logits_to_keep=1)
            batch.next_tokens = torch.argmax(out.logits[:, -1].to(torch.float32), dim=-1)
            keep = [k for k, (i, t) in enumerate(zip(batch.ids, batch.next_tokens.tolist())) if not finish(i, t)]
            if not keep:
                batch = None
            elif len(keep) < len(batch.ids):
                batch.select(keep)
    return result  # type: ignore[return-value]


def _prefill_mixed(model, items, pad_id, device, forward_context):
    """``_prefill`` for rows of which some have a prefix cache and some do not (those get an empty one)."""
    if all(it[0] is None for it in items) or all(it[0] is not None for it in items):
        return _prefill(model, items, pad_id, device, forward_context)
    template = next(it[0] for it in items if it[0] is not None)
    empty = _EmptyPrefix(template)
    return _prefill(model, [(it[0] if it[0] is not None else empty, it[1], it[2]) for it in items], pad_id, device,
                    forward_context)


class _EmptyPrefix:
    """A prefix cache of length 0 shaped like ``template`` (rows without a shared prefix)."""

    class _Layer:
        def __init__(self, keys, values):
            self.keys, self.values = keys, values

    def __init__(self, template):
        self.layers = [self._Layer(layer.keys[:, :, :0], layer.values[:, :, :0]) for layer in template.layers]
