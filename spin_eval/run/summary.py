"""The run's end: the comparative report (``spin_eval.report``) and the terminal summary table, which
repeats the report's answer sentences.
"""

from __future__ import annotations

from pathlib import Path

from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES, objective_families
from spin_eval.results.runfolder import RUNS_SUBDIR
from spin_eval.run.settings import REPORT_FORMATS


def summarize(out_dir: Path, variant_names: list[str], answer: list[str] | None = None,
              objectives: tuple[str, ...] = DEFAULT_OBJECTIVES) -> str:
    """The final summary table (family levels in points per variant) with one alignment-tax line per variant;
    the columns are the ``objectives``' families, over-refusal (when no objective) and capability.

    The tax lines are the report's (``spin_eval.results.headline.headline_tax`` with the report's default
    resamples and seed), so the summary, the report and the leaderboard give one tax for one run.
    """
    from spin_eval.results.headline import family_levels, headline_tax
    from spin_eval.results.load import load_run
    from spin_eval.results.wording import tax_sentence

    runs = {v: load_run(out_dir / RUNS_SUBDIR / v, name=v) for v in variant_names}
    fams = objective_families(tuple(objectives))
    cols = (*fams, *(() if "overrefusal" in fams else ("overrefusal",)), "capability")
    header = f"{'variant':<28}" + "".join(f"{c + (' ↓' if c == 'overrefusal' else ' ↑'):>15}" for c in cols)
    lines = [header, "-" * len(header)]
    for v in variant_names:
        levels, _ = family_levels(runs[v])
        lines.append(f"{v:<28}" + "".join(f"{'n/a' if levels.get(c) is None else f'{levels[c]:.1f}':>15}" for c in cols))
    lines.append("")
    if answer:  # the report's answer sentences: changes, what was not detected, tax, verdict per control
        lines += ["answer (as in the report):"] + [f"  {line}" for line in answer]
    elif "base" in runs:
        lines += [f"alignment tax: {tax_sentence(v, headline_tax(runs['base'], runs[v], trust_families=fams))}"
                  for v in variant_names if v != "base"]
    from spin_eval.results.nofacts import summary_line

    no_facts = summary_line(runs[variant_names[0]]) if variant_names else None
    lines += [no_facts] if no_facts else []
    lines.append("Points: mean goodness of the catalog's headline metrics (see docs/pipeline.md); the alignment tax "
                 "and paired CIs as in the report (docs/report.md), significance versus the controls in the report.")
    return "\n".join(lines)


def write_reports(
    out_dir: Path, variant_names: list[str], formats: tuple[str, ...] = REPORT_FORMATS,
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES,
) -> tuple[list[Path], list[str]]:
    """The comparative report over all variants (baseline ``base``) via spin_eval.report."""
    from spin_eval.report import compare_runs, load_run, write_report

    runs = [load_run(out_dir / RUNS_SUBDIR / v) for v in variant_names]
    comparison = compare_runs(runs, baseline="base", objectives=objectives)
    paths = []
    for fmt in formats:
        path = out_dir / f"report.{fmt}"
        write_report(comparison, path, fmt)
        paths.append(path)
    from spin_eval.report.answer import answer_lines

    return paths, answer_lines(comparison.answer)
