"""Floors/ceilings and the minimal detectable effect on hand-made inputs, against closed-form values."""

from __future__ import annotations

import math

import pytest

from spin_eval.results import sensitivity as s


def test_z_factor_is_the_textbook_2_80_for_alpha_005_power_08():
    # z_{0.975} = 1.959964, z_{0.8} = 0.841621
    assert s.z_factor() == pytest.approx(1.959964 + 0.841621, abs=1e-5)
    assert s.z_factor(0.01, 0.9) == pytest.approx(2.575829 + 1.281552, abs=1e-5)
    with pytest.raises(ValueError):
        s.z_factor(0.0, 0.8)


def test_mde_closed_form():
    # SE 0.05 -> 2.8016 * 0.05
    assert s.mde_from_se(0.05) == pytest.approx(0.140079, abs=1e-5)
    # paired differences with sd 0.5 over 100 documents: SE 0.05, same MDE
    assert s.mde_paired(0.5, 100) == pytest.approx(s.mde_from_se(0.05))
    # 4x the documents halve it
    assert s.mde_paired(0.5, 400) == pytest.approx(s.mde_paired(0.5, 100) / 2)
    assert s.mde_paired(0.5, 0) is None and s.mde_from_se(None) is None and s.mde_from_se(math.nan) is None


def test_mde_never_below_the_smallest_reachable_change():
    assert s.mde_with_floor(0.0, 0.1) == 0.1  # identical runs: SE 0 must not claim to detect everything
    assert s.mde_with_floor(0.2, 0.1) == 0.2
    assert s.mde_with_floor(None, 0.1) == 0.1 and s.mde_with_floor(0.2, None) == 0.2


def test_se_from_a_95_interval():
    assert s.se_from_interval(-1.959964, 1.959964) == pytest.approx(1.0, abs=1e-6)
    assert s.se_from_interval(None, 1.0) is None


@pytest.mark.parametrize("value, direction, points, expected", [
    (0.0, "higher", True, "floor"),       # BBQ ambiguous accuracy 0.00: only up (better)
    (1.0, "higher", True, "ceiling"),
    (0.0, "lower", True, "floor"),        # leak rate 0: only up (worse)
    (0.37, "higher", True, "ok"),
    (0.0, "zero", True, "zero"),          # bias score exactly 0: |b| can only grow
    (-1.0, "zero", True, "ceiling"),
    (0.2, "zero", True, "ok"),
    (0.0, "lower", False, "ok"),          # perplexity: not a bounded metric
    (None, "higher", True, "ok"),
])
def test_headroom(value, direction, points, expected):
    assert s.headroom(value, direction, points) == expected


def test_headroom_text_says_which_way():
    assert "only get better" in s.headroom_text("floor", "higher")
    assert "only get worse" in s.headroom_text("floor", "lower")
    assert "only get worse" in s.headroom_text("ceiling", "higher")
    assert s.headroom_text("ok", "higher") == ""
