"""Bounded parsing (issue 29, item 4): alias bombs, deep nesting, huge numbers, huge or special files in
the YAML/JSON inputs are one-line exit-2 errors of bounded length, found before anything big is built.
Before: a 289-byte alias-bomb policy gave a ~580 MB error line (MemoryError, exit 1, under a memory
limit), a 400-digit policy number exit 3, a FIFO policy hung the command."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from run_fixtures import write_fake_run  # noqa: E402

from spin_eval.cli import main

GOOD = {"spin_capability_mc": {"acc": [1.0 if i % 4 else 0.0 for i in range(20)]}}

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9 if prev else ['x'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh")
)
#: inside a known field whose error message quotes the value (policy version)
BOMB_VERSION = "version:\n" + "".join("  - " + line.split(": ", 1)[1] + "\n" for line in BOMB.splitlines())
#: six levels: under the node limit, so only the bounded error message keeps it small
SMALL_BOMB_VERSION = "\n".join(BOMB_VERSION.splitlines()[:7]) + "\n"


@pytest.fixture()
def runs(tmp_path):
    return write_fake_run(tmp_path / "base", GOOD), write_fake_run(tmp_path / "cand", GOOD)


def _exit_2_one_line(capsys, argv) -> str:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.startswith("spin-eval: error:")]
    assert code == 2, err[:2000]
    assert len(lines) == 1 and "Traceback" not in err, err[:2000]
    assert len(lines[0]) <= 600, len(lines[0])
    return lines[0]


@pytest.mark.parametrize("text", [BOMB, BOMB_VERSION], ids=["bomb", "bomb-in-version"])
def test_alias_bomb_policy(capsys, tmp_path, runs, text):
    assert len(text) < 400
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "alias bomb" in line


def test_small_alias_bomb_gives_a_short_message(capsys, tmp_path, runs):
    policy = tmp_path / "policy.yaml"
    policy.write_text(SMALL_BOMB_VERSION)
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "version" in line


def test_many_aliases_policy(capsys, tmp_path, runs):
    policy = tmp_path / "policy.yaml"
    policy.write_text("x: &x 1\nrules: [" + ", ".join(["*x"] * 500) + "]\n")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "YAML aliases" in line


@pytest.mark.parametrize("text", ["alpha: " + "1" * 400 + "\n", "default:\n  max_regression: " + "9" * 400 + ".5\n",
                                  "seed: " + "7" * 400 + "\n"])
def test_huge_policy_numbers(capsys, tmp_path, runs, text):
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "number" in line


def test_deep_policy(capsys, tmp_path, runs):
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules: " + "[" * 200 + "]" * 200 + "\n")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "nested" in line


def test_policy_fifo_does_not_hang(capsys, tmp_path, runs):
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("line", _exit_2_one_line(
        capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", fifo])), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader so the test process can end
        with open(fifo, "w"):
            pass
        worker.join(5)
        pytest.fail("reading a FIFO policy hung")
    assert "regular file" in result["line"]


def test_policy_symlink_to_dev_zero(capsys, tmp_path, runs):
    link = tmp_path / "policy.yaml"
    link.symlink_to("/dev/zero")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", link])
    assert "regular file" in line


def test_oversized_policy(capsys, tmp_path, runs):
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(b"# " + b"x" * (2 << 20) + b"\nalpha: 0.05\n")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1], "--policy", policy])
    assert "limit" in line


def _edit_results(run: Path, edit) -> Path:
    results = next(run.rglob("results_*.json"))
    results.write_text(edit(results.read_text()))
    return results


@pytest.mark.parametrize("literal,word", [("1e400", "too large"), ("9" * 400, "digits"), ("-1e999", "too large")])
def test_results_file_huge_numbers(capsys, runs, literal, word):
    def edit(text):
        doc = json.loads(text)
        doc["results"]["spin_capability_mc"]["acc_stderr,none"] = "__X__"
        return json.dumps(doc).replace('"__X__"', literal)

    results = _edit_results(runs[1], edit)
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])
    assert word in line and str(results) in line


def test_results_file_deeply_nested(capsys, runs):
    results = _edit_results(runs[1], lambda text: text[:-1] + ', "deep": ' + "[" * 500 + "]" * 500 + "}")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])
    assert "nested" in line and str(results) in line


def test_results_file_symlink_to_dev_zero(capsys, runs):
    results = next(runs[1].rglob("results_*.json"))
    results.unlink()
    results.symlink_to("/dev/zero")
    for candidate in (runs[1], results):  # the folder (the link is not a results file) and the link itself
        _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", candidate])


def test_samples_file_fifo_does_not_hang(capsys, runs):
    samples = next(runs[1].rglob("samples_*.jsonl"))
    samples.unlink()
    os.mkfifo(samples)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("line", _exit_2_one_line(
        capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():
        with open(samples, "w"):
            pass
        worker.join(5)
        pytest.fail("reading a FIFO samples file hung")
    assert "regular file" in result["line"]


def test_samples_line_huge_number(capsys, runs):
    samples = next(runs[1].rglob("samples_*.jsonl"))
    lines = samples.read_text().splitlines()
    lines[2] = lines[2].replace('"acc": 1.0', '"acc": 1e400').replace('"acc": 0.0', '"acc": 1e400')
    samples.write_text("\n".join(lines) + "\n")
    line = _exit_2_one_line(capsys, ["check", "--baseline", runs[0], "--candidate", runs[1]])
    assert f"{samples}:3" in line and "too large" in line


def test_manifest_huge_number(capsys, tmp_path):
    """The run manifest is read through the same bounded reader (spin_eval.fileio.read_json)."""
    from spin_eval.errors import InputError
    from spin_eval.fileio import read_json

    manifest = tmp_path / "spin-eval-run.json"
    manifest.write_text('{"settings": {"limit": ' + "1" * 500 + "}}")
    with pytest.raises(InputError, match="digits"):
        read_json(manifest, fix="re-run")


def test_bounded_module_limits_directly(tmp_path):
    from spin_eval.bounded import Limits, loads_json, loads_yaml, one_line, short
    from spin_eval.errors import InputError

    with pytest.raises(InputError, match="alias"):
        loads_yaml(BOMB, "bomb.yaml")
    assert loads_yaml("a: &x [1, 2]\nb: *x\n", "ok.yaml") == {"a": [1, 2], "b": [1, 2]}
    with pytest.raises(InputError, match="nested"):
        loads_json("[" * 70 + "]" * 70, "deep.json", Limits(max_depth=64))
    assert loads_json('{"a": NaN}', "nan.json")["a"] != 0  # NaN spelled as such is kept (lm-eval writes it)
    assert len(one_line("x\n" * 10_000)) <= 400 and "\n" not in one_line("a\nb")
    assert len(short(list(range(10**6)))) < 60 and len(short(10**5000)) < 60


@pytest.mark.parametrize("literal", ["1e400", "9" * 400])
def test_mask_metadata_huge_numbers(tmp_path, tiny_model_dir, literal):
    from hardening_support import forge_mask, mlp_indices, tiny_model, valid_metadata

    from spin_eval.errors import MaskError
    from spin_eval.spin.io import load_mask

    model = tiny_model(tiny_model_dir)
    indices, shapes = mlp_indices(model)
    meta = valid_metadata(model, indices)
    meta["p"] = "__X__"
    raw = json.dumps(meta).replace('"__X__"', literal)
    path = forge_mask(tmp_path / "m.safetensors", indices, shapes, None, raw_metadata=raw)
    with pytest.raises(MaskError) as info:
        load_mask(path)
    assert "\n" not in str(info.value) and len(str(info.value)) < 600
