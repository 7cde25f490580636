"""spin-eval sweep on the tiny random Llama: score-once masks, resume, bad input, report, check/leaderboard."""

from __future__ import annotations

import json

import pytest
from test_pipeline_run import monkeypatch_module  # noqa: F401  (fixture)

from spin_eval.cli import main

RATIOS = "0.1,0.02,0.1"  # unsorted and repeated on purpose: sorted and de-duplicated with a note


def _args(model_dir, out, *extra):
    return ["sweep", "--model", str(model_dir), "--tasks", "spin_capability_mc_mini,spin_bbq_mini",
            "--limit", "6", "--ratios", RATIOS, "--nsamples", "3", "--batch-size", "4", "--bootstrap-iters", "0",
            "--controls", "magnitude-random,random", "-o", str(out), *extra]


@pytest.fixture(scope="module")
def finished_sweep(tiny_model_dir, tmp_path_factory, monkeypatch_module):  # noqa: F811
    """A sweep interrupted during its fourth variant, then the same command again."""
    import spin_eval.run.evaluate as run_mod  # sweep evaluates through run.evaluate.evaluate_and_record

    monkeypatch_module.setenv("SPIN_EVAL_CACHE", str(tmp_path_factory.mktemp("cache")))
    out = tmp_path_factory.mktemp("sweep") / "out"
    real = run_mod.evaluate_variant
    calls = []

    def interrupted(lm, variant, *a, **k):
        calls.append(variant.name)
        if len(calls) == 4:
            partial = out / "runs" / f".{variant.name}.partial" / "m"
            partial.mkdir(parents=True)
            (partial / "results_x.json").write_text("{")
            raise KeyboardInterrupt
        return real(lm, variant, *a, **k)

    monkeypatch_module.setattr(run_mod, "evaluate_variant", interrupted)
    assert main(_args(tiny_model_dir, out)) == 130
    first = list(calls)
    monkeypatch_module.setattr(run_mod, "evaluate_variant", real)
    resumed = []

    def tracking(lm, variant, *a, **k):
        resumed.append(variant.name)
        return real(lm, variant, *a, **k)

    monkeypatch_module.setattr(run_mod, "evaluate_variant", tracking)
    assert main(_args(tiny_model_dir, out)) == 0
    monkeypatch_module.setattr(run_mod, "evaluate_variant", real)
    return {"out": out, "first": first, "resumed": resumed}


NAMES = ["base", "spin-p0.02", "magnitude-random-p0.02", "random-p0.02", "spin-p0.1", "magnitude-random-p0.1",
         "random-p0.1"]


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_sweep_resumes_without_redoing_finished_variants(finished_sweep):
    out = finished_sweep["out"]
    assert finished_sweep["first"] == NAMES[:4]
    assert finished_sweep["resumed"] == NAMES[3:]
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert manifest["kind"] == "sweep"
    assert sorted(v for v, e in manifest["variants"].items() if e["status"] == "done") == sorted(NAMES)
    assert not list((out / "runs").glob(".*partial"))
    assert manifest["stages"]["scores"]["source"] == "scored"
    notes = manifest["sweep"]["notes"]
    assert any("repeated" in n for n in notes) and any("sorted" in n for n in notes)


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_masks_from_one_score_pass_equal_separately_built_masks(finished_sweep, tiny_model_dir):
    from spin_eval.modelspec import load_model_and_tokenizer
    from spin_eval.spin.build import build_mask
    from spin_eval.spin.config import SpinConfig
    from spin_eval.spin.io import load_mask

    out = finished_sweep["out"]
    model, tok = load_model_and_tokenizer(str(tiny_model_dir))
    for ratio in (0.02, 0.1):
        for selection, prefix in (("paper", "spin"), ("magnitude-random", "magnitude-random"), ("random", "random")):
            alone = build_mask(model, tok, SpinConfig(p=ratio, q=ratio, nsamples=3, selection=selection), progress=False)
            swept = load_mask(out / "masks" / f"{prefix}-p{ratio:g}.safetensors")
            assert swept.total > 0
            assert set(swept.indices) == set(alone.indices)
            for name in alone.indices:
                assert swept.indices[name].tolist() == alone.indices[name].tolist(), (ratio, selection, name)


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_overlaps_of_nested_ratios(finished_sweep):
    manifest = json.loads((finished_sweep["out"] / "spin-eval-run.json").read_text())
    (ov,) = manifest["sweep"]["overlaps"]
    assert (ov["a"], ov["b"]) == ("spin-p0.02", "spin-p0.1")
    assert 0.0 <= ov["jaccard"] <= 1.0 and 0.0 <= ov["contained"] <= 1.0
    points = manifest["sweep"]["points"]
    assert points[0]["weights_zeroed"]["spin-p0.02"] < points[1]["weights_zeroed"]["spin-p0.1"]
    # controls match the SPIN count
    assert points[0]["weights_zeroed"]["random-p0.02"] == points[0]["weights_zeroed"]["spin-p0.02"]


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_sweep_report_and_report_command_recognise_the_folder(finished_sweep, tmp_path):
    out = finished_sweep["out"]
    data = json.loads((out / "report.json").read_text())
    assert data["kind"] == "sweep-frontier"
    assert {p["name"] for p in data["points"]} == set(NAMES[1:])
    assert {t["curve"] for t in data["trends"]} == {"spin", "magnitude-random", "random"}
    html = (out / "report.html").read_text()
    assert "<svg" in html and "control magnitude-random" in html and "p=0.02" in html
    assert main(["report", str(out), "-o", str(tmp_path / "f.md")]) == 0
    md = (tmp_path / "f.md").read_text()
    assert "Dose-response" in md and "spin-p0.1" in md


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_one_sweep_point_is_gated_and_submitted(finished_sweep, tmp_path, capsys):
    out = finished_sweep["out"]
    from spin_eval.results.runfolder import resolve_run

    run = resolve_run(out, variant="spin-p0.1")
    assert run.spin["mode"] == "mask"
    # the same point against itself passes; a point the sweep does not have is refused, naming the points
    assert main(["check", "--baseline", str(out), "--candidate", str(out), "--variant", "spin-p0.1", "--quiet"]) == 0
    assert main(["check", "--baseline", str(out), "--candidate", str(out), "--variant", "spin-p0.5"]) == 2
    assert "spin-p0.02" in capsys.readouterr().err
    sub = tmp_path / "sub.json"
    assert main(["leaderboard", "submit", str(out), "--variant", "spin-p0.1", "-o", str(sub)]) == 0
    data = json.loads(sub.read_text())
    assert data["variants"] == ["base", "spin-p0.1"] and data["headline"]["variant"] == "spin-p0.1"


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_resume_with_other_settings_is_refused(finished_sweep, tiny_model_dir, capsys):  # noqa: F811
    out = finished_sweep["out"]
    assert main(_args(tiny_model_dir, out, "--nsamples", "2")) == 2
    assert "other settings" in capsys.readouterr().err


def test_ratio_selecting_nothing_is_reported_and_skipped(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    args = _args(tiny_model_dir, out, "--no-report", "--controls", "none")
    args[args.index("--ratios") + 1] = "1e-9,0.1"
    assert main(args) == 0
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert list(manifest["variants"]) == ["base", "spin-p0.1"]
    assert any("p=1e-09" in n and "nothing" in n for n in manifest["sweep"]["notes"])


@pytest.mark.slow  # >10 CPU-s: lm-eval / torchrun end to end (SPIN_EVAL_CPU_DURATIONS)
def test_from_scores_of_another_calibration_set_is_refused(tiny_model_dir, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    scores = tmp_path / "scores"
    assert main(["mask", "build", "--model", str(tiny_model_dir), "--nsamples", "2", "--p", "0.1",
                 "--save-scores", str(scores), "-o", str(tmp_path / "m.safetensors")]) == 0
    (score_file,) = scores.glob("*.safetensors")
    out = tmp_path / "out"
    assert main(_args(tiny_model_dir, out, "--from-scores", str(score_file))) == 2
    assert "config.nsamples" in capsys.readouterr().err
    # the same scoring settings are accepted and reused
    out = tmp_path / "out2"
    args = _args(tiny_model_dir, out, "--from-scores", str(score_file), "--no-report", "--controls", "none")
    args[args.index("--nsamples") + 1] = "2"
    args[args.index("--ratios") + 1] = "0.1"
    assert main(args) == 0
    manifest = json.loads((out / "spin-eval-run.json").read_text())
    assert manifest["stages"]["scores"]["source"] == "from-scores"


@pytest.mark.parametrize("ratios", ["0", "1.5", "abc", ""])
def test_bad_ratios_are_refused(ratios, tmp_path, capsys):
    code = None
    try:
        code = main(["sweep", "--ratios", ratios, "-o", str(tmp_path / "o")])
    except SystemExit as exc:  # argparse type errors exit 2
        code = exc.code
    assert code == 2


@pytest.mark.slow
def test_sweep_with_a_baseline_shows_it_as_a_reference_point(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    from spin_eval.results import load_run

    monkeypatch.setenv("SPIN_EVAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "sweep"
    args = ["sweep", "--model", str(tiny_model_dir), "--tasks", "spin_bbq_mini", "--limit", "4", "--ratios", "0.1",
            "--nsamples", "3", "--batch-size", "4", "--bootstrap-iters", "0", "--controls", "none",
            "--baselines", "sft-privacy", "--tune-steps", "2", "-o", str(out)]
    assert main(args) == 0
    report = json.loads((out / "report.json").read_text())
    assert [p["name"] for p in report["references"]] == ["sft-privacy"]
    assert [p["name"] for p in report["points"]] == ["spin-p0.1"] and not report["unevaluated"]
    docs = {n: sorted(load_run(out / "runs" / n).samples["spin_bbq_mini"]["none"]) for n in ("base", "sft-privacy")}
    assert docs["base"] == docs["sft-privacy"]
    assert "reference: sft-privacy" in (out / "report.md").read_text()
