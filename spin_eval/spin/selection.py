"""Pure set algebra on importance-score tensors: which entries of each weight matrix SPIN zeroes.

Per weight matrix with ``n`` entries:
  G = top floor(p * n) entries of the general score, F / P = top floor(q * n) of the fairness / privacy score.
  ``paper``:     (F - G) & (P - G), a true set intersection (arXiv 2410.16672, Sec. 3).
  ``reference``: the public code's positional AND (ChnQ/SPIN, src/SPIN.py, ``get_set_difference_mask``
                 and ``suppressing_by_SPIN``): it builds the boolean "not in G" over the *sorted* F
                 indices and over the *sorted* P indices, ANDs the two boolean vectors position by
                 position, and zeroes ``sorted(F)[and]``. So it zeroes a subset of F - G and never checks
                 membership in P: position i survives when the i-th smallest F index and the i-th
                 smallest P index are both outside G.
  controls:      same count per matrix as the ``paper`` set, seeded: ``random`` (uniform),
                 ``magnitude-random`` (same |W| percentile bins as the SPIN set), ``general-only``
                 (from G - (F | P)), ``fairness-only`` (F - G), ``privacy-only`` (P - G).

Top-k ties break by the lower flat index (deterministic on every run and device). All functions take
and return CPU tensors; flat indices are int64 and sorted ascending.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import torch

from spin_eval.spin.margins import UNSTABLE_GAP  # noqa: F401 - selection.UNSTABLE_GAP, as before

logger = logging.getLogger(__name__)

#: Number of |W| percentile bins used by the magnitude-matched control.
MAGNITUDE_BINS = 100


def top_count(ratio: float, numel: int) -> int:
    """floor(ratio * numel), as the reference code's ``int(p * rows * cols)``."""
    return int(ratio * numel)


def top_k_indices(scores: torch.Tensor, k: int) -> torch.Tensor:
    """Sorted flat indices of the ``k`` largest scores; among equal scores the lower index wins."""
    flat = scores.reshape(-1)
    if k <= 0:
        return torch.empty(0, dtype=torch.int64)
    if k >= flat.numel():
        return torch.arange(flat.numel(), dtype=torch.int64)
    threshold = torch.topk(flat, k, largest=True, sorted=False).values.min()
    above = torch.nonzero(flat > threshold).reshape(-1)
    ties = torch.nonzero(flat == threshold).reshape(-1)[: k - above.numel()]
    return torch.sort(torch.cat([above, ties])).values.to(torch.int64)


def top_k_with_margin(scores: torch.Tensor, k: int) -> tuple[torch.Tensor, dict | None]:
    """``(top_k_indices(scores, k), margin)``; margin (None when k <= 0 or k >= numel) holds ``gap``, the
    relative gap between the k-th and (k+1)-th largest score, and ``shift``, how many sorted positions of
    the set a swap of its last member for the first outsider moves (what the positional ``reference``
    selection sees of that one-entry change).

    When the k-th and (k+1)-th scores differ (no tie across the boundary, the usual case), the k largest are
    exactly the entries >= the k-th score, all among ``topk``'s k+1 results, so only the first outsider takes
    a pass over the matrix; with a tie across the boundary the lowest indices among the tied win, as in
    :func:`top_k_indices` (tested equal to the full-pass rule on tie-heavy inputs)."""
    flat = scores.reshape(-1)
    if k <= 0 or k >= flat.numel():
        return top_k_indices(scores, k), None
    found = torch.topk(flat, k + 1, largest=True, sorted=False)
    values = torch.sort(found.values, descending=True).values
    inside, outside = values[k - 1], values[k]
    if bool(outside < inside):
        top = torch.sort(found.indices[found.values >= inside]).values.to(torch.int64)
        last = _last_equal(flat, top, inside)
        first_out = torch.argmax((flat == outside).to(torch.uint8))
    else:
        above = torch.nonzero(flat > inside).reshape(-1)
        equal = torch.nonzero(flat == inside).reshape(-1)
        top = torch.sort(torch.cat([above, equal[: k - above.numel()]])).values.to(torch.int64)
        last = equal[k - above.numel() - 1]
        first_out = equal[k - above.numel()]
    shift = abs(int(torch.searchsorted(top, last)) - int(torch.searchsorted(top, first_out)))
    gap = 0.0 if float(inside) <= 0 else float((inside - outside) / inside)
    return top.cpu(), {"gap": gap, "shift": shift}


def _last_equal(flat: torch.Tensor, top: torch.Tensor, inside: torch.Tensor) -> torch.Tensor:
    """The highest index of ``top`` whose score equals the k-th score (the set's last member by tie order)."""
    members = top[flat[top] == inside]
    return members[-1]


def _minus(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a[~torch.isin(a, b)]


@dataclass(frozen=True)
class TopSets:
    """One matrix's top index sets: everything any selection needs (a few bytes per selected weight).

    ``general`` = G (top floor(p*numel) general scores), ``fairness`` = F and ``privacy`` = P (top
    floor(q*numel)); sorted int64 flat indices on the CPU.
    """

    general: torch.Tensor
    fairness: torch.Tensor
    privacy: torch.Tensor
    numel: int
    margins: dict = field(default_factory=dict)  # {set name: top_k_with_margin's margin or None}


def top_sets(general: torch.Tensor, fairness: torch.Tensor, privacy: torch.Tensor, p: float, q: float) -> TopSets:
    """G, F, P of one matrix from its three score tensors."""
    n = general.numel()
    g, f, pr = (top_k_with_margin(s, top_count(r, n)) for s, r in ((general, p), (fairness, q), (privacy, q)))
    return TopSets(g[0].cpu(), f[0].cpu(), pr[0].cpu(), n, {"general": g[1], "fairness": f[1], "privacy": pr[1]})


def paper_set(sets: TopSets) -> torch.Tensor:
    """(F - G) intersected with (P - G)."""
    f_only = _minus(sets.fairness, sets.general)
    return f_only[torch.isin(f_only, _minus(sets.privacy, sets.general))]


def reference_set(sets: TopSets) -> torch.Tensor:
    """The public code's positional AND (see module docstring); a subset of F - G."""
    f_not_g = ~torch.isin(sets.fairness, sets.general)  # F sorted, as torch.unique returns it
    p_not_g = ~torch.isin(sets.privacy, sets.general)
    return sets.fairness[f_not_g & p_not_g]  # positional: element i of sorted F with element i of sorted P


def select_paper(general: torch.Tensor, fairness: torch.Tensor, privacy: torch.Tensor, p: float, q: float) -> torch.Tensor:
    """(F - G) intersected with (P - G), from score tensors."""
    return paper_set(top_sets(general, fairness, privacy, p, q))


def select_reference(
    general: torch.Tensor, fairness: torch.Tensor, privacy: torch.Tensor, p: float, q: float
) -> torch.Tensor:
    """The public code's positional AND, from score tensors."""
    return reference_set(top_sets(general, fairness, privacy, p, q))


def matrix_generator(seed: int, name: str) -> torch.Generator:
    """A torch.Generator seeded from (seed, parameter name), so each matrix draws independently."""
    value = int.from_bytes(hashlib.sha256(f"{seed}/{name}".encode()).digest()[:8], "little") & ((1 << 63) - 1)
    gen = torch.Generator()
    gen.manual_seed(value)
    return gen


def draw_from_pool(pool: torch.Tensor, count: int, gen: torch.Generator) -> torch.Tensor:
    """``count`` entries of ``pool`` uniformly without replacement (all of it when it is smaller), sorted."""
    if count >= pool.numel():
        return torch.sort(pool).values
    pick = torch.randperm(pool.numel(), generator=gen)[:count]
    return torch.sort(pool[pick]).values


def _magnitude_order(weight: torch.Tensor) -> torch.Tensor:
    """Flat indices of ``weight`` by ascending |W| (stable: ties by index)."""
    return torch.sort(weight.detach().reshape(-1).abs().float().cpu(), stable=True).indices


def magnitude_bins(weight: torch.Tensor, bins: int = MAGNITUDE_BINS) -> torch.Tensor:
    """Percentile bin (0..bins-1) of every entry's |W| within its matrix (stable rank, ties by index)."""
    return _bins_of_order(_magnitude_order(weight), bins)


def _bins_of_order(order: torch.Tensor, bins: int) -> torch.Tensor:
    ranks = torch.empty_like(order)
    ranks[order] = torch.arange(order.numel())
    return (ranks * bins) // order.numel()


def select_magnitude_random(
    weight: torch.Tensor, spin_set: torch.Tensor, gen: torch.Generator, bins: int = MAGNITUDE_BINS
) -> torch.Tensor:
    """As many entries per |W| percentile bin as ``spin_set`` has there, drawn from outside ``spin_set``
    (from inside it only if a bin has too few others)."""
    if spin_set.numel() == 0:
        return torch.empty(0, dtype=torch.int64)
    order = _magnitude_order(weight)
    n = order.numel()
    bin_of = _bins_of_order(order, bins)
    wanted = torch.bincount(bin_of[spin_set], minlength=bins)
    excluded = torch.zeros(n, dtype=torch.bool)
    excluded[spin_set] = True
    picks = []
    for b in torch.nonzero(wanted).reshape(-1).tolist():
        # bin b holds the ranks r with r * bins // n == b: one slice of ``order`` (ascending index after the
        # sort, as a scan of the whole matrix would list them), instead of two passes over the matrix per bin
        members = torch.sort(order[-(-b * n // bins) : -(-(b + 1) * n // bins)]).values
        inside = excluded[members]
        chosen = draw_from_pool(members[~inside], int(wanted[b]), gen)
        short = int(wanted[b]) - chosen.numel()
        if short > 0:
            chosen = torch.cat([chosen, draw_from_pool(members[inside], short, gen)])
        picks.append(chosen)
    return torch.sort(torch.cat(picks)).values


def control_from_spin_set(
    name: str, spin_set: torch.Tensor, numel: int, weight: torch.Tensor | None, selection: str, control_seed: int
) -> torch.Tensor:
    """A ``random`` or ``magnitude-random`` control of one matrix, drawn from its SPIN set alone (same count)."""
    gen = matrix_generator(control_seed, name)
    if selection == "random":
        return draw_from_pool(torch.arange(numel, dtype=torch.int64), spin_set.numel(), gen)
    if selection == "magnitude-random":
        if weight is None:
            raise ValueError("magnitude-random needs the weight matrix")
        return select_magnitude_random(weight, spin_set.to(torch.int64), gen)
    raise ValueError(f"control {selection!r} needs the score sets, not only the SPIN set")


def select_from_sets(
    name: str, sets: TopSets, weight: torch.Tensor | None, *, selection: str, control_seed: int = 0
) -> torch.Tensor:
    """The flat indices one weight matrix loses under ``selection`` (controls match the paper set's count)."""
    if selection == "paper":
        return paper_set(sets)
    if selection == "reference":
        return reference_set(sets)
    spin_set = paper_set(sets)
    if selection in ("random", "magnitude-random"):
        return control_from_spin_set(name, spin_set, sets.numel, weight, selection, control_seed)
    g, f, pr = sets.general, sets.fairness, sets.privacy
    if selection == "general-only":
        pool = _minus(g, torch.cat([f, pr]))
    elif selection == "fairness-only":
        pool = _minus(f, g)
    elif selection == "privacy-only":
        pool = _minus(pr, g)
    else:
        raise ValueError(f"unknown selection {selection!r}")
    return draw_from_pool(pool, spin_set.numel(), matrix_generator(control_seed, name))


def select_matrix(
    name: str,
    general: torch.Tensor,
    fairness: torch.Tensor,
    privacy: torch.Tensor,
    weight: torch.Tensor | None,
    *,
    p: float,
    q: float,
    selection: str,
    control_seed: int = 0,
) -> torch.Tensor:
    """``select_from_sets`` from one matrix's three score tensors."""
    if not (general.shape == fairness.shape == privacy.shape):
        raise ValueError(f"{name}: score shapes differ: {general.shape}, {fairness.shape}, {privacy.shape}")
    sets = top_sets(general, fairness, privacy, p, q)
    return select_from_sets(name, sets, weight, selection=selection, control_seed=control_seed)


@dataclass
class Selection:
    """Result of ``select_all``: indices per matrix plus the warnings worth showing the user."""

    indices: dict[str, torch.Tensor]
    warnings: list[str] = field(default_factory=list)
    short: dict[str, int] = field(default_factory=dict)  # control matrices whose pool was too small: missing count


def select_all(
    scores: Mapping[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    weights: Mapping[str, torch.Tensor] | None,
    *,
    p: float,
    q: float,
    selection: str,
    control_seed: int = 0,
) -> Selection:
    """Apply ``select_matrix`` to every matrix of ``scores`` ({param: (general, fairness, privacy)}).

    Logs (and returns) a warning when the ratios select nothing in some or all matrices, and when a
    control pool is smaller than the SPIN count it should match.
    """
    items = (
        (name, top_sets(*s, p, q), weights[name] if weights is not None and name in weights else None)
        for name, s in scores.items()
    )
    return select_stream(items, p=p, q=q, selection=selection, control_seed=control_seed)


def select_stream(
    items: Iterable[tuple[str, TopSets, torch.Tensor | None]],
    *,
    p: float,
    q: float,
    selection: str,
    control_seed: int = 0,
) -> Selection:
    """``select_all`` over ``(name, TopSets, weight)`` items produced one at a time (large models); ``p``
    and ``q`` only word the warnings."""
    out: dict[str, torch.Tensor] = {}
    short: dict[str, int] = {}
    smallest = None
    for name, sets, weight in items:
        idx = select_from_sets(name, sets, weight, selection=selection, control_seed=control_seed)
        out[name] = idx
        smallest = sets.numel if smallest is None else min(smallest, sets.numel)
        if selection not in ("paper", "reference"):
            wanted = paper_set(sets).numel()
            if idx.numel() < wanted:
                short[name] = wanted - idx.numel()
    warnings: list[str] = []
    empty = [name for name, idx in out.items() if idx.numel() == 0]
    if out and len(empty) == len(out):
        warnings.append(
            f"selection {selection!r} with p={p:g}, q={q:g} zeroes NOTHING in all {len(out)} matrices "
            f"(floor(q * numel) = {top_count(q, smallest)} for the smallest matrix of {smallest} entries, "
            "or no overlap); raise --p/--q (see docs/spin.md for measured ratios)"
        )
    elif empty:
        warnings.append(
            f"selection {selection!r} with p={p:g}, q={q:g} zeroes nothing in {len(empty)} of {len(out)} "
            f"matrices (e.g. {empty[0]})"
        )
    if short:
        warnings.append(
            f"control {selection!r}: the pool was smaller than the SPIN count in {len(short)} matrices "
            f"({sum(short.values())} weights fewer in total)"
        )
    for message in warnings:
        logger.warning(message)
    return Selection(indices=out, warnings=warnings, short=short)
