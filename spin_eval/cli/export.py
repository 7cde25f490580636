"""``spin-eval export``: write a masked model as a standard Hugging Face checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Apply a SPIN mask (from 'spin-eval mask build') to a model and save the result as an ordinary Hugging
Face checkpoint folder: model.safetensors + config, the tokenizer (with its chat template), a model card
README.md naming the mask (file, sha256, ratios, selection, counts, calibration sets) and
spin_eval_export.json. Any tool that loads HF checkpoints can use it unchanged, e.g.

  spin-eval export --model smollm2 --mask masks/smollm2.safetensors -o exported/smollm2-spin
  lm_eval --model hf --model_args pretrained=exported/smollm2-spin --tasks ...

and its scores equal 'lm_eval --model spin_hf --model_args pretrained=smollm2,mask=masks/smollm2.safetensors'.
Use it to evaluate with backends spin_hf does not cover (vLLM) or to share the masked model.

The mask must have been built for this model: the model's target weights are fingerprinted and compared
with the mask's (override with --no-fingerprint-check only if you know they differ harmlessly).
The folder is written to a temporary sibling and renamed at the end (atomic).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="save a masked model as a standard HF checkpoint (loads with lm_eval --model hf)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="smollm2",
                        help="model spec: 'smollm2' (embedded default), a local HF folder, a folder with "
                        "--gguf-file, or a hub id (default: smollm2)")
    parser.add_argument("--mask", required=True, type=Path, help="mask file written by 'spin-eval mask build'")
    parser.add_argument("-o", "--output", required=True, type=Path, help="folder to write the checkpoint to")
    parser.add_argument("--gguf-file", default=None, help="GGUF file name inside the --model folder")
    parser.add_argument("--revision", default=None, help="hub revision (hub ids only)")
    parser.add_argument("--dtype", default="auto", choices=("auto", "float32", "float16", "bfloat16"),
                        help="dtype of the saved weights (default: auto, the checkpoint's own dtype)")
    parser.add_argument("--force", action="store_true", help="replace --output if it exists and is not empty")
    parser.add_argument("--no-fingerprint-check", action="store_true",
                        help="apply the mask even if the model's weights differ from those it was built for (experts)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from spin_eval.export import export_masked_checkpoint
    from spin_eval.preflight import preflight

    preflight(model=args.model, revision=args.revision, files={"--mask": args.mask})
    result = export_masked_checkpoint(
        args.model,
        args.mask,
        args.output,
        gguf_file=args.gguf_file,
        revision=args.revision,
        dtype=args.dtype,
        check_fingerprint=not args.no_fingerprint_check,
        force=args.force,
    )
    print(
        f"exported {result.info['base_model']} with mask {args.mask} (sha256 {result.mask_sha256[:16]}..., "
        f"{result.zeroed:,} weights zeroed, {result.info['dtype']}) to {result.out_dir}"
    )
    print(f"evaluate it with: lm_eval --model hf --model_args pretrained={result.out_dir} --tasks ...")
    return 0
