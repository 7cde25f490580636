"""``spin-eval leaderboard build``: rank checked submissions into a leaderboard (CSV, HTML, Markdown).

Every submission is checked before it is ranked (``spin_eval.pipeline.submission``: schema, hashes,
headline; ``evidence``: every number recomputed from the per-document samples; ``identity``: duplicate
runs and disagreeing model+mask pairs; ``signing``: signatures; ``verdict``: spot-check records of
``verify``); docs/pipeline.md says what they guarantee and what they do not.

Ranking: each of the five columns is ranked (1 = best; missing values last) and submissions are ordered
by their mean rank, ties by name. ``sort_by`` ranks by one column instead.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import write_json_atomic, write_text_atomic
from spin_eval.pipeline.submission import (
    COLUMNS,
    check_headline,
    check_samples,
    evidence_samples,
    verify_submission,
)
from spin_eval.safetext import csv_cell

#: Whether a larger value is better, per column.
COLUMN_HIGHER = {"fairness": True, "privacy": True, "overrefusal": False, "capability": True, "alignment_tax": False}

# -------------------------------------------------------------------------------------------------- build


@dataclass
class Entry:
    name: str
    source: str
    headline: dict[str, Any]
    model: dict[str, Any]
    mask_sha256: str | None
    verified: bool = False
    verification: str = "not verified"
    signature: str | None = None
    flags: list[str] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)
    mean_rank: float = 0.0
    position: int = 0


@dataclass
class Leaderboard:
    entries: list[Entry]
    rejected: list[tuple[str, str]]
    reference_tasks: dict[str, dict[str, Any]]
    sort_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "spin-eval-leaderboard",
            "sort_by": self.sort_by,
            "columns": {c: ("higher is better" if COLUMN_HIGHER[c] else "lower is better") for c in COLUMNS},
            "reference_tasks": self.reference_tasks,
            "entries": [
                {"position": e.position, "name": e.name, "source": e.source, "model": e.model,
                 "mask_sha256": e.mask_sha256, "mean_rank": e.mean_rank, "ranks": e.ranks,
                 "verified": e.verified, "verification": e.verification, "signature": e.signature, "flags": e.flags,
                 **{c: e.headline.get(c) for c in COLUMNS}, "headline_metrics": e.headline.get("metrics", {}),
                 "capability_not_in_points": e.headline.get("capability_not_in_points", {})}
                for e in self.entries
            ],
            "rejected": [{"source": s, "reason": r} for s, r in self.rejected],
        }


def _rank(values: list[float | None], higher: bool) -> list[int]:
    """Competition ranks (1 = best; ties share a rank; missing values rank last)."""
    out = []
    for v in values:
        if v is None:
            out.append(len(values))
        else:
            out.append(1 + sum(1 for w in values if w is not None and (w > v if higher else w < v)))
    return out


def rank_entries(entries: list[Entry], sort_by: str = "mean_rank") -> list[Entry]:
    """Rank columns, order by mean rank (or one column), set positions. Pure."""
    if sort_by != "mean_rank" and sort_by not in COLUMNS:
        raise InputError(f"--sort-by {sort_by}: choose mean_rank or one of {', '.join(COLUMNS)}")
    for col in COLUMNS:
        ranks = _rank([e.headline.get(col) for e in entries], COLUMN_HIGHER[col])
        for e, r in zip(entries, ranks):
            e.ranks[col] = r
    for e in entries:
        e.mean_rank = sum(e.ranks.values()) / len(COLUMNS)
    key = (lambda e: (e.mean_rank, e.name)) if sort_by == "mean_rank" else (lambda e: (e.ranks[sort_by], e.name))
    ordered = sorted(entries, key=key)
    for i, e in enumerate(ordered, start=1):
        e.position = i
    return ordered


def build_leaderboard(
    paths: list[str | Path], *, sort_by: str = "mean_rank", verified_only: bool = False,
    trusted_keys: str | Path | None = None, verifications: str | Path | None = None,
) -> Leaderboard:
    """Read, verify and rank submission files; malformed, tampered or mismatched ones are rejected with a reason.

    Every submission's numbers must follow from its per-document evidence (``pipeline.evidence``); the
    same run submitted twice is ranked once (``pipeline.identity``); signatures are checked
    (``pipeline.signing``; with ``trusted_keys`` required); ``verified_only`` ranks only submissions with a
    ``verified`` record from ``spin-eval leaderboard verify`` (``pipeline.verdict``).
    """
    from spin_eval.pipeline.evidence import load_evidence, recompute_variants
    from spin_eval.pipeline.identity import disagreement_flags, find_duplicates
    from spin_eval.pipeline.signing import load_trusted_keys, signature_status
    from spin_eval.pipeline.verdict import verified_status

    keys = load_trusted_keys(trusted_keys) if trusted_keys is not None else None
    signatures: dict[str, str | None] = {}
    loaded: list[tuple[str, dict[str, Any]]] = []
    rejected: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        try:
            try:
                sub = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror})") from None
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                why = "nested too deeply" if isinstance(exc, RecursionError) else exc
                raise InputError(f"{path}: malformed: not JSON ({why})") from None
            verify_submission(sub, where=str(path))
            evidence = load_evidence(sub, path.parent, where=str(path))
            recomputed = recompute_variants(sub, evidence, where=str(path))
            derived = evidence_samples(recomputed, evidence, where=str(path))
            check_samples(sub, derived, where=str(path))
            check_headline(sub, recomputed, where=str(path), source="the per-document samples", samples=derived)
            signatures[str(path)] = signature_status(sub, keys, where=str(path))
        except InputError as exc:
            rejected.append((str(path), str(exc)))
            continue
        loaded.append((str(path), sub))
    loaded, duplicates = find_duplicates(loaded)
    rejected += duplicates

    # Reference per task: the most common (version, hash) among valid submissions (ties: first given).
    reference: dict[str, dict[str, Any]] = {}
    all_tasks = sorted({t for _, s in loaded for t in s["tasks"]})
    for task in all_tasks:
        seen = [json.dumps([s["tasks"][task]["version"], s["tasks"][task]["hash"]]) for _, s in loaded if task in s["tasks"]]
        best = Counter(seen).most_common()
        top = max(c for _, c in best)
        first = next(k for k in seen if dict(best)[k] == top)
        version, task_hash = json.loads(first)
        reference[task] = {"version": version, "hash": task_hash}
    entries = []
    for source, sub in loaded:
        problems = []
        for task, ref in reference.items():
            mine = sub["tasks"].get(task)
            if mine is None:
                problems.append(f"task {task} missing")
            elif mine["version"] != ref["version"]:
                problems.append(f"task {task} version {mine['version']} != {ref['version']} of the other submissions")
            elif mine["hash"] != ref["hash"]:
                problems.append(f"task {task} evaluated other documents/prompts (task hash {str(mine['hash'])[:10]} != {str(ref['hash'])[:10]})")
        if problems:
            rejected.append((source, f"{source}: mismatched tasks: " + "; ".join(problems)))
            continue
        verified, note = verified_status(source, sub, verifications)
        if verified_only and not verified:
            rejected.append((source, f"{source}: --verified-only: {note} ('spin-eval leaderboard verify' it first)"))
            continue
        entries.append(Entry(
            name=sub["name"], source=source, headline=sub["headline"], model=sub["model"],
            mask_sha256=(sub.get("mask") or {}).get("sha256"), verified=verified, verification=note,
            signature=signatures.get(source),
        ))
    subs = dict(loaded)
    flags = disagreement_flags([(e.source, e.name, subs[e.source]) for e in entries])
    for e in entries:
        e.flags = flags.get(e.source, [])
    return Leaderboard(rank_entries(entries, sort_by), rejected, reference, sort_by)


# ------------------------------------------------------------------------------------------------ render


def _fmt(v: Any, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def render_csv(board: Leaderboard) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["position", "name", "model", "mask_sha256", *COLUMNS, "mean_rank", "verified", "signature",
                     "flags", "source"])
    for e in board.entries:
        writer.writerow([e.position, csv_cell(e.name), csv_cell(e.model.get("name")), csv_cell(e.mask_sha256 or ""),
                         *(("" if e.headline.get(c) is None else f"{e.headline[c]:.6g}") for c in COLUMNS),
                         f"{e.mean_rank:.3g}", "yes" if e.verified else "no", csv_cell(e.signature or ""),
                         csv_cell(" | ".join(e.flags)), csv_cell(e.source)])
    return buf.getvalue()


def render_html(board: Leaderboard) -> str:
    import jinja2

    from spin_eval import __version__
    from spin_eval.paths import reports_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["num"] = _fmt
    template = env.get_template("leaderboard.html.j2")
    return template.render(
        board=board, columns=COLUMNS, higher=COLUMN_HIGHER, version=__version__,
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def write_leaderboard(board: Leaderboard, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    paths = {
        "json": write_json_atomic(out / "leaderboard.json", board.to_json()),
        "csv": write_text_atomic(out / "leaderboard.csv", render_csv(board)),
        "html": write_text_atomic(out / "leaderboard.html", render_html(board)),
    }
    return paths
