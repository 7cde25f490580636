"""The results layer: the one way back from evaluated runs to numbers.

- :mod:`~spin_eval.results.load`: one lm-eval run (results file + samples keyed by ``doc_hash``, mask lookup);
- :mod:`~spin_eval.results.runfolder`: ``spin-eval run`` folders (manifest, finished variants, paths);
- :mod:`~spin_eval.results.facts`: a metric's facts from the metric catalog, and "which direction is better";
- :mod:`~spin_eval.results.paired`: the one paired delta (bootstrap CI, McNemar / permutation, stderr fallback);
- :mod:`~spin_eval.results.headline`: family changes, family levels and the one alignment-tax definition;
- :mod:`~spin_eval.results.recompute`: results aggregates checked against their samples (the gate).

Report, ``spin-eval check``, leaderboard and ``spin-eval run``'s summary all read runs through here.
This package imports neither ``spin_eval.report`` nor ``spin_eval.run``/``gate``/``leaderboard``.
"""

from spin_eval.results.facts import FAMILIES, MetricFacts, improvement, metric_facts
from spin_eval.results.headline import AlignmentTax, FamilyChange, alignment_tax, family_levels, headline_tax
from spin_eval.results.load import RunResults, SampleRecord, load_run
from spin_eval.results.paired import Delta, PairedSettings, paired_delta
from spin_eval.results.runfolder import load_run_folder, load_runs, read_manifest, resolve_run

__all__ = [
    "FAMILIES", "AlignmentTax", "Delta", "FamilyChange", "MetricFacts", "PairedSettings", "RunResults",
    "SampleRecord", "alignment_tax", "family_levels", "headline_tax", "improvement", "load_run",
    "load_run_folder", "load_runs", "metric_facts", "paired_delta", "read_manifest", "resolve_run",
]
