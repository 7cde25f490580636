"""``spin-eval run`` output folders: the manifest, its finished variants, and paths given on the command line.

A run folder holds ``spin-eval-run.json`` (the manifest), ``runs/<variant>/`` (one lm-eval output folder
per variant) and ``masks/``. Every command that reads evaluated runs (report, check, leaderboard, the run's
own summary) resolves paths here, so a path means the same thing everywhere:

* a run folder: all its finished variants (report, leaderboard) or the one named by ``--variant`` (check);
* anything else: an lm-eval output folder or results file, read by :func:`spin_eval.results.load.load_run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spin_eval.constants import MASKS_SUBDIR, RUN_MANIFEST, RUNS_SUBDIR  # noqa: F401  (imported from here by name)
from spin_eval.errors import InputError
from spin_eval.fileio import read_json, resolve_inside
from spin_eval.results.load import RunResults, load_run


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The ``spin-eval run`` manifest of ``folder``; None for other folders (and for files)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    data = read_json(folder / RUN_MANIFEST, fix="re-run 'spin-eval run' to rewrite it", missing_ok=True)
    if data is not None and not isinstance(data, dict):
        raise InputError(f"{folder / RUN_MANIFEST}: not a JSON object; re-run 'spin-eval run' to rewrite it")
    return data


def _variants(manifest: dict[str, Any], folder: Path) -> dict[str, dict[str, Any]]:
    variants = manifest.get("variants")
    if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
        raise InputError(f"{folder / RUN_MANIFEST}: field 'variants' is not an object of objects; re-run 'spin-eval run'")
    return variants


def _mask_of(folder: Path, name: str, entry: dict[str, Any]) -> Path | None:
    mask = entry.get("mask")
    return resolve_inside(folder, mask, f"{folder / RUN_MANIFEST}: variants.{name}.mask") if mask else None


def _variant_dir(folder: Path, name: str) -> Path:
    """``runs/<name>`` of a run folder; a variant name leading outside the folder is refused."""
    return resolve_inside(folder, f"{RUNS_SUBDIR}/{name}", f"{folder / RUN_MANIFEST}: variant {name!r:.60}")


def _load_variant(folder: Path, name: str, entry: dict[str, Any], mask_path: str | Path | None = None) -> RunResults:
    run = load_run(_variant_dir(folder, name), name=name)
    if mask_path:  # given by the user: used as given (a missing file is reported by whoever opens it)
        run.mask_file = str(mask_path)
        return run
    mask = _mask_of(folder, name, entry)
    if mask is not None and mask.is_file():
        run.mask_file = str(mask)
    return run


def use_recorded_facts(manifest: dict[str, Any], folder: Path) -> None:
    """Apply the ``--metric-facts`` entries a run recorded (``settings.metric_facts``), so a report or check
    of the run later uses the facts it was made with."""
    settings = manifest.get("settings")
    entries = settings.get("metric_facts") if isinstance(settings, dict) else None
    if entries:
        from spin_eval.metrics.catalog import use_metric_facts
        from spin_eval.metrics.user_facts import parse_facts

        use_metric_facts(parse_facts(list(entries), f"{folder / RUN_MANIFEST}: settings.metric_facts"))


def finished_variants(folder: str | Path) -> list[str]:
    """Names of the finished variants of a run folder, in manifest order (InputError when none)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError(f"{folder}: no {RUN_MANIFEST}; not a 'spin-eval run' folder")
    done = [name for name, entry in _variants(manifest, folder).items()
            if entry.get("status") == "done" and _variant_dir(folder, name).is_dir()]
    if not done:
        raise InputError(f"{folder}: no finished variant in this 'spin-eval run' folder; run it to completion")
    return done


def load_run_folder(folder: str | Path, *, strict: bool = False) -> dict[str, RunResults]:
    """Every finished variant of a run folder, by name. ``strict``: an unfinished variant is an error."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError(f"{folder}: no {RUN_MANIFEST}; not a 'spin-eval run' folder")
    variants = _variants(manifest, folder)
    use_recorded_facts(manifest, folder)
    if strict:
        for name, entry in variants.items():
            if entry.get("status") != "done":
                raise InputError(f"{folder}: variant '{name}' is not finished; complete the run first "
                                 "('spin-eval run' again)")
    return {name: _load_variant(folder, name, variants[name]) for name in finished_variants(folder)}


def resolve_run(path: str | Path, *, variant: str = "spin", mask_path: str | Path | None = None) -> RunResults:
    """One run: a run folder's ``variant``, else an lm-eval output folder or results file."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is not None:
        variants = _variants(manifest, path)
        if variant not in variants:
            raise InputError(
                f"{path}: variant '{variant}' not in this run (has: {', '.join(sorted(variants)) or 'none'}); "
                f"pass --variant with one of those"
            )
        if variants[variant].get("status") != "done":
            raise InputError(f"{path}: variant '{variant}' is not finished; re-run 'spin-eval run' to complete it")
        use_recorded_facts(manifest, path)
        return _load_variant(path, variant, variants[variant], mask_path)
    run = load_run(path)
    if mask_path:
        run.mask_file = str(mask_path)
    return run


def load_runs(paths: list[str | Path]) -> list[RunResults]:
    """The runs named on a command line: run folders expand to their finished variants (manifest order)."""
    out: list[RunResults] = []
    for p in paths:
        if read_manifest(p) is not None:
            out.extend(load_run_folder(p).values())
        else:
            out.append(load_run(p))
    return out


def recorded_objectives(paths: list[str | Path]) -> tuple[str, ...] | None:
    """The objectives the run folders among ``paths`` recorded (manifest ``settings.objectives``, a sweep's
    ``settings.run.objectives``; a folder
    without them ran the default, fairness and privacy); None when no path is a run folder. InputError when
    two folders recorded different objectives."""
    from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, parse_objectives

    found: dict[tuple[str, ...], str] = {}
    for p in paths:
        manifest = read_manifest(p)
        if manifest is None:
            continue
        settings = manifest.get("settings") if isinstance(manifest.get("settings"), dict) else {}
        if isinstance(settings.get("run"), dict):  # a 'spin-eval sweep' folder records the run's settings inside
            settings = settings["run"]
        raw = settings.get("objectives")
        objectives = DEFAULT_OBJECTIVES if raw is None else parse_objectives(
            ",".join(map(str, raw)) if isinstance(raw, list) else str(raw), f"{Path(p) / RUN_MANIFEST}: settings.objectives")
        found.setdefault(tuple(objectives), str(p))
    if len(found) > 1:
        listing = "; ".join(f"{folder}: {','.join(o)}" for o, folder in found.items())
        raise InputError(f"the run folders recorded different objectives ({listing}); report them separately, or "
                         "give --objectives to compare them on one set of objectives")
    return next(iter(found), None)
