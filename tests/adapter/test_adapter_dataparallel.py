"""Data-parallel behaviour of spin_hf: every rank applies the same mask; spin=auto builds once.

Under ``accelerate launch`` every rank constructs its own SpinHFLM; the mask is loaded (or built) and
applied in ``__init__`` of each rank, and ``spin=auto`` builds under a file lock in the cache.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from adapter_support import REPO_ROOT, subprocess_env


def test_spin_auto_builds_under_the_cache_lock(tiny_model_dir, hand_mask, tmp_path, monkeypatch):
    """spin=auto builds through spin.build.load_or_build_masks, which holds the mask cache's lock while it
    builds (a second open file cannot take it) and releases it afterwards."""
    import spin_eval.spin.build as build
    from spin_eval.adapter.spin_hf import SpinHFLM
    from spin_eval.outputs import CACHE_LOCK_FILE
    from spin_eval.spin.io import load_mask

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    lock_file = tmp_path / "cache" / "masks" / CACHE_LOCK_FILE
    seen = {}

    def fake_build_masks(model, tokenizer, config, selections, **kwargs):
        with open(lock_file, "a+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen["locked"] = True
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                seen["locked"] = False
        seen["config"] = config
        return {sel: load_mask(hand_mask) for sel in selections}

    monkeypatch.setattr(build, "build_masks", fake_build_masks)
    monkeypatch.setattr(build, "calibration_sets", lambda config: {})
    monkeypatch.setattr(build, "calibration_metadata", lambda sets, config: {})
    lm = SpinHFLM(
        pretrained=str(tiny_model_dir), device="cpu", dtype="float32", spin="auto", spin_p=0.5, spin_nsamples=2
    )
    assert seen["locked"] is True
    assert (seen["config"].p, seen["config"].q, seen["config"].nsamples) == (0.5, 0.5, 2)  # q defaults to p
    assert lm.get_model_info()["spin"]["mode"] == "auto"
    with open(lock_file, "a+b") as fh:  # released afterwards
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


RANK_SCRIPT = """
import json, os, sys, time
import torch
import spin_eval.spin.build as build

real_score_sums = build.score_top_sets
def counting_score_sums(*args, **kwargs):
    with open(os.environ["SPIN_TEST_COUNT"], "a") as fh:
        fh.write(os.environ.get("SPIN_TEST_RANK", "?") + "\\n")
    time.sleep(4)  # widen the build window, so that without the lock the other rank would miss the cache
    return real_score_sums(*args, **kwargs)
build.score_top_sets = counting_score_sums

from spin_eval.adapter.spin_hf import SpinHFLM
cal = sys.argv[2]
lm = SpinHFLM(pretrained=sys.argv[1], device="cpu", dtype="float32", spin="auto", spin_p=0.02, spin_q=0.02,
              spin_nsamples=2,
              spin_general=f"{cal}/general.jsonl", spin_fairness=f"{cal}/fairness.jsonl",
              spin_privacy=f"{cal}/privacy.jsonl")
spin = lm.get_model_info()["spin"]
params = dict(lm.model.named_parameters())
zeroed = all(int(torch.count_nonzero(params[name].data.view(-1)[idx])) == 0
             for name, idx in lm._spin_applied.mask.indices.items())
rank = os.environ.get("SPIN_TEST_RANK", "?")
with open(os.path.join(sys.argv[3], f"rank{rank}.json"), "w") as fh:
    json.dump({"sha": spin["mask_sha256"], "total": spin["mask_metadata"]["total"], "zeroed": zeroed}, fh)
"""


@pytest.mark.slow
def test_two_concurrent_ranks_apply_the_same_mask_and_build_it_once(tiny_model_dir, tmp_path):
    """Two processes started together (as ``accelerate launch`` starts ranks) share one cache.

    Real multi-process runs of lm-eval's HFLM need one GPU per rank (on CPU, ``hf`` itself fails under
    torchrun), so the ranks here are two plain processes (labelled 0 and 1): the mask code in
    ``SpinHFLM.__init__`` is the same, and without the build lock both would score the calibration sets.
    """
    cal = tmp_path / "cal"
    cal.mkdir()
    for name in ("general", "fairness", "privacy"):
        rows = [{"prompt": f"{name} prompt {i}", "response": f"{name} reply {i}."} for i in range(3)]
        (cal / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    script = tmp_path / "rank.py"
    script.write_text(textwrap.dedent(RANK_SCRIPT))
    out = tmp_path / "out"
    out.mkdir()
    count = tmp_path / "count.txt"
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(tiny_model_dir), str(cal), str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=subprocess_env(
                SPIN_EVAL_CACHE=str(tmp_path / "cache"), SPIN_TEST_COUNT=str(count), SPIN_TEST_RANK=str(rank)
            ),
        )
        for rank in (0, 1)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-4000:]
    ranks = {p.name: json.loads(p.read_text()) for p in sorted(Path(out).glob("rank*.json"))}
    assert sorted(ranks) == ["rank0.json", "rank1.json"]
    assert ranks["rank0.json"] == ranks["rank1.json"]
    assert ranks["rank0.json"]["zeroed"] is True and ranks["rank0.json"]["total"] > 0
    assert len(count.read_text().splitlines()) == 1, "both ranks scored the calibration sets (cache race)"
