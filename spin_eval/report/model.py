"""The typed, JSON-able model of a comparative report: what every report format shows.

``Comparison.to_dict()`` is the JSON format. Deltas and family changes are the results layer's own types
(:class:`spin_eval.results.paired.Delta`, :class:`spin_eval.results.headline.FamilyChange`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from spin_eval import stats
from spin_eval.results.facts import FAMILIES
from spin_eval.results.headline import AlignmentTax, FamilyChange, drop_default_objectives
from spin_eval.results.paired import Delta, PairedSettings
from spin_eval.results.specificity import MetricEvidence, Specificity

__all__ = ["FAMILIES", "Delta", "FamilyChange"]  # re-exported: the report's vocabulary

#: A task with fewer paired documents than this gets a caveat: only large effects are detectable.
MIN_PAIRED_DOCS = 30


@dataclass
class Variant:
    """One column of the report."""

    name: str
    """Short name (the run folder), what ``--baseline`` matches."""
    label: str
    """Human label from model args and mask metadata."""
    kind: Literal["baseline", "spin", "control", "finetuned", "other"]
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
    """True when the metric catalog knows the metric (else its family is ``other``, its direction lm-eval's
    ``higher_is_better`` flag and its aggregate the mean)."""
    detail: bool = False
    """A per-category restriction of another metric of the task (e.g. ``s_amb_age``)."""
    values: dict[str, Cell] = field(default_factory=dict)
    deltas: dict[str, Delta] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.task}/{self.metric},{self.filter}"


def metric_label(row: MetricRow) -> str:
    """``task/metric`` as readers see it; a filter other than lm-eval's default ``none`` in parentheses."""
    return f"{row.task}/{row.metric}" + ("" if row.filter == "none" else f" ({row.filter})")


@dataclass
class TaxEntry(AlignmentTax):
    """The results layer's alignment tax of one variant, with the variant and its one-line summary."""

    variant: str
    kind: str
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
    improvement: float | None = None
    """SPIN minus control oriented so that positive means SPIN is better."""
    outcome: str = "undetermined"
    """This metric's specificity outcome (:func:`spin_eval.results.specificity.specificity` over its evidence)."""
    evidence: MetricEvidence | None = None
    """What the outcome rests on (the answer's per-pair verdict uses the same evidence)."""


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
class HeadlineCheck:
    """One headline metric of one variant: the observed change next to what the run could detect."""

    metric: str
    """``task/metric`` (a filter other than lm-eval's ``none`` is appended in parentheses)."""
    variant: str
    baseline: float | None
    value: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool
    improvement: float | None
    scale: float
    family: str
    n_paired: int
    mde: float | None
    """Minimal detectable effect (power 0.8, two-sided alpha 0.05, paired), in metric units."""
    headroom: str
    """``ok``, ``floor``, ``ceiling`` or ``zero`` (see :mod:`spin_eval.results.sensitivity`)."""
    headroom_note: str = ""
    ci_half_width: float | None = None
    """Half the width of the 95% interval of the change (metric units): what ``--budget`` narrows."""


@dataclass
class AnswerVariant:
    """The answer for one variant against the baseline."""

    variant: str
    kind: str
    capability: FamilyChange
    trust: FamilyChange
    tax_per_point: float | None
    tax_ci_low: float | None
    tax_ci_high: float | None
    status: str
    unitless: list[HeadlineCheck] = field(default_factory=list)
    """Capability headline metrics not in points (perplexity, bits per byte), with change, CI, p."""
    specificity: list[Specificity] = field(default_factory=list)
    """One verdict per control (SPIN variants only)."""
    sentences: list[str] = field(default_factory=list)
    """The answer in words (:func:`spin_eval.results.wording.variant_sentences`)."""


@dataclass
class Answer:
    """What the report answers first: per variant the changes, the tax and specificity; plain statements
    for inputs that cannot answer (a single run, no paired documents, differing task versions)."""

    variants: list[AnswerVariant] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    sensitivity: list[HeadlineCheck] = field(default_factory=list)
    """Every headline metric of every variant: change, MDE and the baseline's headroom."""


@dataclass
class Settings:
    n_resamples: int = stats.DEFAULT_RESAMPLES
    confidence: float = stats.DEFAULT_CONFIDENCE
    alpha: float = stats.DEFAULT_ALPHA
    seed: int = 0
    max_flips: int = 10
    allow_mixed: bool = False
    progress: bool = False

    def paired(self, seed_offset: int = 0) -> PairedSettings:
        """The results layer's settings of the paired statistics."""
        return PairedSettings(self.n_resamples, self.confidence, self.alpha, self.seed + seed_offset)


@dataclass
class Comparison:
    """Everything a report shows; ``to_dict()`` is the JSON format (the answer first)."""

    baseline: str
    answer: Answer
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
    plane: Any = None
    """The fairness-privacy plane (``spin_eval.results.seesaw.Plane``) when fine-tuning baselines are compared."""
    data_sources: list[dict] = field(default_factory=list)
    """Where each task's data comes from (``spin_eval.results.sources``); empty when every task is shipped."""
    objectives: tuple[str, ...] = ("fairness", "privacy")
    """The objectives the run declared (``--objectives``): the trust families, the plane's axes, the tax."""

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)

    def to_dict(self) -> dict:
        data = _jsonable(asdict(self))
        if data.get("plane") is None:  # runs without fine-tuning baselines keep their JSON as it was
            data.pop("plane", None)
        if not data.get("data_sources"):  # shipped tasks only: the JSON stays as it was
            data.pop("data_sources", None)
        if tuple(self.objectives) == ("fairness", "privacy"):  # the default objectives: the JSON stays as it was
            data.pop("objectives", None)
            for t in data.get("tax", []):
                drop_default_objectives(t)
            if isinstance(data.get("plane"), dict):
                data["plane"].pop("x_name", None)
                data["plane"].pop("y_name", None)
        return data


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
