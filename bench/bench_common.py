"""What the lm-eval throughput benchmarks (``bench_mc.py``, ``bench_generate.py``) share: the model and
device flags, an offline torch with a chosen thread count, and a task's requests built through lm-eval."""

from __future__ import annotations

import argparse
import os


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """``--model --batch-size --device --dtype --threads``, the same in every throughput benchmark."""
    parser.add_argument("--model", default="smollm2", help="model spec (default: the embedded smollm2)")
    parser.add_argument("--batch-size", type=int, default=8, help="lm-eval batch_size (default 8, spin-eval run's)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")


def offline_torch(threads: int):
    """torch, imported with the hubs switched off and ``threads`` torch threads (0: torch's default)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    if threads:
        torch.set_num_threads(threads)
    return torch


def build_instances(tasks: list[str], limit: int | None, request_type: str) -> list:
    """The tasks' Instances of ``request_type`` for the first ``limit`` documents of each (rank 0 of 1)."""
    from lm_eval.tasks import TaskManager

    from spin_eval.paths import tasks_dir

    loaded = TaskManager(include_path=str(tasks_dir())).load(tasks)["tasks"]
    out = []
    for task in tasks:
        loaded[task].build_all_requests(limit=limit, rank=0, world_size=1)
        out += [inst for inst in loaded[task].instances if inst.request_type == request_type]
    return out
