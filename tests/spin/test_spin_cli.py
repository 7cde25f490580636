"""`spin-eval mask build|info|diff` on the tiny Llama: outputs, JSON, exit code 2 on bad input."""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main


def _build_args(model_dir, cal_files, out, *extra):
    return [
        "mask", "build", "--model", str(model_dir), "--general", str(cal_files["general"]),
        "--fairness", str(cal_files["fairness"]), "--privacy", str(cal_files["privacy"]),
        "--nsamples", "4", "--p", "0.05", "--q", "0.05", "--no-progress", "-o", str(out), *extra,
    ]


@pytest.fixture(scope="module")
def two_masks(tiny_model_dir, cal_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("masks")
    a, b, c = root / "a.safetensors", root / "b.safetensors", root / "c.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, a)) == 0
    assert main(_build_args(tiny_model_dir, cal_files, b)) == 0
    assert main(_build_args(tiny_model_dir, cal_files, c, "--selection", "random")) == 0
    return a, b, c


def test_build_twice_gives_identical_files(two_masks):
    a, b, _ = two_masks
    assert a.read_bytes() == b.read_bytes()


def test_info_json(two_masks, capsys):
    a, _, c = two_masks
    capsys.readouterr()
    assert main(["mask", "info", str(c), "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["selection"] == "random" and meta["control_of"] == "paper"
    assert meta["total"] == sum(meta["counts"].values()) > 0
    assert main(["mask", "info", str(a)]) == 0
    assert "selection   paper" in capsys.readouterr().out


def test_diff_json(two_masks, capsys):
    a, b, c = two_masks
    capsys.readouterr()
    assert main(["mask", "diff", str(a), str(b), "--json"]) == 0
    same = json.loads(capsys.readouterr().out)
    assert same["jaccard"] == 1.0 and same["intersection"] == same["a_total"]
    assert main(["mask", "diff", str(a), str(c), "--json"]) == 0
    other = json.loads(capsys.readouterr().out)
    assert other["a_total"] == other["b_total"] and other["jaccard"] < 1.0
    assert set(other["modules"]) == set(same["modules"])


def test_shard_then_merge(tiny_model_dir, cal_files, two_masks, tmp_path):
    a, _, _ = two_masks
    scores = tmp_path / "scores"
    for i in range(2):
        assert main(_build_args(tiny_model_dir, cal_files, tmp_path / "unused", "--shard", f"{i}/2",
                                "--save-scores", str(scores))) == 0
    assert not (tmp_path / "unused").exists()
    files = sorted(str(p) for p in scores.iterdir())
    assert len(files) == 2
    merged = tmp_path / "merged.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, merged, "--from-scores", *files)) == 0
    from spin_eval.spin.io import load_mask

    ma, mm = load_mask(a), load_mask(merged)
    assert ma.counts == mm.counts
    assert all(bool((ma.indices[n] == mm.indices[n]).all()) for n in ma.indices)
    assert merged.read_bytes() == a.read_bytes()  # exact int64 sums: the --from-scores path writes the same file
    # score files of another separator are refused in one line naming the field
    other = tmp_path / "other.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, other, "--from-scores", *files, "--separator", "none")) == 2
    assert not other.exists()


def test_separator_is_recorded_and_changes_the_scored_tokens(tiny_model_dir, cal_files, tmp_path, capsys):
    from spin_eval.spin.io import load_mask

    out = tmp_path / "none.safetensors"
    assert main(_build_args(tiny_model_dir, cal_files, out, "--separator", "none")) == 0
    assert load_mask(out).metadata["config"]["separator"] == "none"
    capsys.readouterr()
    assert main(_build_args(tiny_model_dir, cal_files, out, "--separator", "tab")) == 2
    assert "--separator" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv_tail,message",
    [
        (["--general", "/nonexistent/g.csv"], "does not exist"),
        (["--selection", "paper", "--shard", "0/2"], "--save-scores"),
        (["--nsamples", "0"], "nsamples"),
    ],
)
def test_build_bad_input_exits_2(tiny_model_dir, cal_files, tmp_path, capsys, argv_tail, message):
    argv = _build_args(tiny_model_dir, cal_files, tmp_path / "m.safetensors") + argv_tail
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("spin-eval: error:") and message in err[-1]


def test_info_corrupt_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00" * 20)
    assert main(["mask", "info", str(bad)]) == 2
    assert "corrupt" in capsys.readouterr().err


def test_bad_shard_syntax_exits_2(capsys):
    assert main(["mask", "build", "--shard", "3/2", "-o", "x"]) == 2  # one line, no usage block
    err = capsys.readouterr().err
    assert "--shard" in err and "usage:" not in err
