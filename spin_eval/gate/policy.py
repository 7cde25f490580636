"""The regression policy of ``spin-eval check``: a YAML file, validated into a frozen dataclass.

The shipped default is ``spin_eval/gate/default_policy.yaml`` (documented in docs/pipeline.md).
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from spin_eval import stats
from spin_eval.bounded import SMALL, one_line, read_yaml_file, short
from spin_eval.errors import InputError

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "default_policy.yaml"
POLICY_VERSION = 1
#: Seeds must fit numpy's generators (``numpy.random.default_rng`` takes 0 .. 2**32 - 1 here).
MAX_SEED = 2**32 - 1
#: More bootstrap iterations than this is a typo that would make the gate run for hours.
MAX_BOOTSTRAP_ITERS = 1_000_000

_TOP_KEYS = {
    "version", "alpha", "bootstrap_iters", "seed", "require_same_fingerprint", "min_mask_jaccard",
    "missing_metric", "default", "rules",
}
_RULE_KEYS = {"task", "metric", "max_regression", "significant_only"}


@dataclass(frozen=True)
class MetricRule:
    """How much a matching metric may regress, and whether only significant regressions count."""

    task: str = "*"
    metric: str = "*"
    max_regression: float = 0.02
    significant_only: bool = True

    def matches(self, task: str, metric: str) -> bool:
        return fnmatch.fnmatchcase(task, self.task) and fnmatch.fnmatchcase(metric, self.metric)


@dataclass(frozen=True)
class Policy:
    """A validated check policy."""

    alpha: float = 0.05
    bootstrap_iters: int = stats.DEFAULT_RESAMPLES
    """Paired bootstrap resamples per delta: the project's one default (``spin_eval.stats.DEFAULT_RESAMPLES``)."""
    seed: int = 0
    require_same_fingerprint: bool = True
    min_mask_jaccard: float | None = None
    missing_metric: Literal["fail", "ignore"] = "fail"
    default: MetricRule = field(default_factory=MetricRule)
    rules: tuple[MetricRule, ...] = ()
    source: str = "<built-in>"

    def __post_init__(self) -> None:
        where = self.source
        for name in ("alpha", "min_mask_jaccard"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise InputError(f"{where}: field '{name}' = {value} must be a finite number")
        if not 0 < self.alpha < 1:
            raise InputError(f"{where}: field 'alpha' = {self.alpha} must be between 0 and 1 (e.g. 0.05)")
        if not 100 <= self.bootstrap_iters <= MAX_BOOTSTRAP_ITERS:
            raise InputError(
                f"{where}: field 'bootstrap_iters' = {self.bootstrap_iters} must be between 100 and {MAX_BOOTSTRAP_ITERS}"
            )
        if not 0 <= self.seed <= MAX_SEED:
            raise InputError(f"{where}: field 'seed' = {self.seed} must be an integer between 0 and {MAX_SEED}")
        if self.min_mask_jaccard is not None and not 0 <= self.min_mask_jaccard <= 1:
            raise InputError(f"{where}: field 'min_mask_jaccard' = {self.min_mask_jaccard} must be in [0, 1] or null")
        if self.missing_metric not in ("fail", "ignore"):
            raise InputError(f"{where}: field 'missing_metric' = {short(self.missing_metric)} must be 'fail' or 'ignore'")

    def rule_for(self, task: str, metric: str) -> MetricRule:
        """The first rule matching (task, metric), else the default."""
        for rule in self.rules:
            if rule.matches(task, metric):
                return rule
        return self.default


_EXPONENT_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _number(value: Any, where: str) -> float:
    """``value`` as a finite float; InputError for text, booleans, NaN and infinities (NaN would turn the
    gate off: every comparison with it is false). PyYAML reads exponent numbers without a sign or dot
    (``1e9``, ``1.0e9``) as text; those are taken as the numbers they spell."""
    if isinstance(value, str) and _EXPONENT_NUMBER.fullmatch(value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: {short(value)} is not a number; write e.g. 0.02")
    try:
        number = float(value)
    except OverflowError:
        raise InputError(f"{where}: {short(value)} is too large; write e.g. 0.02") from None
    if not math.isfinite(number):
        raise InputError(f"{where}: {number} is not a finite number; write e.g. 0.02")
    return number


def _integer(value: Any, where: str) -> int:
    """``value`` as an int; InputError for floats, text and booleans."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: {short(value)} is not an integer")
    return value


def _rule(data: Any, where: str, base: MetricRule | None = None) -> MetricRule:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping with keys {sorted(_RULE_KEYS)}")
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {one_line(sorted(map(str, unknown)), 120)}; allowed: {sorted(_RULE_KEYS)}")
    base = base or MetricRule()
    max_regression = _number(data.get("max_regression", base.max_regression), f"{where}.max_regression")
    if max_regression < 0:
        raise InputError(f"{where}.max_regression: {max_regression} must be >= 0")
    significant_only = data.get("significant_only", base.significant_only)
    if not isinstance(significant_only, bool):
        raise InputError(f"{where}.significant_only: {short(significant_only)} must be true or false")
    for key in ("task", "metric"):
        if key in data and not isinstance(data[key], str):
            raise InputError(f"{where}.{key}: {short(data[key])} must be a string (wildcards * and ? allowed)")
    return MetricRule(
        task=data.get("task", "*"), metric=data.get("metric", "*"),
        max_regression=max_regression, significant_only=significant_only,
    )


def policy_from_dict(data: Any, source: str = "<dict>") -> Policy:
    """Validate a parsed policy document."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: the policy must be a YAML mapping (see the shipped default_policy.yaml)")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise InputError(f"{source}: unknown key(s) {one_line(sorted(map(str, unknown)), 120)}; allowed: {sorted(_TOP_KEYS)}")
    version = data.get("version", POLICY_VERSION)
    if version != POLICY_VERSION:
        raise InputError(f"{source}: field 'version' = {short(version)}; this spin-eval reads policy version {POLICY_VERSION}")
    default = _rule(data.get("default", {}), f"{source}: default")
    rules_data = data.get("rules") or []
    if not isinstance(rules_data, list):
        raise InputError(f"{source}: field 'rules' must be a list of rules")
    rules = tuple(_rule(r, f"{source}: rules[{i}]", default) for i, r in enumerate(rules_data))
    kwargs: dict[str, Any] = {}
    if "alpha" in data:
        kwargs["alpha"] = _number(data["alpha"], f"{source}: field 'alpha'")
    for key in ("bootstrap_iters", "seed"):
        if key in data:
            kwargs[key] = _integer(data[key], f"{source}: field '{key}'")
    if "require_same_fingerprint" in data:
        if not isinstance(data["require_same_fingerprint"], bool):
            raise InputError(f"{source}: field 'require_same_fingerprint' must be true or false")
        kwargs["require_same_fingerprint"] = data["require_same_fingerprint"]
    if data.get("min_mask_jaccard") is not None:
        kwargs["min_mask_jaccard"] = _number(data["min_mask_jaccard"], f"{source}: field 'min_mask_jaccard'")
    if "missing_metric" in data:
        kwargs["missing_metric"] = data["missing_metric"]
    return Policy(default=default, rules=rules, source=source, **kwargs)


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy YAML file (the shipped default when ``path`` is None), through the
    bounded reader (``spin_eval.bounded``: size, aliases, depth and number length are limited)."""
    path = Path(path) if path is not None else DEFAULT_POLICY_PATH
    data = read_yaml_file(path, f"--policy {path}", SMALL)
    return policy_from_dict(data, source=str(path))
