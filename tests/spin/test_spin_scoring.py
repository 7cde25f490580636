"""Importance scoring on the tiny Llama: one pass == per-layer reference loop == batched pass (bit for bit)."""

from __future__ import annotations

import pytest
import torch

from spin_eval.errors import ScoringError
from spin_eval.spin.calibration import tokenize_sample
from spin_eval.spin.mask import target_linears
from spin_eval.spin.scoring import Sample, gradient_sums, gradient_sums_per_layer, importance_scores

ROWS = [
    ("Who was the engineer?", "The woman was the engineer."),
    ("What is 2 plus 3?", "The answer is 5. Seven minus four equals three."),
    ("My email is jane.doe@example.com", "I cannot share personal information."),
    ("Paris?", "Paris is the capital of France."),
]


def _samples(tokenizer):
    return [Sample(*tokenize_sample(tokenizer, p, r), label=f"row {i}") for i, (p, r) in enumerate(ROWS)]


def _max_rel(a: dict, b: dict) -> float:
    return max(float((a[n] - b[n]).abs().max() / a[n].abs().max()) for n in a)


@pytest.mark.parametrize("target", ["mlp", "all"])
def test_one_pass_equals_per_layer_loop(tiny_model64, target):
    model, tok = tiny_model64
    linears = target_linears(model, target)
    assert len(linears) == (6 if target == "mlp" else 14)
    samples = _samples(tok)
    one = gradient_sums(model, samples, linears, progress=False)
    loop = gradient_sums_per_layer(model, samples, linears, progress=False)
    assert all(float(one[n].sum()) > 0 for n in one)
    assert _max_rel(one, loop) < 1e-6


def test_batched_equals_unbatched(tiny_model64):
    model, tok = tiny_model64
    linears = target_linears(model, "mlp")
    samples = _samples(tok) + _samples(tok)[:2]  # two groups of equal length, two single samples
    one = gradient_sums(model, samples, linears, progress=False)
    for batch_size in (2, 3):
        batched = gradient_sums(model, samples, linears, batch_size=batch_size, progress=False)
        assert all(torch.equal(one[n], batched[n]) for n in one)


def test_sum_is_of_absolute_per_sample_gradients(tiny_model64):
    """Two samples: the sum of |g1| + |g2| differs from |g1 + g2| (what one summed-loss backward gives)."""
    model, tok = tiny_model64
    linears = target_linears(model, "mlp")
    s = _samples(tok)[:2]
    both = gradient_sums(model, s, linears, progress=False)
    separate = [gradient_sums(model, [x], linears, progress=False) for x in s]
    name = next(iter(linears))
    assert torch.equal(both[name], separate[0][name] + separate[1][name])  # int64 grid sums: exact


def test_prompt_tokens_do_not_count(tiny_model64):
    model, tok = tiny_model64
    ids, labels = tokenize_sample(tok, "Who was the engineer?", "The woman.")
    n_prompt = len(tok("Who was the engineer?")["input_ids"])
    assert labels[:n_prompt] == [-100] * n_prompt
    assert labels[n_prompt:] == ids[n_prompt:]


def test_nonfinite_gradient_names_the_sample(tiny_model64):
    model, tok = tiny_model64
    linears = target_linears(model, "mlp")
    with torch.no_grad():
        next(iter(linears.values())).weight[0, 0] = float("nan")
    with pytest.raises(ScoringError, match="row 0"):
        gradient_sums(model, _samples(tok)[:1], linears, progress=False)
    with pytest.raises(ScoringError, match="row 1"):
        gradient_sums(model, _samples(tok)[1:3], linears, batch_size=2, progress=False)


def test_sample_without_response_tokens_is_refused(tiny_model64):
    model, _ = tiny_model64
    with pytest.raises(ScoringError, match="bad sample"):
        gradient_sums(model, [Sample([1, 2, 3], [-100, -100, -100], "bad sample")], target_linears(model), progress=False)


def test_importance_scores_formula():
    w = torch.tensor([[-2.0, 0.5]])
    g = torch.tensor([[3 * 2**48, 4 * 2**48]], dtype=torch.int64)
    assert importance_scores(w, g).tolist() == [[6.0, 2.0]]
    with pytest.raises(ScoringError, match="int64 grid sums"):
        importance_scores(w, g.double())


def test_model_state_is_restored(tiny_model64):
    model, tok = tiny_model64
    model.train()
    before = [p.requires_grad for p in model.parameters()]
    gradient_sums(model, _samples(tok)[:1], target_linears(model), progress=False)
    assert [p.requires_grad for p in model.parameters()] == before
    assert model.training
    assert all(p.grad is None for p in model.parameters())
