"""--metric-facts on the leaderboard: a submission records the facts its numbers used, a board ranks only
submissions made with its own facts, and the board names each task set's data sources."""

from __future__ import annotations

import json

import pytest
from run_fixtures import write_fake_suite_run

from spin_eval.cli import main
from spin_eval.metrics import catalog

BASE = {"capability": 0.6, "leak": 0.5, "refusal": 0.1, "bias": 0.2}
FACT = {"task": "my_tox", "metric": "toxic_rate", "family": "fairness", "direction": "lower",
        "aggregation": "mean", "headline": False, "points": True}


@pytest.fixture(autouse=True)
def fresh_user_facts(monkeypatch):
    monkeypatch.setattr(catalog, "_USER", {})


def _submit(tmp_path, name, *, facts=None):
    run = write_fake_suite_run(tmp_path / f"run-{name}", base=BASE,
                               spin={"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1})
    if facts is not None:  # recorded by 'spin-eval run --metric-facts'
        manifest_file = run / "spin-eval-run.json"
        manifest = json.loads(manifest_file.read_text())
        manifest["settings"] = {"metric_facts": facts}
        manifest_file.write_text(json.dumps(manifest))
    out = tmp_path / f"{name}.json"
    assert main(["leaderboard", "submit", str(run), "-o", str(out), "--name", name]) == 0
    catalog._USER.clear()  # one process per command in real use
    return out


def test_board_ranks_only_submissions_with_its_facts(tmp_path, capsys):
    with_facts = _submit(tmp_path, "with", facts=[FACT])
    plain = _submit(tmp_path, "plain")
    assert json.loads(with_facts.read_text())["metric_facts"] == [FACT]
    assert "metric_facts" not in json.loads(plain.read_text())
    facts_file = tmp_path / "facts.yaml"
    facts_file.write_text(json.dumps([FACT]))

    assert main(["leaderboard", "build", str(with_facts), str(plain), "-o", str(tmp_path / "b1")]) == 0
    board = json.loads((tmp_path / "b1" / "leaderboard.json").read_text())
    assert [e["name"] for e in board["entries"]] == ["plain"]
    err = capsys.readouterr().err
    assert "its metric facts (my_tox/toxic_rate) differ from the board's (none)" in err

    catalog._USER.clear()
    assert main(["leaderboard", "build", str(with_facts), str(plain), "-o", str(tmp_path / "b2"),
                 "--metric-facts", str(facts_file)]) == 0
    board = json.loads((tmp_path / "b2" / "leaderboard.json").read_text())
    assert [e["name"] for e in board["entries"]] == ["with"]
    assert board["groups"][0]["metric_facts"] == [FACT]
    assert "its metric facts (none) differ from the board's (my_tox/toxic_rate)" in capsys.readouterr().err
    sources = {s["task"]: s["kind"] for s in board["groups"][0]["sources"]}
    assert sources and set(sources.values()) == {"shipped"}
    assert "Metric facts: <code>my_tox/toxic_rate</code>" in (tmp_path / "b2" / "leaderboard.html").read_text()


def test_submit_refuses_facts_contradicting_the_catalog(tmp_path, capsys):
    run = write_fake_suite_run(tmp_path / "run", base=BASE, spin=BASE)
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps([{**FACT, "task": "spin_bbq_mini", "metric": "s_amb", "direction": "lower"}]))
    assert main(["leaderboard", "submit", str(run), "-o", str(tmp_path / "s.json"), "--metric-facts", str(bad)]) == 2
    assert "but the catalog has" in capsys.readouterr().err


def test_verify_refuses_other_facts(tmp_path, capsys):
    plain = _submit(tmp_path, "plain")
    facts_file = tmp_path / "facts.yaml"
    facts_file.write_text(json.dumps([FACT]))
    assert main(["leaderboard", "verify", str(plain), "--metric-facts", str(facts_file)]) == 2
    assert "its metric facts (none) differ from --metric-facts' (my_tox/toxic_rate)" in capsys.readouterr().err
