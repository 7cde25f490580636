"""Shared-prefix scoring of log-likelihood requests: each distinct context is run once per packed row.

lm-eval's ``hf`` model feeds ``(context + continuation)[-(max_length + 1):][:-1]`` for every request and
reads the log-probabilities of the continuation off the last ``len(continuation)`` positions, so a
multiple-choice item with k answers recomputes its context k times. Here the requests of one call are
grouped by their *effective* context (the context tokens that ``hf`` would actually feed after its left
truncation at ``max_length``), and every group becomes one packed row::

    row        c0 c1 c2 c3 | a0 a1 | b0 | d0 d1 d2        (continuations a, b, d without their last token)
    positions   0  1  2  3 |  4  5 |  4 |  4  5  6
    attends     causal ctx | ctx + own segment, causally

with a 4D attention mask (each continuation segment sees the whole context and itself, never another
segment) and explicit position ids (each segment continues from the context's length), so every scored
position sees exactly the tokens and positions it sees in ``hf``'s separate sequence. The logits of the
last context token predict every continuation's first token; segment position i predicts token i+1.
Only the scored positions go through the output head (``logits_to_keep``).

Rows never exceed ``max_length`` tokens (a group too large for one row is split over several rows, each
repeating the context), and rows are built independently of the batch size, so results do not depend on
it. This module is pure planning plus one ``score_rows`` function that runs the model; it touches no
files and knows nothing of lm-eval's request objects.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

#: Attention implementations that accept a custom 4D mask (bool for sdpa, additive float for eager).
MASKABLE_ATTENTION = ("sdpa", "eager")

logger = logging.getLogger(__name__)


@dataclass
class Member:
    """One distinct continuation in a row, and the indices of the requests asking for it."""

    continuation: tuple[int, ...]
    request_indices: list[int] = field(default_factory=list)


@dataclass
class Row:
    """A context and the continuations scored against it in one packed sequence."""

    context: tuple[int, ...]
    members: list[Member] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Tokens in the packed sequence: the context plus every continuation without its last token."""
        return len(self.context) + sum(len(m.continuation) - 1 for m in self.members)

    @property
    def n_requests(self) -> int:
        return sum(len(m.request_indices) for m in self.members)


def effective_split(context: Sequence[int], continuation: Sequence[int], max_length: int) -> tuple[tuple, tuple]:
    """The context tokens ``hf`` conditions on and the continuation, after its left truncation.

    ``hf`` feeds ``(context + continuation)[-(max_length + 1):][:-1]`` and scores the last
    ``len(continuation)`` positions: the tokens before them are the effective context.
    """
    window = (list(context) + list(continuation))[-(max_length + 1) :]
    return tuple(window[: len(window) - len(continuation)]), tuple(continuation)


def plan_rows(
    requests: Sequence[tuple[Sequence[int], Sequence[int]]], max_length: int
) -> list[Row]:
    """Group ``(context_tokens, continuation_tokens)`` requests into packed rows of at most ``max_length``.

    Requests with the same effective context share a row; identical requests share a member. Every
    continuation must be non-empty and at most ``max_length`` tokens, every context non-empty (``hf``
    asserts the same; callers leave such calls to ``hf``). Rows come longest first (less padding), and
    their layout depends only on the requests and ``max_length``, never on a batch size.
    """
    groups: dict[tuple[int, ...], dict[tuple[int, ...], Member]] = {}
    for index, (context, continuation) in enumerate(requests):
        ctx, cont = effective_split(context, continuation, max_length)
        members = groups.setdefault(ctx, {})
        members.setdefault(cont, Member(cont)).request_indices.append(index)

    rows: list[Row] = []
    for ctx, members in groups.items():
        row = Row(ctx)
        # longest continuation first: deterministic order, and a split keeps long ones together
        for member in sorted(members.values(), key=lambda m: (-len(m.continuation), m.continuation)):
            if row.members and row.length + len(member.continuation) - 1 > max_length:
                rows.append(row)
                row = Row(ctx)
            row.members.append(member)
        rows.append(row)
    rows.sort(key=lambda r: (-r.length, r.context))
    return rows


def batches(rows: Sequence[Row], batch_size: int) -> Iterator[list[Row]]:
    """Consecutive slices of at most ``batch_size`` rows (each row at most ``max_length`` tokens)."""
    step = max(1, int(batch_size))
    for start in range(0, len(rows), step):
        yield list(rows[start : start + step])


def _layout(rows: Sequence[Row]):
    """Token ids, position ids, segment ids (-1 pad, 0 context, k member k) and scored positions per member."""
    width = max(r.length for r in rows)
    tokens, positions, segments, scored = [], [], [], []
    for row in rows:
        n_ctx = len(row.context)
        tok, pos, seg = list(row.context), list(range(n_ctx)), [0] * n_ctx
        row_scored = []
        for k, member in enumerate(row.members, start=1):
            body = member.continuation[:-1]
            start = len(tok)
            tok += body
            pos += range(n_ctx, n_ctx + len(body))
            seg += [k] * len(body)
            row_scored.append([n_ctx - 1] + list(range(start, start + len(body))))
        pad = width - len(tok)
        tokens.append(tok + [0] * pad)
        positions.append(pos + [0] * pad)
        segments.append(seg + [-1] * pad)
        scored.append(row_scored)
    return tokens, positions, segments, scored


def attention_mask_4d(segments, *, additive_dtype=None):
    """``[batch, 1, T, T]`` mask: causal, and a segment sees the context (segment 0) and itself only.

    Padding positions see only themselves (no fully masked row, so no NaN). Bool (True = attend) when
    ``additive_dtype`` is None, else 0 / dtype-min additive values for eager attention.
    """
    import torch

    seg_q = segments[:, :, None]
    seg_k = segments[:, None, :]
    width = segments.shape[1]
    causal = torch.ones(width, width, dtype=torch.bool, device=segments.device).tril()
    allowed = causal & ((seg_k == 0) | (seg_k == seg_q)) & (seg_k >= 0) & (seg_q >= 0)
    allowed |= torch.eye(width, dtype=torch.bool, device=segments.device)
    allowed = allowed[:, None, :, :]
    if additive_dtype is None:
        return allowed
    mask = torch.zeros(allowed.shape, dtype=additive_dtype, device=segments.device)
    return mask.masked_fill(~allowed, torch.finfo(additive_dtype).min)


def accepts_logits_to_keep(model: Any) -> bool:
    """Whether ``model.forward`` takes ``logits_to_keep`` (then only scored positions reach the head)."""
    try:
        return "logits_to_keep" in inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return False


def score_rows(
    model: Any,
    rows: Sequence[Row],
    *,
    device: Any,
    attn_implementation: str,
    softmax_dtype: Any = None,
    forward_context: Callable[[], Any] | None = None,
    keep_logits: bool = True,
) -> list[tuple[Member, float, bool]]:
    """Run one padded batch of packed rows; ``(member, loglikelihood, is_greedy)`` for every member.

    ``is_greedy`` is True when every continuation token is the argmax of its position's distribution,
    exactly as ``hf`` defines it; the log-likelihood is the sum of the tokens' log-probabilities (log
    softmax in ``softmax_dtype``, as ``hf``). ``forward_context`` wraps the forward (no_grad, autocast).
    """
    import contextlib

    import torch
    import torch.nn.functional as F

    tokens, positions, segments, scored = _layout(rows)
    input_ids = torch.tensor(tokens, dtype=torch.long, device=device)
    position_ids = torch.tensor(positions, dtype=torch.long, device=device)
    seg = torch.tensor(segments, dtype=torch.long, device=device)
    additive = None if attn_implementation == "sdpa" else getattr(model, "dtype", torch.float32)
    mask = attention_mask_4d(seg, additive_dtype=additive)

    # Only the scored positions go through the output head: the union over the batch (same for every row).
    keep = sorted({p for row_scored in scored for idx in row_scored for p in idx})
    column = {p: i for i, p in enumerate(keep)}
    kwargs: dict[str, Any] = {"attention_mask": mask, "position_ids": position_ids, "use_cache": False}
    if keep_logits:
        kwargs["logits_to_keep"] = torch.tensor(keep, dtype=torch.long, device=device)
    with torch.no_grad(), (forward_context() if forward_context else contextlib.nullcontext()):
        logits = model(input_ids, **kwargs).logits
    if not keep_logits:
        logits = logits[:, keep, :]
    logprobs = F.log_softmax(logits, dim=-1, dtype=softmax_dtype)  # [batch, len(keep), vocab]

    results = []
    for b, row in enumerate(rows):
        for member, idx in zip(row.members, scored[b]):
            cols = torch.tensor([column[p] for p in idx], dtype=torch.long, device=device)
            member_lp = logprobs[b].index_select(0, cols)  # [contlen, vocab]
            cont = torch.tensor(member.continuation, dtype=torch.long, device=device)
            greedy = bool((member_lp.argmax(dim=-1) == cont).all())
            loglik = float(member_lp.gather(1, cont[:, None]).sum())
            results.append((member, loglik, greedy))
    return results


# ----------------------------------------------------------------- the adapter's use (SpinHFLM._loglikelihood_tokens)


def sharing_blocker(lm) -> str | None:
    """Why shared-prefix scoring cannot reproduce ``hf`` for this model (None: it can)."""
    if not lm.prefix_sharing:
        return "prefix_sharing=false"
    if lm.backend != "causal":
        return f"backend {lm.backend}"
    config = getattr(lm.model, "config", None)
    attn = getattr(config, "_attn_implementation", None) or "eager"
    if attn not in MASKABLE_ATTENTION:
        return f"attention implementation {attn} takes no custom 4D mask"
    if getattr(config, "sliding_window", None) is not None or "sliding_attention" in (
        getattr(config, "layer_types", None) or ()
    ):
        return "sliding-window attention"
    peft_config = getattr(lm.model, "peft_config", None) or {}
    if any(getattr(c, "is_prompt_learning", False) for c in peft_config.values()):
        return "prompt-learning adapter (virtual tokens)"
    return None


def score_requests(lm, requests, disable_tqdm: bool = False):
    """``hf``'s ``(loglikelihood, is_greedy)`` for every request of an ``HFLM`` ``lm``, each shared context
    run once (packed rows, :func:`plan_rows`); the answers go into lm-eval's cache hook as ``hf`` does."""
    import torch
    from tqdm import tqdm

    for _, ctx, cont in requests:
        if len(ctx) + len(cont) > lm.max_length + 1:
            logger.warning(
                "Combined length of context (%d) and continuation (%d) exceeds model's maximum length "
                "(%d). Truncating %d tokens from the left.",
                len(ctx), len(cont), lm.max_length, len(ctx) + len(cont) - lm.max_length + 1,
            )
    rows = plan_rows([(ctx, cont) for _, ctx, cont in requests], lm.max_length)
    batch_size = lm.batch_size
    if batch_size == "auto":
        longest = rows[0].length
        batch_size = lm._detect_batch_size([(None, [0] * longest, [0])], 0)
    attn = getattr(lm.model.config, "_attn_implementation", None) or "eager"

    def forward_context():
        return torch.autocast(
            device_type=lm.device.type,
            dtype=lm.mixed_precision_dtype,
            enabled=lm.mixed_precision_dtype is not None,
        )

    keep_logits = accepts_logits_to_keep(lm.model)
    results: list[tuple[float, bool] | None] = [None] * len(requests)
    pbar = tqdm(
        total=len(requests), disable=(disable_tqdm or lm.rank != 0), desc="Running loglikelihood requests"
    )
    for batch in batches(rows, batch_size):
        scored = score_rows(
            lm.model,
            batch,
            device=lm.device,
            attn_implementation=attn,
            softmax_dtype=lm.softmax_dtype,
            forward_context=forward_context,
            keep_logits=keep_logits,
        )
        for member, loglik, greedy in scored:
            for index in member.request_indices:
                answer = (loglik, greedy)
                results[index] = answer
                request_str = requests[index][0]
                if request_str is not None:
                    lm.cache_hook.add_partial("loglikelihood", request_str, answer)
                pbar.update(1)
    pbar.close()
    return results


__all__ = [
    "MASKABLE_ATTENTION",
    "Member",
    "Row",
    "accepts_logits_to_keep",
    "attention_mask_4d",
    "batches",
    "effective_split",
    "plan_rows",
    "score_requests",
    "score_rows",
    "sharing_blocker",
]
