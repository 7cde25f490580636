"""Slow: on the embedded SmolLM2, batch 1 vs 4, 1 vs 2 shards and build vs --from-scores give the same
int64 grid sums and byte-identical masks (paper and reference, 1e-4 / 1e-3 / 1e-2), from 3 samples a set."""

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
    four, _ = build.score_sums(model, tok, config, batch_size=4, progress=False)
    paths = []
    for i in range(2):
        sums, smeta = build.score_sums(model, tok, config, shard=(i, 2), batch_size=1 + 2 * i, progress=False)
        paths.append(tmp_path / f"shard{i}.safetensors")
        save_score_sums(sums, smeta, paths[-1])
    merged, _ = merge_score_files(paths)
    for s in one:
        for name in one[s]:
            assert torch.equal(one[s][name], four[s][name]), (s, name, "batch 4")
            assert torch.equal(one[s][name], merged[s][name]), (s, name, "2 shards")

    def written(mask, label):
        path = tmp_path / f"{label}.safetensors"
        save_mask(mask, path)
        return path.read_bytes()

    kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
    built = build.build_masks(model, tok, config, ("paper", "reference"), batch_size=4, progress=False)
    for ratio in (1e-4, 1e-3, 1e-2):
        for selection in ("paper", "reference"):
            sized = SpinConfig(**{**config.to_dict(), "p": ratio, "q": ratio, "selection": selection})
            mask = build.mask_from_sums(model, one, sized, **kw)
            assert mask.total > 0 or ratio == 1e-4
            if ratio == config.p:
                assert written(mask, f"sums-{selection}") == written(built[selection], f"built-{selection}")
