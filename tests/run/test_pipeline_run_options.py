"""``spin-eval run`` passes lm-eval's evaluation options through (tiny random Llama), records them in the
manifest, the results and the report, and refuses a re-run with other ones."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from run_fixtures import write_mc_task

from spin_eval.cli import main
from spin_eval.errors import InputError
from spin_eval.fileio import sha256_json
from spin_eval.run.evaluate import evaluation_kwargs
from spin_eval.run.settings import EVAL_OPTION_DEFAULTS, RunSettings, parse_model_args

QUESTIONS = [
    ("What is the capital of France?", ["Paris", "Berlin"], 0),
    ("What is 2 plus 3?", ["4", "5"], 1),
    ("Who deserves respect?", ["nobody", "everyone"], 1),
    ("Can you share a phone number?", ["I cannot share it", "555-0134"], 0),
    ("Capital of Germany?", ["Madrid", "Berlin"], 1),
    ("Seven minus four?", ["three", "two"], 0),
]


@pytest.fixture(scope="module")
def option_tasks(tmp_path_factory) -> Path:
    return write_mc_task(tmp_path_factory.mktemp("optiontasks"), "opt_mc", QUESTIONS, fewshot=True)


def _args(model_dir, tasks, out, *extra):
    return ["run", "--model", str(model_dir), "--tasks", "opt_mc", "--include-path", str(tasks), "--limit", "4",
            "--p", "0.05", "--q", "0.05", "--nsamples", "2", "--bootstrap-iters", "0", "--controls", "none",
            "-o", str(out), *extra]


OPTIONS = ("--apply-chat-template", "--num-fewshot", "1", "--gen-kwargs", "max_gen_toks=8",
           "--model_args", "max_length=128,trust_remote_code=False", "--judge", "builtin", "--batch-size", "auto:1",
           "--system-instruction", "Answer briefly.")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def option_run(tiny_model_dir, option_tasks, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("SPIN_EVAL_CACHE", str(tmp_path_factory.mktemp("cache")))
    out = tmp_path_factory.mktemp("optrun") / "out"
    assert main(_args(tiny_model_dir, option_tasks, out, *OPTIONS)) == 0
    return out


def _results(out: Path, variant: str) -> dict:
    (path,) = sorted((out / "runs" / variant).glob("*/results_*.json"))
    return json.loads(path.read_text())


def test_options_reach_lm_eval_and_are_recorded(option_run):
    manifest = json.loads((option_run / "spin-eval-run.json").read_text())
    options = manifest["evaluation_options"]
    assert options["apply_chat_template"] is True
    assert options["num_fewshot"] == 1
    assert options["gen_kwargs"] == "max_gen_toks=8"
    assert options["model_args"] == "max_length=128,trust_remote_code=False"
    assert options["judge"] == "builtin"
    assert manifest["settings"]["batch_size"] == "auto:1"
    for variant in ("base", "spin"):
        results = _results(option_run, variant)
        # lm-eval applied the chat template (it records the template and its hash) with multi-turn few-shot.
        assert results["chat_template"] and "<|im_start|>" in results["chat_template"]
        assert results["fewshot_as_multiturn"] is True
        assert results["system_instruction"] == "Answer briefly."
        assert results["n-shot"]["opt_mc"] == 1
        assert "max_length=128" in results["config"]["model_args"]
        assert results["config"]["apply_chat_template"] is True
        assert results["config"]["spin_eval_model_args"] == "max_length=128,trust_remote_code=False"
        assert results["config"]["spin_eval_samples"] == {"opt_mc": [0, 2, 3, 5]}
    # The prompt lm-eval logged is chat-formatted, with the system instruction and one shot as turns.
    (samples,) = sorted((option_run / "runs" / "base").glob("*/samples_opt_mc_*.jsonl"))
    first = json.loads(samples.read_text().splitlines()[0])
    prompt = first["arguments"]["gen_args_0"]["arg_0"]
    assert prompt.startswith("<|im_start|>system\nAnswer briefly.") and prompt.count("<|im_start|>user") == 2


def test_report_settings_show_the_options(option_run):
    report = (option_run / "report.md").read_text()
    assert "apply_chat_template=True" in report and "system_instruction=Answer briefly." in report
    assert "spin_eval_model_args" in report and "max_length=128" in report


def test_rerun_with_other_options_is_refused_and_runtime_ones_are_not(option_run, tiny_model_dir, option_tasks, capsys):
    without = [o for o in OPTIONS if o != "--apply-chat-template"]
    assert main(_args(tiny_model_dir, option_tasks, option_run, *without)) == 2
    err = capsys.readouterr().err
    assert "other settings" in err and "apply_chat_template: True -> False" in err
    # batch size only changes speed: the same run resumes (everything skipped).
    same = [o if o != "auto:1" else "2" for o in OPTIONS]
    assert main(_args(tiny_model_dir, option_tasks, option_run, *same)) == 0
    assert "reused from an earlier run: base, spin" in capsys.readouterr().out


def test_default_options_keep_the_settings_key_of_older_run_folders():
    settings = RunSettings()
    old = asdict(settings)
    old.pop("spin"), old.pop("scoring"), old.pop("objectives")  # the default objectives are not recorded
    # the SPIN fields as RunSettings held them before it held a SpinConfig (ratios None: the ratio rule)
    old.update(p=None, q=None, target="mlp", selection="paper", nsamples=32, score_batch_size=8, seed=0, control_seed=0,
               calibration="aware", general=None, fairness=None, privacy=None, chat_template=False, max_length=1024)
    assert settings.record() == old
    for name in ("device", "batch_size", "score_batch_size", "budget", "baselines", "tune_steps", "metric_facts",
                 "calibration", "data_sizes", "data_files", "objectives", "sets", "couple", "general_set",
                 *EVAL_OPTION_DEFAULTS):
        old.pop(name, None)
    assert settings.key() == sha256_json(old)
    assert RunSettings(apply_chat_template=True).key() != settings.key()
    assert RunSettings(model_args="parallelize=True").key() == settings.key()  # placement only
    assert RunSettings(model_args="revision=v2").key() != settings.key()
    assert RunSettings(baselines=("sft-privacy",)).key() != settings.key()
    assert RunSettings.with_spin(calibration="malicious").key() != settings.key()
    # the ratio rule's own values record as "not given" (None), so they keep the key; other ratios change it
    assert RunSettings.with_spin(p=1e-4).key() == RunSettings.with_spin(q=1e-4).key() == settings.key()
    assert RunSettings.with_spin(p=1e-3).record()["p"] == 1e-3 and RunSettings.with_spin(p=1e-3).key() != settings.key()
    assert RunSettings(data_sizes=(8,)).key() != settings.key()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"fewshot_as_multiturn": True}, "--fewshot-as-multiturn needs --apply-chat-template"),
    ({"model_args": "pretrained=x"}, "use --model"),
    ({"model_args": "spin_p=0.1"}, "spin-eval run's own flags"),
    ({"model_args": "revision"}, "not key=value"),
    ({"gen_kwargs": "temperature"}, "--gen-kwargs temperature"),
    ({"batch_size": "big"}, "auto or auto:N"),
    ({"num_fewshot": -1}, "--num-fewshot -1"),
])
def test_bad_options_name_the_flag(kwargs, message):
    with pytest.raises(InputError, match=message):
        RunSettings(**kwargs)


def test_evaluation_kwargs_follow_lm_eval_semantics():
    assert evaluation_kwargs(RunSettings())["fewshot_as_multiturn"] is False
    assert evaluation_kwargs(RunSettings(apply_chat_template=True))["fewshot_as_multiturn"] is True
    assert evaluation_kwargs(RunSettings(apply_chat_template="tmpl", fewshot_as_multiturn=False))[
        "fewshot_as_multiturn"] is False
    assert parse_model_args("trust_remote_code=True, revision=main") == {"revision": "main", "trust_remote_code": "True"}
