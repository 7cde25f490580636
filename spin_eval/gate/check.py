"""``spin-eval check``: the regression gate comparing a candidate run with a baseline run under a policy.

Per metric present in the baseline: the candidate's change, a 95% paired-bootstrap confidence interval
and a paired p-value over the documents both runs share (matched by ``doc_hash``), all from the results
layer's one paired delta; where samples are missing, an unpaired z-test on lm-eval's reported standard
errors, labelled as such. Every aggregate judged is recomputed from the samples where they exist; a
results file that disagrees with its own samples is refused (InputError, exit 2), never judged.
Policy checks on top: same model fingerprint, minimum mask overlap (Jaccard).

``run_check`` is pure given loaded runs (no file access); renderers return strings; the CLI writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from spin_eval.errors import InputError
from spin_eval.gate.policy import Policy
from spin_eval.results.facts import Direction, improvement, metric_facts
from spin_eval.results.finite import NonFinite, metric_non_finite, non_finite_document, stderr_non_finite
from spin_eval.results.load import RunResults
from spin_eval.results.paired import PairedSettings, paired_delta
from spin_eval.results.recompute import aggregate_from_samples
from spin_eval.stats import mask_jaccard


@dataclass
class MetricCheck:
    """The verdict for one metric."""

    task: str
    metric: str
    filter: str
    direction: Direction
    baseline: float | None
    candidate: float | None
    delta: float | None = None
    """candidate - baseline, raw units."""
    ci_low: float | None = None
    ci_high: float | None = None
    """95% CI of ``delta``."""
    regression: float | None = None
    """How much worse the candidate is, in the metric's direction (negative: it improved)."""
    p_value: float | None = None
    n_paired: int = 0
    method: str = "none"
    max_regression: float = 0.0
    significant_only: bool = True
    status: Literal["pass", "fail", "missing"] = "pass"
    reason: str = ""

    @property
    def name(self) -> str:
        suffix = "" if self.filter == "none" else f",{self.filter}"
        return f"{self.task}/{self.metric}{suffix}"


@dataclass
class PolicyCheck:
    """A whole-run requirement of the policy (fingerprint, mask overlap)."""

    name: str
    status: Literal["pass", "fail", "skip"]
    detail: str


@dataclass
class CheckResult:
    baseline: str
    candidate: str
    policy_source: str
    metrics: list[MetricCheck] = field(default_factory=list)
    policy_checks: list[PolicyCheck] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        out = [f"{c.name}: {c.reason}" for c in self.metrics if c.status in ("fail", "missing") and c.reason]
        out += [f"{p.name}: {p.detail}" for p in self.policy_checks if p.status == "fail"]
        return out

    @property
    def passed(self) -> bool:
        return not any(c.status == "fail" for c in self.metrics) and not any(
            p.status == "fail" for p in self.policy_checks
        )


# ---------------------------------------------------------------------------------------------------- check


def check_metric(
    baseline: RunResults, candidate: RunResults, task: str, metric: str, filt: str, policy: Policy
) -> MetricCheck:
    """The verdict on one metric. Values are recomputed from the samples where logged (InputError when the
    results file and its samples disagree); the delta, CI and p-value are the results layer's paired delta.

    Non-finite numbers are never a pass (``spin_eval.results.finite``): a NaN/Inf candidate value (logged
    per document, recomputed or reported) fails with "candidate metric is not a number"; a baseline that
    is not a number is no reference and is refused (InputError, exit 2); a metric undefined on the
    documents of the baseline (NaN from finite per-document values) is listed as not judged."""
    rule = policy.rule_for(task, metric)
    facts = metric_facts(task, metric, baseline.higher_is_better.get(task, {}).get(metric))
    _refuse_broken_baseline(baseline, task, metric, filt, non_finite_document(baseline, task, metric, filt))
    base_value = aggregate_from_samples(baseline, facts, filt)
    base_value = baseline.metric_value(task, metric, filt) if base_value is None else base_value
    base_nf = metric_non_finite(baseline, task, metric, filt, base_value)
    if base_nf is not None and base_nf.broken:
        _refuse_broken_baseline(baseline, task, metric, filt, base_nf.detail)
    cand_value = None
    cand_nf = None
    bad_doc = non_finite_document(candidate, task, metric, filt)
    if bad_doc is not None:  # judged before the aggregate: a model that logs NaN is broken, whatever its summary says
        cand_value = candidate.metric_value(task, metric, filt)
        cand_nf = NonFinite("document", f"document {bad_doc[0][:16]} logs {bad_doc[1]}")
    elif candidate.metric_value(task, metric, filt) is not None or candidate.doc_values(task, metric, filt):
        cand_value = aggregate_from_samples(candidate, facts, filt)
        cand_value = candidate.metric_value(task, metric, filt) if cand_value is None else cand_value
        cand_nf = metric_non_finite(candidate, task, metric, filt, cand_value)
    result = MetricCheck(
        task=task, metric=metric, filter=filt, direction=facts.direction, baseline=base_value, candidate=cand_value,
        max_regression=rule.max_regression, significant_only=rule.significant_only,
    )
    if base_nf is not None and (cand_nf is None or not cand_nf.broken) and cand_value is not None:
        result.status = "missing"
        both = cand_nf is not None
        result.reason = (f"undefined in {'both runs' if both else 'the baseline'} ({base_nf.detail}); not judged")
        result.method = "none (baseline undefined)"
        return result
    if cand_nf is not None:
        result.status = "fail"
        result.reason = f"candidate metric is not a number ({cand_nf.detail}); the candidate model is broken"
        result.method = "none (not a number)"
        return result
    if cand_value is None:
        result.status = "fail" if policy.missing_metric == "fail" else "missing"
        result.reason = "metric missing from the candidate run"
        return result
    settings = PairedSettings(n_resamples=policy.bootstrap_iters, alpha=policy.alpha, seed=policy.seed)
    paired = paired_delta(baseline, candidate, facts, filt, settings).delta
    result.delta = cand_value - base_value
    result.regression = -improvement(facts.direction, base_value, cand_value)
    if paired.source == "paired-samples":
        # judged on the shared documents, so that the change and its interval describe the same documents
        result.delta, result.regression = paired.delta, -paired.improvement
        result.ci_low, result.ci_high = paired.ci_low, paired.ci_high
        result.p_value = None if paired.p_value is None or math.isnan(paired.p_value) else paired.p_value
        result.n_paired = paired.n_paired
        test = "permutation on |score|" if facts.direction == "zero" else paired.test
        result.method = f"paired bootstrap CI + {test} (n={paired.n_paired})"
        n_docs = max(len(baseline.doc_values(task, metric, filt) or {}), len(candidate.doc_values(task, metric, filt) or {}))
        if paired.n_paired < n_docs:
            result.method += f", {n_docs - paired.n_paired} unshared docs left out"
    elif paired.source == "stderr-fallback":
        result.ci_low, result.ci_high = paired.ci_low, paired.ci_high
        result.p_value = None if paired.p_value is None or math.isnan(paired.p_value) else paired.p_value
        result.method = "unpaired z-test on lm-eval stderr (no shared samples)"
    else:
        result.method = "no test possible (no shared samples, no stderr)"
    if paired.source != "paired-samples":  # the stderrs decide the test: an infinite one hides any change
        bad = stderr_non_finite(baseline, task, metric, filt)
        if bad is not None:
            _refuse_broken_baseline(baseline, task, metric, filt, f"its stderr is {bad}")
        bad = stderr_non_finite(candidate, task, metric, filt)
        if bad is not None:
            result.status = "fail"
            result.reason = f"candidate stderr is not a number ({bad}); the candidate results file is broken"
            return result

    too_big = result.regression > rule.max_regression + 1e-12
    significant = result.p_value is not None and result.p_value < policy.alpha
    if too_big and (not rule.significant_only or significant):
        result.status = "fail"
        why = f"worse by {result.regression:.4g} > allowed {rule.max_regression:.4g}"
        if result.p_value is not None:
            why += f" (p = {result.p_value:.3g})"
        result.reason = why
    elif too_big:
        result.reason = f"worse by {result.regression:.4g} but not significant (p = {result.p_value if result.p_value is not None else 'n/a'})"
    return result


def _refuse_broken_baseline(baseline: RunResults, task: str, metric: str, filt: str, why: Any) -> None:
    """InputError (exit 2) for a baseline metric that is not a number: it cannot serve as a reference."""
    if why is None:
        return
    if isinstance(why, tuple):
        why = f"document {why[0][:16]} logs {why[1]}"
    suffix = "" if filt == "none" else f",{filt}"
    raise InputError(
        f"--baseline {baseline.path}: {task}/{metric}{suffix}: baseline metric is not a number ({why}); a "
        "baseline that is not a number cannot judge a candidate: re-run the baseline evaluation"
    )


def run_check(
    baseline: RunResults,
    candidate: RunResults,
    policy: Policy,
    *,
    baseline_mask: dict[str, Any] | None = None,
    candidate_mask: dict[str, Any] | None = None,
    progress: bool = False,
) -> CheckResult:
    """Compare ``candidate`` with ``baseline`` under ``policy``. Masks are {param name: indices} or None.

    Raises InputError when a results file's aggregate disagrees with its own samples."""
    result = CheckResult(baseline=str(baseline.path), candidate=str(candidate.path), policy_source=policy.source)
    keys = sorted(
        (task, key.partition(",")[0], key.partition(",")[2] or "none")
        for task, entries in baseline.metrics.items() for key in entries
    )
    iterator = keys
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(keys, desc="check metrics", unit="metric", leave=False)
    for task, metric, filt in iterator:
        result.metrics.append(check_metric(baseline, candidate, task, metric, filt, policy))

    if policy.require_same_fingerprint:
        fb, fc = baseline.fingerprint, candidate.fingerprint
        if fb is None or fc is None:
            missing = "baseline" if fb is None else "candidate"
            result.policy_checks.append(PolicyCheck(
                "same model fingerprint", "fail",
                f"the {missing} run records no model fingerprint (no SPIN mask metadata); evaluate it with "
                f"spin-eval run / spin_hf, or set require_same_fingerprint: false in the policy",
            ))
        elif fb != fc:
            result.policy_checks.append(PolicyCheck(
                "same model fingerprint", "fail", f"baseline {fb[:12]} != candidate {fc[:12]}: different base weights"
            ))
        else:
            result.policy_checks.append(PolicyCheck("same model fingerprint", "pass", fb[:12]))
    if policy.min_mask_jaccard is not None:
        if baseline_mask is None or candidate_mask is None:
            side = "baseline" if baseline_mask is None else "candidate"
            result.policy_checks.append(PolicyCheck(
                "mask overlap (Jaccard)", "fail",
                f"the {side} mask file was not found; pass --{side}-mask PATH or keep the mask beside the run",
            ))
        else:
            jac = mask_jaccard(baseline_mask, candidate_mask)
            status = "pass" if jac >= policy.min_mask_jaccard else "fail"
            result.policy_checks.append(PolicyCheck(
                "mask overlap (Jaccard)", status, f"{jac:.3f} (minimum {policy.min_mask_jaccard:.3f})"
            ))
    return result


# -------------------------------------------------------------------------------------------------- renderers


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


_ARROWS = {"higher": "↑", "lower": "↓", "zero": "→0"}


def _rows(result: CheckResult) -> list[list[str]]:
    rows = []
    for c in result.metrics:
        ci = f"[{_fmt(c.ci_low)}, {_fmt(c.ci_high)}]" if c.ci_low is not None else "n/a"
        rows.append([
            c.status.upper(), f"{c.name} {_ARROWS[c.direction]}", _fmt(c.baseline), _fmt(c.candidate),
            _fmt(c.delta), ci, _fmt(c.p_value, 3), f"{c.max_regression:g}{'*' if c.significant_only else ''}",
        ])
    return rows


HEADER = ["status", "metric", "baseline", "candidate", "delta", "95% CI", "p", "allowed"]


def render_table(result: CheckResult) -> str:
    """A fixed-width table for the terminal."""
    rows = [HEADER] + _rows(result)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for p in result.policy_checks:
        lines.append(f"{p.status.upper():<6}  policy: {p.name}: {p.detail}")
    lines.append("")
    lines.append("* = fails only when significant (paired permutation test, p < alpha)")
    verdict = "PASS" if result.passed else f"FAIL ({len(result.failures)} problem(s))"
    lines.append(f"spin-eval check: {verdict}")
    for reason in result.failures:
        lines.append(f"  - {reason}")
    return "\n".join(lines)


def render_markdown(result: CheckResult) -> str:
    """A Markdown summary (for CI comments / job summaries)."""
    verdict = "✅ PASS" if result.passed else "❌ FAIL"
    out = [
        f"## spin-eval check: {verdict}",
        "",
        f"- baseline: `{result.baseline}`",
        f"- candidate: `{result.candidate}`",
        f"- policy: `{result.policy_source}`",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for row in _rows(result):
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    if result.policy_checks:
        out += ["", "| policy check | status | detail |", "|---|---|---|"]
        for p in result.policy_checks:
            out.append(f"| {p.name} | {p.status.upper()} | {p.detail.replace('|', '/')} |")
    if result.failures:
        out += ["", "**Problems:**", ""] + [f"- {reason}" for reason in result.failures]
    out += ["", "`*` = fails only when significant (paired permutation test). Delta = candidate − baseline; "
            "CI = 95% paired bootstrap over shared documents."]
    return "\n".join(out) + "\n"


def render_junit(result: CheckResult) -> str:
    """JUnit XML: one test case per metric and per policy check."""
    cases = []
    failures = 0
    for c in result.metrics:
        body = ""
        if c.status == "fail":
            failures += 1
            body = f"<failure message={quoteattr(c.reason)}>{escape(c.method)}</failure>"
        elif c.status == "missing":
            body = f"<skipped message={quoteattr(c.reason)}/>"
        out = (
            f"baseline={_fmt(c.baseline)} candidate={_fmt(c.candidate)} delta={_fmt(c.delta)} "
            f"ci=[{_fmt(c.ci_low)}, {_fmt(c.ci_high)}] p={_fmt(c.p_value, 4)} method={c.method}"
        )
        cases.append(
            f'  <testcase classname={quoteattr("spin-eval.metrics." + c.task)} name={quoteattr(c.name)}>'
            f"{body}<system-out>{escape(out)}</system-out></testcase>"
        )
    for p in result.policy_checks:
        body = ""
        if p.status == "fail":
            failures += 1
            body = f"<failure message={quoteattr(p.detail)}/>"
        elif p.status == "skip":
            body = f"<skipped message={quoteattr(p.detail)}/>"
        cases.append(f'  <testcase classname="spin-eval.policy" name={quoteattr(p.name)}>{body}</testcase>')
    total = len(result.metrics) + len(result.policy_checks)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="spin-eval check" tests="{total}" failures="{failures}">\n'
        f'<testsuite name="spin-eval check" tests="{total}" failures="{failures}" errors="0">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n</testsuites>\n"
    )
