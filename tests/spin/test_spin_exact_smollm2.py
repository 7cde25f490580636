"""Slow: on the embedded SmolLM2, batch 1 vs 4 and 1 vs 2 shards give the same int64 grid sums, and the build
path and the score-sums path (--save-scores / --from-scores, the sweep) write byte-identical masks (paper and
reference), from 3 samples a set. Four scoring passes: batch 1, the two shards, and build_masks' batch-4 pass.

Equal sums give equal masks at every ratio (the selection is one function of the sums), so the files are
compared at one ratio here (bench/bench_selection.py times one selection pass); the tiny-model tests
(tests/spin/test_spin_exact.py) compare files at 1e-4, 1e-3 and 1e-2."""

from __future__ import annotations

import pytest
import torch

pytestmark = pytest.mark.slow


def test_smollm2_one_mask_per_definition(tmp_path, monkeypatch):
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin import build, scoring
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.io import merge_score_files, save_mask, save_score_sums

    model, tok = load_model_and_tokenizer("smollm2")
    config = SpinConfig(p=1e-3, q=1e-3, nsamples=3, max_length=256)
    one, meta = build.score_sums(model, tok, config, progress=False)

    def assert_equal_sums(other, label, sets=None):
        for s in sets or one:
            for name in one[s]:
                assert torch.equal(one[s][name], other[s][name]), (s, name, label)

    # Batch 4: the sums of build_masks' own batch-4 scoring pass (below), compared set by set as gradient_sums
    # returns them, before the masks are selected from them: "batch 4 == batch 1" on the build path itself,
    # without a separate batch-4 pass, and no extra copy of the sums is kept.
    compared = []
    real_gradient_sums = scoring.gradient_sums

    def compared_gradient_sums(*args, **kwargs):
        sums = real_gradient_sums(*args, **kwargs)
        set_name = kwargs["desc"].removeprefix("scoring ")
        assert kwargs["batch_size"] == 4 and sorted(sums) == sorted(one[set_name])
        assert_equal_sums({set_name: sums}, "batch 4", sets=(set_name,))
        compared.append(set_name)
        return sums

    monkeypatch.setattr(scoring, "gradient_sums", compared_gradient_sums)
    built = build.build_masks(model, tok, config, ("paper", "reference"), batch_size=4, progress=False)
    monkeypatch.undo()
    assert sorted(compared) == sorted(one)
    # one other copy of the sums at a time (8 B per weight and set each): the test's memory stays at two copies
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
    for selection in ("paper", "reference"):
        mask = build.mask_from_sums(model, one, SpinConfig(**{**config.to_dict(), "selection": selection}), **kw)
        assert mask.total > 0
        assert written(mask, f"sums-{selection}") == written(built[selection], f"built-{selection}")
