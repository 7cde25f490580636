"""Data-parallel scoring on torch.distributed: the ranks ``torchrun`` / ``accelerate launch`` start.

``Ranks.from_environment(device)`` joins the process group the launcher describes (``WORLD_SIZE``,
``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR``/``MASTER_PORT``): NCCL for CUDA devices, gloo on the CPU. It
returns None for a single process, so every caller works unchanged without a launcher. Opt-in: only
``spin-eval mask build`` uses it (the ``spin_hf`` adapter builds under a file lock on one rank instead).

Ranks first compare fingerprints (``check_same``: an ``all_gather`` of small per-field hashes, no
pickle), so ranks started with different models, calibration files or settings stop together with one
error naming the field; then each scores its slice of the samples and the int64 grid sums are summed
in place (``all_reduce_exact_``: exact, so the mask is the one-process mask bit for bit). A rank that
dies makes the others' next collective fail (the launcher also stops them), so no mask is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from spin_eval.errors import InputError

#: How long a rank waits for the others in one collective before giving up.
COLLECTIVE_TIMEOUT = timedelta(minutes=30)


@dataclass
class Ranks:
    """This process's place in the process group."""

    rank: int
    world_size: int
    local_rank: int
    backend: str
    owns_group: bool

    @classmethod
    def from_environment(cls, device: str) -> "Ranks | None":
        """The launcher's process group (joined here if nobody has yet), or None for one process."""
        world_size = int(os.environ.get("WORLD_SIZE", "1") or 1)
        if world_size <= 1:
            return None
        import torch
        import torch.distributed as dist

        local_rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
        on_cuda = str(device).startswith("cuda")
        if on_cuda:
            torch.cuda.set_device(local_rank)
        owns = False
        if not dist.is_initialized():
            dist.init_process_group("nccl" if on_cuda else "gloo", timeout=COLLECTIVE_TIMEOUT)
            owns = True
        return cls(dist.get_rank(), dist.get_world_size(), local_rank, dist.get_backend(), owns)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def _comm_device(self) -> str:
        return f"cuda:{self.local_rank}" if self.backend == "nccl" else "cpu"

    def all_reduce_(self, tensor: Any) -> None:
        """Sum ``tensor`` over all ranks, in place (every rank gets the total)."""
        import torch.distributed as dist

        dist.all_reduce(tensor)

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
        dist.all_gather(gathered, mine)
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

        dist.barrier()

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
