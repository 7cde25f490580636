"""The fairness-privacy plane in the report: geometry and sentences from ``spin_eval.results.seesaw``.

Pure: takes a :class:`~spin_eval.results.seesaw.Plane` and returns what ``reports/_plane.html.j2`` draws
(x = privacy change, y = fairness change, one point per intervention with its adjusted interval as bars,
quadrants labelled) and the Markdown lines. Points are not joined: each is its own intervention.
"""

from __future__ import annotations

from typing import Any

from spin_eval.report.charts import scatter_chart
from spin_eval.results.seesaw import Plane

#: Colour and legend name per intervention kind.
KINDS = {"spin": ("#c0392b", "SPIN"), "control": ("#7f8c8d", "control masks"),
         "finetuned": ("#2471a3", "fine-tuning baselines"), "other": ("#8e44ad", "other")}
QUADRANTS = (("privacy up, fairness up", "right", "top"), ("privacy down, fairness up", "left", "top"),
             ("privacy down, fairness down", "left", "bottom"), ("privacy up, fairness down", "right", "bottom"))
#: What + means on an objective's axis.
BETTER = {"privacy": "more private", "fairness": "fairer", "safety": "safer", "helpfulness": "more helpful"}


def _quadrant(text: str, x: str, y: str) -> str:
    """A quadrant label with the plane's objectives in place of privacy (x) and fairness (y)."""
    xs, ys = text.split(", ")
    return f"{x} {xs.split()[1]}, {y} {ys.split()[1]}"


def _names(plane: Plane) -> tuple[str, str]:
    return plane.x_name, plane.y_name


def plane_context(plane: Plane) -> dict[str, Any] | None:
    """Chart geometry, quadrant labels, the two answers and a Markdown table; None without any point."""
    curves = []
    for kind, (colour, legend) in KINDS.items():
        points = [{"x": p.privacy, "y": p.fairness, "x_low": p.privacy_ci[0], "x_high": p.privacy_ci[1],
                   "y_low": p.fairness_ci[0], "y_high": p.fairness_ci[1], "label": p.name}
                  for p in plane.points if p.kind == kind and p.privacy is not None and p.fairness is not None]
        if points:
            curves.append({"label": legend, "colour": colour, "points": points})
    x, y = _names(plane)
    chart = scatter_chart(curves, x_label=f"{x} change (points, + = {BETTER.get(x, 'better')})",
                          y_label=f"{y} change (points, + = {BETTER.get(y, 'better')})") if curves else None
    if chart is not None:
        for curve in chart["curves"]:
            curve["path"] = ""  # interventions, not a curve: no joining line
        chart["quadrants"] = [
            {"text": text, "x": (chart["right"] - 6) if h == "right" else (chart["left"] + 6),
             "y": (chart["top"] + 12) if v == "top" else (chart["bottom"] - 6),
             "anchor": "end" if h == "right" else "start"}
            for text, h, v in ((_quadrant(t, x, y), h, v) for t, h, v in QUADRANTS)
        ]
    level = f"{plane.confidence * 100:.2f}%"
    rows = [{"name": p.name, "kind": p.kind, "privacy": _ci(p.privacy, p.privacy_ci),
             "fairness": _ci(p.fairness, p.fairness_ci), "seesaw": "yes" if p.seesaw else ""} for p in plane.points]
    return {"chart": chart, "sentences": list(plane.sentences), "rows": rows, "level": level,
            "comparisons": plane.comparisons, "x_name": x, "y_name": y, "x_title": x.capitalize(),
            "y_title": y.capitalize()}


def _ci(value: float | None, ci: tuple[float | None, float | None]) -> str:
    if value is None:
        return "n/a"
    if ci[0] is None or ci[1] is None:
        return f"{value:+.1f}"
    return f"{value:+.1f} [{ci[0]:+.1f}, {ci[1]:+.1f}]"


def plane_markdown(context: dict[str, Any]) -> list[str]:
    """The plane as Markdown: the answers, then a table (no picture)."""
    x, y = context.get("x_name", "privacy"), context.get("y_name", "fairness")
    lines = [f"## {y.capitalize()} and {x}: is there a seesaw?", ""]
    lines += [f"- {s}" for s in context["sentences"]]
    lines += ["", f"| intervention | kind | {x} change ({context['level']} CI) | {y} change | seesaw |",
              "|---|---|---:|---:|---|"]
    lines += [f"| {r['name']} | {r['kind']} | {r['privacy']} | {r['fairness']} | {r['seesaw']} |" for r in context["rows"]]
    return lines
