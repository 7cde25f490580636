"""Named calibration sets for SPIN beyond fairness and privacy: which sets are scored, which are coupled.

``mask build --set NAME=FILE`` (repeatable) adds a calibration set; ``general``, ``fairness`` and
``privacy`` stay the defaults (the shipped files, or ``--general/--fairness/--privacy FILE``).
``--couple A,B[,C...]`` names the sets whose coupled weights are removed (default ``fairness,privacy``),
``--general NAME`` the utility set whose top-p weights are kept (default ``general``).

Selection per matrix (:func:`coupled_indices`, pure): coupled = the intersection over the coupled sets S of
(top-q(S) - top-p(general)). With the two default sets it is exactly the ``paper`` selection of
:mod:`spin_eval.spin.selection`. The reference code's positional mode is defined for two coupled sets only.

Bad input (:func:`check_named_sets`) is a one-line :class:`~spin_eval.errors.InputError` naming the flag
and the fix: a malformed ``--set``, a duplicate name, an unknown name in ``--couple`` or ``--general``,
fewer than two coupled sets, a coupled set that is also the general set, ``reference`` with more than two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from spin_eval.errors import InputError

DEFAULT_SETS: tuple[str, ...] = ("general", "fairness", "privacy")
DEFAULT_COUPLE: tuple[str, ...] = ("fairness", "privacy")
DEFAULT_GENERAL = "general"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True)
class NamedSets:
    """The calibration sets of one build: ``files`` (name -> file, None for a shipped default), the coupled
    sets and the general set."""

    files: tuple[tuple[str, str | None], ...]
    couple: tuple[str, ...] = DEFAULT_COUPLE
    general: str = DEFAULT_GENERAL

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _f in self.files)

    @property
    def is_default(self) -> bool:
        return self.names == DEFAULT_SETS and self.couple == DEFAULT_COUPLE and self.general == DEFAULT_GENERAL


def parse_set_flag(text: str) -> tuple[str, str]:
    """``NAME=FILE`` -> ``(name, file)``; InputError naming ``--set`` otherwise."""
    name, sep, path = str(text).partition("=")
    name = name.strip()
    if not sep or not name or not path.strip():
        raise InputError(f"--set {text!r}: expected NAME=FILE, e.g. --set safety=safety.jsonl")
    if not set(name) <= _NAME_CHARS:
        raise InputError(f"--set {text!r}: the name {name!r} may hold lower-case letters, digits, '_' and '-' only")
    return name, path.strip()


def parse_couple(text: str) -> tuple[str, ...]:
    """``A,B[,C...]`` -> names (checked against the sets by :func:`check_named_sets`)."""
    names = tuple(n.strip() for n in str(text).split(","))
    if any(not n for n in names):
        raise InputError(f"--couple {text!r}: empty name; give comma-separated set names, e.g. --couple safety,helpfulness")
    return names


def check_named_sets(sets: Sequence[tuple[str, str | None]], couple: Sequence[str] = DEFAULT_COUPLE,
                     general: str = DEFAULT_GENERAL, selection: str = "paper") -> NamedSets:
    """The validated sets of a build (module docstring for the rules)."""
    names = [n for n, _f in sets]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"--set: {', '.join(dup)} given twice; name each calibration set once "
                         "(general, fairness and privacy take --general/--fairness/--privacy FILE)")
    couple = tuple(couple)
    unknown = [n for n in couple if n not in names]
    if unknown:
        raise InputError(f"--couple: unknown set {', '.join(unknown)}; the sets are {', '.join(names)} "
                         "(add one with --set NAME=FILE)")
    if len(set(couple)) != len(couple):
        raise InputError(f"--couple {','.join(couple)}: a set is named twice; name each coupled set once")
    if len(couple) < 2:
        raise InputError(f"--couple {','.join(couple)}: name at least two sets (the conflict SPIN resolves), "
                         "e.g. --couple safety,helpfulness")
    if general not in names:
        raise InputError(f"--general {general}: unknown set; the sets are {', '.join(names)}")
    if general in couple:
        raise InputError(f"--couple: {general} is also the general set (--general); couple other sets or "
                         "choose another --general")
    if selection == "reference" and len(couple) != 2:
        raise InputError(f"--selection reference: the reference code's positional mode is defined for two "
                         f"coupled sets (got {len(couple)}); use --selection paper")
    return NamedSets(tuple((n, f) for n, f in sets), couple, general)


def coupled_indices(tops: Mapping[str, torch.Tensor], couple: Sequence[str], general: str) -> torch.Tensor:
    """One matrix's coupled flat indices: the intersection over ``couple`` of (tops[set] - tops[general]).
    ``tops`` holds each set's sorted int64 top indices (top-q for coupled sets, top-p for the general set).
    Sorted int64; pure."""
    keep = tops[general]
    out: torch.Tensor | None = None
    for name in couple:
        part = tops[name][~torch.isin(tops[name], keep)]
        out = part if out is None else out[torch.isin(out, part)]
    return torch.sort(out).values.to(torch.int64) if out is not None else torch.empty(0, dtype=torch.int64)


def canonical_sets(value) -> str:
    """``--set`` values (a list of ``NAME=FILE`` from the command line, or one ``a=x;b=y`` string from a
    model_arg or metadata) as the config stores them: ``a=x;b=y``."""
    items = value if isinstance(value, (list, tuple)) else [v for v in str(value).split(";") if v.strip()]
    if not items:
        raise InputError("--set: expected NAME=FILE, e.g. --set safety=safety.jsonl")
    return ";".join("=".join(parse_set_flag(str(v))) for v in items)


def canonical_names(value) -> str:
    """``--couple A,B`` (or ``a;b`` from a model_arg or metadata) as the config stores it: ``a;b``."""
    return ";".join(parse_couple(str(value).replace(";", ",")))


def named_sets_of(config) -> NamedSets:
    """The sets of a :class:`~spin_eval.spin.config.SpinConfig` (see ``SpinConfig.named_sets``), validated."""
    extra = [parse_set_flag(v) for v in (config.sets.split(";") if config.sets else [])]
    known = [("general", config.general), ("fairness", config.fairness), ("privacy", config.privacy), *extra]
    couple = parse_couple(config.couple.replace(";", ",")) if config.couple else DEFAULT_COUPLE
    general = config.general_set or DEFAULT_GENERAL
    checked = check_named_sets(known, couple, general, config.selection)
    if config.sets is None and config.couple is None and config.general_set is None:
        return checked
    scored = [general, *couple, *(n for n, _f in extra)]
    files = dict(known)
    return NamedSets(tuple((n, files[n]) for n in dict.fromkeys(scored)), checked.couple, checked.general)


def role_top_sets(tops: Mapping[str, torch.Tensor], named: NamedSets, numel: int, margins: dict | None = None):
    """One matrix's :class:`~spin_eval.spin.selection.TopSets` from its per-set top indices: G = the general
    set's, F = the first coupled set's, P = the intersection of the other coupled sets' tops, so that the
    paper selection (F - G) & (P - G) is :func:`coupled_indices` (the default sets give G, F, P unchanged).
    The controls ``fairness-only`` / ``privacy-only`` then mean F - G / P - G of these roles. ``margins``:
    each set's boundary margin by set name (``top_k_with_margin``), kept for ``mask info``."""
    from spin_eval.spin.selection import TopSets

    first, *rest = named.couple
    other = tops[rest[0]]
    for name in rest[1:]:
        other = other[torch.isin(other, tops[name])]
    return TopSets(tops[named.general], tops[first], other, numel, dict(margins or {}))


def changed_sets(scored: str | None, given: str | None) -> list[str]:
    """Names given with another file than the score files scored them with (``--from-scores``)."""
    old = dict(parse_set_flag(v) for v in (scored or "").split(";") if v)
    new = dict(parse_set_flag(v) for v in (given or "").split(";") if v)
    return sorted(n for n in old.keys() & new.keys() if old[n] != new[n])
