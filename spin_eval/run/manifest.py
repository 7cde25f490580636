"""The run folder's record: ``OUT/spin-eval-run.json`` (settings, stage and variant status), the variants of a
run and what a run did (``RunOutcome``). Written atomically; shared by ``spin-eval run`` and the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError
from spin_eval.fileio import read_json, write_json_atomic
from spin_eval.metrics.objectives import DEFAULT_OBJECTIVES
from spin_eval.results.runfolder import RUN_MANIFEST
from spin_eval.run.settings import EVAL_OPTION_DEFAULTS, MANIFEST_VERSION, RunSettings


@dataclass
class Variant:
    """One model variant to evaluate."""

    name: str
    mask_file: Path | None = None
    finetuned: tuple[str, str] | None = None
    """``(kind, folder)`` of a fine-tuning baseline: kind ``peft`` (LoRA/DoRA) or ``delta`` (full)."""


@dataclass
class RunOutcome:
    """What ``run_pipeline`` did, for the CLI's summary."""

    out_dir: Path
    variants: list[str]
    skipped: list[str] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    summary: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


class Manifest:
    """``OUT/spin-eval-run.json``: settings, and the status of every stage. Written atomically."""

    def __init__(self, out_dir: Path, settings: RunSettings, *, force: bool) -> None:
        self.path = out_dir / RUN_MANIFEST
        existing = None if force else read_json(self.path, fix="delete it or re-run with --force", missing_ok=True)
        if existing is not None and existing.get("settings_key") != settings.key():
            changed = settings_differences(existing.get("settings") or {}, settings)
            raise InputError(
                f"{out_dir} holds a run made with other settings ({self.path}"
                + (f"; differs in {changed}" if changed else "")
                + "); re-run with --force to redo it there, or choose another -o folder"
            )
        self.data: dict[str, Any] = existing or {
            "format_version": MANIFEST_VERSION,
            "created": _now(),
            "model_spec": settings.model,
            "settings": _jsonable(settings.record()),
            "settings_key": settings.key(),
            "evaluation_options": _jsonable(settings.evaluation_options()),
            "stages": {},
            "variants": {},
        }
        self.save()

    def save(self) -> None:
        self.data["updated"] = _now()
        write_json_atomic(self.path, self.data)

    def stage_done(self, name: str) -> bool:
        return (self.data["stages"].get(name) or {}).get("status") == "done"

    def mark(self, name: str, status: str, **info: Any) -> None:
        entry = self.data["stages"].setdefault(name, {})
        entry.update(status=status, **info)
        self.save()

    def variant_done(self, name: str) -> bool:
        return (self.data["variants"].get(name) or {}).get("status") == "done"

    def mark_variant(self, name: str, status: str, **info: Any) -> None:
        entry = self.data["variants"].setdefault(name, {})
        entry.update(status=status, **info)
        self.save()


#: Settings a manifest may lack (written before they existed or left out at their default).
RECORDED_DEFAULTS: dict[str, Any] = {**EVAL_OPTION_DEFAULTS, "objectives": list(DEFAULT_OBJECTIVES)}  # others: None


def settings_differences(recorded: dict[str, Any], settings: RunSettings) -> str:
    """``name: old -> new`` for every setting that differs from a manifest's recorded ones. Pure."""
    current = _jsonable(settings.record())
    out = []
    for name, value in current.items():
        old = recorded.get(name, RECORDED_DEFAULTS.get(name))
        if name not in ("device", "batch_size") and old != value:
            out.append(f"{name}: {old!r} -> {value!r}")
    return "; ".join(out)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}
