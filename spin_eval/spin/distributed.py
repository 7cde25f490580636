"""Data-parallel scoring on torch.distributed: the ranks ``torchrun`` / ``accelerate launch`` start.

``Ranks.from_environment(device)`` joins the process group the launcher describes (``WORLD_SIZE``,
``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR``/``MASTER_PORT``): NCCL for CUDA devices, gloo on the CPU. It
returns None for a single process, so every caller works unchanged without a launcher. Opt-in: only
``spin-eval mask build`` uses it (the ``spin_hf`` adapter builds under a file lock on one rank instead).

Ranks first compare fingerprints (``check_same``: an ``all_gather`` of small per-field hashes, no
pickle), so ranks started with different models, calibration files or settings stop together with one
error naming the field; then each scores its slice of the samples and the int64 grid sums are summed
in place (``all_reduce_exact_``: exact, so the mask is the one-process mask bit for bit). A rank that
dies makes the others' next collective fail (the launcher also stops them), so no mask is written; each
survivor says so in one line naming its rank and the launcher (``RankError``, exit 2). Joining has its
own, short timeout (``JOIN_TIMEOUT_S``, printed at start): a rank that never starts is reported as such.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from spin_eval.errors import InputError, SpinEvalError

#: How long a rank waits for the others in one collective (after all joined: a slow rank may still be scoring).
COLLECTIVE_TIMEOUT = timedelta(minutes=30)
#: Default seconds a rank waits for all ranks to join the process group (``mask build --join-timeout``).
JOIN_TIMEOUT_S = 300.0


class RankError(SpinEvalError):
    """A data-parallel failure (a rank that never joined, a peer that disappeared): one line, exit 2."""


def launcher_name() -> str:
    """Which launcher started this process, from its environment variables (for error messages)."""
    if any(key.startswith("ACCELERATE_") for key in os.environ):  # accelerate runs torchrun inside: first
        return "accelerate launch"
    if os.environ.get("TORCHELASTIC_RUN_ID"):
        return "torchrun"
    return "the launcher that set WORLD_SIZE/RANK"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


@dataclass
class Ranks:
    """This process's place in the process group."""

    rank: int
    world_size: int
    local_rank: int
    backend: str
    owns_group: bool
    group: Any = None  # the collectives' group (long timeout); None: the default group

    @classmethod
    def from_environment(cls, device: str, join_timeout: float = JOIN_TIMEOUT_S) -> "Ranks | None":
        """The launcher's process group (joined here if nobody has yet), or None for one process.
        RankError when the other ranks do not join within ``join_timeout`` seconds."""
        import sys

        world_size = int(os.environ.get("WORLD_SIZE", "1") or 1)
        if world_size <= 1:
            if os.environ.get("ACCELERATE_USE_CPU", "").lower() == "true":
                print("spin-eval: note: `accelerate launch --cpu` starts ONE process whatever --num_processes says; "
                      "for N ranks on the CPU use `accelerate launch --multi_gpu --num_processes N` (gloo) or "
                      "`torchrun --nproc_per_node N`", file=sys.stderr)
            return None

        import torch
        import torch.distributed as dist

        rank_env = os.environ.get("RANK", "?")
        local_rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
        on_cuda = str(device).startswith("cuda")
        if on_cuda:
            torch.cuda.set_device(local_rank)
        if dist.is_initialized():
            return cls(dist.get_rank(), dist.get_world_size(), local_rank, dist.get_backend(), False)
        backend = "nccl" if on_cuda else "gloo"
        where = f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')}"
        print(f"spin-eval: rank {rank_env} of {world_size} ({launcher_name()}, {backend}, {where}) waits up to "
              f"{join_timeout:g} s for all ranks to join (--join-timeout)", file=sys.stderr, flush=True)
        try:
            dist.init_process_group(backend, timeout=timedelta(seconds=join_timeout))
            group = dist.new_group(timeout=COLLECTIVE_TIMEOUT)
            dist.barrier(group=group)
        except Exception as exc:  # noqa: BLE001  (store/backend timeouts and connection errors alike)
            raise RankError(
                f"rank {rank_env} of {world_size}: not all ranks joined the process group at {where} within "
                f"{join_timeout:g} s ({_first_line(exc)}); start all {world_size} ranks with one {launcher_name()} "
                "command (same MASTER_ADDR/MASTER_PORT), or raise --join-timeout"
            ) from None
        return cls(dist.get_rank(), dist.get_world_size(), local_rank, dist.get_backend(), True, group)

    def _lost(self, op: str, exc: BaseException) -> RankError:
        return RankError(
            f"rank {self.rank} of {self.world_size}: a peer rank was lost during {op} ({_first_line(exc)}); no mask "
            f"was written; see the other ranks' output, then restart all ranks with {launcher_name()}"
        )

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def _comm_device(self) -> str:
        return f"cuda:{self.local_rank}" if self.backend == "nccl" else "cpu"

    def all_reduce_(self, tensor: Any) -> None:
        """Sum ``tensor`` over all ranks, in place (every rank gets the total)."""
        import torch.distributed as dist

        try:
            dist.all_reduce(tensor, group=self.group)
        except Exception as exc:  # noqa: BLE001  (gloo/nccl report a lost peer as RuntimeError/DistError)
            raise self._lost("all_reduce", exc) from None

    def all_reduce_exact_(self, tensor: Any, name: str) -> None:
        """Sum a non-negative int64 grid sum over all ranks, in place: exact, so any rank count gives the
        one-process sums. ScoringError (on every rank) when the total could pass int64's range."""
        import torch

        from spin_eval.errors import ScoringError

        peak = torch.tensor([float(tensor.max())], dtype=torch.float64, device=tensor.device)
        self.all_reduce_(peak)  # a bound of the total's largest entry
        if float(peak) >= 2.0**63:
            raise ScoringError(f"the score sum of {name} over {self.world_size} ranks passes the int64 range; "
                               "score fewer samples per set")
        self.all_reduce_(tensor)

    def check_same(self, payload: dict[str, Any]) -> None:
        """InputError on every rank unless all ranks hold the same ``payload`` ({field: JSON-able})."""
        import torch
        import torch.distributed as dist

        keys = sorted(payload)
        mine = torch.tensor([_hash63(payload[k]) for k in keys], dtype=torch.int64, device=self._comm_device())
        gathered = [torch.empty_like(mine) for _ in range(self.world_size)]
        try:
            dist.all_gather(gathered, mine, group=self.group)
        except Exception as exc:  # noqa: BLE001
            raise self._lost("all_gather", exc) from None
        rows = [t.cpu().tolist() for t in gathered]
        for rank, row in enumerate(rows):
            differing = [k for k, a, b in zip(keys, rows[0], row) if a != b]
            if differing:
                raise InputError(
                    f"rank {rank} of {self.world_size} differs from rank 0 in {', '.join(differing)}: every rank "
                    "must load the same model, calibration files and settings; start all ranks with one command "
                    "line on identical files"
                )

    def barrier(self) -> None:
        import torch.distributed as dist

        try:
            dist.barrier(group=self.group)
        except Exception as exc:  # noqa: BLE001
            raise self._lost("barrier", exc) from None

    def close(self) -> None:
        """Leave the process group if this module created it."""
        import torch.distributed as dist

        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()


def _hash63(value: Any) -> int:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") & ((1 << 63) - 1)


def rank_slice(total: int, index: int, count: int) -> tuple[int, int]:
    """``[lo, hi)`` of slice ``index`` of ``count`` over ``total`` items (contiguous, sizes differ by <= 1)."""
    return (total * index) // count, (total * (index + 1)) // count
