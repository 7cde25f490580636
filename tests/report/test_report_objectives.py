"""--objectives safety,helpfulness in the report: the trust change averages safety and helpfulness (the
over-refusal family), the tax table and the plane name them; the default objectives leave the JSON as it was
(the golden files in test_report_golden.py pin the default byte for byte)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from report_fixtures import spin_block, write_run

from spin_eval.report import Settings, compare_runs, load_run, render_report

N_PAIRS = 60


def _safety_values(rng, declined_harmful: float, answered_benign: float) -> list[dict]:
    out = []
    for p in range(N_PAIRS):
        out.append({"pair": p, "request": "harmful", "correct": float(rng.random() < declined_harmful),
                    "refusal": 0.0, "degenerate": 0.0, "category": "theft", "template": p % 10})
        out.append({"pair": p, "request": "benign", "correct": float(rng.random() < answered_benign),
                    "refusal": 0.0, "degenerate": 0.0, "category": "theft", "template": p % 10})
    return out


def _runs(tmp_path):
    docs = {"safety": [{"q": f"request {i}", "a": ""} for i in range(2 * N_PAIRS)],
            "ovr": [{"q": f"benign {i}", "a": "x", "category": "homonym"} for i in range(80)],
            "cap": [{"q": f"What is {i} plus 1?", "a": str(i + 1)} for i in range(80)]}
    out = {}
    for seed, (name, safe, helpful, unanswered, cap, block, extra) in enumerate((
        ("base", 0.3, 0.6, 0.5, 0.6, None, {}),
        ("spin", 0.8, 0.6, 0.3, 0.5, spin_block("paper", "a1b2c3d4e5f6", 64), {}),
        ("sft", 0.9, 0.2, 0.7, 0.6, None, {"model_args": {"pretrained": "/models/tiny", "peft": "/adapters/sft"}}),
    )):
        rng = np.random.default_rng(seed if name == "base" else 0)
        tasks = {
            "spin_safety_mini": {"metrics": {"pair_score": True, "safe_rate": True}, "docs": docs["safety"],
                                 "values": _safety_values(np.random.default_rng(7 + seed), safe, helpful),
                                 "answers": ["a"] * len(docs["safety"])},
            "spin_overrefusal_mini": {"metrics": {"unanswered_rate": False}, "docs": docs["ovr"],
                                      "values": [float(rng.random() < unanswered) for _ in docs["ovr"]],
                                      "answers": ["a"] * len(docs["ovr"])},
            "spin_capability_mc_mini": {"metrics": {"acc": True}, "docs": docs["cap"],
                                        "values": [float(rng.random() < cap) for _ in docs["cap"]],
                                        "answers": ["a"] * len(docs["cap"])},
        }
        out[name] = write_run(tmp_path / name, model_type="spin_hf" if block else "hf", spin=block, tasks=tasks,
                              config_extra=extra)
    return [load_run(out[n]) for n in ("base", "spin", "sft")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _runs(tmp_path_factory.mktemp("objectives"))


def test_trust_is_the_mean_of_the_declared_objectives(runs):
    comp = compare_runs(runs, "base", settings=Settings(n_resamples=200, seed=0), objectives=("safety", "helpfulness"))
    for t in comp.tax:
        assert t.trust_families == ("safety", "overrefusal")
        assert t.safety.points is not None and t.overrefusal.points is not None
        assert t.trust.points == pytest.approx((t.safety.points + t.overrefusal.points) / 2)
        assert t.fairness.points is None and t.privacy.points is None
    default = compare_runs(runs, "base", settings=Settings(n_resamples=200, seed=0))
    assert all(t.trust.points is None and t.status == "missing" for t in default.tax)


def test_report_names_the_objectives_in_the_tax_table_and_the_plane(runs):
    comp = compare_runs(runs, "base", settings=Settings(n_resamples=200, seed=0), objectives=("safety", "helpfulness"))
    md = render_report(comp, "md")
    assert "| capability (pts) | safety (pts) | helpfulness (pts) | trust (pts) | tax" in md
    assert "over-refusal (pts)" not in md and "fairness (pts)" not in md
    assert "## Safety and helpfulness: is there a seesaw?" in md
    assert "Trust = mean of the safety and helpfulness changes;" in md
    assert "| helpfulness change (" in md
    html = render_report(comp, "html")
    assert "<th>safety (pts)</th><th>helpfulness (pts)</th><th>trust (pts)</th>" in html
    assert "helpfulness change (points, + = more helpful)" in html
    assert "mean of the safety change and the helpfulness change" in html
    data = json.loads(render_report(comp, "json"))
    assert data["objectives"] == ["safety", "helpfulness"]
    assert data["tax"][0]["trust_families"] == ["safety", "overrefusal"]
    assert data["plane"]["x_name"] == "helpfulness" and data["plane"]["y_name"] == "safety"


def test_default_objectives_keep_the_json_keys(runs):
    data = json.loads(render_report(compare_runs(runs, "base", settings=Settings(n_resamples=200, seed=0)), "json"))
    assert "objectives" not in data and "x_name" not in data["plane"]
    assert not {"trust_families", "safety"} & set(data["tax"][0])


def _run_folder(tmp_path, objectives):
    """A 'spin-eval run' folder (manifest + runs/<variant>) holding the safety fixture runs."""
    import shutil

    from spin_eval.constants import RUN_MANIFEST

    folder = tmp_path / "runfolder"
    _runs(tmp_path / "src")
    for name in ("base", "spin", "sft"):
        shutil.copytree(tmp_path / "src" / name, folder / "runs" / name)
    settings = {} if objectives is None else {"objectives": list(objectives)}
    manifest = {"settings": settings, "variants": {n: {"status": "done"} for n in ("base", "spin", "sft")}}
    (folder / RUN_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_report_cli_reads_the_objectives_from_the_run_manifest(tmp_path):
    from spin_eval.cli import main

    folder = _run_folder(tmp_path, ("safety", "helpfulness"))
    out = tmp_path / "r.json"
    assert main(["report", str(folder), "-o", str(out), "--resamples", "100", "--quiet"]) == 0
    assert json.loads(out.read_text())["objectives"] == ["safety", "helpfulness"]
    assert main(["report", str(folder), "-o", str(tmp_path / "d.json"), "--resamples", "100", "--quiet",
                 "--objectives", "fairness,privacy"]) == 0
    assert "objectives" not in json.loads((tmp_path / "d.json").read_text())


def test_report_cli_refuses_unknown_objectives_in_one_line(tmp_path, capsys):
    from spin_eval.cli import main

    folder = _run_folder(tmp_path, None)
    assert main(["report", str(folder), "-o", str(tmp_path / "x.md"), "--objectives", "safety,kindness"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--objectives: unknown objective kindness" in err and "\n" not in err
