"""The fairness-privacy plane: seesaw and SPIN verdicts from hand-made paired resamples."""

from __future__ import annotations

import numpy as np
import pytest

from spin_eval.results.headline import HeadlineDelta
from spin_eval.results.paired import Delta, PairedResult
from spin_eval.results.seesaw import fairness_privacy_plane


def _delta(family: str, mean: float, spread: float, seed: int) -> HeadlineDelta:
    """A headline delta whose improvement resamples (metric units, i.e. /100 of points) are normal."""
    res = np.random.default_rng(seed).normal(mean / 100.0, spread / 100.0, 4000)
    d = Delta(delta=mean / 100.0, ci_low=None, ci_high=None, p_value=None, test="permutation",
              source="paired-samples", n_paired=100, improvement=mean / 100.0)
    return HeadlineDelta(f"t/{family}", family, PairedResult(d, res))


def _variant(privacy: float, fairness: float, spread: float = 1.0, seed: int = 0) -> list[HeadlineDelta]:
    return [_delta("privacy", privacy, spread, seed), _delta("fairness", fairness, spread, seed + 1)]


def test_fine_tuning_seesaw_and_spin_raising_both():
    plane = fairness_privacy_plane(
        {"sft-privacy": _variant(+8, -6), "spin": _variant(+5, +4, seed=2), "control": _variant(0, 0, seed=4)},
        {"sft-privacy": "finetuned", "spin": "spin", "control": "control"},
    )
    assert plane.comparisons == 6 and plane.confidence == pytest.approx(1 - 0.05 / 6)
    points = {p.name: p for p in plane.points}
    assert points["sft-privacy"].seesaw and not points["spin"].seesaw and not points["control"].seesaw
    first, second = plane.sentences
    assert first.startswith("Seesaw: sft-privacy (privacy +8.0 [") and "Bonferroni-adjusted over 6" in first
    assert second.startswith("SPIN raises both fairness and privacy (the paper's claim): spin (privacy +5.0")
    # The numbers in the sentences are the points' own.
    p = points["sft-privacy"]
    assert f"{p.privacy_ci[0]:+.1f}, {p.privacy_ci[1]:+.1f}" in first


def test_no_seesaw_and_spin_that_changes_nothing():
    plane = fairness_privacy_plane({"spin": _variant(0.2, -0.1, spread=3.0)}, {"spin": "spin"})
    assert plane.sentences[0].startswith("No seesaw") and "over 2 family changes" in plane.sentences[0]
    assert plane.sentences[1].startswith("SPIN avoids it only trivially")


def test_spin_on_the_seesaw_does_not_avoid_it():
    plane = fairness_privacy_plane({"spin": _variant(-7, +9)}, {"spin": "spin"})
    assert plane.points[0].seesaw
    assert plane.sentences[1].startswith("SPIN does not avoid it: a trust family falls")


def test_adjustment_widens_the_intervals():
    one = fairness_privacy_plane({"a": _variant(3, 3)}, {"a": "spin"}).points[0]
    many = fairness_privacy_plane({k: _variant(3, 3) for k in "abcdef"}, dict.fromkeys("abcdef", "spin")).points[0]
    assert many.privacy_ci[0] < one.privacy_ci[0] and many.privacy_ci[1] > one.privacy_ci[1]


def test_missing_family_is_said():
    plane = fairness_privacy_plane({"spin": [_delta("privacy", 3, 1, 0)]}, {"spin": "spin"})
    assert plane.sentences == (plane.sentences[0],) and "lacks one" in plane.sentences[0]


def test_plane_context_draws_every_intervention_without_joining_lines():
    from spin_eval.report.plane import plane_context, plane_markdown

    plane = fairness_privacy_plane(
        {"sft-privacy": _variant(+8, -6), "spin": _variant(+1, +1, seed=2), "control-x": _variant(0, 0, seed=4)},
        {"sft-privacy": "finetuned", "spin": "spin", "control-x": "control"},
    )
    ctx = plane_context(plane)
    labels = sorted(p["label"] for c in ctx["chart"]["curves"] for p in c["points"])
    assert labels == ["control-x", "sft-privacy", "spin"]
    assert all(c["path"] == "" for c in ctx["chart"]["curves"])
    assert {q["text"] for q in ctx["chart"]["quadrants"]} >= {"privacy up, fairness down", "privacy up, fairness up"}
    assert [b for c in ctx["chart"]["curves"] for b in c["bars"]]  # the intervals are drawn
    md = "\n".join(plane_markdown(ctx))
    assert "| sft-privacy | finetuned | +8.0 [" in md and md.count("| yes |") == 1
    assert ctx["sentences"][0] in md
