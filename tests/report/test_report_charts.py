"""Chart geometry (pure): the sweep frontier's scatter chart."""

from __future__ import annotations

from spin_eval.report.charts import scatter_chart


def _curve(label, *points):
    return {"label": label, "colour": "#000", "points": [{"x": x, "y": y, "label": f"{label}@{x}"} for x, y in points]}


def test_labels_of_coinciding_points_do_not_overprint():
    """SPIN at one ratio and a control at another can have the same changes: both labels must stay legible."""
    chart = scatter_chart([_curve("spin", (2.9, -3.3), (-3.3, -5.0)), _curve("control", (2.9, -3.3), (0.0, 0.0))])
    spin, control = chart["curves"]
    a, b = spin["points"][0], control["points"][0]
    assert (a["x"], a["y"]) == (b["x"], b["y"])  # the same spot
    assert (a["label_x"], a["label_y"]) == (a["x"] + 6, a["y"] - 6)  # the first label where it always was
    assert b["label_y"] >= a["label_y"] + 12  # the second one line below
    lone = control["points"][1]
    assert (lone["label_x"], lone["label_y"]) == (lone["x"] + 6, lone["y"] - 6)
