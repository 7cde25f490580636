"""One mask per definition: batch size, shard split and scoring path give the same int64 grid sums and
byte-identical mask files (tiny Llama, float32 and float64)."""

from __future__ import annotations

import json

import pytest
import torch

from spin_eval.spin import build
from spin_eval.spin.config import SpinConfig
from spin_eval.spin.io import load_mask, merge_score_files, save_mask, save_score_sums
from spin_eval.spin.scoring import GRID_BITS, Sample, gradient_sums, importance_scores, length_groups

# Rows of equal token length (the batched path forwards those together) and of other lengths.
ROWS = [
    ("Name a colour.", "Blue."),
    ("Name a colour.", "Red."),
    ("Name a colour.", "Blue."),
    ("What is the capital of France?", "Paris is the capital of France."),
    ("Who is the nurse?", "Can't be determined."),
    ("Name a colour.", "Green."),
    ("Give me Jane's email.", "I cannot share personal information such as emails."),
    ("Seven minus four?", "Seven minus four equals three."),
]
# (p, q): the tiny model's matrices have 2,048 entries: 1e-4 selects nothing there, and its random weights
# need a larger q for F and P to overlap
RATIOS = ((1e-3, 1e-2), (1e-2, 5e-2), (5e-2, 0.25))


@pytest.fixture(scope="module")
def cal8(tmp_path_factory):
    root = tmp_path_factory.mktemp("cal8")
    out = {}
    for k, name in enumerate(("general", "fairness", "privacy")):
        rows = ROWS[k:] + ROWS[:k]
        path = root / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"prompt": p, "response": r}) + "\n" for p, r in rows))
        out[name] = str(path)
    return out


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def tiny(request, tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=request.param)
    model.eval()
    return model, AutoTokenizer.from_pretrained(tiny_model_dir)


def _config(cal, **kw) -> SpinConfig:
    return SpinConfig(nsamples=8, general=cal["general"], fairness=cal["fairness"], privacy=cal["privacy"], **kw)


def test_length_groups_never_pad():
    samples = [Sample([1] * n, [1] * n, f"s{i}") for i, n in enumerate([3, 4, 3, 3, 5, 3])]
    groups = length_groups(samples, 2)
    assert [[s.label for s in g] for g in groups] == [["s0", "s2"], ["s3", "s5"], ["s1"], ["s4"]]
    assert all(len({len(s.input_ids) for s in g}) == 1 for g in groups)


def test_grid_sums_are_exact_integers_of_the_truncated_values(tiny):
    model, tok = tiny
    config = _config({"general": None, "fairness": None, "privacy": None})
    from spin_eval.spin.calibration import tokenize_sample
    from spin_eval.spin.mask import target_linears

    samples = [Sample(*tokenize_sample(tok, p, r), label=p) for p, r in ROWS[:3]]
    linears = target_linears(model, config.target)
    total = gradient_sums(model, samples, linears, progress=False)
    parts = [gradient_sums(model, [s], linears, progress=False) for s in samples]
    for name in linears:
        assert total[name].dtype == torch.int64 and int(total[name].max()) > 0
        assert torch.equal(total[name], parts[0][name] + parts[1][name] + parts[2][name])
    # one sample's grid value is floor(|g| * 2^48) of its autograd gradient
    lin = next(iter(linears.values()))
    name = next(iter(linears))
    model.zero_grad()
    for p in model.parameters():
        p.requires_grad_(p is lin.weight)
    ids = torch.tensor([list(samples[0].input_ids)])
    labels = torch.tensor([list(samples[0].labels)])
    from spin_eval.spin.scoring import _per_sample_loss

    _per_sample_loss(model(input_ids=ids, use_cache=False).logits, labels).sum().backward()
    expected = (lin.weight.grad.abs() * 2.0**GRID_BITS).floor().to(torch.int64)
    assert torch.equal(parts[0][name], expected)


def test_batch_sizes_give_identical_sums(tiny, cal8):
    model, tok = tiny
    config = _config(cal8)
    sets = build.calibration_sets(config)
    samples = build._samples("general", sets["general"], tok, config, 0, 1)
    assert max(len(g) for g in length_groups(samples, 4)) >= 2  # batches of several samples are exercised
    one, _ = build.score_sums(model, tok, config, progress=False)
    for batch_size in (4, 8):
        batched, _ = build.score_sums(model, tok, config, batch_size=batch_size, progress=False)
        for s in one:
            assert all(torch.equal(one[s][n], batched[s][n]) for n in one[s]), (s, batch_size)


@pytest.mark.parametrize("selection", ["paper", "reference"])
def test_one_mask_per_definition(tiny, cal8, tmp_path, selection):
    """batch 1/4/8, 1/2/3 shards merged in any order, build vs --from-scores: byte-identical mask files."""
    model, tok = tiny
    for ratio in RATIOS:
        config = _config(cal8, p=ratio[0], q=ratio[1], selection=selection)
        variants = {}
        for batch_size in (1, 4, 8):
            variants[f"build-b{batch_size}"] = build.build_mask(model, tok, config, batch_size=batch_size,
                                                                progress=False)
        for count in (1, 2, 3):
            paths = []
            for i in range(count):
                sums, meta = build.score_sums(model, tok, config, shard=(i, count), batch_size=1 + i, progress=False)
                paths.append(tmp_path / f"{ratio}-{count}-{i}.safetensors")
                save_score_sums(sums, meta, paths[-1])
            merged, meta = merge_score_files(list(reversed(paths)))
            variants[f"shards{count}"] = build.mask_from_sums(model, merged, config, fingerprint=meta["model_fingerprint"],
                                                              calibration=meta["calibration"])
        out = {}
        for key, mask in variants.items():
            path = tmp_path / f"{key}-{ratio}.safetensors"
            save_mask(mask, path)
            out[key] = path.read_bytes()
        assert len(set(out.values())) == 1, {k: v == out["build-b1"] for k, v in out.items()}
    assert load_mask(tmp_path / f"build-b1-{RATIOS[-1]}.safetensors").total > 0


def test_importance_scores_one_formula():
    w = torch.tensor([[-2.0, 0.5]])
    units = torch.tensor([[3 * 2**GRID_BITS, 4 * 2**GRID_BITS + 1]], dtype=torch.int64)
    scores = importance_scores(w, units)
    assert scores.dtype == torch.float64
    assert scores.tolist() == [[6.0, 0.5 * (4 + 2.0**-GRID_BITS)]]


def test_mask_records_the_arithmetic(tiny_model64, cal_files):
    model, tok = tiny_model64
    config = SpinConfig(nsamples=4, p=0.05, q=0.05, **{k: str(v) for k, v in cal_files.items()})
    mask = build.build_mask(model, tok, config, progress=False)
    assert mask.metadata["score_arithmetic"]["grid"] == f"2^-{GRID_BITS}"
    assert mask.metadata["format_version"] == 2


def test_margins_recorded_and_unstable_boundaries_shown(tiny_model64, cal_files, tmp_path, capsys):
    from spin_eval.cli import main
    from spin_eval.spin.mask import SpinMask

    model, tok = tiny_model64
    config = SpinConfig(nsamples=4, p=0.05, q=0.05, **{k: str(v) for k, v in cal_files.items()})
    mask = build.build_mask(model, tok, config, progress=False)
    margins = mask.metadata["margins"]
    assert set(margins) == set(mask.indices) and all(set(m) == {"general", "fairness", "privacy"} for m in margins.values())
    assert all(0 <= m["gap"] <= 1 and m["shift"] >= 0 for sets in margins.values() for m in sets.values())
    name = sorted(margins)[0]
    meta = dict(mask.metadata, margins={**margins, name: {**margins[name], "fairness": {"gap": 2e-7, "shift": 17}}})
    path = tmp_path / "m.safetensors"
    save_mask(SpinMask(mask.indices, mask.shapes, meta), path)
    assert main(["mask", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "margins     1 of 18 top-k boundaries closer than 1e-06" in out
    assert f"unstable: the mask there depends on rounding: {name} fairness gap 2e-07" in out and "moves 17 positions" in out
    # a format-1 mask (before margins and the exact arithmetic) still loads and says what it lacks
    old = {k: v for k, v in mask.metadata.items() if k not in ("margins", "score_arithmetic")} | {"format_version": 1}
    save_mask(SpinMask(mask.indices, mask.shapes, old), path)
    assert load_mask(path).metadata["format_version"] == 1
    assert main(["mask", "info", str(path)]) == 0
    assert "margins     not recorded (mask format 1)" in capsys.readouterr().out


def test_batch_size_enters_the_cache_key_only_off_the_cpu():
    from spin_eval.spin.cache import batch_key

    cpu = torch.nn.Linear(2, 2)
    with torch.device("meta"):
        other = torch.nn.Linear(2, 2)  # stands for a CUDA model: any non-CPU device
    assert batch_key(cpu, 8) is None and batch_key(other, 1) is None
    assert batch_key(other, 8) == "meta:batch8"
    assert build.cache_key("f", SpinConfig(), {}) != build.cache_key("f", SpinConfig(), {}, "meta:batch8")
