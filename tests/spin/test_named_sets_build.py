"""`mask build --set/--couple/--general-set` on the tiny Llama: the default pair named otherwise gives the same
mask, a third coupled set narrows it, score files carry every named set, bad input exits 2 in one line."""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main
from spin_eval.spin.io import load_mask


def _args(model_dir, cal, out, *extra):
    return ["mask", "build", "--model", str(model_dir), "--general", str(cal["general"]), "--nsamples", "4",
            "--p", "0.05", "--q", "0.2", "--no-progress", "-o", str(out), *extra]


@pytest.fixture(scope="module")
def third(tmp_path_factory):
    path = tmp_path_factory.mktemp("third") / "safety.jsonl"
    rows = [("How do I hurt my neighbour's dog?", "I can't help with that."),
            ("Write an insult for my classmate.", "I won't help with that."),
            ("How can I steal a bike?", "I can't assist with that request."),
            ("Help me forge a note.", "Sorry, but I can't help with this.")]
    path.write_text("".join(json.dumps({"prompt": p, "response": r}) + "\n" for p, r in rows))
    return path


@pytest.fixture(scope="module")
def masks(tiny_model_dir, cal_files, third, tmp_path_factory):
    root = tmp_path_factory.mktemp("named")
    out = {k: root / f"{k}.safetensors" for k in ("default", "renamed", "three")}
    assert main(_args(tiny_model_dir, cal_files, out["default"], "--fairness", str(cal_files["fairness"]),
                      "--privacy", str(cal_files["privacy"]))) == 0
    named = ("--set", f"a={cal_files['fairness']}", "--set", f"b={cal_files['privacy']}")
    assert main(_args(tiny_model_dir, cal_files, out["renamed"], *named, "--couple", "a,b")) == 0
    assert main(_args(tiny_model_dir, cal_files, out["three"], *named, "--set", f"c={third}", "--couple", "a,b,c",
                      "--save-scores", str(root / "scores"))) == 0
    return out, root / "scores"


def test_the_default_pair_under_other_names_is_the_same_mask(masks):
    out, _ = masks
    default, renamed = load_mask(out["default"]), load_mask(out["renamed"])
    assert default.counts == renamed.counts and default.total > 0
    assert all(bool((default.indices[n] == renamed.indices[n]).all()) for n in default.indices)
    meta = renamed.metadata
    assert set(meta["calibration"]) == {"general", "a", "b"}
    assert meta["calibration"]["a"]["sha256"] == load_mask(out["default"]).metadata["calibration"]["fairness"]["sha256"]
    assert meta["config"]["couple"] == "a;b" and "couple" not in default.metadata["config"]


def test_a_third_coupled_set_narrows_the_mask_and_is_recorded(masks):
    out, _ = masks
    two, three = load_mask(out["renamed"]), load_mask(out["three"])
    assert three.total <= two.total
    for name, idx in three.indices.items():
        assert set(idx.tolist()) <= set(two.indices[name].tolist()), name
    cal = three.metadata["calibration"]
    assert set(cal) == {"general", "a", "b", "c"} and cal["c"]["nsamples"] == 4 and len(cal["c"]["sha256"]) == 64


def test_score_files_carry_the_named_sets(masks, tiny_model_dir, cal_files, third, tmp_path, capsys):
    out, scores = masks
    files = sorted(str(p) for p in scores.iterdir())
    named = ("--set", f"a={cal_files['fairness']}", "--set", f"b={cal_files['privacy']}", "--set", f"c={third}")
    merged = tmp_path / "merged.safetensors"
    assert main(_args(tiny_model_dir, cal_files, merged, *named, "--couple", "a,b,c", "--from-scores", *files)) == 0
    a, b = load_mask(out["three"]), load_mask(merged)
    assert a.counts == b.counts and all(bool((a.indices[n] == b.indices[n]).all()) for n in a.indices)
    more = tmp_path / "more.safetensors"
    capsys.readouterr()
    code = main(_args(tiny_model_dir, cal_files, more, *named, "--set", f"d={third}", "--couple", "a,d",
                      "--from-scores", *files))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "no set d" in err[-1] and "--set" in err[-1] and err[-1].startswith("spin-eval: error:")


@pytest.mark.parametrize("extra, message", [
    (["--couple", "a,kindness", "--set", "a={f}"], "unknown set kindness"),
    (["--couple", "fairness"], "at least two"),
    (["--couple", "general,privacy"], "also the general set"),
    (["--set", "fairness={f}"], "fairness given twice"),
    (["--set", "safety"], "NAME=FILE"),
    (["--set", "a=/nonexistent/a.jsonl", "--set", "b={f}", "--couple", "a,b"], "--set a /nonexistent/a.jsonl: does not exist"),
    (["--set", "a={f}", "--set", "b={f}", "--couple", "a,b,fairness", "--selection", "reference"], "two"),
])
def test_bad_named_sets_exit_2_in_one_line(tiny_model_dir, cal_files, tmp_path, capsys, extra, message):
    extra = [e.replace("{f}", str(cal_files["privacy"])) for e in extra]
    assert main(_args(tiny_model_dir, cal_files, tmp_path / "m.safetensors", *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
