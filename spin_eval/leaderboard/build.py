"""``spin-eval leaderboard build``: rank checked submissions into a leaderboard (CSV, HTML, Markdown).

Every submission is checked before it is ranked (``spin_eval.leaderboard.checks.check_submission``, the
check ``verify`` runs too: schema, hashes, finite numbers, every number recomputed from the per-document
evidence; ``identity``: duplicates by evaluated content, repeated evidence, task-set groups and
disagreeing model+mask pairs; ``signing``: signatures; ``verdict``: spot-check records of ``verify``);
docs/pipeline.md says what they guarantee and what they do not.

Ranking: submissions are ranked only against those evaluated on the same tasks (versions and task
hashes): one group per task set, in the order the first of each was given; nobody is rejected because
others used other tasks. Within a group each of the five columns is ranked (1 = best; missing values
last) and submissions are ordered by their mean rank, ties by name. ``sort_by`` ranks by one column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import write_json_atomic, write_text_atomic
from spin_eval.leaderboard.pack import COLUMNS
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
    group: int = 1
    """The task-set group it is ranked in (1 = the task set of the first submission given)."""


@dataclass
class Leaderboard:
    entries: list[Entry]
    rejected: list[tuple[str, str]]
    groups: list[dict[str, Any]]
    """Per task-set group: ``group`` number and ``tasks`` (task -> version and task hash)."""
    sort_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "spin-eval-leaderboard",
            "sort_by": self.sort_by,
            "columns": {c: ("higher is better" if COLUMN_HIGHER[c] else "lower is better") for c in COLUMNS},
            "groups": self.groups,
            "entries": [
                {"group": e.group, "position": e.position, "name": e.name, "source": e.source, "model": e.model,
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
    metric_facts: list[dict[str, Any]] | None = None,
) -> Leaderboard:
    """Read, check and rank submission files; malformed, tampered and duplicate ones are rejected with a reason.

    Every submission passes ``checks.check_submission`` (its numbers follow from its per-document
    evidence); the same evaluation submitted twice is ranked once, evidence repeated across submissions
    and disagreeing runs of one model and mask are flagged (``leaderboard.identity``); signatures are
    checked (``leaderboard.signing``; with ``trusted_keys`` required); ``verified_only`` ranks only
    submissions with a ``verified`` record from ``spin-eval leaderboard verify`` (``leaderboard.record``).
    """
    from spin_eval.leaderboard import checks, identity
    from spin_eval.leaderboard.record import verified_status
    from spin_eval.leaderboard.signing import load_trusted_keys, signature_status

    if sort_by != "mean_rank" and sort_by not in COLUMNS:
        raise InputError(f"--sort-by {sort_by}: choose mean_rank or one of {', '.join(COLUMNS)}")
    keys = load_trusted_keys(trusted_keys) if trusted_keys is not None else None
    signatures: dict[str, str | None] = {}
    checked: list[tuple[str, checks.CheckedSubmission]] = []
    rejected: list[tuple[str, str]] = []
    from spin_eval.leaderboard.board_facts import check_same_facts
    from spin_eval.leaderboard.submission_io import read_submission

    for path in paths:
        try:
            check_same_facts(read_submission(path), metric_facts or [], str(path))  # like with like (board_facts)
            one = checks.check_submission(path)
            signatures[str(path)] = signature_status(one.sub, keys, where=str(path))
        except InputError as exc:
            rejected.append((str(path), str(exc)))
            continue
        checked.append((str(path), one))
    kept, duplicates = identity.find_duplicates([(src, identity.content_identity(c.sub, c.evidence))
                                                 for src, c in checked])
    rejected += duplicates
    by_source = dict(checked)
    entries = []
    for source in kept:
        sub = by_source[source].sub
        verified, note = verified_status(source, sub, verifications)
        if verified_only and not verified:
            rejected.append((source, f"{source}: --verified-only: {note} ('spin-eval leaderboard verify' it first)"))
            continue
        entries.append(Entry(
            name=sub["name"], source=source, headline=sub["headline"], model=sub["model"],
            mask_sha256=(sub.get("mask") or {}).get("sha256"), verified=verified, verification=note,
            signature=signatures.get(source),
        ))
    groups = _group(entries, {src: c.sub for src, c in checked})
    for g in groups:
        g["metric_facts"] = list(metric_facts or [])
    _flag(entries, by_source)
    ordered = []
    for number in range(1, len(groups) + 1):
        ordered += rank_entries([e for e in entries if e.group == number], sort_by)
    return Leaderboard(ordered, rejected, groups, sort_by)


def _group(entries: list[Entry], subs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Number the task-set groups in the order their first entry was given; set ``Entry.group``."""
    from spin_eval.leaderboard.identity import task_set

    numbers: dict[str, int] = {}
    groups: list[dict[str, Any]] = []
    for e in entries:
        key = task_set(subs[e.source])
        if key not in numbers:
            numbers[key] = len(groups) + 1
            groups.append({"group": numbers[key], "tasks": {t: {"version": v["version"], "hash": v["hash"]}
                                                          for t, v in sorted(subs[e.source]["tasks"].items())},
                           "sources": _sources(subs[e.source])})
        e.group = numbers[key]
    return groups


def _sources(sub: dict[str, Any]) -> list[dict[str, Any]]:
    """Where the ranked variant's task data came from (``spin_eval.results.sources``, from its configs)."""
    from dataclasses import asdict

    from spin_eval.paths import tasks_dir
    from spin_eval.results.sources import run_sources

    ranked = (sub.get("headline") or {}).get("variant")
    results = sub["results"].get(ranked) or next(iter(sub["results"].values()))
    configs = results.get("configs") if isinstance(results.get("configs"), dict) else {}
    return [asdict(s) for s in run_sources(configs, str(tasks_dir()))]


def _flag(entries: list[Entry], checked: dict[str, Any]) -> None:
    from spin_eval.leaderboard.identity import disagreement_flags, document_fingerprints, repeat_flags

    items = []
    for e in entries:
        c = checked[e.source]
        ranked = c.sub["headline"]["variant"]
        everything = frozenset().union(*(document_fingerprints(rows) for rows in c.evidence.values()))
        items.append((e.source, e.name, document_fingerprints(c.evidence.get(ranked) or {}), everything))
    repeats = repeat_flags(items)
    disagreements = disagreement_flags([(e.source, e.name, checked[e.source].sub) for e in entries])
    for e in entries:
        e.flags = repeats.get(e.source, []) + disagreements.get(e.source, [])


# ------------------------------------------------------------------------------------------------ render


def _fmt(v: Any, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def render_csv(board: Leaderboard) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["group", "position", "name", "model", "mask_sha256", *COLUMNS, "mean_rank", "verified", "signature",
                     "flags", "source"])
    for e in board.entries:
        writer.writerow([e.group, e.position, csv_cell(e.name), csv_cell(e.model.get("name")), csv_cell(e.mask_sha256 or ""),
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
