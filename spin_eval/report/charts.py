"""SVG geometry for the report's charts (bar charts of changes, the mask heat map). Pure; no markup."""

from __future__ import annotations

import math


def nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return m * base
    return 10 * base


def bar_chart(groups: list[dict], *, width: int = 640, bar_h: int = 14, unit: str = "") -> dict | None:
    """Geometry of a grouped horizontal bar chart with optional CI whiskers.

    ``groups``: ``[{"label": str, "bars": [{"label", "value", "low", "high", "colour"}]}]`` (values
    already scaled). Returns ``None`` when nothing is finite."""
    vals: list[float] = []
    for g in groups:
        for b in g["bars"]:
            for k in ("value", "low", "high"):
                x = b.get(k)
                if x is not None and math.isfinite(x):
                    vals.append(float(x))
    if not vals:
        return None
    lo, hi = min(min(vals), 0.0), max(max(vals), 0.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    left, right = 150, 60
    plot_w = width - left - right

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * plot_w

    y = 24
    bars, whiskers, labels = [], [], []
    for g in groups:
        labels.append({"x": 6, "y": y + 10, "text": g["label"][:34], "bold": True})
        y += 14
        for b in g["bars"]:
            v = b.get("value")
            if v is not None and math.isfinite(v):
                x0, x1 = sorted((sx(0.0), sx(v)))
                bars.append({"x": round(x0, 1), "y": y, "w": round(max(x1 - x0, 1.0), 1), "h": bar_h,
                             "fill": b["colour"], "title": f"{b['label']}: {v:+.2f}{unit}" if b.get("signed")
                             else f"{b['label']}: {v:.2f}{unit}",
                             "text": f"{v:+.2f}" if b.get("signed") else f"{v:.2f}",
                             "tx": round(max(sx(v), sx(0.0)) + 4, 1), "ty": y + bar_h - 3})
            low, high = b.get("low"), b.get("high")
            if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
                whiskers.append({"x1": round(sx(low), 1), "x2": round(sx(high), 1), "y": y + bar_h / 2,
                                 "y1": y + 2, "y2": y + bar_h - 2})
            labels.append({"x": 18, "y": y + bar_h - 3, "text": b["label"][:30], "bold": False})
            y += bar_h + 4
        y += 10
    step = nice_step((hi - lo) / 5)
    ticks = []
    t = math.ceil(lo / step) * step
    while t <= hi + 1e-9:
        ticks.append({"x": round(sx(t), 1), "text": f"{t:g}" if abs(t) > 1e-9 else "0"})
        t += step
    return {
        "width": width,
        "height": y + 18,
        "zero": round(sx(0.0), 1),
        "top": 18,
        "bottom": y,
        "bars": bars,
        "whiskers": whiskers,
        "labels": labels,
        "ticks": ticks,
        "axis_y": y + 12,
    }


def heat_map(cells: list[dict], layers: list[str], modules: list[str]) -> dict:
    """Geometry of a layer x module heat map; ``cells``: ``{layer, module, value (0-1), text, title}``."""
    cw, ch, left, top = 78, 18, 52, 40
    rects = []
    for c in cells:
        i, j = layers.index(c["layer"]), modules.index(c["module"])
        v = max(0.0, min(1.0, c["value"]))
        # white -> deep red
        r, g, b = 255, int(255 - 200 * v), int(255 - 210 * v)
        rects.append({"x": left + j * cw, "y": top + i * ch, "w": cw - 2, "h": ch - 2,
                      "fill": f"rgb({r},{g},{b})", "text": c["text"], "title": c["title"],
                      "dark": v > 0.6})
    return {
        "width": left + cw * max(1, len(modules)) + 10,
        "height": top + ch * max(1, len(layers)) + 8,
        "rects": rects,
        "cols": [{"x": left + j * cw + (cw - 2) / 2, "text": m[:11]} for j, m in enumerate(modules)],
        "rows": [{"y": top + i * ch + ch - 6, "text": f"L{layer}"} for i, layer in enumerate(layers)],
        "cw": cw,
    }


def scatter_chart(curves: list[dict], *, width: int = 640, height: int = 420, x_label: str = "", y_label: str = "") -> dict | None:
    """Geometry of an x-y chart of curves with CI error bars on both axes (the sweep frontier).

    ``curves``: ``[{"label", "colour", "points": [{"x", "y", "x_low", "x_high", "y_low", "y_high", "label"}]}]``;
    points are joined in the given order. Returns ``None`` when no point is finite."""
    vals_x: list[float] = [0.0]
    vals_y: list[float] = [0.0]
    for c in curves:
        for p in c["points"]:
            for key, out in (("x", vals_x), ("x_low", vals_x), ("x_high", vals_x), ("y", vals_y), ("y_low", vals_y), ("y_high", vals_y)):
                v = p.get(key)
                if v is not None and math.isfinite(v):
                    out.append(float(v))
    if len(vals_x) == 1 and len(vals_y) == 1:
        return None

    def span(vals: list[float]) -> tuple[float, float]:
        lo, hi = min(vals), max(vals)
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0, hi + 1.0
        pad = (hi - lo) * 0.08
        return lo - pad, hi + pad

    (x0, x1), (y0, y1) = span(vals_x), span(vals_y)
    left, right, top, bottom = 60, 20, 20, height - 50

    def sx(v: float) -> float:
        return round(left + (v - x0) / (x1 - x0) * (width - left - right), 1)

    def sy(v: float) -> float:
        return round(bottom - (v - y0) / (y1 - y0) * (bottom - top), 1)

    def ticks(lo: float, hi: float) -> list[float]:
        step = nice_step((hi - lo) / 6)
        start = math.ceil(lo / step) * step
        return [round(start + i * step, 10) for i in range(int((hi - start) / step) + 1)]

    placed: list[tuple[float, float]] = []

    def label_at(px: float, py: float) -> tuple[float, float]:
        """Where a point's label goes: above right, moved down a line while it would overprint a label
        already placed (points of different curves often coincide, e.g. equal changes)."""
        lx, ly = px + 6, py - 6
        while any(abs(lx - x) < 90 and abs(ly - y) < 12 for x, y in placed):
            ly += 13
        placed.append((lx, ly))
        return lx, ly

    out_curves = []
    for c in curves:
        pts, bars = [], []
        for p in c["points"]:
            if p.get("x") is None or p.get("y") is None:
                continue
            px, py = sx(p["x"]), sy(p["y"])
            lx, ly = label_at(px, py)
            pts.append({"x": px, "y": py, "label": p.get("label", ""), "label_x": lx, "label_y": ly,
                        "title": f"{c['label']} {p.get('label', '')}: x {p['x']:+.2f}, y {p['y']:+.2f}"})
            if p.get("x_low") is not None and p.get("x_high") is not None:
                bars.append({"x1": sx(p["x_low"]), "x2": sx(p["x_high"]), "y1": py, "y2": py})
            if p.get("y_low") is not None and p.get("y_high") is not None:
                bars.append({"x1": px, "x2": px, "y1": sy(p["y_low"]), "y2": sy(p["y_high"])})
        joined = c.get("joined", True)  # False: separate points (reference points), no line through them
        out_curves.append({"label": c["label"], "colour": c["colour"], "points": pts, "bars": bars,
                           "path": " ".join(f"{p['x']},{p['y']}" for p in pts) if joined else ""})
    return {
        "width": width, "height": height, "left": left, "right": width - right, "top": top, "bottom": bottom,
        "zero_x": sx(0.0), "zero_y": sy(0.0), "curves": out_curves, "x_label": x_label, "y_label": y_label,
        "x_ticks": [{"x": sx(t), "text": f"{t:g}"} for t in ticks(x0, x1)],
        "y_ticks": [{"y": sy(t), "text": f"{t:g}"} for t in ticks(y0, y1)],
        "legend": [{"x": left + 8, "y": top + 14 + 16 * i, "label": c["label"], "colour": c["colour"]}
                   for i, c in enumerate(curves)],
    }


#: Text width estimate for the charts' 11 px system-ui font: a generous average glyph width, so a label
#: measured by it is never wider on screen (the browser test checks the real boxes).
CHAR_W = {10: 6.2, 11: 6.8, 12: 7.4}


def text_width(text: str, size: int = 11) -> float:
    return len(text) * CHAR_W.get(size, 0.62 * size)


def change_chart(groups: list[dict], legend: list[dict], *, width: int = 720, axis_title: str = "") -> dict | None:
    """A grouped horizontal bar chart of changes with CI whiskers that places every text on its own line or in
    its own column: the legend on top (wrapped by measured width), group titles on their own row, bar values
    right of the bar's whisker in a right margin sized to the widest value, tick labels and the axis title
    below. ``groups``: ``[{"label", "bars": [{"label", "value", "low", "high", "colour"}]}]``; ``legend``:
    ``[{"label", "colour"}]``. Returns ``None`` when nothing is finite."""
    vals = [float(x) for g in groups for b in g["bars"] for x in (b.get("value"), b.get("low"), b.get("high"))
            if x is not None and math.isfinite(x)]
    if not vals:
        return None
    lo, hi = min(min(vals), 0.0), max(max(vals), 0.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    step = nice_step((hi - lo) / 5)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    texts = [f"{b['value']:+.1f}" for g in groups for b in g["bars"]
             if b.get("value") is not None and math.isfinite(b["value"])]
    left = 12 + max([text_width(b["label"]) for g in groups for b in g["bars"]] + [40])
    right = 10 + max([text_width(t, 10) for t in texts] + [20])
    plot_w = width - left - right

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * plot_w

    items, x, y = [], 6.0, 14
    for entry in legend:  # wrapped like words on a line
        w = 16 + text_width(entry["label"]) + 14
        if x + w > width and x > 6:
            x, y = 6.0, y + 18
        items.append({"x": x, "y": y - 9, "tx": x + 16, "ty": y, "text": entry["label"], "colour": entry["colour"]})
        x += w
    y += 14
    top = y
    bar_h = 14
    bars, whiskers, labels, values = [], [], [], []
    for g in groups:
        labels.append({"x": 6, "y": y + 11, "text": g["label"], "bold": True, "end": False})
        y += 18
        for b in g["bars"]:
            v, low, high = b.get("value"), b.get("low"), b.get("high")
            end = sx(0.0)
            if v is not None and math.isfinite(v):
                x0, x1 = sorted((sx(0.0), sx(v)))
                bars.append({"x": round(x0, 1), "y": y, "w": round(max(x1 - x0, 1.0), 1), "h": bar_h,
                             "fill": b["colour"], "title": f"{b['label']}: {v:+.1f}"})
                end = max(end, sx(v))
            if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
                whiskers.append({"x1": round(sx(low), 1), "x2": round(sx(high), 1), "y": y + bar_h / 2,
                                 "y1": y + 2, "y2": y + bar_h - 2})
                end = max(end, sx(high))
            if v is not None and math.isfinite(v):
                values.append({"x": round(end + 4, 1), "y": y + bar_h - 3, "text": f"{v:+.1f}"})
            labels.append({"x": left - 6, "y": y + bar_h - 3, "text": b["label"], "bold": False, "end": True})
            y += bar_h + 4
        y += 6
    ticks = []
    t = lo
    while t <= hi + 1e-9:
        ticks.append({"x": round(sx(t), 1), "text": f"{t:g}" if abs(t) > 1e-9 else "0"})
        t += step
    min_gap = max(text_width(tk["text"], 10) for tk in ticks) + 6  # thin the ticks until their labels fit
    every = 1
    while every < len(ticks) and (plot_w / max(1, len(ticks) - 1)) * every < min_gap:
        every += 1
    ticks = [tk for tk in ticks if round((tk["x"] - sx(0.0)) / (plot_w * step / (hi - lo))) % every == 0]
    return {"width": width, "height": y + 34, "zero": round(sx(0.0), 1), "top": top, "bottom": y,
            "bars": bars, "whiskers": whiskers, "labels": labels, "values": values, "ticks": ticks,
            "axis_y": y + 12, "legend": items, "axis_title": axis_title, "title_x": round(left + plot_w / 2, 1),
            "title_y": y + 28}
