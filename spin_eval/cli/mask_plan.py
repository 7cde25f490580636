"""``spin-eval mask plan``: the memory plan of a mask build (and of its score-file merge) from the model's
config alone; the arithmetic lives in ``spin_eval.spin.plan``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any


def register_plan(sub: Any, model_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``plan`` action to the ``mask`` subparsers ``sub``."""
    from spin_eval.spin.settings import add_setting_arguments

    pl = sub.add_parser(
        "plan",
        help="memory plan of a mask build from the model's config alone (no weights loaded)",
        description="Print the number of target weights, the expected peak memory per device for scoring, the "
        "score-file size and the host memory of a --from-scores merge, and the mask size on disk, from the "
        "model's config alone (meta device: no weights are loaded). --set/--couple/--general-set count the "
        "calibration sets the build would score (their files are not read).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model_arguments(pl)
    pl.add_argument("--device", default="cpu", help="device the build would score on (default cpu)")
    pl.add_argument("--device-map", default=None, metavar="MAP", help="'auto': spread over the visible GPUs")
    pl.add_argument("--nproc", type=int, default=1, help="data-parallel ranks (torchrun --nproc_per_node; default 1)")
    pl.add_argument("--devices", type=int, default=None,
                    help="GPUs --device-map auto spreads over (default: the visible ones); to plan for another machine")
    add_setting_arguments(pl, exclude=("selection", "seed", "control_seed", "chat_template", "calibration", "separator",
                                       "general", "fairness", "privacy"))
    pl.add_argument("--json", action="store_true", help="print the plan as JSON")
    pl.set_defaults(handler=plan_command)


def plan_command(args: argparse.Namespace) -> int:
    from spin_eval.modelspec import resolve_model_spec
    from spin_eval.spin.plan import format_plan, make_plan
    from spin_eval.spin.settings import given_settings, make_settings

    spec = resolve_model_spec(args.model, gguf_file=args.gguf_file, revision=args.revision)
    config, options = make_settings(given_settings(args), spec, where="mask plan")
    plan = make_plan(spec, config, options, dtype=args.dtype, device=args.device, device_map=args.device_map,
                     nproc=args.nproc, devices=args.devices)
    if args.json:
        print(json.dumps(plan.to_dict(), indent=2, sort_keys=True))
    else:
        print(format_plan(plan))
    return 0
