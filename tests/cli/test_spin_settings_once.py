"""SPIN settings are declared once (``spin_eval.spin.settings``): every command's parser is walked, and a SPIN
flag that a command declares by hand (not through ``add_setting_arguments``) fails the test. Metadata is read
back through ``SpinConfig.from_dict``, which names unknown keys instead of dropping them."""

from __future__ import annotations

import argparse

import pytest

from spin_eval.cli import build_parser
from spin_eval.errors import InputError
from spin_eval.spin.config import SpinConfig
from spin_eval.spin.settings import flag_name, setting_fields

#: Commands whose flags of the same spelling are settings of their own, not SPIN's (why, per flag).
OWN_SETTINGS = {
    ("tune", "--nsamples"): "rows of fine-tuning data (TuneConfig)",
    ("tune", "--seed"): "fine-tuning seed (TuneConfig)",
    ("tune", "--max-length"): "fine-tuning token limit (TuneConfig)",
    ("tune", "--chat-template"): "fine-tuning prompt format (TuneConfig)",
    ("tune", "--batch-size"): "fine-tuning batch size (TuneConfig)",
    ("tasks generate", "--seed"): "the task data generator's seed",
    ("report", "--seed"): "the report's resampling seed",
    ("leaderboard verify", "--seed"): "the draw of documents to re-evaluate",
}
SPIN_FLAGS = {flag_name(name) for name in setting_fields()} | {"--score-batch-size"}


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    actions = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, path + (name,))
        else:
            actions.append(action)
    if path:
        yield " ".join(path), actions


COMMANDS = dict(_commands(build_parser()))


def _hand_declared(command: str, actions: list[argparse.Action]) -> list[str]:
    """SPIN flags of ``command`` that do not come from ``add_setting_arguments`` (dest ``setting_<field>``)."""
    renamed_batch = any(a.dest == "setting_batch_size" and "--batch-size" not in a.option_strings for a in actions)
    out = []
    for action in actions:
        for flag in action.option_strings:
            if flag not in SPIN_FLAGS or action.dest.startswith("setting_") or (command, flag) in OWN_SETTINGS:
                continue
            if flag == "--batch-size" and renamed_batch:  # lm-eval's batch size; SPIN's is --score-batch-size
                continue
            out.append(f"{command} {flag} (dest {action.dest})")
    return out


def test_the_walk_sees_every_command_that_takes_spin_settings():
    takes = {c for c, actions in COMMANDS.items() if any(a.dest.startswith("setting_") for a in actions)}
    assert {"run", "sweep", "mask build", "mask plan"} <= takes


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_command_declares_a_spin_flag_by_hand(command):
    assert _hand_declared(command, COMMANDS[command]) == []


def test_the_walk_catches_a_hand_declared_flag():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nsamples", type=int, default=32)
    parser.add_argument("--score-batch-size", dest="setting_batch_size", type=int)
    parser.add_argument("--batch-size", type=int, default=8)
    assert _hand_declared("x", parser._actions) == ["x --nsamples (dest nsamples)"]


def test_run_and_sweep_take_the_same_spin_flags():
    def spin_flags(command):
        return {f for a in COMMANDS[command] if a.dest.startswith("setting_") for f in a.option_strings}

    # the sweep's grid replaces --p/--q and its SPIN points are the paper selection
    assert spin_flags("sweep") == spin_flags("run") - {"--p", "--q", "--selection"}
    assert {"--chat-template", "--max-length", "--score-batch-size"} <= spin_flags("sweep")


def test_sweep_batch_size_takes_auto():
    args = build_parser().parse_args(["sweep", "--batch-size", "auto", "--max-length", "512", "--chat-template"])
    assert (args.batch_size, args.setting_max_length, args.setting_chat_template) == ("auto", 512, True)


def test_from_dict_names_unknown_keys_and_ignores_the_legacy_batch_size():
    config = SpinConfig(p=1e-4, q=1e-4, nsamples=8)
    assert SpinConfig.from_dict({**config.to_dict(), "batch_size": 4}) == config
    with pytest.raises(InputError, match="unknown key.*nsample_count"):
        SpinConfig.from_dict({**config.to_dict(), "nsample_count": 8})
