"""The sweep report: the trust-capability frontier (SVG), the tax per ratio, dose-response trends, best ratio.

``spin-eval report SWEEP_FOLDER -o report.html`` and the sweep's own report stage come here. Numbers come
from :mod:`spin_eval.results.frontier`; this module loads the sweep folder, shapes the template context and
writes HTML (``reports/frontier.html.j2``), Markdown (``reports/frontier.md.j2``) or JSON atomically.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spin_eval import __version__
from spin_eval.errors import InputError
from spin_eval.fileio import write_text_atomic
from spin_eval.report.charts import scatter_chart
from spin_eval.report.render import FORMATS, _environment, format_from_path
from spin_eval.results.frontier import (
    DEFAULT_ALLOWANCE,
    REFERENCE_CURVE,
    SPIN_CURVE,
    Frontier,
    PointInput,
    build_frontier,
)
from spin_eval.results.headline import drop_default_objectives
from spin_eval.results.paired import PairedSettings
from spin_eval.results.runfolder import load_run_folder, read_manifest

COLOURS = ("#1d4ed8", "#d97706", "#059669", "#7c3aed", "#db2777", "#4b5563")
#: Colour of the reference points (fine-tuning baselines), the plane's colour for them (report/plane.py).
REFERENCE_COLOUR = "#2471a3"


@dataclass
class SweepReport:
    folder: str
    model: str
    frontier: Frontier
    sweep: dict[str, Any]
    """The manifest's ``sweep`` object: points (ratios, weights zeroed, warnings), overlaps, notes."""
    settings: dict[str, Any] = field(default_factory=dict)
    unevaluated: list[str] = field(default_factory=list)


def is_sweep_folder(path: str | Path) -> bool:
    manifest = read_manifest(path)
    return manifest is not None and manifest.get("kind") == "sweep" and isinstance(manifest.get("sweep"), dict)


def load_sweep(folder: str | Path, *, settings: PairedSettings = PairedSettings(),
               allowance: float = DEFAULT_ALLOWANCE) -> SweepReport:
    """The frontier of a ``spin-eval sweep`` folder over its finished variants (baseline ``base``)."""
    folder = Path(folder)
    if not is_sweep_folder(folder):
        raise InputError(f"{folder}: not a 'spin-eval sweep' folder (its spin-eval-run.json has no sweep); "
                         "run 'spin-eval sweep' into it")
    manifest = read_manifest(folder)
    runs = load_run_folder(folder)
    if "base" not in runs:
        raise InputError(f"{folder}: variant 'base' is not finished; re-run 'spin-eval sweep' to complete it")
    items, unevaluated = [], []
    for point in manifest["sweep"]["points"]:
        names = {SPIN_CURVE: point["spin"], **point["controls"]}
        for curve, name in names.items():
            if name in runs:
                items.append(PointInput(name, curve, point["p"], point["q"], point["weights_zeroed"][name], runs[name]))
            else:
                unevaluated.append(name)
    references = []
    for name in (manifest.get("settings") or {}).get("run", {}).get("baselines") or []:
        if name in runs:  # a fine-tuning baseline: a reference point beside the curves
            references.append(PointInput(name, REFERENCE_CURVE, 0.0, 0.0, 0, runs[name]))
        else:
            unevaluated.append(name)
    from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, objective_families
    from spin_eval.results.runfolder import recorded_objectives

    objectives = recorded_objectives([folder]) or DEFAULT_OBJECTIVES
    frontier = build_frontier(runs["base"], items, settings, allowance, references, objective_families(objectives))
    return SweepReport(str(folder), str(manifest.get("model_spec")), frontier, manifest["sweep"],
                       manifest.get("settings") or {}, unevaluated)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _point(p) -> dict[str, Any]:
    data = asdict(p)
    if isinstance(data.get("tax"), dict):
        drop_default_objectives(data["tax"])
    return data


def sweep_to_dict(report: SweepReport) -> dict[str, Any]:
    f = report.frontier
    return _clean({
        "kind": "sweep-frontier", "spin_eval_version": __version__, "folder": report.folder, "model": report.model,
        "baseline": f.baseline, "points": [_point(p) for p in f.points], "trends": [asdict(t) for t in f.trends],
        "differences": [asdict(d) for d in f.differences], "best": asdict(f.best), "notes": f.notes,
        "references": [_point(p) for p in f.references],
        "sweep": report.sweep, "unevaluated": report.unevaluated,
        "settings": report.settings,
    })


def _ratio_label(p: float, q: float) -> str:
    return f"p={p:g}" if p == q else f"p={p:g},q={q:g}"


def _ci(change: Any) -> str:
    if change is None or change.points is None:
        return "n/a"
    if change.ci_low is None:
        return f"{change.points:+.2f}"
    return f"{change.points:+.2f} [{change.ci_low:+.2f}, {change.ci_high:+.2f}]"


def _p(v: float | None) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.3g}"


def frontier_context(report: SweepReport) -> dict[str, Any]:
    """What the templates show: the chart geometry, the table rows and the sentences, already formatted."""
    f = report.frontier
    curves = f.curves()
    series = []
    for i, c in enumerate(curves):
        pts = sorted([pt for pt in f.points if pt.curve == c], key=lambda pt: pt.weights_zeroed)
        series.append({"label": "SPIN" if c == SPIN_CURVE else f"control {c}", "colour": COLOURS[i % len(COLOURS)],
                       "points": [{"x": pt.trust.points, "y": pt.capability.points, "x_low": pt.trust.ci_low,
                                   "x_high": pt.trust.ci_high, "y_low": pt.capability.ci_low,
                                   "y_high": pt.capability.ci_high,
                                   "label": f"{_ratio_label(pt.p, pt.q)} ({pt.weights_zeroed})"} for pt in pts]})
    if f.references:  # fine-tuning baselines: single points, not joined, labelled by name
        series.append({"label": "fine-tuning baselines (reference)", "colour": REFERENCE_COLOUR, "joined": False,
                       "points": [{"x": pt.trust.points, "y": pt.capability.points, "x_low": pt.trust.ci_low,
                                   "x_high": pt.trust.ci_high, "y_low": pt.capability.ci_low,
                                   "y_high": pt.capability.ci_high, "label": pt.name} for pt in f.references]})
    chart = scatter_chart(series, x_label="trust change (points, + = more trustworthy)",
                          y_label="capability change (points)")
    rows = [{
        "variant": pt.name, "curve": "SPIN" if pt.curve == SPIN_CURVE else pt.curve, "ratio": _ratio_label(pt.p, pt.q),
        "weights": pt.weights_zeroed, "trust": _ci(pt.trust), "capability": _ci(pt.capability),
        "tax": ("n/a" if pt.tax.tax_per_point is None else
                f"{pt.tax.tax_per_point:.2f} [{_fmt_opt(pt.tax.tax_ci_low)}, {_fmt_opt(pt.tax.tax_ci_high)}]"),
        "tax_status": pt.tax.status, "pareto": pt.pareto,
    } for pt in sorted(f.points, key=lambda pt: (curves.index(pt.curve), pt.weights_zeroed))]
    rows += [{"variant": pt.name, "curve": f"reference: {pt.name}", "ratio": "fine-tuned", "weights": "n/a",
              "trust": _ci(pt.trust), "capability": _ci(pt.capability),
              "tax": ("n/a" if pt.tax.tax_per_point is None else
                      f"{pt.tax.tax_per_point:.2f} [{_fmt_opt(pt.tax.tax_ci_low)}, {_fmt_opt(pt.tax.tax_ci_high)}]"),
              "tax_status": pt.tax.status, "pareto": False} for pt in f.references]
    trends = [{"curve": "SPIN" if t.curve == SPIN_CURVE else t.curve, "metric": t.metric, "n": t.n_points,
               "slope": "n/a" if t.slope is None else f"{t.slope:+.3f}",
               "ci": "n/a" if t.ci_low is None else f"[{t.ci_low:+.3f}, {t.ci_high:+.3f}]",
               "p": _p(t.p_value), "note": t.note} for t in f.trends]
    overlaps = [{"a": o["a"], "b": o["b"], "jaccard": f"{o['jaccard']:.3f}",
                 "contained": "n/a" if o.get("contained") is None else f"{o['contained']:.3f}"}
                for o in report.sweep.get("overlaps", [])]
    points = [{"ratio": _ratio_label(pt["p"], pt["q"]), "weights": pt["weights_zeroed"][pt["spin"]],
               "empty": f"{pt['empty_matrices']} of {pt['matrices']}", "warnings": pt.get("warnings", [])}
              for pt in report.sweep.get("points", [])]
    s = report.settings.get("run") or report.settings
    return {
        "title": f"spin-eval sweep frontier: {report.model}", "model": report.model, "folder": report.folder,
        "baseline": f.baseline, "chart": chart, "rows": rows, "trends": trends,
        "differences": [d.sentence for d in f.differences], "best": f.best.sentence,
        "allowance": f.best.allowance, "overlaps": overlaps, "points": points,
        "notes": list(report.sweep.get("notes", [])) + f.notes
                 + [f"{n}: not evaluated yet (re-run 'spin-eval sweep')" for n in report.unevaluated],
        "settings_line": (f"tasks {', '.join(s.get('tasks') or [])}; limit {s.get('limit')} (generation "
                          f"{s.get('gen_limit')}); calibration nsamples {s.get('nsamples')}, seed {s.get('seed')}; "
                          f"control seed {s.get('control_seed')}"),
        "version": __version__,
    }


def _fmt_opt(v: float | None) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.2f}"


def render_frontier(report: SweepReport, fmt: str = "html") -> str:
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is unknown; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(sweep_to_dict(report), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    template = _environment(fmt).get_template(f"frontier.{fmt}.j2")
    return template.render(**frontier_context(report))


def write_frontier_report(report: SweepReport, out_path: str | Path, fmt: str | None = None) -> Path:
    """Render, then write atomically (nothing is written when rendering fails)."""
    out = Path(out_path)
    if out.is_dir():
        raise InputError(f"-o {out}: is a folder; give a file name such as {out / 'report.html'}")
    text = render_frontier(report, fmt or format_from_path(out))
    return write_text_atomic(out, text)
