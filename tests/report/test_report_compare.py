"""Reports from fixture runs written in lm-eval's format: loading, numbers, formats, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from report_fixtures import SCRIPT_ANSWER, build_fixture_runs, spin_block, write_run

from spin_eval import stats
from spin_eval.cli import main as cli_main
from spin_eval.errors import InputError
from spin_eval.metrics.catalog import metric_info
from spin_eval.report import Settings, compare_runs, load_run, render_report, write_report
from spin_eval.report.context import fmt_ci, fmt_signed
from spin_eval.results.numbers import fmt_ratio
from spin_eval.results.paired import task_seed as _task_seed

FAST = Settings(n_resamples=300, seed=0)


def _load(runs: dict[str, Path]):
    return [load_run(runs[n]) for n in ("base", "spin", "random")]


def _samples(folder: Path, task: str) -> list[dict]:
    """Logged samples in the report's pairing order (sorted by doc_hash)."""
    (file,) = folder.glob(f"*/samples_{task}_*.jsonl")
    return sorted((json.loads(line) for line in file.read_text().splitlines()), key=lambda s: s["doc_hash"])


def test_load_run_accepts_output_folder_model_folder_and_results_file(fixture_runs):
    out = fixture_runs["spin"]
    (model_dir,) = [d for d in out.iterdir() if d.is_dir()]
    (results,) = model_dir.glob("results_*.json")
    a, b, c = load_run(out), load_run(model_dir), load_run(results)
    assert a.path == b.path == c.path == str(results)
    assert a.name == b.name == "spin"  # the folder the user named, not lm-eval's sanitized sub-folder
    assert a.spin["mask_metadata"]["selection"] == "paper"
    assert set(a.samples) == {"spin_bbq_mini", "spin_pii_leakage_mini", "spin_capability_mc_mini"}
    assert len(a.samples["spin_bbq_mini"]["none"]) == 160
    assert a.metrics["spin_capability_mc_mini"]["acc,none"] == pytest.approx(83 / 160)


def test_load_run_errors_name_the_path(tmp_path):
    with pytest.raises(InputError, match="no results_"):
        load_run(tmp_path)
    bad = tmp_path / "m" / "results_2026.json"
    bad.parent.mkdir()
    bad.write_text("{not json")
    with pytest.raises(InputError, match="results_2026.json: not valid JSON"):
        load_run(tmp_path)


def test_deltas_equal_the_stats_functions(fixture_runs):
    comp = compare_runs(_load(fixture_runs), "base", settings=FAST)
    # capability: 0/1 scores -> paired bootstrap of the mean + exact McNemar
    a = [s["acc"] for s in _samples(fixture_runs["base"], "spin_capability_mc_mini")]
    b = [s["acc"] for s in _samples(fixture_runs["spin"], "spin_capability_mc_mini")]
    row = next(r for r in comp.rows if r.task == "spin_capability_mc_mini")
    d = row.deltas["spin"]
    boot = stats.paired_bootstrap(a, b, metric_info("spin_capability_mc_mini", "acc").aggregate,
                                  n_resamples=300, seed=_task_seed(0, "spin_capability_mc_mini"))
    assert d.delta == pytest.approx(-10 / 160) == pytest.approx(boot.delta)
    assert (d.ci_low, d.ci_high) == pytest.approx((boot.ci_low, boot.ci_high))
    assert d.source == "paired-samples" and d.n_paired == 160
    assert d.p_value == pytest.approx(stats.mcnemar_exact(a, b))  # 10 discordant, all one way: 2/2**10
    assert d.p_value == pytest.approx(2 / 2**10) and d.significant and d.mark == "**"
    # BBQ bias score (records, zero-best): bootstrap with the catalog's aggregate
    ra = [s["s_amb"] for s in _samples(fixture_runs["base"], "spin_bbq_mini")]
    rb = [s["s_amb"] for s in _samples(fixture_runs["spin"], "spin_bbq_mini")]
    srow = next(r for r in comp.rows if r.task == "spin_bbq_mini" and r.metric == "s_amb")
    sboot = stats.paired_bootstrap(ra, rb, metric_info("spin_bbq_mini", "s_amb").aggregate,
                                   n_resamples=300, seed=_task_seed(0, "spin_bbq_mini"))
    sd = srow.deltas["spin"]
    assert (sd.delta, sd.ci_low, sd.ci_high) == pytest.approx((sboot.delta, sboot.ci_low, sboot.ci_high))
    assert srow.direction == "zero" and srow.headline and sd.improvement > 0
    # identical documents in the control for capability: delta 0, p = 1
    assert row.deltas["random"].delta == 0.0 and row.deltas["random"].p_value == 1.0
    # per-category rows are details (no CI), their values are in the breakdowns
    detail = next(r for r in comp.rows if r.metric == "s_amb_age")
    assert detail.detail and detail.deltas["spin"].source == "detail" and detail.deltas["spin"].ci_low is None


def test_alignment_tax_and_verdicts(fixture_runs):
    comp = compare_runs(_load(fixture_runs), "base", settings=FAST)
    tax = {t.variant: t for t in comp.tax}
    spin = tax["spin"]
    assert spin.kind == "spin" and tax["random"].kind == "control"
    assert spin.capability.points == pytest.approx(-6.25)
    # 30 leaks stopped; the privacy headline counts the pairs that became right on both sides
    from spin_eval.metrics.privacy import pair_score

    base_recs, spin_recs = ([s["pair_score"] for s in _samples(fixture_runs[n], "spin_pii_leakage_mini")]
                            for n in ("base", "spin"))
    gained = (pair_score(spin_recs) - pair_score(base_recs)) * 100
    assert gained > 0 and spin.privacy.points == pytest.approx(gained)
    base_s = comp.rows[0].values  # s_amb first in the fairness block
    assert comp.rows[0].metric == "s_amb"
    fair = abs(base_s["base"].value) * 100 - abs(base_s["spin"].value) * 100
    assert spin.fairness.points == pytest.approx(fair)
    assert spin.trust.points == pytest.approx((fair + gained) / 2)
    assert spin.tax_per_point == pytest.approx(6.25 / spin.trust.points)
    assert spin.tax_ci_low < spin.tax_per_point < spin.tax_ci_high
    assert tax["random"].capability.points == 0.0
    leak = next(v for v in comp.verdicts if v.metric.startswith("spin_pii_leakage_mini/leak_rate"))
    assert leak.spin == "spin" and leak.control == "random" and leak.significant
    assert "differs significantly from control random" in leak.text
    s_dis = next(v for v in comp.verdicts if "/s_dis," in v.metric)
    # no difference and no change from the baseline: nothing shows the control reproduces an effect
    assert not s_dis.significant and s_dis.outcome == "undetermined" and "undetermined at this sample size" in s_dis.text


def test_breakdowns_flips_and_mask_panel(fixture_runs):
    comp = compare_runs(_load(fixture_runs), "base", settings=FAST)
    pairs = next(b for b in comp.breakdowns if b.metric == "pair_score")  # the privacy headline
    assert pairs.fields == ["pii_type", "attack_style"]
    assert pairs.rows == ["email / direct", "email / roleplay", "phone / direct", "phone / roleplay"]
    recs = [s["pair_score"] for s in _samples(fixture_runs["spin"], "spin_pii_leakage_mini")]
    cell = [r for r in recs if r["pii_type"] == "email" and r["attack_style"] == "direct"]
    both = {}
    for r in cell:
        both.setdefault(r["pair"], []).append(r["correct"])
    assert pairs.values["email / direct"]["spin"] == pytest.approx(np.mean([min(v) for v in both.values()]))
    assert sum(pairs.counts.values()) == 160
    bbq = next(b for b in comp.breakdowns if b.metric == "s_amb")
    assert bbq.fields == ["category"] and bbq.rows == ["age", "gender_identity"]
    flips = {(f.variant, f.task): f for f in comp.flips}
    cap = flips[("spin", "spin_capability_mc_mini")]
    assert (cap.n_changed, cap.n_better, cap.n_worse, len(cap.shown)) == (10, 0, 10, 10)
    bq = flips[("spin", "spin_bbq_mini")]
    assert bq.n_changed == 30 and bq.n_better == 30
    assert bq.shown[0].variant_answer == SCRIPT_ANSWER
    assert comp.masks.variants == ["spin", "random"]
    assert sum(m.count for m in comp.masks.layers["spin"]) == 64
    assert comp.masks.overlap["spin"]["random"] is None  # no mask files on disk


def test_mask_overlap_from_mask_files(fixture_runs, tmp_path):
    torch = pytest.importorskip("torch")
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask

    name = "model.layers.0.mlp.up_proj.weight"
    files = {}
    for var, idx in (("spin", [0, 1, 2, 3]), ("random", [2, 3, 4, 5, 6, 7])):
        path = tmp_path / f"{var}.safetensors"
        meta = {"spin_eval_version": "0.1.0", "model_name": "tiny", "model_fingerprint": "f" * 64, "p": 0.01,
                "q": 0.01, "target": "mlp", "selection": var, "score_kind": "grad", "calibration": {}}
        save_mask(SpinMask({name: torch.tensor(idx, dtype=torch.int64)}, {name: (8, 8)}, meta), path)
        files[var] = path
    runs = _load(fixture_runs)
    for run in runs[1:]:
        run.mask_file = str(files[run.name])
    comp = compare_runs(runs, "base", settings=FAST)
    assert comp.masks.notes == []
    assert comp.masks.overlap["spin"]["random"] == pytest.approx(2 / 8)
    (cell,) = comp.masks.layers["spin"]
    assert (cell.layer, cell.module, cell.count, cell.numel) == ("0", "up_proj", 4, 64)
    html = render_report(comp, "html")
    assert "0.250" in html and "weights zeroed per layer and module" in html


def test_mask_margins_shown_in_the_report(fixture_runs, tmp_path):
    """A mask's top-k boundaries closer than the scoring precision are named in the HTML and Markdown report,
    in the wording of `spin-eval mask info`; a mask without recorded margins adds no note."""
    torch = pytest.importorskip("torch")
    from spin_eval.spin.io import save_mask
    from spin_eval.spin.mask import SpinMask

    name = "model.layers.0.mlp.up_proj.weight"
    margins = {name: {"general": {"gap": 0.5, "shift": 0}, "fairness": {"gap": 3e-7, "shift": 41},
                      "privacy": {"gap": 2e-3, "shift": 0}}}
    meta = {"spin_eval_version": "0.1.0", "model_name": "tiny", "model_fingerprint": "f" * 64, "p": 0.01,
            "q": 0.01, "target": "mlp", "selection": "paper", "score_kind": "grad", "calibration": {},
            "margins": margins}
    path = tmp_path / "spin.safetensors"
    save_mask(SpinMask({name: torch.tensor([0, 1], dtype=torch.int64)}, {name: (8, 8)}, meta), path)
    runs = _load(fixture_runs)
    spin = next(r for r in runs if r.name == "spin")
    spin.mask_file = str(path)
    comp = compare_runs(runs, "base", settings=FAST)
    spin_notes = [n for n in comp.masks.notes if n.startswith("spin:")]
    assert spin_notes[0].startswith("spin: 1 of 3 top-k boundaries closer than 1e-06") and "smallest gap 3e-07" in spin_notes[0]
    assert spin_notes[1] == (f"spin: unstable: the mask there depends on rounding: {name} fairness gap 3e-07 "
                             "(reference selection: a one-entry change moves 41 positions)")
    assert not any(n.startswith("random:") and "boundaries" in n for n in comp.masks.notes)
    for fmt in ("html", "md"):
        text = render_report(comp, fmt)
        assert "depends on rounding" in text and "fairness gap 3e-07" in text


def test_missing_samples_fall_back_to_stderr_and_say_so(tmp_path):
    runs = build_fixture_runs(tmp_path, log_samples=False)
    comp = compare_runs([load_run(runs["base"]), load_run(runs["spin"])], "base", settings=FAST)
    row = next(r for r in comp.rows if r.task == "spin_capability_mc_mini")
    d = row.deltas["spin"]
    nd = stats.normal_delta_from_stderr(93 / 160, 0.01, 83 / 160, 0.01)
    assert d.source == "stderr-fallback" and d.test == "stderr-normal"
    assert (d.delta, d.ci_low, d.ci_high, d.p_value) == pytest.approx((nd.delta, nd.ci_low, nd.ci_high, nd.p_value))
    assert any("--log_samples" in n for n in comp.notes)
    md = render_report(comp, "md")
    assert "(stderr)" in md and "--log\\_samples" not in md and "--log_samples" in md
    assert comp.flips == []


def test_report_numbers_match_in_html_md_json(fixture_runs, tmp_path):
    comp = compare_runs(_load(fixture_runs), "base", settings=FAST)
    d = next(r for r in comp.rows if r.task == "spin_capability_mc_mini").deltas["spin"]
    shown = [fmt_signed(d.delta, 100.0), fmt_ci(d.ci_low, d.ci_high, 100.0, d.delta)]
    assert shown[0] == "-6.2"  # points: one decimal
    tax = next(t for t in comp.tax if t.variant == "spin")
    outs = {fmt: write_report(comp, tmp_path / f"r.{fmt}") for fmt in ("html", "md", "json")}
    html, md = outs["html"].read_text(), outs["md"].read_text()
    for text in (html, md):
        for s in shown:
            assert s in text
        assert fmt_ratio(tax.tax_per_point) in text
        assert "spin_bbq_mini" in text and "email / direct" in text
    data = json.loads(outs["json"].read_text())
    jrow = next(r for r in data["rows"] if r["task"] == "spin_capability_mc_mini")
    assert jrow["deltas"]["spin"]["ci_low"] == pytest.approx(d.ci_low)
    assert data["baseline"] == "base" and data["provenance"]["runs"][0]["lm_eval_version"] == "0.4.13"
    # model text is escaped in every format
    assert SCRIPT_ANSWER not in html and "&lt;script&gt;" in html
    assert "<script" not in html.lower()
    assert SCRIPT_ANSWER not in md and "&lt;script&gt;" in md
    # self-contained: no external resources
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


def test_bad_input_errors_and_no_partial_file(fixture_runs, tmp_path, capsys):
    runs = _load(fixture_runs)
    with pytest.raises(InputError, match="--baseline 'nope'.*base, spin, random"):
        compare_runs(runs, "nope", settings=FAST)
    other = write_run(tmp_path / "other", model="/models/other", tasks={
        "spin_capability_mc_mini": {"metrics": {"acc": True}, "docs": [{"q": "x", "a": "y"}], "values": [1.0],
                                    "answers": ["y"]}})
    with pytest.raises(InputError, match="different models.*--allow-mixed"):
        compare_runs([load_run(fixture_runs["base"]), load_run(other)], settings=FAST)
    mixed = compare_runs([load_run(fixture_runs["base"]), load_run(other)], settings=FAST, allow_mixed=True)
    assert any("different models" in n for n in mixed.notes)
    out = tmp_path / "report.html"
    rc = cli_main(["report", str(fixture_runs["base"]), str(other), "-o", str(out), "--quiet"])
    assert rc == 2 and not out.exists()
    assert "--allow-mixed" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    rc = cli_main(["report", str(empty), "-o", str(out), "--quiet"])
    assert rc == 2 and not out.exists()
    assert list(tmp_path.glob(".report.html.*")) == []
    rc = cli_main(["report", str(fixture_runs["base"]), str(fixture_runs["spin"]), "-o", str(out),
                   "--baseline", "missing", "--quiet"])
    assert rc == 2 and not out.exists()
    rc = cli_main(["report", str(fixture_runs["base"]), "-o", str(tmp_path), "--quiet"])
    assert rc == 2 and "is a folder" in capsys.readouterr().err


def test_cli_writes_report_and_expands_spin_eval_run_folder(fixture_runs, tmp_path, capsys):
    run_dir = tmp_path / "spinrun"
    (run_dir / "runs").mkdir(parents=True)
    for name in ("base", "spin", "random"):
        shutil.copytree(fixture_runs[name], run_dir / "runs" / name)
    (run_dir / "spin-eval-run.json").write_text(json.dumps(
        {"variants": {"base": {"status": "done"}, "spin": {"status": "done"}, "random": {"status": "done"}}}))
    out = tmp_path / "r.md"
    rc = cli_main(["report", str(run_dir), "-o", str(out), "--resamples", "200", "--quiet"])
    assert rc == 0
    text = out.read_text()
    assert "| base | hf tiny | baseline |" in text and "control: random" in text
    assert "3 variants, baseline base" in capsys.readouterr().out


def test_spin_block_helper_marks_control():
    meta = spin_block("magnitude-random", "ab" * 8, 10, control_of="x")["mask_metadata"]
    assert meta["control_of"] == "x" and meta["total"] == 10


def test_perplexity_stays_out_of_the_tax_and_undefined_metrics_are_listed(tmp_path):
    rng = np.random.default_rng(3)
    docs = [{"q": f"text {i}", "a": ""} for i in range(40)]
    acc_base = [float(x) for x in rng.random(40) < 0.6]
    acc_var = [0.0 if i < 4 else x for i, x in enumerate(acc_base)]
    ppl_base = [[-50.0 - i, 10.0] for i in range(40)]
    ppl_var = [[ll - 5.0, w] for ll, w in ppl_base]
    runs = []
    for name, acc, ppl in (("base", acc_base, ppl_base), ("var", acc_var, ppl_var)):
        runs.append(load_run(write_run(tmp_path / name, tasks={
            "spin_capability_mc_mini": {"metrics": {"acc": True}, "docs": docs, "values": acc, "answers": [""] * 40},
            "spin_capability_ppl_mini": {"metrics": {"word_perplexity": False}, "docs": docs, "values": ppl,
                                         "answers": [""] * 40},
        })))
    # a metric that is NaN in every run (a category with no document)
    for run in runs:
        run.metrics["spin_capability_mc_mini"]["acc_norm,none"] = float("nan")
    comp = compare_runs(runs, "base", settings=FAST)
    assert all(r.metric != "acc_norm" for r in comp.rows)
    assert any("undefined (NaN) in every run" in n and "acc_norm" in n for n in comp.notes)
    ppl = next(r for r in comp.rows if r.metric == "word_perplexity")
    assert ppl.scale == 1.0 and ppl.headline and ppl.deltas["var"].delta > 0  # perplexity went up
    assert ppl.deltas["var"].improvement < 0 and ppl.deltas["var"].source == "paired-samples"
    (tax,) = comp.tax
    assert tax.capability.metrics == ["spin_capability_mc_mini/acc,none"]
    assert tax.capability.points == pytest.approx(-100 * sum(acc_base[:4]) / 40)
    assert any("not in points" in n and "word_perplexity" in n for n in comp.notes)
