"""Where ``hf`` would have stopped each row: its batches' stopping rules replayed on tokens generated elsewhere.

lm-eval's ``hf`` generates a batch of requests with one ``model.generate`` call. A row stops on its own only
at an end-of-sequence id (transformers pads it from then on); a stop string (``until``) ends generation
only when **every** row of the batch has shown the same string in its look-back window
(``MultiTokenEOSCriteria``: the last ``len(encode(s)) + 2`` generated tokens, decoded with special
tokens), or at ``max_gen_toks``. A row that showed its stop string early keeps generating until then, and
lm-eval cuts the decoded text at its stop strings afterwards, one string after the other. Usually the
tokens after the stop string are cut off, but not always (``until=["\\nUser:", "\\n\\n"]`` and an answer
``"Hi\\n\\nUser:"`` is ``"Hi\\n"``, while ``"Hi\\n\\n"`` is ``"Hi"``): an ``hf`` answer can depend on when
the rest of its batch stopped.

``resolve`` takes, for each row of one ``hf`` batch, the greedy tokens generated until the row's answer was
settled (``Generated``: an end-of-sequence id, the token budget, or ``final``: no continuation can change
the answer, see ``answer_is_final``) and replays ``hf``'s stopping rules step by step. It returns the
tokens ``hf`` would have returned for each row, or ``None`` when the answer depends on tokens that were
not generated (a row left as ``final`` before ``hf``'s batch could have stopped, and the stop would change
another row's answer): the caller then runs that batch through ``hf`` itself.
"""

from __future__ import annotations

from typing import Callable, Sequence

from spin_eval.adapter.continuous_batching import Generated

#: A token not generated (a row left early); it never matches and makes windows undecidable.
UNKNOWN = -1


def answer_is_final(text: str, answer: str, stops: Sequence[str]) -> bool:
    """Whether lm-eval's post-processing (cut at each stop string in turn) of ``text`` + anything gives ``answer``.

    ``answer`` is the post-processed ``text``. Appending text can only add stop-string occurrences that
    start within the last ``len(s) - 1`` characters of what each earlier cut left, so a cut that ends
    before ``len(text) - sum(len(s) - 1)`` is settled. One character more of margin (and any trailing
    replacement characters of an incomplete UTF-8 sequence) covers a decoder that changes the last
    character once more tokens follow.
    """
    margin = sum(len(s) - 1 for s in stops if s) + 1
    return len(answer) < len(text.rstrip("\ufffd")) - margin


def resolve(
    rows: Sequence[Generated],
    *,
    stops: Sequence[str],
    stop_windows: Sequence[int],
    max_new: int,
    pad_id: int,
    decode_window: Callable[[list[list[int]]], list[str]],
    answer: Callable[[list[int]], str],
) -> list[list[int]] | None:
    """The generated tokens ``hf`` returns for each row of one batch (before its padding), or None.

    ``stops`` and ``stop_windows`` are lm-eval's stop strings and look-back lengths (``len(encode(s)) +
    2``); ``decode_window`` is the tokenizer's ``batch_decode`` (special tokens kept), ``answer`` lm-eval's
    decoding and post-processing of a row's tokens.
    """
    n = len(rows)
    done = [[False] * n for _ in stops]  # per stop string: the row has shown it (hf's done_tracker)
    maybe = [[False] * n for _ in stops]  # ... or might have, in tokens not generated

    def token_seq(r: Generated, upto: int) -> list[int]:
        if upto <= len(r.tokens):
            return r.tokens[:upto]
        fill = pad_id if r.reason == "eos" else UNKNOWN
        return r.tokens + [fill] * (upto - len(r.tokens))

    def answers_at(step: int) -> list[list[int]]:
        return [r.tokens[: min(step, len(r.tokens))] for r in rows]

    final = [answer(r.tokens) for r in rows]
    for step in range(1, max_new + 1):
        if step == max_new:
            return answers_at(step)
        seqs = [token_seq(r, step) for r in rows]
        for k, (stop, look) in enumerate(zip(stops, stop_windows)):
            todo = [i for i in range(n) if not done[k][i]]
            known = [i for i in todo if UNKNOWN not in seqs[i][-look:]]
            texts = decode_window([seqs[i][-look:] for i in known]) if known else []
            for i, text in zip(known, texts):
                done[k][i] = stop in text
            for i in todo:
                if i not in known:
                    maybe[k][i] = True
        eos_all = all(r.reason == "eos" and len(r.tokens) <= step for r in rows)
        eos_maybe = all((r.reason == "eos" and len(r.tokens) <= step) or (r.reason == "final" and len(r.tokens) < step)
                        for r in rows)
        certain = eos_all or any(all(d) for d in done)
        possible = eos_maybe or any(all(d or m for d, m in zip(dk, mk)) for dk, mk in zip(done, maybe))
        if certain:
            return answers_at(step)
        if possible:  # hf may or may not stop here: fine only if no answer changes from here on
            if all(_settled(r, a, step, answer) for r, a in zip(rows, final)):
                return [r.tokens for r in rows]
            return None
    return answers_at(max_new)


def _settled(row: Generated, final: str, step: int, answer: Callable[[list[int]], str]) -> bool:
    """Whether the row's answer is ``final`` whenever hf stops it at ``step`` or later."""
    return all(answer(row.tokens[:t]) == final for t in range(step, len(row.tokens)))
