"""--suite embedded|public, --tasks on top, and unknown task names answered with close matches."""

from __future__ import annotations

import pytest

from spin_eval.errors import InputError
from spin_eval.metrics import catalog
from spin_eval.suites import SUITES, combine, suite_tasks, unknown_task_message


def test_suites_and_tasks_combine():
    assert combine(None, None) == ("spin_suite",)
    assert combine(None, ("bbq",)) == ("bbq",)
    assert combine("embedded", ("bbq", "spin_suite")) == ("spin_suite", "bbq")
    public = combine("public", ("boolq",))
    assert public[-1] == "boolq" and "mmlu" in public and "bbq" in public
    with pytest.raises(InputError, match="--suite nope: unknown suite; use one of embedded, public"):
        suite_tasks("nope")


def test_every_public_suite_task_is_in_the_catalog_with_its_family():
    for family, tasks in SUITES["public"].items():
        for task in tasks:
            infos = [m for m in catalog.all_metrics() if m.task == task]
            assert infos and all(m.family == family for m in infos), task
    heads = {m.family for t in suite_tasks("public") for m in catalog.all_metrics() if m.task == t and m.headline}
    assert heads == {"fairness", "privacy", "overrefusal", "capability"}


def test_unknown_task_lists_close_matches():
    msg = unknown_task_message(["hellaswg", "zzzz"], ["hellaswag", "hellaswag_ar", "bbq", "spin_bbq"])
    assert msg.startswith("--tasks: unknown task or group hellaswg (did you mean hellaswag, hellaswag_ar?); zzzz;")
    assert "\n" not in msg


def test_check_tasks_exist_uses_lm_evals_index():
    from spin_eval.run.evaluate import check_tasks_exist

    class Manager:
        all_tasks = ["arc_challenge", "arc_easy", "spin_bbq"]

    check_tasks_exist(Manager(), ("arc_easy",))
    with pytest.raises(InputError, match=r"arc_chalenge \(did you mean arc_challenge"):
        check_tasks_exist(Manager(), ("arc_chalenge",))


def test_run_cli_takes_suite(monkeypatch):
    from spin_eval.cli import run as cli_run

    seen = {}

    def fake_pipeline(settings, out, **kw):
        seen["tasks"] = settings.tasks
        raise SystemExit(0)

    monkeypatch.setattr("spin_eval.run.main.run_pipeline", fake_pipeline)
    monkeypatch.setattr(cli_run, "_preflight", lambda settings: None)
    import argparse

    parser = argparse.ArgumentParser()
    cli_run.register(parser.add_subparsers())
    args = parser.parse_args(["run", "--suite", "public", "--tasks", "boolq", "-o", "x"])
    with pytest.raises(SystemExit):
        cli_run.handle(args)
    assert seen["tasks"] == (*suite_tasks("public"), "boolq")
