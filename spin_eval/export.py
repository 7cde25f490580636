"""Export a masked model as a standard Hugging Face checkpoint (safetensors + tokenizer + model card).

The exported folder is an ordinary ``save_pretrained`` directory: ``lm_eval --model hf
--model_args pretrained=DIR`` (or vLLM, or plain transformers) loads it unchanged, and its outputs equal
``spin_hf`` with the same mask, because the masked weights are simply stored as zeros. Besides the
weights it holds ``README.md`` (a model card naming the mask: file name, sha256, ratios, selection,
counts, fingerprint, calibration sets) and ``spin_eval_export.json`` (the same facts, machine-readable).

The folder is written to a temporary sibling and renamed into place at the end, so an interrupted
export never leaves a half-written checkpoint at ``out_dir``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval import __version__
from spin_eval.constants import EXPORT_INFO_FILE
from spin_eval.errors import MaskError
from spin_eval.fileio import write_folder_atomic

EXPORT_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_masked_checkpoint` wrote."""

    out_dir: Path
    """The finished checkpoint folder."""
    mask_sha256: str
    """sha256 of the mask file's bytes."""
    zeroed: int
    """Number of weights the mask set to zero."""
    info: dict[str, Any]
    """The contents of ``spin_eval_export.json``."""


def _fmt_ratio(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def render_model_card(info: dict[str, Any]) -> str:
    """The README.md of an exported checkpoint (pure: from the export info dict)."""
    meta = info["mask_metadata"]
    base = info["base_model"]
    lines = ["---"]
    if "/" in base and not base.startswith(("/", ".")):
        lines.append(f"base_model: {base}")
    lines += ["library_name: transformers", "tags:", "- spin-eval", "- spin", "- pruned", "---", ""]
    lines += [
        f"# {base} with a SPIN mask applied",
        "",
        f"This checkpoint is `{base}` with {info['zeroed']:,} weights set to zero by a "
        f"spin-eval mask (SPIN, arXiv 2410.16672: weights coupled to both fairness and privacy, outside the "
        f"general-utility set). Everything else is unchanged. Exported by spin-eval {info['spin_eval_version']}.",
        "",
        "| | |",
        "|---|---|",
        f"| mask file | `{info['mask_file']}` |",
        f"| mask sha256 | `{info['mask_sha256']}` |",
        f"| selection | {meta.get('selection', '?')}"
        + (f" (control of {meta['control_of']}, seed {meta.get('control_seed')})" if meta.get("control_of") else "")
        + " |",
        f"| p (general) / q (fairness, privacy) | {_fmt_ratio(meta.get('p'))} / {_fmt_ratio(meta.get('q'))} |",
        f"| target | {meta.get('target', '?')} |",
        f"| score kind | {meta.get('score_kind', '?')} |",
        f"| weights zeroed | {meta.get('total', info['zeroed']):,} of {meta.get('numel_total', 0):,} target weights |",
        f"| base model fingerprint | `{meta.get('model_fingerprint', '?')}` |",
        f"| exported dtype | {info['dtype']} |",
    ]
    calibration = meta.get("calibration") or {}
    if calibration:
        lines += ["", "Calibration sets:", "", "| set | name | sha256 | samples | seed |", "|---|---|---|---|---|"]
        for set_name in sorted(calibration):
            c = calibration[set_name] or {}
            lines.append(
                f"| {set_name} | {c.get('name', '?')} | `{str(c.get('sha256', '?'))[:16]}` | "
                f"{c.get('nsamples', '?')} | {c.get('seed', '?')} |"
            )
    lines += [
        "",
        "## Use",
        "",
        "    lm_eval --model hf --model_args pretrained=PATH_TO_THIS_FOLDER --tasks ...",
        "",
        "The scores equal `lm_eval --model spin_hf --model_args pretrained=<base>,mask=<mask file>`.",
        f"The full mask metadata is in `{EXPORT_INFO_FILE}`.",
        "",
    ]
    return "\n".join(lines)


def export_masked_checkpoint(
    model: str,
    mask_path: str | Path,
    out_dir: str | Path,
    *,
    gguf_file: str | None = None,
    revision: str | None = None,
    dtype: str = "auto",
    check_fingerprint: bool = True,
    force: bool = False,
) -> ExportResult:
    """Load ``model`` (any model spec), apply the mask at ``mask_path``, save a standard HF checkpoint.

    ``dtype`` is the dtype of the saved weights ("auto": the checkpoint's own). The fingerprint check
    compares float32 bytes, so it holds for any dtype the base model was stored in. ``force`` replaces a
    non-empty ``out_dir`` only when it holds nothing but an earlier export's recorded files
    (``spin_eval.outputs.export_folder``, which also holds the folder lock and keeps inputs out of it).
    """
    from spin_eval.outputs import export_folder

    out_dir = Path(out_dir).expanduser()
    inputs = {"--mask": mask_path, "--model": model if Path(model).expanduser().exists() else None}
    with export_folder(out_dir, inputs, force=force):
        return _export(model, Path(mask_path).expanduser(), out_dir, gguf_file=gguf_file, revision=revision,
                       dtype=dtype, check_fingerprint=check_fingerprint)


def _export(model: str, mask_path: Path, out_dir: Path, *, gguf_file: str | None, revision: str | None, dtype: str,
            check_fingerprint: bool) -> ExportResult:
    from spin_eval.modelspec import load_model_and_tokenizer, resolve_model_spec
    from spin_eval.spin.io import file_sha256, load_mask
    from spin_eval.spin.mask import apply_mask

    mask = load_mask(mask_path)
    mask_sha256 = file_sha256(mask_path)
    spec = resolve_model_spec(model, gguf_file=gguf_file, revision=revision)
    net, tokenizer = load_model_and_tokenizer(spec, dtype=dtype)
    apply_mask(net, mask, check_fingerprint=check_fingerprint)

    params = dict(net.named_parameters())
    zeroed = 0
    for name, idx in mask.indices.items():
        values = params[name].detach().view(-1)[idx]
        if bool(values.any()):
            raise MaskError(f"mask {mask_path}: weights of {name!r} are not zero after applying it; report this as a bug")
        zeroed += int(idx.numel())

    saved_dtype = str(next(net.parameters()).dtype).removeprefix("torch.")
    info = {
        "format_version": EXPORT_FORMAT_VERSION,
        "spin_eval_version": __version__,
        "base_model": spec.name,
        "base_model_spec": spec.spec,
        "base_model_revision": spec.revision,
        "mask_file": mask_path.name,
        "mask_sha256": mask_sha256,
        "mask_metadata": mask.metadata,
        "zeroed": zeroed,
        "dtype": saved_dtype,
    }

    def fill(tmp: Path) -> None:
        net.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / "README.md").write_text(render_model_card(info), encoding="utf-8")
        written = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.is_dir()) + [EXPORT_INFO_FILE]
        record = {**info, "outputs": written}  # what a later --force may replace
        (tmp / EXPORT_INFO_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    # empty, or an earlier export with force (export_folder checked it): swapped out
    write_folder_atomic(out_dir, fill, replace=True)
    return ExportResult(out_dir=out_dir, mask_sha256=mask_sha256, zeroed=zeroed, info=info)
