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


def test_change_chart_places_every_text_in_its_own_row_or_column():
    from spin_eval.report.charts import change_chart, text_width

    groups = [{"label": "trust change", "bars": [
        {"label": "control-magnitude-random", "value": 6.25, "low": 0.0, "high": 18.75, "colour": "#000"},
        {"label": "spin", "value": 0.0, "low": -18.75, "high": 21.2, "colour": "#111"}]},
        {"label": "capability change", "bars": [
            {"label": "spin", "value": -12.5, "low": -31.2, "high": 0.0, "colour": "#111"}]}]
    legend = [{"label": f"variant-with-a-long-name-{i} (control)", "colour": "#222"} for i in range(4)]
    ch = change_chart(groups, legend, width=400, axis_title="change versus base, points")
    assert ch["axis_title"] and len(ch["legend"]) == 4
    assert len({item["y"] for item in ch["legend"]}) > 1  # wrapped: four long entries do not fit one line
    assert all(item["tx"] + text_width(item["text"]) <= 400 for item in ch["legend"])
    bar_rows = [lab for lab in ch["labels"] if not lab["bold"]]
    left = min(b["x"] for b in ch["bars"])
    assert all(lab["end"] and lab["x"] <= left for lab in bar_rows)  # right-aligned left of every bar
    rows = sorted(lab["y"] for lab in ch["labels"])
    assert all(b - a >= 14 for a, b in zip(rows, rows[1:]))  # one text line per row
    assert all(v["x"] + text_width(v["text"], 10) <= 400 for v in ch["values"])  # values inside the chart
    ticks = ch["ticks"]
    assert all(b["x"] - a["x"] >= text_width(a["text"], 10) for a, b in zip(ticks, ticks[1:]))
