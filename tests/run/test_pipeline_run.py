"""spin-eval run end to end on the tiny random Llama: stages, masks, results layout, resume, check, leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_fixtures import QUESTIONS, write_mc_task

from spin_eval.cli import main
from spin_eval.errors import InputError


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory) -> Path:
    return write_mc_task(tmp_path_factory.mktemp("pipetasks"), "pipetest_mc", QUESTIONS)


def _args(model_dir, task_dir, out, *extra):
    return ["run", "--model", str(model_dir), "--tasks", "pipetest_mc", "--include-path", str(task_dir),
            "--limit", "6", "--p", "0.05", "--q", "0.05", "--nsamples", "3", "--batch-size", "4",
            "--bootstrap-iters", "0", "--controls", "magnitude-random,random", "-o", str(out), *extra]


@pytest.fixture(scope="module")
def finished_run(tiny_model_dir, task_dir, tmp_path_factory, monkeypatch_module):
    """An interrupted run (Ctrl-C during the third variant), then the same command again to resume it."""
    import spin_eval.run.evaluate as run_mod

    monkeypatch_module.setenv("SPIN_EVAL_CACHE", str(tmp_path_factory.mktemp("cache")))
    out = tmp_path_factory.mktemp("run") / "out"
    real = run_mod.evaluate_variant
    calls = []

    def interrupted(lm, variant, *a, **k):
        calls.append(variant.name)
        if variant.name == "control-magnitude-random":
            # Part of lm-eval's output exists when the user presses Ctrl-C.
            partial = out / "runs" / f".{variant.name}.partial" / "m"
            partial.mkdir(parents=True)
            (partial / "results_x.json").write_text("{")
            raise KeyboardInterrupt
        return real(lm, variant, *a, **k)

    monkeypatch_module.setattr(run_mod, "evaluate_variant", interrupted)
    assert main(_args(tiny_model_dir, task_dir, out)) == 130
    assert calls == ["base", "spin", "control-magnitude-random"]
    first_base = sorted((out / "runs" / "base").glob("*/results_*.json"))
    assert not (out / "runs" / "control-magnitude-random").exists()

    monkeypatch_module.setattr(run_mod, "evaluate_variant", real)
    resumed = []

    def tracking(lm, variant, *a, **k):
        resumed.append(variant.name)
        return real(lm, variant, *a, **k)

    monkeypatch_module.setattr(run_mod, "evaluate_variant", tracking)
    assert main(_args(tiny_model_dir, task_dir, out)) == 0
    monkeypatch_module.setattr(run_mod, "evaluate_variant", real)
    return {"out": out, "resumed": resumed, "first_base": first_base}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_resume_skips_finished_variants(finished_run):
    out = finished_run["out"]
    assert finished_run["resumed"] == ["control-magnitude-random", "control-random"]
    assert sorted((out / "runs" / "base").glob("*/results_*.json")) == finished_run["first_base"]
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert {v: e["status"] for v, e in manifest["variants"].items()} == {
        "base": "done", "spin": "done", "control-magnitude-random": "done", "control-random": "done"}
    assert not list((out / "runs").glob(".*partial"))
    assert manifest["stages"]["report"]["status"] == "done"


def test_report_compares_all_variants(finished_run):
    out = finished_run["out"]
    report = json.loads((out / "report.json").read_text())
    text = json.dumps(report)
    for name in ("base", "spin", "control-magnitude-random", "control-random"):
        assert name in text
    assert (out / "report.html").stat().st_size > 0 and (out / "report.md").is_file()


def test_results_record_the_applied_mask(finished_run):
    from spin_eval.results.runfolder import resolve_run
    from spin_eval.spin.io import file_sha256, load_mask

    out = finished_run["out"]
    base = resolve_run(out, variant="base")
    assert base.spin["mode"] == "none"
    assert base.raw["config"]["model_args"].endswith("spin=none")
    assert base.fingerprint and base.fingerprint == resolve_run(out, variant="spin").fingerprint
    spin_mask = load_mask(out / "masks" / "spin.safetensors")
    assert spin_mask.total > 0
    for name in ("spin", "control-magnitude-random", "control-random"):
        run = resolve_run(out, variant=name)
        mask_file = out / "masks" / f"{name}.safetensors"
        assert run.spin["mode"] == "mask"
        assert run.spin["mask_sha256"] == file_sha256(mask_file)
        assert f"mask={mask_file.resolve()}" in run.raw["config"]["model_args"]
        assert run.samples["pipetest_mc"], "samples must be logged"
        docs = run.samples["pipetest_mc"]["none"]
        assert len(docs) == 6
        # --limit 6 of 8 documents: spread over the file, not lm-eval's first six
        assert sorted(r.doc_id for r in docs.values()) == [0, 2, 3, 4, 6, 7]
        # controls zero exactly as many weights per matrix as SPIN
        assert load_mask(mask_file).counts == spin_mask.counts
    assert load_mask(out / "masks" / "control-random.safetensors").metadata["selection"] == "random"


def test_rerun_skips_everything_and_settings_change_is_refused(finished_run, tiny_model_dir, task_dir, capsys):
    import spin_eval.run.settings as run_mod

    out = finished_run["out"]
    assert main(_args(tiny_model_dir, task_dir, out, "--no-report")) == 0
    err = capsys.readouterr().err
    assert err.count("(skipped)") == 5  # masks + four variants (the report is not asked for)
    code = main(_args(tiny_model_dir, task_dir, out, "--no-report", "--seed", "1"))
    assert code == 2
    assert "other settings" in capsys.readouterr().err
    with pytest.raises(InputError):
        run_mod.RunSettings(controls=("bogus",))


def test_check_identical_runs_pass_and_bad_input(finished_run, capsys, tmp_path):
    out = finished_run["out"]
    junit = tmp_path / "j.xml"
    assert main(["check", "--baseline", str(out), "--candidate", str(out), "--junit", str(junit)]) == 0
    assert "PASS" in capsys.readouterr().out
    assert 'failures="0"' in junit.read_text()
    assert main(["check", "--baseline", str(out), "--candidate", str(out), "--variant", "nope"]) == 2
    # metric changes allowed, so only the fingerprint policy can fail these two checks
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("default: {max_regression: 1.0e9}\n")
    # base (no mask) against spin: the fingerprint is recorded for unmasked variants too
    code = main(["check", "--baseline", str(out), "--baseline-variant", "base", "--candidate", str(out),
                 "--policy", str(lenient)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "PASS    policy: same model fingerprint" in text
    # the controls were built from the same weights: the fingerprint policy holds across variants
    code = main(["check", "--baseline", str(out), "--baseline-variant", "spin", "--candidate", str(out),
                 "--variant", "control-random", "--policy", str(lenient)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "PASS    policy: same model fingerprint" in text


def test_check_fails_when_mask_overlap_too_small(finished_run, tmp_path, capsys):
    out = finished_run["out"]
    policy = tmp_path / "p.yaml"
    policy.write_text("min_mask_jaccard: 0.9\ndefault: {max_regression: 1.0}\n")
    code = main(["check", "--baseline", str(out), "--baseline-variant", "spin", "--candidate", str(out),
                 "--variant", "control-random", "--policy", str(policy)])
    text = capsys.readouterr().out
    assert code == 1
    assert "mask overlap (Jaccard)" in text


def test_leaderboard_submit_from_real_run(finished_run, tmp_path):
    out = finished_run["out"]
    sub = tmp_path / "s.json"
    assert main(["leaderboard", "submit", str(out), "-o", str(sub), "--embed-mask"]) == 0
    doc = json.loads(sub.read_text())
    assert doc["variants"] == ["base", "control-magnitude-random", "control-random", "spin"]
    assert doc["mask"]["sha256"] and doc["mask"]["file_base64"]
    assert doc["tasks"]["pipetest_mc"]["hash"]
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "board")]) == 0


def test_spread_indices_cover_the_whole_range():
    from spin_eval.run.documents import spread_indices

    assert spread_indices(10, 5) == [1, 3, 5, 7, 9]
    assert spread_indices(3, 5) == [0, 1, 2]
    picked = spread_indices(216, 60)
    assert len(set(picked)) == 60 and picked[0] < 4 and picked[-1] > 211


def test_select_documents_uses_gen_limit_for_generation_tasks():
    from spin_eval.run.documents import select_documents

    class FakeTask:
        def __init__(self, n, kind):
            self.eval_docs = list(range(n))
            self.OUTPUT_TYPE = kind

    class FakeManager:
        def load(self, names):
            return {"tasks": {"mc": FakeTask(100, "multiple_choice"), "gen": FakeTask(50, "generate_until")}}

    docs = select_documents(FakeManager(), ("suite",), 30, 8)
    assert len(docs["mc"]) == 30 and len(docs["gen"]) == 8
    docs = select_documents(FakeManager(), ("suite",), 0.5, None)
    assert len(docs["mc"]) == 50 and docs["gen"] == list(range(50))
    assert select_documents(FakeManager(), ("suite",), None, None) is None


def test_budget_plans_documents_from_a_timed_pilot_and_limit_overrides_it(tiny_model_dir, task_dir, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    base = ["run", "--model", str(tiny_model_dir), "--tasks", "pipetest_mc", "--include-path", str(task_dir),
            "--p", "0.05", "--q", "0.05", "--nsamples", "3", "--batch-size", "4", "--bootstrap-iters", "0",
            "--controls", "random"]
    out = tmp_path / "budget"
    assert main([*base, "--budget", "30", "-o", str(out)]) == 0
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    plan = manifest["stages"]["budget"]
    assert plan["status"] == "done" and plan["costs"][0]["task"] == "pipetest_mc"
    assert plan["costs"][0]["seconds_per_doc"] > 0 and plan["documents"]["pipetest_mc"] == list(range(len(QUESTIONS)))
    report = json.loads((out / "report.json").read_text())
    assert "allocated by --budget" in report["evaluation"]["runs"][0]["documents"]
    assert all(c["ci_half_width"] is not None for c in report["answer"]["sensitivity"])
    out2 = tmp_path / "limited"
    assert main([*base, "--budget", "30", "--limit", "4", "-o", str(out2)]) == 0
    manifest = json.loads((out2 / "spin-eval-run.json").read_text())
    assert "budget" not in manifest["stages"] and manifest["settings"]["budget"] is None
