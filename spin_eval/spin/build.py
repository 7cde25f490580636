"""Orchestration: calibration sets -> gradient sums -> top index sets -> selection -> SpinMask, plus the
mask cache and control masks.

``build_mask(model, tokenizer, config)`` is the one-call path. It streams with bounded memory: one
calibration set at a time is scored into int64 grid sums on the weights' devices (8 bytes per target
weight), and each matrix's sums are reduced at once to the top index set that set contributes (G, F or
P, a few bytes per *selected* weight on the host) and freed. ``ranks`` (``spin_eval.spin.distributed``)
splits the samples over data-parallel processes and sums each matrix over the ranks (exactly: int64
grid sums, see ``scoring``) before its top-k, so every rank ends with the index sets of one process.

The score-file path: ``write_score_sums`` (one shard of the samples, ``--save-scores``) streams one
set's sums at a time into the file; ``mask_from_sums`` takes ``scorefile.ScoreFiles`` (shard files merged
one matrix at a time) or in-memory ``score_sums``, and scores and selects one matrix at a time. ``load_or_build_mask(s)`` caches
masks under ``spin_eval.paths.cache_dir()/masks/`` keyed by the model fingerprint, every SpinConfig field
and the calibration files' sha256s (not the batch size on the CPU, where it cannot change the mask). ``control_mask`` draws
the ``random`` / ``magnitude-random`` control of a given SPIN mask.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from spin_eval import __version__
from spin_eval.constants import MASK_FORMAT_VERSION
from spin_eval.errors import InputError
from spin_eval.spin.calibration import CalibrationSet, default_calibration_path, load_calibration
from spin_eval.spin.config import SpinConfig
from spin_eval.spin.distributed import rank_slice

logger = logging.getLogger(__name__)


def calibration_sets(config: SpinConfig) -> dict[str, CalibrationSet]:
    """The calibration sets of ``config``: general, fairness, privacy (None -> the shipped file of
    ``config.calibration``), or the named sets of ``--set/--couple/--general-set``
    (``config.named_sets()``: the general set, the coupled sets and every ``--set``)."""
    sets = {}
    for name, source in config.named_sets().files:
        if source is None:
            path = default_calibration_path(name, config.calibration)
            if not path.is_file():
                raise InputError(
                    f"the shipped default {name} calibration set {path} is missing; pass --{name} FILE "
                    "(CSV/JSONL with prompt,response) or reinstall spin-eval"
                )
            source = str(path)
        sets[name] = load_calibration(source)
    return sets


def calibration_metadata(sets: dict[str, CalibrationSet], config: SpinConfig) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "name": cal.name,
            "sha256": cal.sha256,
            "nsamples": min(config.nsamples, len(cal.rows)),
            "seed": config.seed,
        }
        for name, cal in sets.items()
    }


def model_name_of(model: Any) -> str:
    from spin_eval.modelspec import display_name

    config = getattr(model, "config", None)
    return display_name(str(getattr(config, "_name_or_path", "") or getattr(model, "name_or_path", "")
                            or type(model).__name__))


def _parse_shard(shard: tuple[int, int] | None) -> tuple[int, int]:
    if shard is None:
        return 0, 1
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise InputError(f"shard {index}/{count} is invalid; use i/n with 0 <= i < n, e.g. --shard 0/4")
    return index, count


def _samples(set_name: str, cal: CalibrationSet, tokenizer: Any, config: SpinConfig, index: int, count: int) -> list:
    """Tokenised samples of slice ``index`` of ``count`` of the rows sampled from one set."""
    from spin_eval.spin.calibration import sample_rows, tokenize_sample
    from spin_eval.spin.scoring import Sample

    rows = sample_rows(cal, config.nsamples, config.seed)
    lo, hi = rank_slice(len(rows), index, count)
    samples = []
    for pos in range(lo, hi):
        prompt, response = rows[pos]
        try:
            ids, labels = tokenize_sample(
                tokenizer, prompt, response, chat_template=config.chat_template, max_length=config.max_length,
                separator=config.separator,
            )
        except InputError as exc:
            raise InputError(f"{cal.name}: sampled row {pos}: {exc}") from None
        samples.append(Sample(ids, labels, label=f"{set_name} set {cal.name}, sampled row {pos}"))
    return samples


def _run_metadata(model: Any, fingerprint: str, config: SpinConfig, sets: dict[str, CalibrationSet]) -> dict[str, Any]:
    return {
        "model_fingerprint": fingerprint,
        "model_name": model_name_of(model),
        "config": config.to_dict(),
        "calibration": calibration_metadata(sets, config),
    }


def _shard_scoring(model: Any, tokenizer: Any, config: SpinConfig, shard: tuple[int, int] | None,
                   sets: dict[str, CalibrationSet] | None, fingerprint: str | None):
    """(target Linears, {set: this shard's samples}, score-file metadata) of one shard, before any scoring."""
    from spin_eval.spin.mask import model_fingerprint, target_linears
    from spin_eval.spin.scoring import SCORE_ARITHMETIC

    index, count = _parse_shard(shard)
    sets = sets if sets is not None else calibration_sets(config)
    linears = target_linears(model, config.target)
    fingerprint = fingerprint or model_fingerprint(model, config.target)
    samples = {name: _samples(name, cal, tokenizer, config, index, count) for name, cal in sets.items()}
    metadata = _run_metadata(model, fingerprint, config, sets)
    metadata.update(shard=[index, count], samples_scored={name: len(s) for name, s in samples.items()},
                    score_arithmetic=SCORE_ARITHMETIC)
    return linears, samples, metadata


def _each_sum(model: Any, linears: dict[str, Any], samples: dict[str, list], *, batch_size: int, progress: bool):
    """``(set, param, int64 sum on the CPU)`` for every set and matrix: one set's sums at a time (8 bytes
    per target weight on the weights' devices), each matrix handed over and dropped from the set's dict."""
    from spin_eval.spin.scoring import gradient_sums

    for set_name, set_samples in samples.items():
        set_sums = gradient_sums(model, set_samples, linears, batch_size=batch_size, progress=progress,
                                 desc=f"scoring {set_name}")
        for name in list(set_sums):
            yield set_name, name, set_sums.pop(name).cpu()


def score_sums(
    model: Any,
    tokenizer: Any,
    config: SpinConfig,
    *,
    shard: tuple[int, int] | None = None,
    batch_size: int = 1,
    progress: bool = True,
    sets: dict[str, CalibrationSet] | None = None,
    fingerprint: str | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Full int64 grid sums of per-sample |dL/dW| for every set over shard ``i/n`` of the sampled rows,
    on the CPU (exact: shards merged in any order give the one-process sums bit for bit).

    Returns ``({set: {param: tensor}}, metadata)``; the metadata identifies the run (fingerprint,
    config, calibration, score arithmetic) so ``ScoreFiles`` can refuse mixing shards of different runs.
    Holds every set's sums at once (8 bytes per set per target weight): for tests and small models;
    ``write_score_sums`` streams the same sums into a score file.
    """
    linears, samples, metadata = _shard_scoring(model, tokenizer, config, shard, sets, fingerprint)
    sums: dict[str, dict[str, Any]] = {name: {} for name in samples}
    for set_name, name, total in _each_sum(model, linears, samples, batch_size=batch_size, progress=progress):
        sums[set_name][name] = total
    return sums, metadata


def write_score_sums(
    model: Any,
    tokenizer: Any,
    config: SpinConfig,
    path: str | Path,
    *,
    shard: tuple[int, int] | None = None,
    batch_size: int = 1,
    progress: bool = True,
    sets: dict[str, CalibrationSet] | None = None,
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """``score_sums`` written to the score file ``path`` as they are made (atomically): one set's sums in
    memory at a time, each matrix written at its offset and freed. Returns the file's metadata."""
    from spin_eval.spin.scorefile import write_score_file

    linears, samples, metadata = _shard_scoring(model, tokenizer, config, shard, sets, fingerprint)
    layout = {f"{s}/{name}": tuple(lin.weight.shape) for s in samples for name, lin in linears.items()}
    write_score_file(path, layout, metadata, ((f"{s}/{name}", total) for s, name, total in
                                              _each_sum(model, linears, samples, batch_size=batch_size, progress=progress)))
    return metadata


def score_top_sets(
    model: Any,
    tokenizer: Any,
    config: SpinConfig,
    *,
    batch_size: int = 1,
    progress: bool = True,
    sets: dict[str, CalibrationSet] | None = None,
    ranks: Any = None,
) -> dict[str, Any]:
    """``{param: TopSets}``: G, F, P of every target matrix, scored set by set with bounded memory.

    Per set: int64 grid sums of per-sample |dL/dW| (this rank's slice of the samples, ``scoring``), then
    per matrix: exact sum over ranks, scores by ``importance_scores``, keep the top-k indices, free both.
    """
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.scoring import gradient_sums, importance_scores
    from spin_eval.spin.selection import top_count, top_k_with_margin

    index, count = (ranks.rank, ranks.world_size) if ranks is not None else (0, 1)
    sets = sets if sets is not None else calibration_sets(config)
    linears = target_linears(model, config.target)
    general = config.named_sets().general
    ratios = {name: config.p if name == general else config.q for name in sets}
    tops: dict[str, dict[str, Any]] = {}
    for set_name, cal in sets.items():
        samples = _samples(set_name, cal, tokenizer, config, index, count)
        sums = gradient_sums(
            model, samples, linears, batch_size=batch_size, progress=progress, desc=f"scoring {set_name}"
        )
        tops[set_name] = {}
        for name, lin in linears.items():
            total = sums.pop(name)
            if ranks is not None:
                ranks.all_reduce_exact_(total, name)
            scores = importance_scores(lin.weight, total)
            del total
            tops[set_name][name] = top_k_with_margin(scores, top_count(ratios[set_name], scores.numel()))
            del scores
    from spin_eval.spin.namedsets import role_top_sets

    named = config.named_sets()
    return {name: role_top_sets({s: tops[s][name][0] for s in tops}, named, lin.weight.numel(),
                                {s: tops[s][name][1] for s in tops})
            for name, lin in linears.items()}


def mask_from_sums(
    model: Any,
    sums: dict[str, dict[str, Any]],
    config: SpinConfig,
    *,
    fingerprint: str,
    calibration: dict[str, dict[str, Any]],
    model_name: str | None = None,
):
    """Scores ``importance_scores(|W|, int64 grid sums)`` -> top sets -> SpinMask with full metadata (the
    score-file and sweep path: the same arithmetic as ``build_masks``, so the same mask). ``sums`` is
    ``{set: {param: sum}}``, in memory or a ``scorefile.ScoreFiles`` (read on access): one matrix of one
    set is scored at a time and only its top-k indices are kept."""
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.namedsets import role_top_sets
    from spin_eval.spin.scoring import importance_scores
    from spin_eval.spin.selection import top_count, top_k_with_margin

    linears = target_linears(model, config.target)
    named = config.named_sets()
    absent = [s for s in named.names if s not in sums]
    if absent:
        raise InputError(f"the score files hold no set {', '.join(absent)} (they hold {', '.join(sums) or 'none'}); "
                         f"score it with 'mask build --save-scores' and the same --set/--couple flags, or drop it")
    missing = [n for s in named.names for n in linears if n not in sums[s]]
    if missing:
        raise InputError(f"score sums lack {missing[0]} (and {len(missing) - 1} more); they belong to another target/model")

    def top(s: str, scores: Any) -> Any:  # G: top-p of the general set; every other set: top-q (with its margin)
        indices, margin = top_k_with_margin(scores, top_count(config.p if s == named.general else config.q, scores.numel()))
        return indices.cpu(), margin

    tops = {}
    for name, lin in linears.items():
        found = {s: top(s, importance_scores(lin.weight, sums[s][name])) for s in named.names}
        tops[name] = role_top_sets({s: v[0] for s, v in found.items()}, named, lin.weight.numel(),
                                   {s: v[1] for s, v in found.items()})
    return mask_from_top_sets(model, tops, config, fingerprint=fingerprint, calibration=calibration, model_name=model_name)


def mask_from_top_sets(
    model: Any,
    tops: dict[str, Any],
    config: SpinConfig,
    *,
    fingerprint: str,
    calibration: dict[str, dict[str, Any]],
    model_name: str | None = None,
):
    """``config.selection`` over every matrix's TopSets -> SpinMask with full metadata (warnings included)."""
    from spin_eval.spin.mask import target_linears
    from spin_eval.spin.selection import select_stream

    linears = target_linears(model, config.target)
    items = ((name, tops[name], lin.weight.detach()) for name, lin in linears.items())
    result = select_stream(items, p=config.p, q=config.q, selection=config.selection, control_seed=config.control_seed)
    shapes = {name: tuple(lin.weight.shape) for name, lin in linears.items()}
    mask = _finish_mask(result.indices, shapes, config, fingerprint=fingerprint, calibration=calibration,
                        model_name=model_name or model_name_of(model), warnings=result.warnings)
    mask.metadata["margins"] = {name: dict(tops[name].margins) for name in linears}
    return mask


def _finish_mask(indices, shapes, config: SpinConfig, *, fingerprint, calibration, model_name, warnings):
    from spin_eval.spin.mask import SpinMask
    from spin_eval.spin.scoring import SCORE_ARITHMETIC, SCORE_KIND

    metadata: dict[str, Any] = {
        "format_version": MASK_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "model_name": model_name,
        "model_fingerprint": fingerprint,
        "p": config.p,
        "q": config.q,
        "target": config.target,
        "selection": config.selection,
        "score_kind": SCORE_KIND,
        "score_arithmetic": dict(SCORE_ARITHMETIC),
        "calibration": calibration,
        "config": config.to_dict(),
        "warnings": list(warnings),
    }
    if config.is_control:
        metadata["control_of"] = "paper"
        metadata["control_seed"] = config.control_seed
    mask = SpinMask(indices=indices, shapes=shapes, metadata=metadata)
    metadata["counts"] = mask.counts
    metadata["total"] = mask.total
    metadata["numel_total"] = mask.numel_total
    return mask


def control_mask(model: Any, spin_mask: Any, selection: str, control_seed: int):
    """The ``random`` / ``magnitude-random`` control of ``spin_mask``: its count in every matrix, drawn
    with the same per-matrix generators as ``mask build --selection <control>`` (so the two are equal)."""
    import dataclasses

    from spin_eval.spin.selection import control_from_spin_set

    if selection not in ("random", "magnitude-random"):
        raise InputError(f"control {selection!r} needs the importance scores; build it with load_or_build_masks")
    params = dict(model.named_parameters())
    indices = {
        name: control_from_spin_set(name, spin_set, params[name].numel(), params[name].detach(), selection, control_seed)
        for name, spin_set in spin_mask.indices.items()
    }
    meta = spin_mask.metadata
    config = SpinConfig.from_dict(meta["config"]) if isinstance(meta.get("config"), dict) else SpinConfig(
        p=meta["p"], q=meta["q"], target=meta["target"]
    )
    config = dataclasses.replace(config, selection=selection, control_seed=control_seed)
    mask = _finish_mask(indices, dict(spin_mask.shapes), config, fingerprint=meta.get("model_fingerprint"),
                        calibration=meta.get("calibration", {}), model_name=meta.get("model_name"), warnings=[])
    mask.metadata["control_of"] = meta.get("selection", "paper")
    return mask


def build_masks(
    model: Any,
    tokenizer: Any,
    config: SpinConfig,
    selections: tuple[str, ...] | None = None,
    *,
    batch_size: int = 1,
    progress: bool = True,
    model_name: str | None = None,
    ranks: Any = None,
    fingerprint: str | None = None,
) -> dict[str, Any]:
    """``{selection: SpinMask}`` for ``selections`` (default: ``config.selection``) from ONE scoring pass."""
    import dataclasses

    from spin_eval.spin.mask import model_fingerprint

    sets = calibration_sets(config)
    fingerprint = fingerprint or model_fingerprint(model, config.target)
    if ranks is not None:
        ranks.check_same(_run_metadata(model, fingerprint, config, sets) | {"spin_eval_version": __version__})
    tops = score_top_sets(model, tokenizer, config, batch_size=batch_size, progress=progress, sets=sets, ranks=ranks)
    calibration = calibration_metadata(sets, config)
    return {
        sel: mask_from_top_sets(model, tops, dataclasses.replace(config, selection=sel), fingerprint=fingerprint,
                                calibration=calibration, model_name=model_name)
        for sel in (selections or (config.selection,))
    }


def build_mask(model: Any, tokenizer: Any, config: SpinConfig, *, batch_size: int = 1, progress: bool = True,
               model_name: str | None = None, ranks: Any = None):
    """Score the model on the three calibration sets and select the SPIN (or control) weights."""
    masks = build_masks(model, tokenizer, config, batch_size=batch_size, progress=progress, model_name=model_name,
                        ranks=ranks)
    return masks[config.selection]


# The mask cache lives in spin_eval.spin.cache; its names stay importable from here.
from spin_eval.spin.cache import (  # noqa: E402,F401  (re-exports; cache imports this module lazily)
    batch_key,
    cache_key,
    load_or_build_mask,
    load_or_build_masks,
)
