"""``spin-eval sweep``: SPIN and its controls at several ratios, scored once, evaluated like ``spin-eval run``.

Stages (recorded in ``OUT/spin-eval-run.json``, the same manifest ``spin-eval run`` writes, with an extra
``sweep`` object; a finished stage or variant is skipped on re-run, ``force`` redoes everything):

1. ``scores``: the calibration score sums |dL/dW| of the three sets, computed ONCE with
   ``spin_eval.spin.build.write_score_sums`` (or merged from ``--from-scores`` files written by
   ``spin-eval mask build --save-scores``, refused when they belong to another model, target or
   calibration set) and saved to ``OUT/masks/score_sums.safetensors``.
2. ``masks``: for every point (p, q) of the grid the SPIN mask and one mask per control, each from those
   sums with ``spin_eval.spin.build.mask_from_sums`` (the selection functions of ``spin_eval.spin.selection``;
   seconds per mask, no new backward pass). A point whose SPIN mask zeroes nothing is recorded and not
   evaluated (its variants would equal ``base``).
3. one stage per variant: ``base`` once, then ``spin-p<p>[-q<q>]`` and ``<control>-p<p>[-q<q>]`` through
   ``spin_eval.run.evaluate.evaluate_variant`` (the model loaded once, identical lm-eval settings and
   documents, atomic rename of a complete output folder, so an interrupted variant leaves nothing).
4. ``report``: the frontier report (``spin_eval.report.frontier_report``) in html, md and json.

Because the folder is a run folder, ``spin-eval check OUT --variant spin-p0.0001`` and
``spin-eval leaderboard submit OUT --variant spin-p0.0001`` read one sweep point as they read a run.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import sha256_json
from spin_eval.results.runfolder import MASKS_SUBDIR, RUNS_SUBDIR
from spin_eval.run.documents import select_documents
from spin_eval.run.evaluate import (
    check_tasks_exist,
    evaluate_and_record,
    load_shared_model,
    make_task_manager,
    variant_finished,
)
from spin_eval.run.main import tune_baselines
from spin_eval.run.manifest import Manifest, Variant
from spin_eval.run.settings import DEFAULT_LIMIT as RUN_DEFAULT_LIMIT
from spin_eval.run.settings import REPORT_FORMATS, RunSettings, check_controls
from spin_eval.run.sweep_scores import SCORES_FILE, SCORING_FIELDS, check_score_metadata, load_or_score  # noqa: F401

#: Default ratios for the embedded SmolLM2 (weights zeroed measured: 343 at 3e-5, 1,173 at 1e-4,
#: 11,202 at 1e-3; docs/sweep.md). Three points keep the default sweep within the 15-minute target.
DEFAULT_RATIOS = (3e-5, 1e-4, 1e-3)
DEFAULT_CONTROLS = ("magnitude-random",)
#: Default documents per task and variant: the run's fixed 60 per log-likelihood task, and 12 (not the run's
#: 20) per generation task. Measured on a quiet 2-core machine (docs/sweep.md "Cost"): at 60 / 20 the
#: default sweep (1 + 2 x 3 variants, ~2.1 min each, plus 2.5 min of scoring and masks) took about 18
#: minutes; generation documents take about two thirds of a variant's time, so 12 brings it under 15 minutes.
DEFAULT_LIMIT = RUN_DEFAULT_LIMIT
DEFAULT_GEN_LIMIT = 12


def normalize_ratios(values: tuple[float, ...] | list[float], flag: str = "--ratios") -> tuple[tuple[float, ...], list[str]]:
    """Ratios sorted ascending without duplicates, and a note for each change made. Pure.

    Decision (docs/sweep.md): unsorted or repeated ratios are sorted and de-duplicated with a note rather
    than refused, since their order carries no meaning; values outside (0, 1) are refused.
    """
    if not values:
        raise InputError(f"{flag} is empty; give comma-separated fractions, e.g. {flag} 3e-5,1e-4,1e-3")
    for v in values:
        if not (isinstance(v, (int, float)) and math.isfinite(v) and 0 < v < 1):
            raise InputError(f"{flag} {v}: every ratio must be a fraction between 0 and 1 (exclusive), e.g. 1e-4")
    out = tuple(sorted(set(float(v) for v in values)))
    notes = []
    if len(out) < len(values):
        dups = sorted({v for v in values if list(values).count(v) > 1})
        notes.append(f"{flag}: repeated ratio(s) {', '.join(f'{v:g}' for v in dups)} evaluated once")
    if list(values) != sorted(values) and len(set(values)) > 1:
        notes.append(f"{flag}: ratios sorted ascending ({','.join(f'{v:g}' for v in out)})")
    return out, notes


def point_name(selection: str, p: float, q: float) -> str:
    """Variant (and mask file) name of one sweep point: ``spin-p0.0001``, ``magnitude-random-p0.0001-q0.001``."""
    prefix = "spin" if selection == "paper" else selection
    return f"{prefix}-p{p:g}" + ("" if q == p else f"-q{q:g}")


@dataclass(frozen=True)
class SweepSettings:
    """Everything that decides what a sweep computes; its hash guards resuming into an existing folder.

    ``run`` holds what every variant is evaluated with, exactly as ``spin-eval run`` takes it (its
    ``controls``, ``mask`` and ``spin``'s ``p``, ``q``, ``selection`` are unused: the sweep's grid and controls are below)."""

    run: RunSettings = field(default_factory=lambda: RunSettings(limit=DEFAULT_LIMIT, gen_limit=DEFAULT_GEN_LIMIT,
                                                                 controls=()))
    ratios: tuple[float, ...] = DEFAULT_RATIOS
    q_ratios: tuple[float, ...] | None = None
    controls: tuple[str, ...] = DEFAULT_CONTROLS
    from_scores: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if tuple(sorted(set(self.ratios))) != tuple(self.ratios):
            raise InputError("--ratios must be sorted and unique; pass them through normalize_ratios first")
        if self.q_ratios is not None and tuple(sorted(set(self.q_ratios))) != tuple(self.q_ratios):
            raise InputError("--q-ratios must be sorted and unique; pass them through normalize_ratios first")
        check_controls(self.controls)

    @property
    def model(self) -> str:
        return self.run.model

    def evaluation_options(self) -> dict:
        """The lm-eval options every variant is evaluated with (recorded in the manifest, as by run)."""
        return self.run.evaluation_options()

    def points(self) -> list[tuple[float, float]]:
        """The (p, q) grid: p = q for each ratio, or every p with every ``q_ratios`` value."""
        if self.q_ratios is None:
            return [(r, r) for r in self.ratios]
        return [(p, q) for p in self.ratios for q in self.q_ratios]

    def spin_config(self, p: float, q: float, selection: str = "paper"):
        """The run's one SpinConfig at grid point (p, q) with ``selection``."""
        from dataclasses import replace

        return replace(self.run.spin, p=p, q=q, selection=selection)

    def record(self) -> dict:
        """The settings as the manifest records them (the run's part flat, as :meth:`RunSettings.record`)."""
        data = asdict(self)
        data["run"] = self.run.record()
        return data

    def key(self) -> str:
        """Hash of the settings that change results (the run's key; not where the scores came from)."""
        data = asdict(self)
        data["run"] = self.run.key()
        data.pop("from_scores")
        return sha256_json(data)


@dataclass
class SweepOutcome:
    out_dir: Path
    variants: list[str]
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    best: str = ""


def point_masks(model: Any, sums: dict, meta: dict, settings: SweepSettings, p: float, q: float,
                model_name: str | None = None) -> dict[str, Any]:
    """The SPIN mask and one mask per control of point (p, q), all from the same score sums."""
    from spin_eval.spin.build import mask_from_sums

    out = {}
    for selection in ("paper",) + tuple(settings.controls):
        out[point_name(selection, p, q)] = mask_from_sums(
            model, sums, settings.spin_config(p, q, selection), fingerprint=meta["model_fingerprint"],
            calibration=meta["calibration"], model_name=model_name or meta.get("model_name"))
    return out


def overlaps(spin_masks: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Jaccard overlap of consecutive SPIN masks (ordered by weights zeroed) and the share of the smaller
    mask that the larger one contains. Pure."""
    import numpy as np

    from spin_eval.stats import mask_jaccard

    ordered = sorted(spin_masks, key=lambda item: item[1].total)
    out = []
    for (name_a, a), (name_b, b) in zip(ordered, ordered[1:]):
        inter = sum(np.intersect1d(a.indices[n].numpy(), b.indices[n].numpy()).size
                    for n in a.indices if n in b.indices)
        out.append({"a": name_a, "b": name_b, "jaccard": mask_jaccard(a.indices, b.indices),
                    "contained": (inter / a.total) if a.total else None})
    return out


# ----------------------------------------------------------------------------------------------- pipeline


def sweep_masks(lm: Any, settings: SweepSettings, masks_dir: Path, manifest: Manifest, *, force: bool,
                notes: list[str]) -> None:
    """Stages ``scores`` and ``masks``: the score sums once, then every point's masks (existing files reused)."""
    from spin_eval.spin.io import file_sha256, load_mask, save_mask
    from spin_eval.spin.mask import model_fingerprint

    masks_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = model_fingerprint(lm.model, settings.run.spin.target)
    scored: list = []

    def sums_and_meta():  # the score sums are read (or computed) only when some point's masks are missing
        if not scored:
            t0 = time.perf_counter()
            sums, meta, source = load_or_score(lm, settings, masks_dir, force=force)
            manifest.mark("scores", "done", path=f"{MASKS_SUBDIR}/{SCORES_FILE}", source=source,
                          seconds=round(time.perf_counter() - t0, 1))
            scored.extend([sums, meta])
        return scored

    def reusable(path: Path, selection: str, p: float, q: float) -> bool:
        """An existing mask file of exactly this model, ratio, selection and calibration (else rebuilt)."""
        if force or not path.is_file():
            return False
        meta = load_mask(path).metadata
        return (meta.get("model_fingerprint") == fingerprint
                and meta.get("config") == settings.spin_config(p, q, selection).to_dict())

    points, spins = [], []
    for p, q in settings.points():
        t1 = time.perf_counter()
        selections = ("paper",) + tuple(settings.controls)
        names = [point_name(s, p, q) for s in selections]
        paths = {n: masks_dir / f"{n}.safetensors" for n in names}
        if not all(reusable(paths[n], s, p, q) for n, s in zip(names, selections)):
            sums, meta = sums_and_meta()
            for name, mask in point_masks(lm.model, sums, meta, settings, p, q).items():
                save_mask(mask, paths[name])
        masks = {n: load_mask(f) for n, f in paths.items()}
        spin = masks[names[0]]
        spins.append((names[0], spin))
        warnings = list(spin.metadata.get("warnings") or [])
        entry = {
            "p": p, "q": q, "spin": names[0], "controls": dict(zip(settings.controls, names[1:])),
            "weights_zeroed": {n: m.total for n, m in masks.items()},
            "empty_matrices": sum(1 for c in spin.counts.values() if c == 0), "matrices": len(spin.counts),
            "warnings": warnings, "mask_sha256": {n: file_sha256(f) for n, f in paths.items()},
            "seconds": round(time.perf_counter() - t1, 2),
        }
        if spin.total == 0:
            notes.append(f"p={p:g}, q={q:g}: SPIN zeroes nothing in all {entry['matrices']} matrices; point not evaluated")
        elif entry["empty_matrices"]:
            notes.append(f"p={p:g}, q={q:g}: SPIN zeroes {spin.total} weights but nothing in "
                         f"{entry['empty_matrices']} of {entry['matrices']} matrices")
        for name in names[1:]:
            if masks[name].total < spin.total:
                notes.append(f"{name}: control pool too small, {masks[name].total} of {spin.total} weights drawn")
        points.append(entry)
    manifest.data["sweep"] = {"points": points, "overlaps": overlaps(spins), "notes": notes,
                              "controls": list(settings.controls)}
    manifest.mark("masks", "done")


def sweep_variants(manifest: Manifest, masks_dir: Path) -> list[Variant]:
    """``base`` and every variant of a point whose SPIN mask zeroes something, in grid order."""
    out = [Variant("base")]
    for point in manifest.data["sweep"]["points"]:
        if point["weights_zeroed"][point["spin"]] == 0:
            continue
        for name in [point["spin"], *point["controls"].values()]:
            out.append(Variant(name, masks_dir / f"{name}.safetensors"))
    return out


def write_sweep_reports(out_dir: Path, allowance: float, formats: tuple[str, ...] = REPORT_FORMATS) -> tuple[list[Path], str]:
    """The frontier report in every format, and its best-ratio sentence."""
    from spin_eval.report.frontier_report import load_sweep, write_frontier_report

    report = load_sweep(out_dir, allowance=allowance)
    return [write_frontier_report(report, out_dir / f"report.{fmt}", fmt) for fmt in formats], report.frontier.best.sentence


def run_sweep(settings: SweepSettings, out_dir: str | Path, *, force: bool = False, report: bool = True,
              notes: list[str] | None = None, allowance: float = 1.0) -> SweepOutcome:
    """Run (or resume) a sweep into ``out_dir`` through ``spin-eval run``'s folder safety
    (``spin_eval.outputs.run_folder``): every point's masks and variant folders are the recorded outputs."""
    from spin_eval.outputs import planned_outputs, run_folder

    out_dir, run = Path(out_dir), settings.run
    for f in settings.from_scores:
        if not Path(f).is_file():
            raise InputError(f"--from-scores {f}: no such file; write it with 'spin-eval mask build --save-scores DIR'")
    names = [point_name(s, p, q) for p, q in settings.points() for s in ("paper",) + tuple(settings.controls)]
    outputs = planned_outputs(["base", *names, *run.baselines], [f"{name}.safetensors" for name in names])
    inputs = {"--from-scores": settings.from_scores, "--general": run.spin.general, "--fairness": run.spin.fairness,
              "--privacy": run.spin.privacy, "--include-path": run.include_path}
    with run_folder(out_dir, outputs, inputs, force=force):
        return _run_sweep_locked(settings, out_dir, outputs, force=force, report=report, notes=notes,
                                 allowance=allowance)


def _run_sweep_locked(settings: SweepSettings, out_dir: Path, outputs: list[str], *, force: bool, report: bool,
                      notes: list[str] | None, allowance: float) -> SweepOutcome:
    manifest = Manifest(out_dir, settings, force=force)
    manifest.data["kind"] = "sweep"
    manifest.data["outputs"] = outputs  # recorded before anything is written: what a later --force may remove
    manifest.save()
    masks_dir, runs_dir = out_dir / MASKS_SUBDIR, out_dir / RUNS_SUBDIR
    runs_dir.mkdir(parents=True, exist_ok=True)
    notes = list(notes or [])
    run_settings = settings.run

    masks_ready = manifest.stage_done("masks") and "sweep" in manifest.data and all(
        v.mask_file.is_file() for v in sweep_variants(manifest, masks_dir) if v.mask_file)
    lm = task_manager = documents = None

    def ensure_model():
        nonlocal lm, task_manager, documents
        if lm is None:
            task_manager = make_task_manager(run_settings)
            check_tasks_exist(task_manager, run_settings.tasks)
            documents = select_documents(task_manager, run_settings.tasks, run_settings.limit, run_settings.gen_limit)
            lm = load_shared_model(run_settings)

    print("\n=== scores and masks", file=sys.stderr, flush=True)
    if masks_ready:
        print("already built (skipped)", file=sys.stderr)
        notes = list(dict.fromkeys(notes + manifest.data["sweep"].get("notes", [])))
    else:
        ensure_model()
        sweep_masks(lm, settings, masks_dir, manifest, force=force, notes=notes)
    manifest.data["sweep"]["notes"] = notes
    manifest.save()
    for point in manifest.data["sweep"]["points"]:
        print(f"  p={point['p']:g} q={point['q']:g}: " + ", ".join(
            f"{n} {k} weights" for n, k in point["weights_zeroed"].items()), file=sys.stderr)
    for note in notes:
        print(f"  note: {note}", file=sys.stderr)

    variants = sweep_variants(manifest, masks_dir) + [Variant(name) for name in run_settings.baselines]
    if run_settings.baselines and not all(variant_finished(manifest, runs_dir, v) for v in variants):
        # reference points of the frontier (trained, or taken from the tune cache)
        variants = tune_baselines(variants, run_settings, manifest)
    outcome = SweepOutcome(out_dir=out_dir, variants=[v.name for v in variants], notes=notes)
    for i, variant in enumerate(variants, 1):
        print(f"\n=== [{i}/{len(variants)}] evaluate {variant.name}", file=sys.stderr, flush=True)
        if variant_finished(manifest, runs_dir, variant):
            print("already evaluated (skipped)", file=sys.stderr)
            outcome.skipped.append(variant.name)
            continue
        ensure_model()
        outcome.seconds[variant.name] = evaluate_and_record(
            lm, variant, run_settings, task_manager, runs_dir, documents, manifest)

    if report:
        print("\n=== frontier report", file=sys.stderr, flush=True)
        outcome.report_files, outcome.best = write_sweep_reports(out_dir, allowance)
        manifest.mark("report", "done", files=[p.name for p in outcome.report_files], best=outcome.best)
    return outcome
