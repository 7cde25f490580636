"""`spin-eval mask plan`: numbers from the config alone, checked against a hand computation; `mask build`
refuses before loading weights when the plan does not fit."""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main

TINY = {  # a Llama config small enough to count every parameter by hand
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
    "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2, "vocab_size": 32,
    "tie_word_embeddings": False, "max_position_embeddings": 64,
}


@pytest.fixture()
def config_dir(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(TINY))
    return tmp_path


def test_plan_matches_a_hand_computation(config_dir, capsys):
    argv = ["mask", "plan", "--model", str(config_dir), "--p", "0.25", "--max-length", "10", "--batch-size", "2",
            "--json"]
    assert main(argv) == 0
    plan = json.loads(capsys.readouterr().out)
    # targets: 2 layers x (gate 16x8 + up 16x8 + down 8x16) = 6 matrices of 128
    assert (plan["matrices"], plan["target_weights"], plan["largest_matrix"]) == (6, 768, 128)
    # parameters: embed 32*8 + 2 layers * (q,k,v,o 4*64 + mlp 3*128 + 2 norms of 8) + final norm 8 + head 32*8
    assert plan["parameters"] == 256 + 2 * (256 + 384 + 16) + 8 + 256 == 1832
    assert plan["weights_bytes"] == 1832 * 4
    assert plan["sums_bytes"] == 768 * 8  # int64 grid sums
    # values, int64 units, float64 score and |W|, masks; batch 2: per-sample gradients, values, units
    assert plan["per_matrix_bytes"] == 128 * (4 + 8 + 16 + 2) + 2 * 128 * (4 + 4 + 8)
    assert plan["activation_bytes"] == 2 * 10 * 2 * 4 * (10 * 8 + 4 * 16 + 2 * 10)  # B T L d (10h + 4i + heads T)
    assert plan["logits_bytes"] == 2 * 10 * 32 * (4 + 8)
    assert plan["host_bytes"] == 6 * 8 * (32 + 2 * 32)  # q = p = 0.25: 32 indices in each of G, F, P
    assert plan["mask_bytes_max"] == 6 * 8 * 32 + 6 * 200 + 1024
    assert plan["peak_per_device"] == 7328 + 6144 + 128 * 30 + 2 * 128 * 16 + 26240 + 7680


def test_build_refuses_early_when_the_plan_does_not_fit(config_dir, monkeypatch, capsys):
    import spin_eval.modelspec as modelspec
    from spin_eval.spin import plan

    monkeypatch.setattr(plan, "available_memory", lambda device, device_map: {"cpu": 1000})
    monkeypatch.setattr(modelspec, "load_model_and_tokenizer",
                        lambda *a, **k: pytest.fail("weights loaded although the plan does not fit"))
    assert main(["mask", "build", "--model", str(config_dir), "-o", str(config_dir / "m.safetensors")]) == 2
    err = capsys.readouterr().err
    assert "memory plan for" in err and "fits               NO" in err
    assert "would need about" in err and "only 0.00 GiB is free" in err
    assert not (config_dir / "m.safetensors").exists()


def test_plan_models_the_merge_and_named_sets(config_dir, capsys):
    base = ["mask", "plan", "--model", str(config_dir), "--p", "0.25", "--q", "0.125", "--json"]
    assert main(base) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["sets"] == 3 and plan["score_file_bytes"] == 768 * 8 * 3  # one shard's score file
    assert plan["merge_bytes"] == 128 * 48  # --from-scores: one matrix at a time beside the model
    assert plan["merge_per_target_weight"] == (128 * 48 + plan["host_bytes"]) / 768
    # four sets scored: general (top-p 32) and three others (top-q 16 each) per matrix
    assert main(base + ["--set", "safety=s.jsonl", "--set", "helpful=h.jsonl", "--couple", "safety,helpful,fairness"]) == 0
    named = json.loads(capsys.readouterr().out)
    assert named["sets"] == 4 and named["score_file_bytes"] == 768 * 8 * 4
    assert named["host_bytes"] == 6 * 8 * (32 + 3 * 16)
    assert main(base[:-1]) == 0
    text = capsys.readouterr().out
    assert "top index sets of 3 calibration sets" in text and "--from-scores" in text and "measured on SmolLM2" in text
