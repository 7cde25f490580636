"""Set algebra of spin_eval.spin.selection on hand-made score tensors, checked against plain Python sets."""

from __future__ import annotations

import logging

import pytest
import torch

from spin_eval.spin import selection as sel


def brute_top(scores: torch.Tensor, k: int) -> set[int]:
    """Top-k from the definition: sort by (-score, index)."""
    values = scores.reshape(-1).tolist()
    return set(sorted(range(len(values)), key=lambda i: (-values[i], i))[:k])


def scores_with_top(n: int, top: list[int]) -> torch.Tensor:
    """Scores whose top entries are exactly ``top`` (descending in list order)."""
    s = torch.zeros(n)
    for rank, idx in enumerate(top):
        s[idx] = 100.0 - rank
    return s


def test_top_k_breaks_ties_by_lower_index():
    scores = torch.tensor([1.0, 3.0, 3.0, 0.0, 3.0, 2.0])
    assert sel.top_k_indices(scores, 2).tolist() == [1, 2]
    assert sel.top_k_indices(scores, 4).tolist() == [1, 2, 4, 5]
    assert sel.top_k_indices(scores, 0).numel() == 0
    assert sel.top_k_indices(scores, 99).tolist() == list(range(6))


def test_top_count_is_floor_like_reference_int():
    assert sel.top_count(5e-7, 576 * 1536) == 0
    assert sel.top_count(1e-3, 576 * 1536) == 884
    assert sel.top_count(0.3, 10) == 3


def test_paper_is_true_intersection_and_reference_ignores_p():
    # G = {0, 1}; F = {0, 2, 3, 4}; P = {1, 5, 6, 7}: (F-G) & (P-G) is empty ...
    g = scores_with_top(10, [0, 1])
    f = scores_with_top(10, [0, 2, 3, 4])
    p = scores_with_top(10, [1, 5, 6, 7])
    assert sel.select_paper(g, f, p, 0.2, 0.4).tolist() == []
    # ... but the positional AND keeps sorted F's positions 1..3, whose P partners 5, 6, 7 are not in G.
    assert sel.select_reference(g, f, p, 0.2, 0.4).tolist() == [2, 3, 4]


def test_reference_positional_and_drops_true_members():
    # G = {3}; F = {0, 1, 2}; P = {2, 3, 4}. Paper: {2}. Reference: sorted P position 1 holds 3 (in G),
    # so sorted F position 1 (index 1) is dropped although 1 is not in G: result {0, 2}.
    g = scores_with_top(10, [3])
    f = scores_with_top(10, [0, 1, 2])
    p = scores_with_top(10, [2, 3, 4])
    assert sel.select_paper(g, f, p, 0.1, 0.3).tolist() == [2]
    assert sel.select_reference(g, f, p, 0.1, 0.3).tolist() == [0, 2]


@pytest.mark.parametrize("p_ratio,q_ratio", [(0.1, 0.25), (0.25, 0.1), (0.2, 0.2)])
def test_paper_and_reference_match_brute_force(p_ratio, q_ratio):
    gen = torch.Generator().manual_seed(3)
    for _ in range(20):
        g, f, p = (torch.randint(0, 6, (4, 5), generator=gen).float() for _ in range(3))  # many ties
        n = g.numel()
        G, F, P = brute_top(g, int(p_ratio * n)), brute_top(f, int(q_ratio * n)), brute_top(p, int(q_ratio * n))
        assert set(sel.select_paper(g, f, p, p_ratio, q_ratio).tolist()) == (F - G) & (P - G)
        fs, ps = sorted(F), sorted(P)
        expected = {fs[i] for i in range(len(fs)) if fs[i] not in G and ps[i] not in G}
        got = sel.select_reference(g, f, p, p_ratio, q_ratio)
        assert set(got.tolist()) == expected
        assert got.tolist() == sorted(got.tolist())
        assert set(got.tolist()) <= F - G


def _random_scores(n=40 * 50, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.rand(40, 50, generator=gen) for _ in range(3)], torch.randn(40, 50, generator=gen)


@pytest.mark.parametrize("mode", ["random", "magnitude-random", "general-only", "fairness-only", "privacy-only"])
def test_controls_match_spin_count_and_are_seeded(mode):
    (g, f, p), w = _random_scores()
    # correlated scores so the paper set is non-empty
    f = 0.5 * f + 0.5 * p
    spin = sel.select_paper(g, f, p, 0.2, 0.1)
    assert spin.numel() > 0
    a = sel.select_matrix("m.weight", g, f, p, w, p=0.2, q=0.1, selection=mode, control_seed=1)
    b = sel.select_matrix("m.weight", g, f, p, w, p=0.2, q=0.1, selection=mode, control_seed=1)
    c = sel.select_matrix("m.weight", g, f, p, w, p=0.2, q=0.1, selection=mode, control_seed=2)
    assert torch.equal(a, b)
    assert a.numel() == spin.numel()
    assert a.tolist() == sorted(set(a.tolist()))
    n = g.numel()
    G, F, P = brute_top(g, int(0.2 * n)), brute_top(f, int(0.1 * n)), brute_top(p, int(0.1 * n))
    pools = {"general-only": G - (F | P), "fairness-only": F - G, "privacy-only": P - G}
    if mode in pools:
        assert set(a.tolist()) <= pools[mode]
    if mode in ("random", "magnitude-random"):
        assert not torch.equal(a, c)
    if mode == "magnitude-random":
        bins = sel.magnitude_bins(w)
        assert torch.equal(torch.bincount(bins[a], minlength=100), torch.bincount(bins[spin], minlength=100))
        assert not set(a.tolist()) & set(spin.tolist())


def test_magnitude_bins_are_percentiles():
    w = torch.arange(200, dtype=torch.float32) - 100.0  # |W| ranks: 0 at index 100, 100 at index 0
    bins = sel.magnitude_bins(w)
    assert int(bins[100]) == 0 and int(bins[0]) == 99
    assert torch.equal(torch.bincount(bins, minlength=100), torch.full((100,), 2))


def _magnitude_random_by_full_scans(weight, spin_set, gen, bins=sel.MAGNITUDE_BINS):
    """The rule by its definition: for every bin, scan the whole matrix for its members (ascending index)."""
    bin_of = sel.magnitude_bins(weight, bins)
    wanted = torch.bincount(bin_of[spin_set], minlength=bins)
    excluded = torch.zeros(bin_of.numel(), dtype=torch.bool)
    excluded[spin_set] = True
    picks = []
    for b in torch.nonzero(wanted).reshape(-1).tolist():
        in_bin = bin_of == b
        chosen = sel.draw_from_pool(torch.nonzero(in_bin & ~excluded).reshape(-1), int(wanted[b]), gen)
        short = int(wanted[b]) - chosen.numel()
        if short > 0:
            chosen = torch.cat([chosen, sel.draw_from_pool(torch.nonzero(in_bin & excluded).reshape(-1), short, gen)])
        picks.append(chosen)
    return torch.sort(torch.cat(picks)).values


@pytest.mark.parametrize("shape,count,ties", [((37, 53), 40, False), ((64, 64), 700, True), ((10, 7), 69, True),
                                              ((1, 1003), 5, False), ((30, 30), 899, False)])
def test_magnitude_random_equals_the_full_scan_rule(shape, count, ties):
    """The per-bin slice of the sorted order draws exactly what scanning the matrix per bin draws (same pools in
    the same order, so the same generator picks), with tied magnitudes, bins too small, and n not divisible."""
    g = torch.Generator().manual_seed(count)
    weight = torch.randn(shape, generator=g)
    if ties:
        weight = torch.round(weight * 2) / 2  # a handful of distinct |W|: bins of equal values, ties by index
    spin_set = torch.sort(torch.randperm(weight.numel(), generator=g)[:count]).values
    got = sel.select_magnitude_random(weight, spin_set, torch.Generator().manual_seed(7))
    want = _magnitude_random_by_full_scans(weight, spin_set, torch.Generator().manual_seed(7))
    assert got.numel() == count and torch.equal(got, want)


def test_select_all_warns_when_nothing_selected(caplog):
    scores = {f"l{i}.weight": tuple(torch.rand(30, 30) for _ in range(3)) for i in range(2)}
    with caplog.at_level(logging.WARNING, logger="spin_eval"):
        result = sel.select_all(scores, None, p=5e-7, q=5e-7, selection="paper")
    assert all(idx.numel() == 0 for idx in result.indices.values())
    assert any("NOTHING in all 2 matrices" in w for w in result.warnings)
    assert "NOTHING" in caplog.text


def test_select_all_warns_when_some_matrices_empty():
    small = tuple(torch.rand(2, 2) for _ in range(3))
    g = scores_with_top(100, [0, 1])
    big = (g, scores_with_top(100, [2, 3, 4, 5]), scores_with_top(100, [2, 3, 4, 5]))
    result = sel.select_all({"a.weight": small, "b.weight": big}, None, p=0.02, q=0.04, selection="paper")
    assert result.indices["b.weight"].tolist() == [2, 3, 4, 5]
    assert any("nothing in 1 of 2" in w for w in result.warnings)


def test_select_all_reports_short_control_pool():
    # G = F = P: the fairness-only pool F - G is empty, the paper set too, so both are 0 ...
    g = scores_with_top(100, [0, 1, 2, 3])
    result = sel.select_all({"a.weight": (g, g, g)}, None, p=0.04, q=0.04, selection="fairness-only")
    assert result.indices["a.weight"].numel() == 0
    # ... while with a larger paper set than the general-only pool the shortfall is reported.
    f = scores_with_top(100, [10, 11, 12, 13, 0])
    result = sel.select_all({"a.weight": (g, f, f)}, None, p=0.04, q=0.05, selection="general-only")
    assert result.indices["a.weight"].tolist() == [1, 2, 3]  # pool G - (F | P) = {1, 2, 3}, SPIN count 4
    assert result.short == {"a.weight": 1}
    assert any("pool was smaller" in w for w in result.warnings)


def test_top_k_with_margin_gap_and_reference_shift():
    from spin_eval.spin.selection import top_k_indices, top_k_with_margin

    scores = torch.tensor([5.0, 1.0, 4.0, 3.0, 9.0, 2.0, 4.0 - 4e-7, 8.0], dtype=torch.float64)
    top, margin = top_k_with_margin(scores, 4)
    assert top.tolist() == top_k_indices(scores, 4).tolist() == [0, 2, 4, 7]
    assert margin["gap"] == pytest.approx(1e-7, rel=1e-3)  # 4.0 vs 4.0 - 4e-7
    # swapping index 2 (last member) for index 6 (first outsider): sorted positions 1..3 shift
    assert margin["shift"] == abs(1 - 3)
    ties = torch.tensor([3.0, 1.0, 3.0, 3.0])
    top, margin = top_k_with_margin(ties, 2)
    assert top.tolist() == [0, 2] and margin == {"gap": 0.0, "shift": 1}  # the tie goes to index 2, not 3
    assert top_k_with_margin(ties, 0)[1] is None and top_k_with_margin(ties, 4)[1] is None


def _full_pass_top_k_with_margin(scores, k):
    """The rule written out with full passes over the matrix (the implementation before the topk shortcut)."""
    flat = scores.reshape(-1)
    values = torch.sort(torch.topk(flat, k + 1).values, descending=True).values
    inside, outside = values[k - 1], values[k]
    above = torch.nonzero(flat > inside).reshape(-1)
    equal = torch.nonzero(flat == inside).reshape(-1)
    top = torch.sort(torch.cat([above, equal[: k - above.numel()]])).values
    last = equal[k - above.numel() - 1]
    first_out = equal[k - above.numel()] if bool(outside == inside) else torch.nonzero(flat == outside).reshape(-1)[0]
    shift = abs(int(torch.searchsorted(top, last)) - int(torch.searchsorted(top, first_out)))
    gap = 0.0 if float(inside) <= 0 else float((inside - outside) / inside)
    return top, {"gap": gap, "shift": shift}


@pytest.mark.parametrize("levels", [3, 17, 1000, None])
def test_top_k_with_margin_equals_the_full_pass_rule_with_and_without_ties(levels):
    """Scores drawn from few levels (ties inside, at and across the boundary) or continuous: same indices, gap
    and shift as the full-pass rule, for every k."""
    from spin_eval.spin.selection import top_k_with_margin

    gen = torch.Generator().manual_seed(levels or 0)
    for trial in range(20):
        n = int(torch.randint(2, 300, (1,), generator=gen))
        if levels is None:
            scores = torch.rand(n, generator=gen, dtype=torch.float64)
        else:
            scores = torch.randint(0, levels, (n,), generator=gen).to(torch.float64)
        for k in sorted({1, n // 3, n // 2, n - 1} - {0}):
            got, want = top_k_with_margin(scores, k), _full_pass_top_k_with_margin(scores, k)
            assert got[0].tolist() == want[0].tolist(), (levels, trial, k)
            assert got[1] == want[1], (levels, trial, k)
