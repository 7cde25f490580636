"""The report's glossary: what each statistic and derived number means, in the words every output shows."""

from __future__ import annotations

DEFINITIONS = {
    "delta": "variant minus baseline on the documents both runs share (paired by lm-eval's doc_hash); "
    "shown in points (x100) for metrics in [0, 1].",
    "ci": "95% percentile interval of a paired bootstrap: documents resampled with replacement (whole "
    "clusters, e.g. a BBQ template, where documents carry a cluster_id), the metric's aggregate recomputed "
    "for both runs on every resample.",
    "p": "paired two-sided p-value: exact McNemar test for 0/1 scores, sign-flip permutation test "
    "otherwise. Marks: * p<0.05, ** p<0.01, *** p<0.001 (not adjusted for multiple comparisons).",
    "fallback": "where per-document samples are missing, the delta's interval and p-value come from "
    "lm-eval's reported stderr treating the runs as independent (normal approximation), labelled "
    "'stderr'.",
    "improvement": "a delta oriented so that positive is better: higher-better metrics b-a, lower-better "
    "a-b, zero-best (bias) metrics |a|-|b|.",
    "capability change": "mean improvement in points over the capability family's headline metrics in "
    "points (negative = capability lost; perplexities are shown in their rows only).",
    "trust change": "mean of the fairness change and the privacy change (each the mean improvement over "
    "that family's headline metrics in points).",
    "alignment tax": "capability points lost per trust point gained = -(capability change) / (trust "
    "change); defined only where trust was gained significantly (the trust change's interval lies above "
    "0). Its interval combines the bootstrap resamples of both changes. The leaderboard and the summary of "
    "'spin-eval run' use the same definition.",
    "verdict": "SPIN against each control mask on the documents both share: if the paired test finds no "
    "significant difference (p Holm-adjusted over all metrics of that SPIN-control pair), the effect is not "
    "specific to SPIN's coupled weights.",
}

