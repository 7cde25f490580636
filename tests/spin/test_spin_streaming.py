"""Bounded memory on the score-file paths: score files written tensor by tensor (the bytes of
safetensors' own writer), shard files merged one matrix at a time, and the streamed paths giving
byte-identical mask files to the in-memory path and the default build."""

from __future__ import annotations

import json
import weakref

import pytest
import torch

from spin_eval.constants import SCORES_FORMAT_VERSION
from spin_eval.errors import InputError
from spin_eval.spin import build
from spin_eval.spin.config import SpinConfig
from spin_eval.spin.io import save_mask
from spin_eval.spin.scorefile import SCORES_METADATA_KEY, ScoreFiles, save_score_sums, write_score_file


def _config(cal, **kw) -> SpinConfig:
    return SpinConfig(nsamples=4, general=str(cal["general"]), fairness=str(cal["fairness"]),
                      privacy=str(cal["privacy"]), **kw)


def test_streamed_file_has_the_bytes_of_safetensors_save(tmp_path):
    from safetensors.torch import save

    gen = torch.Generator().manual_seed(0)
    tensors = {f"{s}/model.layers.{i}.mlp.{m}.weight": torch.randint(0, 2**50, shape, generator=gen)
               for s in ("general", "fairness", "privacy") for i in (2, 10) for m, shape in
               (("up_proj", (6, 4)), ("down_proj", (4, 6)), ("gate_proj", (1, 7)))}
    meta = {"shard": [0, 1], "note": "café \n \"quoted\""}
    path = tmp_path / "s.safetensors"
    # written in reverse order: each tensor lands at its own offset
    write_score_file(path, {k: tuple(t.shape) for k, t in tensors.items()}, meta, reversed(list(tensors.items())))
    expected_meta = json.dumps(dict(meta, format_version=SCORES_FORMAT_VERSION), sort_keys=True, separators=(",", ":"))
    assert path.read_bytes() == save(tensors, metadata={SCORES_METADATA_KEY: expected_meta})


def test_writer_refuses_wrong_dtype_or_missing_tensor(tmp_path):
    path = tmp_path / "s.safetensors"
    with pytest.raises(ValueError, match="int64"):
        write_score_file(path, {"general/w": (2,)}, {}, [("general/w", torch.zeros(2))])
    with pytest.raises(ValueError, match="never written"):
        write_score_file(path, {"general/w": (2,), "general/v": (2,)}, {}, [("general/w", torch.zeros(2, dtype=torch.int64))])
    assert not path.exists() and not list(tmp_path.iterdir())  # atomic: no partial file, no temp left


@pytest.mark.parametrize("selection", ["paper", "reference"])
def test_streamed_paths_give_byte_identical_masks(tiny_model64, cal_files, tmp_path, selection):
    """default build == in-memory sums == one streamed score file == two streamed shards merged lazily."""
    model, tok = tiny_model64
    for p, q in ((1e-2, 5e-2), (5e-2, 0.25)):
        config = _config(cal_files, p=p, q=q, selection=selection)
        sums, meta = build.score_sums(model, tok, config, progress=False)
        kw = dict(fingerprint=meta["model_fingerprint"], calibration=meta["calibration"])
        one = tmp_path / f"one-{p}.safetensors"
        build.write_score_sums(model, tok, config, one, progress=False)
        shards = [tmp_path / f"shard{i}-{p}.safetensors" for i in range(2)]
        for i, path in enumerate(shards):
            build.write_score_sums(model, tok, config, path, shard=(i, 2), batch_size=1 + i, progress=False)
        variants = {
            "build": build.build_mask(model, tok, config, progress=False),
            "in-memory": build.mask_from_sums(model, sums, config, **kw),
            "streamed": build.mask_from_sums(model, ScoreFiles([one]), config, **kw),
            "shards": build.mask_from_sums(model, ScoreFiles(reversed(shards)), config, **kw),
        }
        files = {}
        for key, mask in variants.items():
            save_mask(mask, tmp_path / f"{key}.safetensors")
            files[key] = (tmp_path / f"{key}.safetensors").read_bytes()
        assert len(set(files.values())) == 1, {k: v == files["build"] for k, v in files.items()}
        assert variants["build"].total > 0
        in_memory = tmp_path / f"in-memory-{p}.safetensors"
        save_score_sums(sums, meta, in_memory)
        assert in_memory.read_bytes() == one.read_bytes()  # the streamed writer writes the same score file


def test_merge_holds_one_matrix_at_a_time(tiny_model64, cal_files, tmp_path, monkeypatch):
    model, tok = tiny_model64
    config = _config(cal_files, p=5e-2, q=0.25)
    shards = [tmp_path / f"s{i}.safetensors" for i in range(2)]
    for i, path in enumerate(shards):
        build.write_score_sums(model, tok, config, path, shard=(i, 2), progress=False)
    files = ScoreFiles(shards)
    alive: list = []
    most = [0]
    read = ScoreFiles.read

    def counting_read(self, set_name, param):
        most[0] = max(most[0], sum(1 for ref in alive if ref() is not None))  # merged sums still held
        tensor = read(self, set_name, param)
        alive.append(weakref.ref(tensor))
        return tensor

    monkeypatch.setattr(ScoreFiles, "read", counting_read)
    mask = build.mask_from_sums(model, files, config, fingerprint=files.metadata["model_fingerprint"],
                                calibration=files.metadata["calibration"])
    assert len(alive) == 3 * len(mask.shapes) and mask.total > 0
    assert most[0] == 0  # each merged sum was freed before the next one was read


def test_shards_with_different_tensors_or_precision_are_refused(tiny_model64, cal_files, tmp_path):
    model, tok = tiny_model64
    config = _config(cal_files)
    paths = [tmp_path / f"s{i}.safetensors" for i in range(2)]
    sums = [build.score_sums(model, tok, config, shard=(i, 2), progress=False) for i in range(2)]
    first = next(iter(sums[1][0]["general"]))
    dropped = {s: {n: t for n, t in params.items() if n != first} for s, params in sums[1][0].items()}
    save_score_sums(sums[0][0], sums[0][1], paths[0])
    save_score_sums(dropped, sums[1][1], paths[1])
    with pytest.raises(InputError, match=r"in tensor \w+/" + first.replace(".", r"\.") + r" \(missing"):
        ScoreFiles(paths)
    from safetensors.torch import save

    floats = {f"{s}/{n}": t.double() for s, params in sums[1][0].items() for n, t in params.items()}
    meta = json.dumps(dict(sums[1][1], format_version=SCORES_FORMAT_VERSION), sort_keys=True)
    paths[1].write_bytes(save(floats, metadata={SCORES_METADATA_KEY: meta}))
    with pytest.raises(InputError, match="another precision"):
        ScoreFiles(paths)
