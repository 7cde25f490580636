"""One exit-code contract: every user-input error is one line on stderr and exit 2; an internal bug is a
traceback and exit 3, never 1 (which `spin-eval check` uses for "regression"). Each case below gave a
traceback and exit 1 before."""

from __future__ import annotations

import json

import pytest
from hardening_support import forge_mask, mlp_indices, tiny_model, valid_metadata
from run_fixtures import write_fake_run  # noqa: E402

from spin_eval.cli import main

N = 30
GOOD = {"spin_capability": {"acc": [1.0 if i % 5 else 0.0 for i in range(N)]}}


def _one_line_exit_2(capsys, argv: list[str]) -> str:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.startswith("spin-eval: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture()
def runs(tmp_path):
    return write_fake_run(tmp_path / "base", GOOD), write_fake_run(tmp_path / "cand", GOOD)


def test_non_utf8_policy(capsys, tmp_path, runs):
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(b"alpha: 0.05\nseed: \xff\xfe\n")
    line = _one_line_exit_2(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "policy.yaml" in line and "UTF-8" in line


@pytest.mark.parametrize("text,field", [
    ("seed: -1\n", "seed"), ("seed: 99999999999\n", "seed"), ("seed: 1.5\n", "seed"),
    ("default:\n  max_regression: .nan\n", "max_regression"), ("default:\n  max_regression: .inf\n", "max_regression"),
    ("alpha: .nan\n", "alpha"), ("min_mask_jaccard: .nan\n", "min_mask_jaccard"), ("bootstrap_iters: true\n", "bootstrap_iters"),
    ("rules:\n  - task: '*'\n    max_regression: '.nan'\n", "max_regression"), ("[" * 5000 + "]" * 5000 + "\n", "policy"),
])
def test_bad_policy_values(capsys, tmp_path, runs, text, field):
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    line = _one_line_exit_2(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert field in line


@pytest.mark.parametrize("flag", ["--markdown", "--junit"])
def test_check_output_at_a_folder_fails_before_the_verdict(capsys, tmp_path, runs, flag):
    code = main(["check", "--baseline", str(runs[0]), "--candidate", str(runs[1]), flag, str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and "is a folder" in captured.err and "PASS" not in captured.out


def test_check_output_onto_an_input_is_refused(capsys, runs):
    results = next(runs[1].rglob("results_*.json"))
    before = results.read_bytes()
    line = _one_line_exit_2(capsys, ["check", "--baseline", runs[0], "--candidate", results, "--markdown", results])
    assert "input" in line and results.read_bytes() == before


def test_sample_values_of_the_wrong_type(capsys, tmp_path, runs):
    samples = next(runs[1].rglob("samples_*.jsonl"))
    rows = [json.loads(line) for line in samples.read_text().splitlines()]
    rows[3]["acc"] = "high"
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    line = _one_line_exit_2(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])
    assert f"{samples}:4" in line and "acc" in line


def test_samples_file_not_utf8(capsys, runs):
    samples = next(runs[1].rglob("samples_*.jsonl"))
    samples.write_bytes(samples.read_bytes()[:50] + b"\xff" + samples.read_bytes()[50:])
    assert "UTF-8" in _one_line_exit_2(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])


def test_run_output_is_an_existing_file(capsys, tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    line = _one_line_exit_2(capsys, ["run", "-o", target])
    assert "is a file" in line and target.read_text() == "keep me"


def test_mask_build_output_is_a_folder(capsys, tmp_path, tiny_model_dir):
    line = _one_line_exit_2(capsys, ["mask", "build", "--model", tiny_model_dir, "-o", tmp_path])
    assert "-o" in line and "folder" in line


@pytest.mark.parametrize("metadata", ["nested", {"counts": "mistyped"}, {"model_fingerprint": None}])
def test_mask_info_on_bad_metadata(capsys, tmp_path, tiny_model_dir, metadata):
    model = tiny_model(tiny_model_dir)
    indices, shapes = mlp_indices(model)
    path = tmp_path / "m.safetensors"
    if metadata == "nested":
        forge_mask(path, indices, shapes, None, raw_metadata='{"a":' * 50_000 + "1" + "}" * 50_000)
    else:
        forge_mask(path, indices, shapes, valid_metadata(model, indices) | metadata)
    _one_line_exit_2(capsys, ["mask", "info", path])


def test_non_utf8_calibration_file(capsys, tmp_path, tiny_model_dir):
    bad = tmp_path / "general.csv"
    bad.write_bytes(b"prompt,response\n\xff\xfe,caf\xe9\n")
    line = _one_line_exit_2(capsys, ["mask", "build", "--model", tiny_model_dir, "--general", bad,
                                     "--nsamples", "1", "-o", tmp_path / "m.safetensors"])
    assert "general.csv" in line and "UTF-8" in line


def test_internal_error_is_exit_3_with_traceback(capsys, monkeypatch, runs):
    import spin_eval.results.runfolder as runfolder

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(runfolder, "resolve_run", bug)
    code = main(["check", "--baseline", str(runs[0]), "--candidate", str(runs[1])])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" in err and "ZeroDivisionError" in err


def test_escape_codes_in_model_name_are_not_printed_raw(capsys, tmp_path, tiny_model_dir):
    model = tiny_model(tiny_model_dir)
    indices, shapes = mlp_indices(model)
    evil = "tiny\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J"
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, valid_metadata(model, indices) | {"model_name": evil})
    assert main(["mask", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]8;;https://evil.example" in out


def test_every_spin_eval_error_prints_on_one_line():
    """A key or value read from a file reaches messages verbatim; the error class (not each raiser) keeps
    ``str()`` on one line. Found by the fuzzer: a mask whose config held the key ``"\\n"``."""
    from spin_eval.errors import InputError, MaskError
    from spin_eval.spin.config import SpinConfig

    assert str(MaskError("a\nb\u2028c\x1b[2J")) == "a\\nb\\u2028c\\x1b[2J"
    with pytest.raises(InputError) as info:
        SpinConfig.from_dict({"\n": None, "p": 1e-4, "q": 1e-4})
    assert "\n" not in str(info.value) and "\\n" in str(info.value)
