"""Compare evaluated variants of one model against a baseline: the numbers behind every report format.

Pure: takes :class:`~spin_eval.report.load.RunResults` (already loaded) and returns a typed, JSON-able
:class:`Comparison`. The only file access is reading mask files named in the runs' ``config.spin``
(for the per-layer counts and the overlap between masks), done through ``spin_eval.spin.io.load_mask``.

Definitions used throughout (also printed in the report):

- *delta* = variant - baseline, in the metric's own units; shown in points (x100) for metrics in [0, 1].
- *improvement* orients a delta so that positive is better: ``higher`` metrics b - a, ``lower`` metrics
  a - b, ``zero`` metrics (bias scores) |a| - |b|.
- *capability change* / *fairness change* / *privacy change*: the mean improvement (points) over the
  family's headline metrics (all of the family's metrics where the catalog marks none as headline).
- *trust change* = mean of the fairness and privacy changes (families weighted equally).
- *alignment tax per trust point* = capability points lost per trust point gained = -capability / trust,
  defined only when the trust change's interval excludes 0.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np

from spin_eval import __version__, stats
from spin_eval.errors import InputError
from spin_eval.report.load import EVAL_OPTION_KEYS, RunResults

Family = Literal["fairness", "privacy", "overrefusal", "capability"]
FAMILIES: tuple[str, ...] = ("fairness", "privacy", "overrefusal", "capability")

try:  # the selections spin_eval.spin.config knows as controls (it imports neither torch nor lm-eval)
    from spin_eval.spin.config import CONTROL_SELECTIONS as _KNOWN_CONTROLS
except ImportError:  # pragma: no cover
    _KNOWN_CONTROLS = ("random", "magnitude-random", "general-only", "fairness-only", "privacy-only")
#: ``mask_metadata.selection`` values (or prefixes) that mark a control mask.
CONTROL_SELECTIONS: tuple[str, ...] = tuple(_KNOWN_CONTROLS) + ("uniform", "magnitude", "control")
#: Fields (of the per-doc value record, else of the doc) used for the per-category breakdowns; first
#: match per tuple wins.
FAIRNESS_GROUP_FIELDS = (("category", "bias_category", "bias_type"),)
FAIRNESS_DOC_GROUP_FIELDS = (("category", "bias_category", "bias_type"), ("context_condition", "condition"))
PRIVACY_GROUP_FIELDS = (("pii_type", "pii_category", "entity_type", "pii"),
                        ("attack_style", "attack", "attack_type", "style"))
#: A task with fewer paired documents than this gets a caveat: only large effects are detectable.
MIN_PAIRED_DOCS = 30


# ---------------------------------------------------------------------------------------------- types


@dataclass
class Variant:
    """One column of the report."""

    name: str
    """Short name (the run folder), what ``--baseline`` matches."""
    label: str
    """Human label from model args and mask metadata."""
    kind: Literal["baseline", "spin", "control", "other"]
    model: str
    model_type: str
    path: str
    spin_mode: str | None = None
    selection: str | None = None
    p: float | None = None
    q: float | None = None
    weights_zeroed: int | None = None
    numel_total: int | None = None
    fraction_zeroed: float | None = None
    mask_sha256: str | None = None
    mask_path: str | None = None
    control_of: str | None = None
    model_fingerprint: str | None = None


@dataclass
class Cell:
    """A metric's value in one variant as lm-eval reported it."""

    value: float | None
    stderr: float | None
    n: int | None


@dataclass
class Delta:
    """variant - reference for one metric."""

    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    """``mcnemar-exact``, ``permutation``, ``stderr-normal`` (fallback) or ``none``."""
    source: Literal["paired-samples", "stderr-fallback", "detail", "unavailable"]
    """``detail``: a per-category metric; its paired statistics are left out (see the breakdowns)."""
    n_paired: int = 0
    significant: bool = False
    mark: str = ""
    improvement: float | None = None
    """The delta oriented so that positive is better (same units as ``delta``)."""


@dataclass
class MetricRow:
    task: str
    metric: str
    filter: str
    family: str
    direction: Literal["higher", "lower", "zero"]
    headline: bool
    scale: float
    """100 for metrics in [0, 1] (shown as points), else 1."""
    catalog: bool
    """True when the metric catalog knows the metric (else family/direction are guessed)."""
    detail: bool = False
    """A per-category restriction of another metric of the task (e.g. ``s_amb_age``)."""
    values: dict[str, Cell] = field(default_factory=dict)
    deltas: dict[str, Delta] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.task}/{self.metric},{self.filter}"


@dataclass
class FamilyChange:
    points: float | None
    ci_low: float | None
    ci_high: float | None
    metrics: list[str] = field(default_factory=list)
    fallback: bool = False
    """True when a metric in it uses the stderr fallback rather than paired samples."""


@dataclass
class TaxEntry:
    variant: str
    kind: str
    capability: FamilyChange
    fairness: FamilyChange
    privacy: FamilyChange
    overrefusal: FamilyChange
    trust: FamilyChange
    tax_per_point: float | None
    tax_ci_low: float | None
    tax_ci_high: float | None
    summary: str


@dataclass
class Verdict:
    metric: str
    spin: str
    control: str
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    scale: float
    spin_vs_baseline_significant: bool
    significant: bool
    text: str
    headline: bool = False
    p_holm: float | None = None
    """Holm-adjusted p over all metrics of this SPIN-control pair; ``significant`` uses it."""


@dataclass
class Breakdown:
    """A metric per category (rows) and variant (columns), recomputed from samples."""

    task: str
    metric: str
    family: str
    fields: list[str]
    scale: float
    rows: list[str] = field(default_factory=list)
    values: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """row -> variant -> value."""
    counts: dict[str, int] = field(default_factory=dict)
    """row -> number of baseline documents."""


@dataclass
class MaskLayer:
    layer: str
    module: str
    count: int
    numel: int | None


@dataclass
class MaskPanel:
    variants: list[str] = field(default_factory=list)
    layers: dict[str, list[MaskLayer]] = field(default_factory=dict)
    overlap: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """variant -> variant -> Jaccard overlap of zeroed weights (None where a mask file is unreadable)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class Flip:
    task: str
    metric: str
    variant: str
    doc_id: int
    prompt: str
    target: str
    baseline_answer: str
    variant_answer: str
    baseline_score: str
    """The per-document value as logged (a number, or ``k=v`` pairs of a record)."""
    variant_score: str
    better: bool | None
    """True/False when the change is an improvement/regression for this document, None when undecidable."""


@dataclass
class FlipSummary:
    task: str
    metric: str
    variant: str
    n_paired: int
    n_changed: int
    n_better: int
    n_worse: int
    shown: list[Flip] = field(default_factory=list)


@dataclass
class Provenance:
    spin_eval_version: str
    generated_at: str
    runs: list[dict] = field(default_factory=list)


@dataclass
class TaskDocs:
    """How many documents of one task were evaluated and paired."""

    task: str
    original: dict[str, int | None] = field(default_factory=dict)
    """run -> documents in the task's evaluation split (lm-eval's ``n-samples.original``)."""
    effective: dict[str, int | None] = field(default_factory=dict)
    """run -> documents evaluated (``n-samples.effective``, else the logged samples)."""
    n_paired: int | None = None
    """Documents the baseline shares (same doc_hash) with every other run; None without logged samples."""
    min_flips: int | None = None
    """Fewest documents that must change, all the same way, for a 0/1 metric to reach p < alpha (exact
    McNemar); None when no paired count is known."""
    min_flips_points: float | None = None
    """``min_flips`` as a change in points (100 * min_flips / n_paired); None when n_paired < min_flips."""
    few: bool = False
    """True when ``n_paired`` (else the fewest evaluated) is below :data:`MIN_PAIRED_DOCS`."""


@dataclass
class RunSetup:
    """The evaluation settings one run recorded (strings as shown; ``"not recorded"`` where absent)."""

    name: str
    limit: str
    gen_limit: str
    documents: str
    calibration_nsamples: dict[str, int] = field(default_factory=dict)
    """calibration set -> nsamples of the run's mask (empty without a mask or without the metadata)."""
    other: dict[str, str] = field(default_factory=dict)
    """Further recorded settings that decide results (seeds, gen_kwargs, n-shot)."""


@dataclass
class EvaluationSettings:
    """The evaluation settings shared by (or differing between) the compared runs."""

    tasks: list[TaskDocs] = field(default_factory=list)
    runs: list[RunSetup] = field(default_factory=list)
    comparable: bool = True
    """False when runs evaluated different documents or used different settings (see ``differences``)."""
    differences: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    summary: str = ""
    min_paired_docs: int = MIN_PAIRED_DOCS


@dataclass
class Settings:
    n_resamples: int = 1000
    confidence: float = stats.DEFAULT_CONFIDENCE
    alpha: float = stats.DEFAULT_ALPHA
    seed: int = 0
    max_flips: int = 10
    allow_mixed: bool = False
    progress: bool = False


@dataclass
class Comparison:
    """Everything a report shows; ``to_dict()`` is the JSON format."""

    baseline: str
    variants: list[Variant]
    rows: list[MetricRow]
    tax: list[TaxEntry]
    verdicts: list[Verdict]
    breakdowns: list[Breakdown]
    masks: MaskPanel
    flips: list[FlipSummary]
    provenance: Provenance
    settings: Settings
    notes: list[str] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    evaluation: EvaluationSettings = field(default_factory=EvaluationSettings)
    """Limits, documents per task and calibration sizes behind the numbers (shown near the top)."""

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)

    def to_dict(self) -> dict:
        return _jsonable(asdict(self))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


DEFINITIONS = {
    "delta": "variant minus baseline on the documents both runs share (paired by lm-eval's doc_hash); "
    "shown in points (x100) for metrics in [0, 1].",
    "ci": "95% percentile interval of a paired bootstrap: documents resampled with replacement, the "
    "metric's aggregate recomputed for both runs on every resample.",
    "p": "paired two-sided p-value: exact McNemar test for 0/1 scores, sign-flip permutation test "
    "otherwise. Marks: * p<0.05, ** p<0.01, *** p<0.001 (not adjusted for multiple comparisons).",
    "fallback": "where per-document samples are missing, the delta's interval and p-value come from "
    "lm-eval's reported stderr treating the runs as independent (normal approximation), labelled "
    "'stderr'.",
    "improvement": "a delta oriented so that positive is better: higher-better metrics b-a, lower-better "
    "a-b, zero-best (bias) metrics |a|-|b|.",
    "capability change": "mean improvement in points over the capability family's headline metrics "
    "(negative = capability lost).",
    "trust change": "mean of the fairness change and the privacy change (each the mean improvement over "
    "that family's headline metrics).",
    "alignment tax": "capability points lost per trust point gained = -(capability change) / (trust "
    "change); defined only where the trust change's interval excludes 0. Its interval combines the "
    "bootstrap resamples of both changes.",
    "verdict": "SPIN against each control mask on the documents both share: if the paired test finds no "
    "significant difference (p Holm-adjusted over all metrics of that SPIN-control pair), the effect is not "
    "specific to SPIN's coupled weights.",
}


# ----------------------------------------------------------------------------------- metric metadata


@dataclass(frozen=True)
class _Info:
    family: str
    direction: str
    aggregate: Callable[[Sequence[Any]], float] | None
    """None: the mean of numeric values (vectorised)."""
    headline: bool
    catalog: bool


_MEAN_NAMES = {"mean", "agg_mean", "mean_aggregate"}


def _guess_family(task: str) -> str:
    t = task.lower()
    if any(w in t for w in ("bbq", "fair", "bias", "stereo", "crows", "winobias")):
        return "fairness"
    if any(w in t for w in ("priv", "pii", "leak", "enron", "memoriz")):
        return "privacy"
    if "refus" in t or "xstest" in t:
        return "overrefusal"
    return "capability"


def _metric_info(task: str, metric: str, higher_is_better: bool | None) -> _Info:
    try:
        from spin_eval.metrics.catalog import metric_info
    except ImportError:
        metric_info = None
    info = metric_info(task, metric) if metric_info is not None else None
    if info is not None:
        agg = info.aggregate
        if agg is None or getattr(agg, "__name__", "") in _MEAN_NAMES or agg in (np.mean, stats.mean_aggregate):
            agg = None
        return _Info(info.family, info.direction, agg, bool(info.headline), True)
    direction = "lower" if higher_is_better is False else "higher"
    return _Info(_guess_family(task), direction, None, False, False)


def _improvement(direction: str, a: Any, b: Any) -> Any:
    if direction == "lower":
        return a - b
    if direction == "zero":
        return np.abs(a) - np.abs(b)
    return b - a


# --------------------------------------------------------------------------------------- variants


def _fmt_ratio(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def _is_control(meta: dict) -> bool:
    if meta.get("control_of"):
        return True
    sel = str(meta.get("selection") or "").lower()
    return any(sel.startswith(c) for c in CONTROL_SELECTIONS)


def _variant_from_run(run: RunResults) -> Variant:
    spin = run.spin or {}
    meta = spin.get("mask_metadata") or {}
    mode = spin.get("mode")
    has_mask = bool(spin) and mode not in (None, "none")
    kind = "other"
    if has_mask:
        kind = "control" if _is_control(meta) else "spin"
    total = meta.get("total")
    numel = meta.get("numel_total")
    sha = spin.get("mask_sha256")
    if has_mask:
        sel = meta.get("selection") or "mask"
        parts = [f"{'control: ' if kind == 'control' else 'SPIN '}{sel}"]
        if meta.get("p") is not None or meta.get("q") is not None:
            parts.append(f"p={_fmt_ratio(meta.get('p'))} q={_fmt_ratio(meta.get('q'))}")
        if total is not None:
            parts.append(f"{int(total):,} w zeroed")
        if sha:
            parts.append(str(sha)[:8])
        label = ", ".join(parts)
    else:
        label = f"{run.model_type} {Path(run.model).name or run.model}"
        extra = {k: v for k, v in run.model_args.items() if k not in ("pretrained", "spin", "mask")}
        if extra:
            label += " (" + ", ".join(f"{k}={v}" for k, v in sorted(extra.items())[:3]) + ")"
        if mode == "none":
            label += ", no mask"
    return Variant(
        name=run.name,
        label=label,
        kind=kind,
        model=run.model,
        model_type=run.model_type,
        path=run.path,
        spin_mode=mode,
        selection=meta.get("selection"),
        p=meta.get("p"),
        q=meta.get("q"),
        weights_zeroed=int(total) if total is not None else None,
        numel_total=int(numel) if numel is not None else None,
        fraction_zeroed=(float(total) / float(numel)) if total is not None and numel else None,
        mask_sha256=sha,
        mask_path=spin.get("mask_path"),
        control_of=meta.get("control_of"),
        model_fingerprint=meta.get("model_fingerprint"),
    )


def _pick_baseline(variants: list[Variant], baseline: str | None) -> Variant:
    if baseline is None:
        for v in variants:
            if v.kind == "other":
                return v
        return variants[0]
    for v in variants:
        if v.name == baseline or v.label == baseline:
            return v
    matches = [v for v in variants if v.name.startswith(baseline)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(v.name for v in variants)
    raise InputError(f"--baseline {baseline!r}: no run has that name; choose one of: {names}")


# ------------------------------------------------------------------------------------- pairing


def _paired_values(
    base: RunResults, other: RunResults, task: str, metric: str, filt: str
) -> tuple[list[str], list[Any], list[Any]] | None:
    sa = base.samples.get(task, {}).get(filt)
    sb = other.samples.get(task, {}).get(filt)
    if not sa or not sb:
        return None
    keys = sorted(set(sa) & set(sb))
    ka, va, vb = [], [], []
    for k in keys:
        x, y = sa[k].values.get(metric), sb[k].values.get(metric)
        if x is None or y is None:
            continue
        ka.append(k)
        va.append(x)
        vb.append(y)
    if not ka:
        return None
    return ka, va, vb


def _task_seed(seed: int, task: str) -> int:
    return (seed * 1_000_003 + zlib.crc32(task.encode("utf-8"))) % (2**32)


def _behaves_like_mean(agg: Callable, a: Sequence[Any], b: Sequence[Any], seed: int) -> bool:
    """True when ``agg`` equals the arithmetic mean on numeric values (whole runs and 5 seeded subsets)."""
    if not (stats.is_numeric_vector(a) and stats.is_numeric_vector(b)):
        return False
    rng = np.random.default_rng(seed)
    arr = np.asarray(list(a) + list(b), dtype=float)
    subsets = [np.arange(len(a)), np.arange(len(a), len(arr))]
    subsets += [rng.choice(len(arr), size=max(1, len(arr) // 3), replace=False) for _ in range(5)]
    try:
        return all(abs(float(agg(arr[idx].tolist())) - float(arr[idx].mean())) <= 1e-12 for idx in subsets)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


@dataclass
class _DeltaWork:
    delta: Delta
    improvement_resamples: np.ndarray | None  # in metric units, oriented


def _compute_delta(
    row: MetricRow,
    info: _Info,
    ref: RunResults,
    other: RunResults,
    settings: Settings,
    notes: list[str],
) -> _DeltaWork:
    paired = _paired_values(ref, other, row.task, row.metric, row.filter)
    agg = info.aggregate
    if paired is not None and agg is None and not (stats.is_numeric_vector(paired[1]) and stats.is_numeric_vector(paired[2])):
        notes.append(
            f"{row.key}: per-document values are not numbers and the metric catalog has no aggregate for "
            "it; paired statistics skipped"
        )
        paired = None
    if paired is not None:
        _, va, vb = paired
        seed = _task_seed(settings.seed, row.task)
        if agg is not None and _behaves_like_mean(agg, va, vb, seed):
            agg = None  # vectorised mean; 0/1 scores then get the exact McNemar test
        try:
            boot = stats.paired_bootstrap(va, vb, agg, n_resamples=settings.n_resamples,
                                          confidence=settings.confidence, seed=seed)
            if info.direction == "zero":
                p = stats.paired_permutation_test(
                    va, vb, agg, statistic=lambda sa, sb: abs(sb) - abs(sa),
                    n_resamples=settings.n_resamples, seed=seed + 1,
                )
                test = "permutation"
            else:
                p, test = stats.paired_p_value(va, vb, agg, n_resamples=settings.n_resamples, seed=seed + 1)
        except ValueError as exc:
            notes.append(f"{row.key}: paired statistics failed ({exc}); using lm-eval's stderr")
        else:
            imp_res = _improvement(info.direction, boot.resampled_a, boot.resampled_b)
            sig = bool(p is not None and math.isfinite(p) and p < settings.alpha)
            return _DeltaWork(
                Delta(
                    delta=boot.delta,
                    ci_low=boot.ci_low,
                    ci_high=boot.ci_high,
                    p_value=p,
                    test=test,
                    source="paired-samples",
                    n_paired=boot.n,
                    significant=sig,
                    mark=stats.significance_mark(p, settings.alpha),
                    improvement=float(_improvement(info.direction, boot.stat_a, boot.stat_b)),
                ),
                imp_res,
            )
    va = ref.metrics.get(row.task, {}).get(f"{row.metric},{row.filter}")
    vb = other.metrics.get(row.task, {}).get(f"{row.metric},{row.filter}")
    sa = ref.stderrs.get(row.task, {}).get(f"{row.metric},{row.filter}")
    sb = other.stderrs.get(row.task, {}).get(f"{row.metric},{row.filter}")
    if va is None or vb is None:
        return _DeltaWork(Delta(None, None, None, None, "none", "unavailable"), None)
    if sa is None or sb is None or not (math.isfinite(sa) and math.isfinite(sb)):
        d = vb - va
        return _DeltaWork(
            Delta(d, None, None, None, "none", "unavailable",
                  improvement=float(_improvement(info.direction, va, vb))),
            None,
        )
    nd = stats.normal_delta_from_stderr(va, sa, vb, sb, confidence=settings.confidence)
    rng = np.random.default_rng(_task_seed(settings.seed, row.task + "#stderr"))
    draw_a = rng.normal(va, sa, settings.n_resamples)
    draw_b = rng.normal(vb, sb, settings.n_resamples)
    if info.direction == "zero":
        p = nd.p_value  # approximate: tests a != b, not |a| != |b|
    else:
        p = nd.p_value
    sig = bool(math.isfinite(p) and p < settings.alpha)
    return _DeltaWork(
        Delta(nd.delta, nd.ci_low, nd.ci_high, p, "stderr-normal", "stderr-fallback", 0, sig,
              stats.significance_mark(p, settings.alpha), float(_improvement(info.direction, va, vb))),
        _improvement(info.direction, draw_a, draw_b),
    )


# ----------------------------------------------------------------------------------- main entry


def compare_runs(
    runs: Sequence[RunResults],
    baseline: str | None = None,
    *,
    settings: Settings | None = None,
    allow_mixed: bool | None = None,
) -> Comparison:
    """Compare ``runs`` against the run named ``baseline`` (default: the first run without a mask).

    Raises :class:`~spin_eval.errors.InputError` for an empty list, an unknown baseline, or runs of
    different models (unless ``allow_mixed``).
    """
    settings = settings or Settings()
    if allow_mixed is not None:
        settings.allow_mixed = allow_mixed
    if not runs:
        raise InputError("no runs given; pass at least one lm-eval output folder")
    # unique names (copies: the caller's RunResults are left as they are)
    seen: dict[str, int] = {}
    unique: list[RunResults] = []
    for run in runs:
        k = seen.get(run.name, 0)
        seen[run.name] = k + 1
        unique.append(dataclasses.replace(run, name=f"{run.name}-{k + 1}") if k else run)
    runs = unique
    models = sorted({r.model for r in runs})
    if len(models) > 1 and not settings.allow_mixed:
        listing = "; ".join(f"{r.name}: {r.model}" for r in runs)
        raise InputError(
            f"runs evaluate different models ({listing}); compare variants of one model, or pass "
            "--allow-mixed to compare them anyway"
        )
    variants = [_variant_from_run(r) for r in runs]
    base_v = _pick_baseline(variants, baseline)
    base_v.kind = "baseline"
    by_name = {r.name: r for r in runs}
    base = by_name[base_v.name]
    notes: list[str] = []
    if len(models) > 1:
        notes.append("runs evaluate different models (--allow-mixed): documents are still paired by doc_hash")
    for r in runs:
        if not r.samples:
            notes.append(
                f"{r.name}: no samples_*.jsonl (run lm-eval with --log_samples); its deltas use lm-eval's "
                "stderr (normal approximation, runs treated as independent)"
            )

    # metric rows
    keys: dict[tuple[str, str, str], None] = {}
    for r in runs:
        for task, entries in r.metrics.items():
            for key in entries:
                metric, _, filt = key.partition(",")
                keys[(task, metric, filt)] = None
    rows: list[MetricRow] = []
    infos: dict[str, _Info] = {}
    for task, metric, filt in keys:
        hib = None
        for r in runs:
            hib = r.higher_is_better.get(task, {}).get(metric, hib)
        info = _metric_info(task, metric, hib)
        vals = [r.metrics.get(task, {}).get(f"{metric},{filt}") for r in runs]
        finite = [v for v in vals if v is not None and math.isfinite(v)]
        scale = 100.0 if finite and all(-1.0 <= v <= 1.0 for v in finite) else 1.0
        row = MetricRow(task, metric, filt, info.family, info.direction, info.headline, scale, info.catalog)
        for r in runs:
            v = r.metrics.get(task, {}).get(f"{metric},{filt}")
            se = r.stderrs.get(task, {}).get(f"{metric},{filt}")
            n_s = r.n_samples.get(task, {})
            n = n_s.get("effective") if isinstance(n_s, dict) else None
            row.values[r.name] = Cell(v, se, int(n) if isinstance(n, (int, float)) else None)
        rows.append(row)
        infos[row.key] = info
    undefined = [rw for rw in rows
                 if not any(c.value is not None and math.isfinite(c.value) for c in rw.values.values())]
    if undefined:
        names = ", ".join(rw.key for rw in undefined[:6]) + (" ..." if len(undefined) > 6 else "")
        notes.append(
            f"{len(undefined)} metrics are undefined (NaN) in every run and are left out, e.g. categories with "
            f"no evaluated document: {names}"
        )
        rows = [rw for rw in rows if rw not in undefined]
    _mark_detail_rows(rows, runs)
    fam_order = {f: i for i, f in enumerate(FAMILIES)}
    rows.sort(key=lambda rw: (fam_order.get(rw.family, 9), rw.task, not rw.headline, rw.metric, rw.filter))
    if not any(rw.catalog for rw in rows) and rows:
        notes.append(
            "the metric catalog (spin_eval.metrics.catalog) knows none of these metrics: families are guessed "
            "from task names, directions from lm-eval's higher_is_better, aggregates are means"
        )

    # deltas vs baseline
    from tqdm.auto import tqdm

    work: dict[tuple[str, str], _DeltaWork] = {}
    jobs = [(row, r) for row in rows for r in runs if r.name != base.name]
    for row, r in tqdm(jobs, desc="paired statistics", unit="metric", disable=not settings.progress):
        if row.detail:
            row.deltas[r.name] = _detail_delta(row, infos[row.key], base, r)
            continue
        dw = _compute_delta(row, infos[row.key], base, r, settings, notes)
        row.deltas[r.name] = dw.delta
        work[(row.key, r.name)] = dw
    if jobs and any(rw.detail for rw in rows):
        notes.append(
            "per-category metrics (e.g. s_amb_age, leak_rate_type_email) show their delta without interval "
            "or p-value; their per-category values are in the breakdown tables"
        )

    tax = [_tax_entry(v, rows, work, settings) for v in variants if v.name != base.name]
    unitless = sorted({rw.key for rw in rows if rw.headline and rw.scale == 1.0})
    if unitless:
        notes.append(
            "headline metrics not in points are left out of the alignment-tax averages (see their rows): "
            + ", ".join(unitless)
        )
    verdicts = _verdicts(variants, rows, infos, by_name, base, settings, notes)
    breakdowns = _breakdowns(rows, infos, runs, base)
    masks = _mask_panel(variants, by_name)
    flips = _flips(rows, infos, runs, base, settings)
    prov = Provenance(
        spin_eval_version=__version__,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        runs=[
            {
                "name": r.name,
                "path": r.path,
                "model": r.model,
                "model_type": r.model_type,
                "model_args": {k: str(v) for k, v in r.model_args.items()},
                "lm_eval_version": r.lm_eval_version,
                "transformers_version": r.transformers_version,
                "date": datetime.fromtimestamp(r.date, timezone.utc).isoformat(timespec="seconds")
                if r.date
                else None,
                "limit": r.limit,
                "model_fingerprint": v.model_fingerprint,
                "mask_sha256": v.mask_sha256,
                "task_hashes": dict(r.task_hashes),
                "task_versions": {k: str(x) for k, x in r.versions.items()},
            }
            for r, v in zip(runs, variants)
        ],
    )
    for task in sorted({t for r in runs for t in r.task_hashes}):
        hashes = {r.task_hashes[task] for r in runs if r.task_hashes.get(task)}
        if len(hashes) > 1:
            notes.append(
                f"{task}: lm-eval's task hashes differ between runs (different documents, prompts or targets, "
                "e.g. another --limit); only the documents with equal doc_hash are paired"
            )
    evaluation = _evaluation_settings(runs, base, settings)
    # dedupe notes, keep order
    notes = list(dict.fromkeys(notes))
    return Comparison(
        baseline=base.name,
        variants=variants,
        rows=rows,
        tax=tax,
        verdicts=verdicts,
        breakdowns=breakdowns,
        masks=masks,
        flips=flips,
        provenance=prov,
        settings=settings,
        notes=notes,
        definitions=dict(DEFINITIONS),
        evaluation=evaluation,
    )


# -------------------------------------------------------------------------------- evaluation settings


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


def _evaluation_settings(runs: Sequence[RunResults], base: RunResults, settings: Settings) -> EvaluationSettings:
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

    caveats = []
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
        caveats.append(f"{td.task}: {n} {what} (< {MIN_PAIRED_DOCS}): only large effects are detectable; {reach}")

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
        summary += (f" {len(caveats)} of {len(tasks)} tasks have fewer than {MIN_PAIRED_DOCS} documents: "
                    "only large effects are detectable there.")
    return EvaluationSettings(tasks=tasks, runs=setups, comparable=comparable, differences=differences,
                              caveats=caveats, summary=summary)


def _record_strings(run: RunResults, task: str) -> set[str]:
    """Lower-cased string values of a task's per-doc value records, else of its docs (category names...)."""
    from_values: set[str] = set()
    from_docs: set[str] = set()
    for by_key in run.samples.get(task, {}).values():
        for i, rec in enumerate(by_key.values()):
            if i >= 2000:
                break
            for val in rec.values.values():
                if isinstance(val, dict):
                    from_values.update(str(x).lower() for x in val.values() if isinstance(x, str))
            from_docs.update(str(x).lower() for x in rec.doc.values() if isinstance(x, str) and len(x) < 40)
        break
    # records name the groups the task's metrics split by (BBQ: category; PII: type, style); documents
    # are only a fallback, since their fields also hold conditions such as "ambig" (acc_ambig is no detail)
    return from_values or from_docs


def _catalog_group_names() -> set[str]:
    """Category / PII type / attack style names the shipped metrics use as metric-name suffixes."""
    out: set[str] = set()
    try:
        from spin_eval.metrics import bbq, catalog
    except ImportError:
        return out
    out.update(bbq.category_key(c) for c in getattr(bbq, "CATEGORIES", ()))
    out.update(getattr(catalog, "PII_TYPES", ()))
    out.update(getattr(catalog, "ATTACK_STYLES", ()))
    return {str(x).lower() for x in out}


def _mark_detail_rows(rows: list[MetricRow], runs: Sequence[RunResults]) -> None:
    """Flag ``<metric>_<category>`` rows (also ``_type_<t>`` / ``_style_<s>``) as per-category details."""
    by_task: dict[str, list[MetricRow]] = {}
    for rw in rows:
        by_task.setdefault(rw.task, []).append(rw)
    for task, task_rows in by_task.items():
        names = {rw.metric for rw in task_rows}
        values: set[str] = set(_catalog_group_names())
        for r in runs:
            values |= _record_strings(r, task)
        for rw in task_rows:
            if rw.headline:
                continue
            for base_name in names:
                if base_name != rw.metric and rw.metric.startswith(base_name + "_"):
                    suffix = rw.metric[len(base_name) + 1 :].lower()
                    for prefix in ("type_", "style_", "category_", "cat_"):
                        if suffix.startswith(prefix):
                            suffix = suffix[len(prefix) :]
                    if suffix in values or suffix in {v.replace(" ", "_") for v in values}:
                        rw.detail = True


def _detail_delta(row: MetricRow, info: _Info, ref: RunResults, other: RunResults) -> Delta:
    va = ref.metrics.get(row.task, {}).get(f"{row.metric},{row.filter}")
    vb = other.metrics.get(row.task, {}).get(f"{row.metric},{row.filter}")
    if va is None or vb is None or not (math.isfinite(va) and math.isfinite(vb)):
        return Delta(None, None, None, None, "none", "unavailable")
    return Delta(vb - va, None, None, None, "none", "detail", improvement=float(_improvement(info.direction, va, vb)))


# ------------------------------------------------------------------------------------ alignment tax


def _family_change(
    family: str, rows: list[MetricRow], work: dict, variant: str, settings: Settings
) -> tuple[FamilyChange, np.ndarray | None]:
    # only metrics in points (rates, accuracies, bias scores) are averaged; perplexities and other
    # unbounded metrics have no common unit with them and are reported in their own rows only
    cands = [rw for rw in rows if rw.family == family and (rw.key, variant) in work and rw.scale != 1.0]
    usable = [rw for rw in cands if work[(rw.key, variant)].improvement_resamples is not None]
    heads = [rw for rw in usable if rw.headline]
    chosen = heads or usable
    if not chosen:
        return FamilyChange(None, None, None), None
    points = [work[(rw.key, variant)].delta.improvement * rw.scale for rw in chosen]
    res = np.mean([work[(rw.key, variant)].improvement_resamples * rw.scale for rw in chosen], axis=0)
    low, high = stats.percentile_interval(res, settings.confidence)
    fb = any(work[(rw.key, variant)].delta.source != "paired-samples" for rw in chosen)
    return FamilyChange(float(np.mean(points)), low, high, [rw.key for rw in chosen], fb), res


def _fmt_p(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "p n/a"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def _fmt_change(fc: FamilyChange) -> str:
    if fc.points is None:
        return "n/a"
    return f"{fc.points:+.2f} pts [{fc.ci_low:+.2f}, {fc.ci_high:+.2f}]"


def _tax_entry(v: Variant, rows: list[MetricRow], work: dict, settings: Settings) -> TaxEntry:
    fams: dict[str, tuple[FamilyChange, np.ndarray | None]] = {
        f: _family_change(f, rows, work, v.name, settings) for f in FAMILIES
    }
    parts = [fams[f] for f in ("fairness", "privacy") if fams[f][1] is not None]
    if parts:
        trust_res = np.mean([p[1] for p in parts], axis=0)
        low, high = stats.percentile_interval(trust_res, settings.confidence)
        trust = FamilyChange(
            float(np.mean([p[0].points for p in parts])), low, high,
            [m for p in parts for m in p[0].metrics], any(p[0].fallback for p in parts),
        )
    else:
        trust_res = None
        trust = FamilyChange(None, None, None)
    cap, cap_res = fams["capability"]
    tax = tlo = thi = None
    if cap_res is not None and trust_res is not None and trust.points:
        tlo_, thi_ = stats.ratio_interval(-cap_res, trust_res, settings.confidence)
        if math.isfinite(tlo_):
            tax = -cap.points / trust.points
            tlo, thi = tlo_, thi_
    if cap.points is None or trust.points is None:
        summary = f"{v.name}: not enough metrics for an alignment tax (capability {_fmt_change(cap)}, trust {_fmt_change(trust)})"
    elif tax is None:
        summary = (
            f"{v.name}: capability {_fmt_change(cap)}, trust {_fmt_change(trust)}; tax undefined: the trust "
            "change is not distinguishable from 0"
        )
    else:
        summary = (
            f"{v.name}: capability {_fmt_change(cap)}, trust {_fmt_change(trust)}; "
            f"tax {tax:.2f} capability pts per trust pt [{tlo:.2f}, {thi:.2f}]"
        )
    return TaxEntry(
        variant=v.name,
        kind=v.kind,
        capability=cap,
        fairness=fams["fairness"][0],
        privacy=fams["privacy"][0],
        overrefusal=fams["overrefusal"][0],
        trust=trust,
        tax_per_point=tax,
        tax_ci_low=tlo,
        tax_ci_high=thi,
        summary=summary,
    )


# ----------------------------------------------------------------------------------------- verdicts


def _verdicts(variants, rows, infos, by_name, base, settings, notes) -> list[Verdict]:
    """SPIN vs each control, per metric; significance after Holm adjustment within each pair."""
    spins = [v for v in variants if v.kind == "spin"]
    controls = [v for v in variants if v.kind == "control"]
    out: list[Verdict] = []
    if spins and not controls:
        notes.append("no control mask among the runs: whether SPIN's effect is specific cannot be judged")
    from tqdm.auto import tqdm

    for s in spins:
        for c in controls:
            pair: list[tuple[MetricRow, Delta, bool]] = []
            for row in tqdm(rows, desc=f"{s.name} vs {c.name}", unit="metric", disable=not settings.progress):
                if row.detail:
                    continue
                dw = row.deltas.get(s.name)
                vs_base = bool(dw and dw.significant)
                pseudo = Settings(n_resamples=settings.n_resamples, confidence=settings.confidence,
                                  alpha=settings.alpha, seed=settings.seed + 7)
                d = _compute_delta(row, infos[row.key], by_name[c.name], by_name[s.name], pseudo, notes).delta
                if d.delta is not None:
                    pair.append((row, d, vs_base))
            adjusted = stats.holm_adjust([d.p_value if d.p_value is not None else math.nan for _, d, _ in pair])
            for (row, d, vs_base), p_holm in zip(pair, adjusted):
                p_holm = p_holm if math.isfinite(p_holm) else None
                significant = p_holm is not None and p_holm < settings.alpha
                shown = f"{d.delta * row.scale:+.2f}"
                ci = (
                    f" [{d.ci_low * row.scale:+.2f}, {d.ci_high * row.scale:+.2f}]"
                    if d.ci_low is not None and d.ci_high is not None and math.isfinite(d.ci_low)
                    else ""
                )
                holm = "Holm " + _fmt_p(p_holm)
                ptxt = f"{_fmt_p(d.p_value)}, {holm} over {len(pair)} metric{'s' if len(pair) != 1 else ''}"
                fb = " (stderr fallback)" if d.source == "stderr-fallback" else ""
                base_txt = "" if vs_base else " SPIN does not differ significantly from the baseline either."
                if significant:
                    better = (d.improvement or 0) > 0
                    text = (
                        f"{row.key}: SPIN ({s.name}) differs significantly from control {c.name} "
                        f"(delta {shown}{ci}, {ptxt}{fb}); SPIN is {'better' if better else 'worse'} than the "
                        f"control, so the effect is specific to the selected weights.{base_txt}"
                    )
                else:
                    text = (
                        f"{row.key}: SPIN ({s.name}) does not differ significantly from control {c.name} "
                        f"(delta {shown}{ci}, {ptxt}{fb}); the effect is not specific to SPIN.{base_txt}"
                    )
                out.append(
                    Verdict(row.key, s.name, c.name, d.delta, d.ci_low, d.ci_high, d.p_value, d.test,
                            row.scale, vs_base, significant, text, row.headline, p_holm)
                )
    out.sort(key=lambda v: not v.headline)  # stable: headline metrics first, then row order
    return out


# -------------------------------------------------------------------------------------- breakdowns


def _find_field(doc: dict, options: Sequence[str]) -> str | None:
    for name in options:
        if name in doc:
            return name
    return None


def _breakdowns(rows, infos, runs, base) -> list[Breakdown]:
    """Fairness/privacy headline and bias (zero-best) metrics per category, recomputed from samples.

    Groups come from the per-doc value records when they are dicts (BBQ: ``category``; PII: ``pii_type``
    x ``attack_style``), else from the documents' fields."""
    out: list[Breakdown] = []
    for row in rows:
        if row.family not in ("fairness", "privacy") or row.detail:
            continue
        if not (row.headline or row.direction == "zero"):
            task_rows = [rw for rw in rows if rw.task == row.task and not rw.detail]
            if any(rw.headline or rw.direction == "zero" for rw in task_rows) or task_rows[0] is not row:
                continue
        samples = base.samples.get(row.task, {}).get(row.filter)
        if not samples:
            continue
        first = next(iter(samples.values()))
        val = first.values.get(row.metric)
        if isinstance(val, dict):
            spec = FAIRNESS_GROUP_FIELDS if row.family == "fairness" else PRIVACY_GROUP_FIELDS
            fields = [f for f in (_find_field(val, opts) for opts in spec) if f]
            where = "value"
        else:
            spec = FAIRNESS_DOC_GROUP_FIELDS if row.family == "fairness" else PRIVACY_GROUP_FIELDS
            fields = [f for f in (_find_field(first.doc, opts) for opts in spec) if f]
            where = "doc"
        if not fields:
            continue
        agg = infos[row.key].aggregate or stats.mean_aggregate
        bd = Breakdown(row.task, row.metric, row.family, fields, row.scale)
        groups: dict[str, dict[str, list]] = {}
        for r in runs:
            for rec in (r.samples.get(row.task, {}).get(row.filter) or {}).values():
                v = rec.values.get(row.metric)
                if v is None:
                    continue
                src = v if where == "value" and isinstance(v, dict) else rec.doc
                label = " / ".join(str(src.get(f, "?")) for f in fields)
                groups.setdefault(label, {}).setdefault(r.name, []).append(v)
        for label in sorted(groups):
            cells: dict[str, float | None] = {}
            for r in runs:
                vals = groups[label].get(r.name)
                try:
                    x = float(agg(vals)) if vals else None
                except (ZeroDivisionError, ValueError, TypeError, KeyError):
                    x = None
                cells[r.name] = x if x is not None and math.isfinite(x) else None
            if all(x is None for x in cells.values()):
                continue
            bd.rows.append(label)
            bd.counts[label] = len(groups[label].get(base.name, []))
            bd.values[label] = cells
        if bd.rows:
            out.append(bd)
    return out


# --------------------------------------------------------------------------------------- mask panel

_LAYER_RE = re.compile(r"(?:^|\.)(?:layers|h|blocks|layer)\.(\d+)\.(?:.*\.)?([A-Za-z_0-9]+)\.weight$")


def _split_param(name: str) -> tuple[str, str]:
    m = _LAYER_RE.search(name)
    if m:
        return m.group(1), m.group(2)
    parts = name.split(".")
    return "-", parts[-2] if len(parts) > 1 else name


def _mask_panel(variants: list[Variant], by_name: dict[str, RunResults]) -> MaskPanel:
    panel = MaskPanel()
    indices: dict[str, dict[str, np.ndarray] | None] = {}
    try:
        from spin_eval.spin.io import load_mask
    except ImportError:
        load_mask = None
    for v in variants:
        if v.spin_mode in (None, "none"):
            continue
        panel.variants.append(v.name)
        mask = None
        file = by_name[v.name].mask_file
        if file and load_mask is not None:
            try:
                mask = load_mask(file)
            except Exception as exc:  # a corrupt mask must not stop the report
                panel.notes.append(f"{v.name}: mask file {file} unreadable ({exc}); counts from metadata, no overlap")
        elif file:
            panel.notes.append(f"{v.name}: spin_eval.spin.io is unavailable; per-layer counts from metadata only")
        else:
            panel.notes.append(
                f"{v.name}: mask file {v.mask_path or '(no mask_path recorded)'} not found; per-layer counts from "
                "the mask metadata, no overlap"
            )
        counts: dict[str, int] = {}
        shapes: dict[str, tuple] = {}
        if mask is not None:
            indices[v.name] = {k: np.asarray(t.cpu().numpy() if hasattr(t, "cpu") else t, dtype=np.int64)
                               for k, t in mask.indices.items()}
            counts = {k: int(a.size) for k, a in indices[v.name].items()}
            shapes = dict(mask.shapes)
        else:
            indices[v.name] = None
            meta = (by_name[v.name].spin or {}).get("mask_metadata") or {}
            counts = {str(k): int(n) for k, n in (meta.get("counts") or {}).items()}
        v_meta_counts = counts
        layers = []
        for pname, n in sorted(v_meta_counts.items()):
            layer, module = _split_param(pname)
            shape = shapes.get(pname)
            numel = int(np.prod(shape)) if shape else None
            layers.append(MaskLayer(layer, module, int(n), numel))
        panel.layers[v.name] = layers
    for a in panel.variants:
        panel.overlap[a] = {}
        for b in panel.variants:
            ia, ib = indices.get(a), indices.get(b)
            if ia is None or ib is None:
                panel.overlap[a][b] = 1.0 if a == b else None
                continue
            inter = union = 0
            for pname in set(ia) | set(ib):
                x = ia.get(pname, np.empty(0, np.int64))
                y = ib.get(pname, np.empty(0, np.int64))
                inter += np.intersect1d(x, y).size
                union += np.union1d(x, y).size
            panel.overlap[a][b] = inter / union if union else 1.0
    return panel


# -------------------------------------------------------------------------------------------- flips


def _show_value(v: Any) -> str:
    if isinstance(v, dict):
        return " ".join(f"{k}={x}" for k, x in v.items() if not isinstance(x, (dict, list)))
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _doc_better(info: _Info, direction: str, x: Any, y: Any) -> bool | None:
    agg = info.aggregate or stats.mean_aggregate
    try:
        sa, sb = float(agg([x])), float(agg([y]))
    except (ZeroDivisionError, ValueError, TypeError, KeyError):
        return None
    if not (math.isfinite(sa) and math.isfinite(sb)) or sa == sb:
        return None
    return bool(_improvement(direction, sa, sb) > 0)


def _flips(rows, infos, runs, base, settings) -> list[FlipSummary]:
    """Per variant and task (its headline metric, else its first): documents whose value changed."""
    out: list[FlipSummary] = []
    for r in runs:
        if r.name == base.name:
            continue
        seen_tasks: set[tuple[str, str]] = set()
        for row in rows:
            if (row.task, row.filter) in seen_tasks:
                continue
            seen_tasks.add((row.task, row.filter))
            task_rows = [rw for rw in rows if rw.task == row.task and rw.filter == row.filter and not rw.detail]
            if not task_rows:
                continue
            pick = ([rw for rw in task_rows if rw.headline] or task_rows)[0]
            paired = _paired_values(base, r, pick.task, pick.metric, pick.filter)
            if paired is None:
                continue
            keys, va, vb = paired
            if any(isinstance(x, (list, tuple)) for x in va[:20]):
                continue  # (loglikelihood, weight) pairs: every document "changes"; nothing to read
            info = infos[pick.key]
            fs = FlipSummary(pick.task, pick.metric, r.name, len(keys), 0, 0, 0)
            sa = base.samples[pick.task][pick.filter]
            sb = r.samples[pick.task][pick.filter]
            changed = [(k, x, y) for k, x, y in zip(keys, va, vb) if x != y]
            changed.sort(key=lambda t: sa[t[0]].doc_id)
            fs.n_changed = len(changed)
            for k, x, y in changed:
                better = _doc_better(info, pick.direction, x, y)
                if better is True:
                    fs.n_better += 1
                elif better is False:
                    fs.n_worse += 1
                if len(fs.shown) < settings.max_flips:
                    fs.shown.append(Flip(
                        task=pick.task, metric=pick.metric, variant=r.name, doc_id=sa[k].doc_id,
                        prompt=sa[k].prompt[:2000], target=sa[k].target[:500],
                        baseline_answer=sa[k].answer[:1000], variant_answer=sb[k].answer[:1000],
                        baseline_score=_show_value(x), variant_score=_show_value(y), better=better,
                    ))
            out.append(fs)
    return out
