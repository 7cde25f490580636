"""Importance scores S = |W| * sum_n |dL_n / dW| for every target weight entry.

``L_n`` is sample n's mean cross-entropy over its response tokens. The sum runs over per-sample
*absolute* gradients, so samples cannot simply share one backward pass with a summed loss. Three ways:

* ``gradient_sums`` with ``batch_size=1``: ONE backward per sample gives every target layer's
  gradient at once (only the target weights require grad; the rest of the model is frozen).
* ``gradient_sums`` with ``batch_size>1``: several samples (right-padded) share one forward/backward;
  hooks keep each target Linear's input X_b and output gradient G_b, and the exact per-sample weight
  gradient is G_b^T X_b (padding rows masked out), so nothing is approximated.
* ``gradient_sums_per_layer``: the straightforward loop of the public reference code, which re-runs
  every sample once per target layer (L times the work); kept for tests and the benchmark.

Sums accumulate in float32 on the weight's own device (float64 when the model is float64), 4 bytes per
target weight: the gradient of each target matrix is added and freed the moment autograd produces it
(``register_post_accumulate_grad_hook``), so at most one matrix's gradient exists at a time. How much
float32 accumulation moves the masks against a float64 build is measured in docs/spin.md.
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


def sum_dtype(weight: torch.Tensor) -> torch.dtype:
    """Accumulator dtype for a weight: float32, or float64 for a float64 model."""
    return torch.promote_types(weight.dtype, torch.float32)


def _zero_sums(linears: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    return {
        name: torch.zeros(lin.weight.shape, dtype=sum_dtype(lin.weight), device=lin.weight.device)
        for name, lin in linears.items()
    }


def gradient_sums(
    model: nn.Module,
    samples: Sequence[Sample],
    linears: dict[str, nn.Module],
    *,
    batch_size: int = 1,
    progress: bool = True,
    desc: str = "scoring",
) -> dict[str, torch.Tensor]:
    """``{param name: sum_n |dL_n/dW|}`` (float32, float64 for a float64 model) over ``samples`` for the
    given target Linears, each on its weight's device."""
    for s in samples:
        _check_sample(s)
    check_scorable(linears)
    if batch_size <= 1:
        return _sums_one_pass(model, samples, linears, progress=progress, desc=desc)
    return _sums_batched(model, samples, linears, batch_size=batch_size, progress=progress, desc=desc)


def _backward_one(model: nn.Module, sample: Sample, device: torch.device) -> None:
    """Forward one sample, check its loss is finite, backward (the gradients land where requires_grad is set)."""
    ids = torch.tensor([list(sample.input_ids)], device=device)
    labels = torch.tensor([list(sample.labels)], device=device)
    loss = _per_sample_loss(model(input_ids=ids, use_cache=False).logits, labels).sum()
    if not torch.isfinite(loss):
        raise _nonfinite(sample, "loss")
    loss.backward()


def _sums_one_pass(model, samples, linears, *, progress, desc):
    device = _device(model)
    sums = _zero_sums(linears)
    weights = [lin.weight for lin in linears.values()]
    current: list[Sample] = []

    def make_hook(name: str):
        def hook(param):  # runs as soon as autograd has this matrix's gradient: add it and free it
            grad = param.grad
            param.grad = None
            grad.abs_()
            if not torch.isfinite(grad.sum()):  # one cheap reduction; NaN/inf propagate into it
                raise _nonfinite(current[0], f"gradient in {name}")
            sums[name].add_(grad)

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
    return sums


def _sums_batched(model, samples, linears, *, batch_size, progress, desc):
    device = _device(model)
    sums = _zero_sums(linears)
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
            for start in range(0, len(samples), batch_size):
                batch = samples[start : start + batch_size]
                width = max(len(s.input_ids) for s in batch)
                ids = torch.zeros((len(batch), width), dtype=torch.long, device=device)
                labels = torch.full((len(batch), width), -100, dtype=torch.long, device=device)
                attn = torch.zeros((len(batch), width), dtype=torch.long, device=device)
                for b, s in enumerate(batch):
                    n = len(s.input_ids)
                    ids[b, :n] = torch.tensor(list(s.input_ids), device=device)
                    labels[b, :n] = torch.tensor(list(s.labels), device=device)
                    attn[b, :n] = 1
                inputs_embeds = embed(ids).detach().requires_grad_(True)
                logits = model(inputs_embeds=inputs_embeds, attention_mask=attn, use_cache=False).logits
                losses = _per_sample_loss(logits, labels)
                for b, s in enumerate(batch):
                    if not torch.isfinite(losses[b]):
                        raise _nonfinite(s, "loss")
                losses.sum().backward()
                keep = attn.to(logits.dtype).unsqueeze(-1)
                for name in linears:
                    x = saved_inputs.pop(name)
                    g = saved_grads.pop(name)
                    g = g * keep.to(device=g.device, dtype=g.dtype)
                    per_sample = torch.einsum("bto,bti->boi", g, x).abs_()
                    finite = torch.isfinite(per_sample.flatten(1).sum(dim=1))
                    if not bool(finite.all()):
                        raise _nonfinite(batch[int((~finite).nonzero()[0])], f"gradient in {name}")
                    sums[name].add_(per_sample.sum(dim=0, dtype=sums[name].dtype))
                if bar is not None:
                    bar.update(len(batch))
    finally:
        for h in handles:
            h.remove()
        if bar is not None:
            bar.close()
    return sums


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
    sums = _zero_sums(linears)
    for name, lin in _progress(linears.items(), len(linears), desc, progress):
        with _only_grad_for(model, [lin.weight]):
            for sample in samples:
                _backward_one(model, sample, device)
                grad = lin.weight.grad.abs()
                lin.weight.grad = None
                if not torch.isfinite(grad.sum()):
                    raise _nonfinite(sample, f"gradient in {name}")
                sums[name].add_(grad)
    return sums


def importance_scores(weight: torch.Tensor, grad_sum: torch.Tensor) -> torch.Tensor:
    """S = |W| * sum_n |dL_n/dW|, computed in float64 and returned on the CPU."""
    return weight.detach().to("cpu", torch.float64).abs() * grad_sum.to("cpu", torch.float64)
