"""Evaluation settings and power: documents per task, limits, calibration sizes, whether runs compare
document for document, and the smallest change a task's sample can reveal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spin_eval import stats
from spin_eval.report.model import MIN_PAIRED_DOCS, EvaluationSettings, RunSetup, Settings, TaskDocs
from spin_eval.results.load import EVAL_OPTION_KEYS, RunResults


def min_significant_flips(alpha: float = stats.DEFAULT_ALPHA) -> int:
    """Fewest paired 0/1 documents that must all change the same way for the exact two-sided McNemar
    test to give p < ``alpha`` (p = 2 * 0.5**k; 6 for alpha 0.05). Pure."""
    k = 1
    while min(1.0, 2.0 * 0.5**k) >= alpha and k < 1000:
        k += 1
    return k


def _fmt_limit(config: dict, key: str) -> str:
    if key not in config:
        return "not recorded"
    value = _to_number(config[key])
    if value is None:
        return "none"
    if value < 1:
        return f"{value:g} of each task"
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _main_filter(run: RunResults, task: str) -> dict | None:
    by_filter = run.samples.get(task) or {}
    if not by_filter:
        return None
    return by_filter.get("none") or by_filter[sorted(by_filter)[0]]


def _run_setup(run: RunResults) -> RunSetup:
    cfg = run.eval_config
    if "spin_eval_documents" in cfg:
        documents = str(cfg["spin_eval_documents"])
    elif _to_number(cfg.get("limit")) is not None:
        documents = "the first ones of each task (lm-eval --limit)"
    else:
        documents = "all" if "limit" in cfg else "not recorded"
    meta = ((run.spin or {}).get("mask_metadata") or {}) if (run.spin or {}).get("mode") not in (None, "none") else {}
    calib = {}
    for set_name, info in sorted((meta.get("calibration") or {}).items()):
        if isinstance(info, dict) and isinstance(info.get("nsamples"), (int, float)):
            calib[str(set_name)] = int(info["nsamples"])
    other = {k: "none" if cfg[k] is None else str(cfg[k])
             for k in ("random_seed", "numpy_seed", "torch_seed", "fewshot_seed", "gen_kwargs", *EVAL_OPTION_KEYS)
             if k in cfg}
    shots = {str(t): str(n) for t, n in sorted(run.n_shot.items())}
    if shots:
        other["n-shot"] = next(iter(shots.values())) if len(set(shots.values())) == 1 else \
            ", ".join(f"{t}: {n}" for t, n in shots.items())
    return RunSetup(name=run.name, limit=_fmt_limit(cfg, "limit"), gen_limit=_fmt_limit(cfg, "spin_eval_gen_limit"),
                    documents=documents, calibration_nsamples=calib, other=other)


def fmt_calibration(calib: dict[str, int]) -> str:
    if not calib:
        return "n/a"
    if len(set(calib.values())) == 1:
        return f"{next(iter(calib.values()))} samples per set ({', '.join(calib)})"
    return ", ".join(f"{k} {v}" for k, v in calib.items()) + " samples"


def _differ(label: str, values: dict[str, str]) -> str | None:
    if len(set(values.values())) <= 1:
        return None
    return f"{label} differs: " + ", ".join(f"{name} {v}" for name, v in values.items())


def _power_count(td: TaskDocs) -> int | None:
    """The documents a task's paired tests rest on: paired ones, else the fewest evaluated by a run."""
    if td.n_paired is not None:
        return td.n_paired
    return min((v for v in td.effective.values() if v is not None), default=None)


def evaluation_settings(runs: Sequence[RunResults], base: RunResults, settings: Settings) -> EvaluationSettings:
    """Limits, documents per task, calibration sizes and whether the runs can be compared document for
    document. Pure (reads only the loaded runs)."""
    k = min_significant_flips(settings.alpha)
    setups = [_run_setup(r) for r in runs]
    others = [r for r in runs if r.name != base.name]
    tasks: list[TaskDocs] = []
    differences: list[str] = []
    comparable = True
    task_names = sorted({t for r in runs for t in list(r.n_samples) + list(r.samples)})
    for task in task_names:
        td = TaskDocs(task=task)
        for r in runs:
            ns = r.n_samples.get(task)
            ns = ns if isinstance(ns, dict) else {}
            orig, eff = _to_number(ns.get("original")), _to_number(ns.get("effective"))
            if eff is None and _main_filter(r, task) is not None:
                eff = len(_main_filter(r, task))
            td.original[r.name] = None if orig is None else int(orig)
            td.effective[r.name] = None if eff is None else int(eff)
        base_docs = _main_filter(base, task)
        shared = [len(set(base_docs) & set(_main_filter(r, task))) for r in others
                  if base_docs is not None and _main_filter(r, task) is not None]
        if shared:
            td.n_paired = min(shared)
        n = _power_count(td)
        if n is not None:
            td.min_flips = k
            td.min_flips_points = 100.0 * k / n if n >= k else None
            td.few = n < MIN_PAIRED_DOCS
        eff_values = {name: "n/a" if v is None else str(v) for name, v in td.effective.items()}
        line = _differ(f"{task}: documents evaluated", eff_values)
        if line:
            differences.append(line)
            comparable = False
        unshared = [r.name for r in others if base_docs is not None and _main_filter(r, task) is not None
                    and set(_main_filter(r, task)) != set(base_docs)]
        if unshared:
            differences.append(
                f"{task}: {', '.join(unshared)} evaluated other documents than {base.name} "
                f"({td.n_paired} shared by doc_hash)"
            )
            comparable = False
        tasks.append(td)
    for label, get in (("--limit", lambda s: s.limit), ("generation limit (--gen-limit)", lambda s: s.gen_limit),
                       ("document selection", lambda s: s.documents)):
        line = _differ(label, {s.name: get(s) for s in setups})
        if line:
            differences.append(line)
            comparable = False
    for key in sorted({key for s in setups for key in s.other}):
        line = _differ(key, {s.name: s.other.get(key, "not recorded") for s in setups})
        if line:
            differences.append(line)
            comparable = False
    masked = [s for s in setups if s.calibration_nsamples]
    calib_line = _differ("calibration nsamples of the masks",
                         {s.name: fmt_calibration(s.calibration_nsamples) for s in masked})
    if calib_line:
        differences.append(calib_line + " (the masks were built differently; documents can still be paired)")

    grouped: dict[str, list[str]] = {}  # one line per distinct warning, naming the tasks it applies to
    for td in tasks:
        n = _power_count(td)
        if n is None or not td.few:
            continue
        what = "paired documents" if td.n_paired is not None else "documents evaluated"
        if td.min_flips_points is not None:
            reach = (f"a 0/1 metric must change on at least {k} of them, all the same way "
                     f"({td.min_flips_points:.0f} pts), to reach p<{settings.alpha:g}")
        else:
            reach = (f"no change of a 0/1 metric can reach p<{settings.alpha:g} "
                     f"(that needs {k} documents changing the same way)")
        grouped.setdefault(f"{n} {what} (< {MIN_PAIRED_DOCS}): only large effects are detectable; {reach}",
                           []).append(td.task)
    caveats = [f"{', '.join(names)}: {text}" if len(names) == 1
               else f"{len(names)} tasks ({', '.join(names)}): {text}" for text, names in grouped.items()]
    n_few = sum(len(names) for names in grouped.values())

    parts = []
    first = setups[0]
    if first.limit != "not recorded":
        parts.append("no --limit" if first.limit == "none" else f"--limit {first.limit}")
    if first.gen_limit != "not recorded":
        parts.append(f"generation limit {first.gen_limit}")
    if first.documents != "not recorded":
        parts.append(f"documents: {first.documents}")
    counts = [c for c in map(_power_count, tasks) if c is not None]
    if counts:
        lo, hi = min(counts), max(counts)
        word = "paired " if any(td.n_paired is not None for td in tasks) else ""
        parts.append(f"{len(tasks)} tasks, {lo if lo == hi else f'{lo}-{hi}'} {word}documents per task")
    calibs = {fmt_calibration(s.calibration_nsamples) for s in masked}
    if len(calibs) == 1:
        parts.append(f"masks calibrated on {calibs.pop()}")
    if comparable:
        lead = f"All {len(runs)} runs share these settings: " if len(runs) > 1 else "Settings: "
        summary = lead + "; ".join(parts) + "."
    else:
        summary = ("The runs differ in their evaluation settings (listed below): they are not comparable "
                   "document-for-document; only documents with the same doc_hash are paired.")
    if caveats:
        summary += (f" {n_few} of {len(tasks)} tasks have fewer than {MIN_PAIRED_DOCS} documents: "
                    "only large effects are detectable there.")
    return EvaluationSettings(tasks=tasks, runs=setups, comparable=comparable, differences=differences,
                              caveats=caveats, summary=summary)

