"""Slow: on the embedded SmolLM2, batch 1 vs 4 and 1 vs 2 shards give the same int64 grid sums, and the build
path and the score-sums path (--save-scores / --from-scores, the sweep) write byte-identical masks (paper and
reference), from 3 samples a set.

Equal sums give equal masks at every ratio (the selection is one function of the sums), so the files are
compared at one ratio here: each selection over SmolLM2's 135M weights costs ~11 CPU-s; the tiny-model tests
(tests/spin/test_spin_exact.py) compare files at 1e-4, 1e-3 and 1e-2."""

from __future__ import annotations

import pytest
import torch

pytestmark = pytest.mark.slow


def test_smollm2_one_mask_per_definition(tmp_path):
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.io import merge_score_files, save_mask, save_score_sums

    model, tok = load_model_and_tokenizer("smollm2")
    config = SpinConfig(p=1e-3, q=1e-3, nsamples=3, max_length=256)
    one, meta = build.score_sums(model, tok, config, progress=False)

    def assert_equal_sums(other, label):
        for s in one:
            for name in one[s]:
                assert torch.equal(one[s][name], other[s][name]), (s, name, label)

    # one other copy of the sums at a time (8 B per weight and set each): the test's memory stays at two copies
    assert_equal_sums(build.score_sums(model, tok, config, batch_size=4, progress=False)[0], "batch 4")
    paths = []
    for i in range(2):
        sums, smeta = build.score_sums(model, tok, config, shard=(i, 2), batch_size=1 + 2 * i, progress=False)
        paths.append(tmp_path / f"shard{i}.safetensors")
        save_score_sums(sums, smeta, paths[-1])
        del sums
    assert_equal_sums(merge_score_files(paths)[0], "2 shards")

    def written(mask, label):
        path = tmp_path / f"{label}.safetensors"
        save_mask(mask, path)
        return path.read_bytes()

    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    built = build.build_masks(model, tok, config, ("paper", "reference"), batch_size=4, progress=False)
    for selection in ("paper", "reference"):
        mask = build.mask_from_sums(model, one, SpinConfig(**{**config.to_dict(), "selection": selection}), **kw)
        assert mask.total > 0
        assert written(mask, f"sums-{selection}") == written(built[selection], f"built-{selection}")
