"""The report names where each task's data comes from (shipped, local files, hub id and revision, licence)
and shows metrics without facts as not in the tax."""

from __future__ import annotations

import json

from spin_eval.paths import tasks_dir
from spin_eval.report import Settings, compare_runs, load_run, render_report
from spin_eval.results.sources import data_source


def test_data_source_of_each_kind():
    shipped = str(tasks_dir())
    hub = data_source("bbq", {"dataset_path": "oskarvanderwal/bbq", "dataset_name": "All"}, shipped)
    assert (hub.kind, hub.where, hub.revision, hub.licence) == ("hub", "oskarvanderwal/bbq (All)", "unpinned", "CC-BY-4.0")
    pinned = data_source("x", {"dataset_path": "org/data", "dataset_kwargs": {"revision": "abc123"}}, shipped)
    assert (pinned.revision, pinned.licence) == ("abc123", "unknown")
    local = data_source("bbq", {"dataset_path": "json", "dataset_kwargs": {"data_files": {"test": "/d/Age.jsonl"}}},
                        shipped)
    assert (local.kind, local.where) == ("local", "/d/Age.jsonl")
    own = data_source("spin_pii_leakage", {"dataset_path": "json", "dataset_kwargs": {
        "data_files": {"test": f"{shipped}/spin_pii_leakage/spin_pii_leakage.jsonl"}}}, shipped)
    assert own.kind == "shipped"
    by_source = data_source("spin_bbq", {"dataset_path": "json", "metadata": {
        "config_source": f"{shipped}/spin_bbq/spin_bbq.yaml", "data_files": "/mine/bbq.jsonl"}}, shipped)
    assert by_source.kind == "local"  # the user's --metadata data_files, not the shipped file


def test_report_lists_sources_when_a_task_is_not_shipped(fixture_runs):
    settings = Settings(n_resamples=50, seed=0)
    runs = [load_run(fixture_runs[n]) for n in ("base", "spin")]
    md = render_report(compare_runs(runs, "base", settings=settings), "md")
    assert "### Data sources" not in md  # the embedded default: every task shipped, no table
    for name in ("base", "spin"):
        results = next(fixture_runs[name].rglob("results_*.json"))
        data = json.loads(results.read_text())
        data["configs"]["spin_bbq_mini"]["dataset_kwargs"] = {"data_files": {"test": "/data/BBQ/Age.jsonl"}}
        results.write_text(json.dumps(data))
    comparison = compare_runs([load_run(fixture_runs[n]) for n in ("base", "spin")], "base", settings=settings)
    md = render_report(comparison, "md")
    assert "### Data sources" in md and "| spin_bbq_mini | local | /data/BBQ/Age.jsonl |" in md
    assert "| spin_pii_leakage_mini | shipped |" in md
    html = render_report(comparison, "html")
    assert 'id="data-sources"' in html and "/data/BBQ/Age.jsonl" in html
    assert json.loads(render_report(comparison, "json"))["data_sources"][0]["task"]


def test_shipped_yaml_with_relative_files_is_shipped_on_any_machine():
    config = {"dataset_path": "json", "dataset_kwargs": {"data_files": "spin_pii_leakage.jsonl"},
              "metadata": {"config_source": "/elsewhere/site-packages/spin_eval/_tasks/spin_pii_leakage/x.yaml"}}
    assert data_source("spin_pii_leakage", config, str(tasks_dir())).kind == "shipped"
    mine = {"dataset_path": "json", "dataset_kwargs": {"data_files": "mine.jsonl"},
            "metadata": {"config_source": "/home/me/tasks/my_task.yaml"}}
    assert data_source("my_task", mine, str(tasks_dir())).kind == "local"


def test_metrics_without_facts_are_shown_not_in_the_tax(tmp_path):

    from run_fixtures import write_fake_run

    runs = []
    for name, values in (("base", [1.0, 0.0, 1.0, 1.0]), ("spin", [0.0, 0.0, 1.0, 0.0])):
        folder = tmp_path / name
        write_fake_run(folder, {"my_task": {"score": values}, "spin_capability_mc_mini": {"acc": values}},
                       mode="none" if name == "base" else "mask")
        runs.append(load_run(folder))
    comparison = compare_runs(runs, "base", settings=Settings(n_resamples=50, seed=0))
    md = render_report(comparison, "md")
    assert "Other: not in the tax (no facts)" in md and "my_task" in md
    row = next(r for r in comparison.rows if r.task == "my_task")
    assert row.family == "other" and not row.headline
    assert any("my_task" in n and "not in the tax (no facts)" in n for n in comparison.notes)


def test_summary_line_names_metrics_without_facts(tmp_path):

    from run_fixtures import write_fake_run

    from spin_eval.results.nofacts import summary_line

    write_fake_run(tmp_path / "a", {"my_task": {"score": [1.0, 0.0]}, "spin_capability_mc_mini": {"acc": [1.0, 0.0]}})
    line = summary_line(load_run(tmp_path / "a"))
    assert line.startswith("not in the tax (no facts): my_task/score;")
    write_fake_run(tmp_path / "b", {"spin_capability_mc_mini": {"acc": [1.0, 0.0]}})
    assert summary_line(load_run(tmp_path / "b")) is None
