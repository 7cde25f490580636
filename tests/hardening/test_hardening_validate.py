"""Validate before loading (issue 29, item 5): every flag value and input file is checked before the
memory plan, the model load or any deletion; a bad number is one line and exit 2 (no usage dump).

Before: `run --limit nan|inf` and `run --dtype bogus` gave exit 3 after the model load; `--budget inf` was
written as Infinity into the manifest; `--nsamples 0`, a malformed calibration file or a bad `--mask` were
refused only after loading the model; `--force` with a typo in `--tasks` removed the finished run first;
argparse printed 13-16 lines of usage for a bad number."""

from __future__ import annotations

import json

import pytest

from spin_eval.cli import main


class Loaded(Exception):
    """Raised by the patched model loaders: validation came too late."""


@pytest.fixture()
def no_model_load(monkeypatch):
    """Any model load, mask build or memory plan fails the test loudly."""
    import spin_eval.modelspec as modelspec
    import spin_eval.run.main as run
    import spin_eval.run.sweep as sweep
    import spin_eval.spin.plan as plan

    def boom(*a, **k):
        raise Loaded("the model (or its plan) was loaded before the input was validated")

    monkeypatch.setattr(run, "load_shared_model", boom)
    monkeypatch.setattr(sweep, "load_shared_model", boom)
    monkeypatch.setattr(modelspec, "load_model_and_tokenizer", boom)
    monkeypatch.setattr(plan, "make_plan", boom)


def _exit_2_one_line(capsys, argv) -> str:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    err = captured.err
    lines = [x for x in err.splitlines() if x.strip()]
    assert code == 2, err[-3000:]
    assert "usage:" not in err and "Traceback" not in err, err[-3000:]
    errors = [x for x in lines if x.startswith("spin-eval: error:")]
    assert len(errors) == 1, err[-3000:]
    return errors[0]


@pytest.mark.parametrize("argv,word", [
    (["run", "--limit", "nan"], "--limit"), (["run", "--limit", "inf"], "--limit"),
    (["run", "--gen-limit", "inf"], "--gen-limit"), (["run", "--limit", "-inf"], "--limit"),
    (["run", "--budget", "inf"], "--budget"), (["run", "--budget", "nan"], "--budget"),
    (["run", "--dtype", "bogus"], "--dtype"), (["mask", "build", "--dtype", "bogus", "-o", "m.st"], "--dtype"),
    (["mask", "plan", "--dtype", "bogus"], "--dtype"),
    (["run", "--bootstrap-iters", "many"], "--bootstrap-iters"), (["run", "--num-fewshot", "1.5"], "--num-fewshot"),
    (["report", "--resamples", "x", "a", "b"], "--resamples"), (["leaderboard", "verify", "--docs", "nan", "s.json"], "--docs"),
    (["run", "--no-such-flag"], "--no-such-flag"),
    (["sweep", "--allowance", "inf"], "--allowance"), (["sweep", "--dtype", "bogus"], "--dtype"),
    (["sweep", "--nsamples", "0"], "--nsamples"), (["sweep", "--ratios", "nan"], "--ratios"),
])
def test_bad_flag_values_are_one_line(capsys, tmp_path, monkeypatch, no_model_load, argv, word):
    monkeypatch.chdir(tmp_path)
    line = _exit_2_one_line(capsys, argv)
    assert word in line


def test_budget_inf_is_never_written(capsys, tmp_path, no_model_load):
    _exit_2_one_line(capsys, ["run", "--budget", "inf", "-o", tmp_path / "out"])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag,value", [("--nsamples", "0"), ("--max-length", "1"), ("--score-batch-size", "0")])
def test_run_spin_settings_checked_before_the_model(capsys, tmp_path, tiny_model_dir, no_model_load, flag, value):
    line = _exit_2_one_line(capsys, ["run", "--model", tiny_model_dir, flag, value, "-o", tmp_path / "out",
                                     "--limit", "2", "--tasks", "spin_bbq_mini", "--controls", "none"])
    assert flag.lstrip("-").replace("-", "_").split("_")[0] in line


BAD_CSV = "prompt,response\nhello,world,extra\n"


@pytest.mark.parametrize("command", ["run", "mask-build"])
def test_bad_calibration_file_before_the_model(capsys, tmp_path, tiny_model_dir, no_model_load, command):
    bad = tmp_path / "general.csv"
    bad.write_text(BAD_CSV)
    argv = (["run", "-o", tmp_path / "out", "--limit", "2", "--tasks", "spin_bbq_mini", "--controls", "none"]
            if command == "run" else ["mask", "build", "-o", tmp_path / "m.safetensors"])
    line = _exit_2_one_line(capsys, [*argv, "--model", tiny_model_dir, "--general", bad])
    assert "general.csv" in line and "line 2" in line


def test_calibration_fifo_is_refused(capsys, tmp_path, tiny_model_dir, no_model_load):
    import os

    fifo = tmp_path / "general.csv"
    os.mkfifo(fifo)
    line = _exit_2_one_line(capsys, ["mask", "build", "-o", tmp_path / "m.safetensors", "--model", tiny_model_dir,
                                     "--general", fifo])
    assert "regular file" in line


def test_bad_mask_before_the_model(capsys, tmp_path, tiny_model_dir, no_model_load):
    bad = tmp_path / "given.safetensors"
    bad.write_bytes(b"not a safetensors file at all")
    line = _exit_2_one_line(capsys, ["run", "--model", tiny_model_dir, "--mask", bad, "-o", tmp_path / "out",
                                     "--limit", "2", "--tasks", "spin_bbq_mini", "--controls", "none"])
    assert "given.safetensors" in line


def test_task_typo_with_force_removes_nothing(capsys, tmp_path, tiny_model_dir, no_model_load):
    out = tmp_path / "out"
    (out / "runs" / "base").mkdir(parents=True)
    (out / "runs" / "base" / "results.json").write_text("{}")
    (out / "report.html").write_text("<html>finished</html>")
    (out / "spin-eval-run.json").write_text(json.dumps({"outputs": ["runs/base", "report.html"], "stages": {}}))
    line = _exit_2_one_line(capsys, ["run", "--model", tiny_model_dir, "--tasks", "spin_bbq_mini,spin_bbq_minni",
                                     "--force", "-o", out, "--limit", "2", "--controls", "none"])
    assert "spin_bbq_minni" in line
    assert (out / "report.html").read_text() == "<html>finished</html>"
    assert (out / "runs" / "base" / "results.json").is_file()


def test_good_values_still_parse():
    from spin_eval.cli import build_parser

    args = build_parser().parse_args(["run", "--limit", "0.5", "--budget", "20", "--dtype", "bfloat16"])
    assert args.limit == 0.5 and args.budget == 20.0 and args.dtype == "bfloat16"
    args = build_parser().parse_args(["run", "--limit", "none", "--budget", "none", "--dtype", "auto"])
    assert args.limit == "all" and args.budget == "all"


def test_parser_error_is_one_line_everywhere(capsys):
    """Argument errors in any sub-command: exit 2 and one line, never the usage block."""
    for argv in (["check"], ["mask", "build", "--p", "x"], ["leaderboard", "submit"], ["nonsense"]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and len([x for x in err.splitlines() if x.strip()]) == 1, (argv, err)


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_mask_build_ratio_non_finite(capsys, tmp_path, tiny_model_dir, no_model_load, value):
    line = _exit_2_one_line(capsys, ["mask", "build", "-o", tmp_path / "m.safetensors", "--model", tiny_model_dir,
                                     "--p", value])
    assert "--p" in line or "p=" in line



@pytest.mark.parametrize("flag,value", [("--nsamples", "0"), ("--max-length", "1"), ("--batch-size", "0")])
def test_mask_build_settings_checked_before_the_plan(capsys, tmp_path, tiny_model_dir, no_model_load, flag, value):
    line = _exit_2_one_line(capsys, ["mask", "build", "--model", tiny_model_dir, flag, value,
                                     "-o", tmp_path / "m.safetensors"])
    assert flag.lstrip("-").replace("-", "_") in line or flag in line
