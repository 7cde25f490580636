"""The sweep's one scoring pass: ``OUT/masks/score_sums.safetensors`` reused, merged from ``--from-scores``
files, or scored once; score files of another model, target or calibration set are refused by field."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spin_eval.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from spin_eval.run.sweep import SweepSettings

#: The sweep's score file inside OUT/masks.
SCORES_FILE = "score_sums.safetensors"
#: Config fields that decide the score sums; a ``--from-scores`` file must agree on each.
SCORING_FIELDS = ("target", "nsamples", "seed", "chat_template", "calibration", "general", "fairness", "privacy",
                  "max_length", "separator")


def check_score_metadata(meta: dict[str, Any], *, fingerprint: str, config: Any, calibration: dict[str, Any],
                         where: str) -> None:
    """Refuse score sums of another model, target or calibration data, naming the differing field."""
    got = meta.get("model_fingerprint")
    if got != fingerprint:
        raise InputError(f"{where}: field model_fingerprint is {str(got)[:16]}..., the model's is {fingerprint[:16]}...; "
                         "these scores belong to another model (rescore, or drop --from-scores)")
    scored = {"calibration": "aware", **(meta.get("config") or {})}  # SpinConfig.to_dict omits the default
    for name in SCORING_FIELDS:
        if scored.get(name) != getattr(config, name):
            raise InputError(f"{where}: field config.{name} is {scored.get(name)!r}, the sweep uses "
                             f"{getattr(config, name)!r}; pass the same option as when scoring, or rescore")
    theirs = meta.get("calibration") or {}
    for set_name, info in sorted(calibration.items()):
        other = (theirs.get(set_name) or {}).get("sha256")
        if other != info.get("sha256"):
            raise InputError(f"{where}: field calibration.{set_name}.sha256 differs from the sweep's {set_name} "
                             f"calibration set ({info.get('name')}); rescore with this calibration set")


def load_or_score(lm: Any, settings: SweepSettings, masks_dir: Path, *, force: bool):
    """``(sums, metadata)``: from ``OUT/masks/score_sums.safetensors``, ``--from-scores`` files, or one scoring pass."""
    from spin_eval.spin.build import calibration_metadata, calibration_sets, write_score_sums
    from spin_eval.spin.mask import model_fingerprint
    from spin_eval.spin.scorefile import ScoreFiles, write_score_file

    config = settings.spin_config(settings.ratios[0], settings.ratios[0])
    sets = calibration_sets(config)
    calibration = calibration_metadata(sets, config)
    fingerprint = model_fingerprint(lm.model, config.target)
    path = masks_dir / SCORES_FILE
    if path.is_file() and not force:
        sums = ScoreFiles([path])  # read one matrix at a time when a mask needs it
        meta = sums.file_metadata[0]
        check_score_metadata(meta, fingerprint=fingerprint, config=config, calibration=calibration, where=str(path))
        return sums, meta, "reused"
    if settings.from_scores:
        merged = ScoreFiles(list(settings.from_scores))
        meta = merged.metadata
        check_score_metadata(meta, fingerprint=fingerprint, config=config, calibration=calibration,
                             where=f"--from-scores {' '.join(settings.from_scores)}")
        write_score_file(path, merged.layout, meta, merged.tensors())
        source = "from-scores"
    else:
        print(f"[scores] scoring the three calibration sets once (nsamples={config.nsamples})", file=sys.stderr)
        meta = write_score_sums(lm.model, lm.tokenizer, config, path, batch_size=settings.run.scoring.batch_size,
                                progress=True, sets=sets, fingerprint=fingerprint)
        source = "scored"
    return ScoreFiles([path]), meta, source
