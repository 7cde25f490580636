"""Importance scores S = |W| * sum_n |dL_n / dW| for every target weight entry, in ONE exact arithmetic.

``L_n`` is sample n's mean cross-entropy over its response tokens. The sum runs over per-sample
*absolute* gradients, so samples cannot simply share one backward pass with a summed loss.

The arithmetic (part of the mask's definition, recorded in its metadata as ``score_arithmetic``):

1. Per sample, ``v = |dL_n/dW|`` in the weight's dtype promoted to at least float32, from ONE
   forward/backward of that sample alone (``batch_size=1``: autograd's weight gradient).
2. ``v`` goes onto a fixed grid: ``t = floor(v * 2^48)`` (GRID_BITS) as an int64. Scaling by a power of
   two and flooring are exact in floating point, so ``t`` is exactly v truncated to a multiple of 2^-48.
3. ``t`` is summed over samples in int64: integer addition is exact and associative, so any batch
   grouping, shard split, rank count or merge order gives identical sums (overflow is checked).
4. ``S = |W| (float64) * (sum_t (float64) * 2^-48)`` by :func:`importance_scores`, in every path
   (build, ``--from-scores``, sweep, shards, ranks).

``batch_size>1`` forwards samples of EQUAL length together (no padding, so every row sees the same
shapes and arithmetic as alone; hooks keep each target Linear's input X_b and output gradient G_b, and
the per-sample weight gradient is G_b^T X_b). It is tested bitwise equal to ``batch_size=1`` on the CPU
(tests/spin/test_spin_exact.py); padded batches are not (measured: most entries differ in the last bits).

``gradient_sums_per_layer`` is the straightforward loop of the public reference code, which re-runs
every sample once per target layer (L times the work); kept for tests and the benchmark.

Memory: one int64 accumulator per target weight (8 bytes) on the weight's own device; the gradient of
each target matrix is put on the grid, added and freed the moment autograd produces it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from spin_eval.errors import ScoringError

#: Recorded in mask metadata as ``score_kind``.
SCORE_KIND = "abs_weight_x_sum_abs_grad"
#: Per-sample |gradient| values are truncated to multiples of 2^-GRID_BITS and summed as int64.
GRID_BITS = 48
#: A per-sample |gradient| entry at or above this is a ScoringError (its grid value, < 2^53, keeps batch sums exact).
MAX_SAMPLE_VALUE = 32.0
#: At most this many samples share one forward pass, so an int64 batch sum (< 2^63) cannot overflow.
MAX_GROUP = 1024
_INT64_LIMIT = 2**63 - 1
#: Recorded in mask and score metadata: the arithmetic that makes the scores a function of the definition.
SCORE_ARITHMETIC = {
    "per_sample": "one forward/backward per sample; |grad| in the weight dtype promoted to >= float32",
    "grid": f"2^-{GRID_BITS}",
    "rounding": "toward zero (floor of the non-negative value), per sample and entry",
    "accumulator": "int64 (exact, order-independent)",
    "score": f"|W| (float64) * (int64 sum (float64) * 2^-{GRID_BITS})",
}


@dataclass(frozen=True)
class Sample:
    """One tokenised calibration sample; ``label`` names it in error messages (set, file, row)."""

    input_ids: Sequence[int]
    labels: Sequence[int]
    label: str = "sample"


def _progress(iterable, total: int, desc: str, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="sample", leave=False)


@contextlib.contextmanager
def _only_grad_for(model: nn.Module, params: Sequence[nn.Parameter]) -> Iterator[None]:
    """Freeze every parameter except ``params``; restore ``requires_grad`` and eval/train mode after."""
    saved = [(p, p.requires_grad) for p in model.parameters()]
    was_training = model.training
    keep = {id(p) for p in params}
    try:
        model.eval()
        for p, _ in saved:
            p.requires_grad_(id(p) in keep)
        yield
    finally:
        for p, flag in saved:
            p.requires_grad_(flag)
            p.grad = None
        model.train(was_training)


def _device(model: nn.Module) -> torch.device:
    """Where the token ids go: the input embedding's device (the first one under a device map)."""
    embed = getattr(model, "get_input_embeddings", lambda: None)()
    weight = getattr(embed, "weight", None)
    if weight is not None and weight.device.type != "meta":
        return weight.device
    return next(model.parameters()).device


def _per_sample_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """[B] mean next-token cross-entropy over the positions whose label is not -100."""
    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:].to(logits.device)  # the LM head may sit on another device (device map)
    token_loss = nn.functional.cross_entropy(
        shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1), ignore_index=-100, reduction="none"
    ).view(shift_labels.shape)
    counts = (shift_labels != -100).sum(dim=1)
    return token_loss.sum(dim=1) / counts.clamp(min=1)


def check_scorable(linears: dict[str, nn.Module]) -> None:
    """ScoringError when a target weight is offloaded (meta device): its gradient cannot be summed there."""
    offloaded = [name for name, lin in linears.items() if lin.weight.device.type == "meta"]
    if offloaded:
        raise ScoringError(
            f"{len(offloaded)} target weights (e.g. {offloaded[0]}) were offloaded by the device map because the "
            "model does not fit on the visible devices; scoring needs every target weight resident on a GPU or "
            "the CPU: add GPUs, load with --dtype bfloat16, or check `spin-eval mask plan --device-map auto`"
        )


def _check_sample(sample: Sample) -> None:
    if len(sample.input_ids) != len(sample.labels) or len(sample.input_ids) < 2:
        raise ScoringError(f"{sample.label}: needs at least 2 tokens with matching labels")
    if not any(label != -100 for label in list(sample.labels)[1:]):
        raise ScoringError(f"{sample.label}: no response tokens to score (empty response after truncation?)")


def _nonfinite(sample: Sample, where: str) -> ScoringError:
    return ScoringError(
        f"{sample.label}: non-finite {where} (NaN/inf); check the sample, or load the model in float32 "
        "(--dtype float32) if it runs in half precision"
    )


def value_dtype(weight: torch.Tensor) -> torch.dtype:
    """dtype of the per-sample |gradient| values put on the grid: float32, or float64 for a float64 model."""
    return torch.promote_types(weight.dtype, torch.float32)


class GridSum:
    """One matrix's int64 sum of per-sample |gradient| values on the 2^-GRID_BITS grid, overflow-checked.

    ``bound`` is an upper bound of the largest entry (in grid units): it grows by each added sample's
    largest entry, and only when it could pass int64's range is the real maximum read (one reduction)."""

    def __init__(self, shape: Sequence[int], device: torch.device) -> None:
        self.total = torch.zeros(tuple(shape), dtype=torch.int64, device=device)
        self.bound = 0

    def add_values_(self, values: torch.Tensor, peak: float, name: str) -> None:
        """Add one sample's float |gradient| ``values`` (or ``[B, ...]`` values of B samples) whose largest
        entry is ``peak`` (< MAX_SAMPLE_VALUE, checked by :func:`_check_values`). Consumes ``values``."""
        batched = values.dim() > self.total.dim()
        # the cast truncates toward zero, which is floor() for these non-negative values: no separate floor pass
        units = values.mul_(2.0**GRID_BITS).to(torch.int64)
        if batched:
            units = units.sum(dim=0)  # int64: exact (B <= MAX_GROUP samples, each < 2^53)
        self.add_units_(units, int(peak * 2.0**GRID_BITS) * (values.shape[0] if batched else 1), name)

    def add_units_(self, units: torch.Tensor, peak_units: int, name: str) -> None:
        if self.bound + peak_units > _INT64_LIMIT:
            self.bound = int(self.total.max())
            if self.bound + peak_units > _INT64_LIMIT:
                raise ScoringError(
                    f"the score sum of {name} passes the int64 range of the 2^-{GRID_BITS} grid (sum of |gradient| "
                    f"entries >= {2.0 ** (63 - GRID_BITS):g}); score fewer samples per set or check the model"
                )
        self.total.add_(units)
        self.bound += peak_units


def _check_values(values: torch.Tensor, samples: Sequence[Sample], name: str, batched: bool) -> float:
    """The largest entry of |gradient| ``values`` (one sample's, or ``[B, ...]`` when ``batched``);
    ScoringError naming the sample when an entry is NaN/inf or >= MAX_SAMPLE_VALUE (amax propagates NaN)."""
    peaks = values.flatten(1).amax(dim=1) if batched else values.amax().reshape(1)
    bad = ~(peaks < MAX_SAMPLE_VALUE)
    if bool(bad.any()):
        i = int(bad.nonzero()[0])
        if not bool(torch.isfinite(peaks[i])):
            raise _nonfinite(samples[i], f"gradient in {name}")
        raise ScoringError(
            f"{samples[i].label}: |gradient| {float(peaks[i]):.3g} in {name} is >= {MAX_SAMPLE_VALUE:g}, outside "
            "the score grid; check the sample and the model (a diverging loss?)"
        )
    return float(peaks.max())


def gradient_sums(
    model: nn.Module,
    samples: Sequence[Sample],
    linears: dict[str, nn.Module],
    *,
    batch_size: int = 1,
    progress: bool = True,
    desc: str = "scoring",
) -> dict[str, torch.Tensor]:
    """``{param name: int64 sum_n floor(|dL_n/dW| * 2^48)}`` over ``samples`` for the given target
    Linears, each on its weight's device; :func:`importance_scores` turns one into scores."""
    return {name: acc.total for name, acc in grid_sums(model, samples, linears, batch_size=batch_size,
                                                       progress=progress, desc=desc).items()}


def grid_sums(model, samples, linears, *, batch_size=1, progress=True, desc="scoring") -> dict[str, GridSum]:
    """:func:`gradient_sums` as GridSum objects (sum and its overflow bound)."""
    for s in samples:
        _check_sample(s)
    check_scorable(linears)
    sums = {name: GridSum(lin.weight.shape, lin.weight.device) for name, lin in linears.items()}
    if batch_size <= 1:
        _sums_one_pass(model, samples, linears, sums, progress=progress, desc=desc)
    else:
        _sums_batched(model, samples, linears, sums, batch_size=batch_size, progress=progress, desc=desc)
    return sums


def _backward_one(model: nn.Module, sample: Sample, device: torch.device) -> None:
    """Forward one sample, check its loss is finite, backward (the gradients land where requires_grad is set)."""
    ids = torch.tensor([list(sample.input_ids)], device=device)
    labels = torch.tensor([list(sample.labels)], device=device)
    loss = _per_sample_loss(model(input_ids=ids, use_cache=False).logits, labels).sum()
    if not torch.isfinite(loss):
        raise _nonfinite(sample, "loss")
    loss.backward()


def _sums_one_pass(model, samples, linears, sums, *, progress, desc):
    device = _device(model)
    weights = [lin.weight for lin in linears.values()]
    current: list[Sample] = []

    def make_hook(name: str):
        def hook(param):  # runs as soon as autograd has this matrix's gradient: add it and free it
            grad = param.grad
            param.grad = None
            values = grad.to(value_dtype(grad)).abs_()
            peak = _check_values(values, current, name, batched=False)
            sums[name].add_values_(values, peak, name)

        return hook

    with _only_grad_for(model, weights):
        handles = [lin.weight.register_post_accumulate_grad_hook(make_hook(n)) for n, lin in linears.items()]
        try:
            for sample in _progress(samples, len(samples), desc, progress):
                current[:] = [sample]
                _backward_one(model, sample, device)
        finally:
            for h in handles:
                h.remove()


def length_groups(samples: Sequence[Sample], batch_size: int) -> list[list[Sample]]:
    """Samples of equal token length in groups of at most ``batch_size`` (in order of first appearance). Pure."""
    by_length: dict[int, list[Sample]] = {}
    for s in samples:
        by_length.setdefault(len(s.input_ids), []).append(s)
    size = min(batch_size, MAX_GROUP)
    return [group[i : i + size] for group in by_length.values() for i in range(0, len(group), size)]


def _sums_batched(model, samples, linears, sums, *, batch_size, progress, desc):
    device = _device(model)
    embed = model.get_input_embeddings()
    saved_inputs: dict[str, torch.Tensor] = {}
    saved_grads: dict[str, torch.Tensor] = {}

    def make_hook(name: str):
        def hook(module, inputs, output):
            saved_inputs[name] = inputs[0].detach()

            def grad_hook(grad):
                saved_grads[name] = grad.detach()

            output.register_hook(grad_hook)

        return hook

    handles = [lin.register_forward_hook(make_hook(name)) for name, lin in linears.items()]
    bar = _progress(None, len(samples), desc, progress) if progress else None
    try:
        with _only_grad_for(model, []):
            for batch in length_groups(samples, batch_size):
                ids = torch.tensor([list(s.input_ids) for s in batch], dtype=torch.long, device=device)
                labels = torch.tensor([list(s.labels) for s in batch], dtype=torch.long, device=device)
                inputs_embeds = embed(ids).detach().requires_grad_(True)
                losses = _per_sample_loss(model(inputs_embeds=inputs_embeds, use_cache=False).logits, labels)
                for b, s in enumerate(batch):
                    if not torch.isfinite(losses[b]):
                        raise _nonfinite(s, "loss")
                losses.sum().backward()
                for name, lin in linears.items():
                    x = saved_inputs.pop(name)
                    g = saved_grads.pop(name)
                    dtype = value_dtype(lin.weight)
                    values = torch.einsum("bto,bti->boi", g, x).to(dtype).abs_()
                    peak = _check_values(values, batch, name, batched=True)
                    sums[name].add_values_(values, peak, name)
                if bar is not None:
                    bar.update(len(batch))
    finally:
        for h in handles:
            h.remove()
        if bar is not None:
            bar.close()


def gradient_sums_per_layer(
    model: nn.Module,
    samples: Sequence[Sample],
    linears: dict[str, nn.Module],
    *,
    progress: bool = True,
    desc: str = "scoring (per-layer loop)",
) -> dict[str, torch.Tensor]:
    """Same sums as ``gradient_sums``, computed like the public reference code: for each target layer,
    re-run every sample with only that layer's weight requiring grad. L times slower; for tests/bench."""
    for s in samples:
        _check_sample(s)
    device = _device(model)
    sums = {name: GridSum(lin.weight.shape, lin.weight.device) for name, lin in linears.items()}
    for name, lin in _progress(linears.items(), len(linears), desc, progress):
        with _only_grad_for(model, [lin.weight]):
            for sample in samples:
                _backward_one(model, sample, device)
                values = lin.weight.grad.to(value_dtype(lin.weight)).abs()
                lin.weight.grad = None
                sums[name].add_values_(values, _check_values(values, [sample], name, batched=False), name)
    return {name: acc.total for name, acc in sums.items()}


def importance_scores(weight: torch.Tensor, grid_sum: torch.Tensor) -> torch.Tensor:
    """S = |W| (float64) * (grid_sum (float64) * 2^-GRID_BITS), on ``grid_sum``'s device: the one formula
    of every path (build, ranks, shards, ``--from-scores``, sweep)."""
    if grid_sum.dtype != torch.int64:
        raise ScoringError(f"score sums must be int64 grid sums (2^-{GRID_BITS} units), got {grid_sum.dtype}")
    scale = grid_sum.to(torch.float64).mul_(2.0**-GRID_BITS)
    return scale.mul_(weight.detach().to(grid_sum.device, torch.float64).abs())
