"""``spin-eval check``: the regression gate comparing a candidate run with a baseline run under a policy.

Per metric present in the baseline: the candidate's change, a 95% paired-bootstrap confidence interval
and a paired permutation p-value over the documents both runs share (matched by ``doc_hash``); where
samples are missing, an unpaired z-test on lm-eval's reported standard errors, labelled as such.
Policy checks on top: same model fingerprint, minimum mask overlap (Jaccard).

``run_check`` is pure given loaded runs (no file access); renderers return strings; the CLI writes files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from spin_eval.pipeline.policy import Policy
from spin_eval.pipeline.rundir import VariantRun, doc_values, higher_is_better, metric_stderr, metric_values

Direction = Literal["higher", "lower", "zero"]


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


# ------------------------------------------------------------------------------------------------ statistics


def _catalog_info(task: str, metric: str):
    try:
        from spin_eval.metrics.catalog import metric_info
    except ImportError:  # the catalog is another part of the project; fall back to lm-eval's flags
        return None
    try:
        return metric_info(task, metric)
    except Exception:  # noqa: BLE001 - an unknown metric is simply not in the catalog
        return None


def metric_direction(run: VariantRun, task: str, metric: str) -> Direction:
    """Catalog direction, else lm-eval's ``higher_is_better`` flag, else higher."""
    info = _catalog_info(task, metric)
    if info is not None:
        return info.direction
    flag = higher_is_better(run.results, task, metric)
    return "lower" if flag is False else "higher"


def metric_aggregate(task: str, metric: str) -> Callable[[Sequence[Any]], float] | None:
    """The catalog's corpus-level aggregation for per-document values (None: the mean of numbers)."""
    info = _catalog_info(task, metric)
    if info is not None and getattr(info, "aggregate", None) is not None:
        return info.aggregate
    return None


def oriented(value: float, direction: Direction) -> float:
    """A score where larger is always better."""
    if direction == "lower":
        return -value
    if direction == "zero":
        return -abs(value)
    return value


def paired_test(
    base: Sequence[Any],
    cand: Sequence[Any],
    aggregate: Callable[[Sequence[Any]], float] | None,
    direction: Direction,
    *,
    iters: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float, float, str]:
    """Delta ``agg(cand) - agg(base)`` with its paired bootstrap CI and a paired p-value (spin_eval.stats).

    ``aggregate=None`` is the mean of numbers. For higher/lower metrics the p-value is the report's
    (exact McNemar for 0/1 scores, else the sign-flip permutation test); for closer-to-zero metrics
    (bias scores) the permutation statistic is the change of ``|score|``.
    Returns (delta, ci_low, ci_high, p_value, test name).
    """
    from spin_eval import stats

    boot = stats.paired_bootstrap(base, cand, aggregate, n_resamples=iters, seed=seed)
    if direction == "zero":
        p = stats.paired_permutation_test(
            base, cand, aggregate, statistic=lambda sa, sb: abs(sb) - abs(sa), n_resamples=iters, seed=seed
        )
        test = "permutation on |score|"
    else:
        p, test = stats.paired_p_value(base, cand, aggregate, n_resamples=iters, seed=seed)
    return boot.delta, boot.ci_low, boot.ci_high, p, test


def mask_jaccard(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Total Jaccard overlap of two masks given as {param name: flat indices} (1.0 for two empty masks)."""
    import numpy as np

    inter = union = 0
    for name in set(a) | set(b):
        ia = np.asarray(a.get(name, []), dtype=np.int64).ravel()
        ib = np.asarray(b.get(name, []), dtype=np.int64).ravel()
        common = np.intersect1d(ia, ib).size
        inter += common
        union += ia.size + ib.size - common
    return 1.0 if union == 0 else inter / union


# ---------------------------------------------------------------------------------------------------- check


def check_metric(
    baseline: VariantRun, candidate: VariantRun, task: str, metric: str, filt: str, policy: Policy
) -> MetricCheck:
    rule = policy.rule_for(task, metric)
    base_value = metric_values(baseline.results).get((task, metric, filt))
    cand_value = metric_values(candidate.results).get((task, metric, filt))
    direction = metric_direction(baseline, task, metric)
    result = MetricCheck(
        task=task, metric=metric, filter=filt, direction=direction, baseline=base_value, candidate=cand_value,
        max_regression=rule.max_regression, significant_only=rule.significant_only,
    )
    if cand_value is None:
        result.status = "fail" if policy.missing_metric == "fail" else "missing"
        result.reason = "metric missing from the candidate run"
        return result
    result.delta = cand_value - base_value
    result.regression = oriented(base_value, direction) - oriented(cand_value, direction)

    bvals = doc_values(baseline.samples.get(task, []), metric, filt)
    cvals = doc_values(candidate.samples.get(task, []), metric, filt)
    common = sorted(set(bvals) & set(cvals))
    aggregate = metric_aggregate(task, metric)
    numeric = all(isinstance(bvals[k], (int, float)) and isinstance(cvals[k], (int, float)) for k in common)
    if len(common) >= 2 and (aggregate is not None or numeric):
        b = [bvals[k] for k in common]
        c = [cvals[k] for k in common]
        _, lo, hi, p, test = paired_test(b, c, aggregate, direction, iters=policy.bootstrap_iters, seed=policy.seed)
        result.ci_low, result.ci_high = lo, hi
        result.p_value = None if math.isnan(p) else p
        result.n_paired = len(common)
        result.method = f"paired bootstrap CI + {test} (n={len(common)})"
        if len(common) < max(len(bvals), len(cvals)):
            result.method += f", {max(len(bvals), len(cvals)) - len(common)} unshared docs left out"
    else:
        from spin_eval.stats import normal_delta_from_stderr

        se_b = metric_stderr(baseline.results, task, metric, filt)
        se_c = metric_stderr(candidate.results, task, metric, filt)
        if se_b is not None and se_c is not None and direction != "zero":
            nd = normal_delta_from_stderr(base_value, se_b, cand_value, se_c)
            result.ci_low, result.ci_high = nd.ci_low, nd.ci_high
            result.p_value = None if math.isnan(nd.p_value) else nd.p_value
            result.method = "unpaired z-test on lm-eval stderr (no shared samples)"
        else:
            result.method = "no test possible (no shared samples, no stderr)"

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


def run_check(
    baseline: VariantRun,
    candidate: VariantRun,
    policy: Policy,
    *,
    baseline_mask: dict[str, Any] | None = None,
    candidate_mask: dict[str, Any] | None = None,
    progress: bool = False,
) -> CheckResult:
    """Compare ``candidate`` with ``baseline`` under ``policy``. Masks are {param name: indices} or None."""
    result = CheckResult(
        baseline=str(baseline.results_path), candidate=str(candidate.results_path), policy_source=policy.source
    )
    keys = sorted(metric_values(baseline.results))
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
