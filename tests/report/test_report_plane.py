"""The fairness-privacy plane in the report: shown when fine-tuning baselines are compared, absent otherwise."""

from __future__ import annotations

import json

import pytest
from run_fixtures import write_fake_run

from spin_eval.metrics import catalog

FACTS = [{"task": "fair_t", "metric": "acc", "family": "fairness", "direction": "higher", "aggregation": "mean",
          "headline": True, "points": True},
         {"task": "priv_t", "metric": "acc", "family": "privacy", "direction": "higher", "aggregation": "mean",
          "headline": True, "points": True}]


@pytest.fixture(autouse=True)
def facts(monkeypatch):
    monkeypatch.setattr(catalog, "_USER", {})
    catalog.use_metric_facts(FACTS)


def _rates(p: float, n: int = 200) -> list[float]:
    return [1.0] * round(p * n) + [0.0] * (n - round(p * n))


def _write(folder, fair: float, priv: float, *, mode: str, peft: str | None = None):
    path = write_fake_run(folder, {"fair_t": {"acc": _rates(fair)}, "priv_t": {"acc": _rates(priv)}}, mode=mode)
    if peft:
        for results in path.rglob("results_*.json"):
            data = json.loads(results.read_text())
            data["config"]["model_args"] = f"pretrained=tiny,peft={peft}"
            results.write_text(json.dumps(data))
    return folder


def test_seesaw_plane_appears_with_a_finetuned_variant(tmp_path):
    from spin_eval.report import compare_runs, render_report
    from spin_eval.results.load import load_run

    runs = [load_run(_write(tmp_path / "base", 0.5, 0.5, mode="none"), name="base"),
            load_run(_write(tmp_path / "spin", 0.5, 0.5, mode="mask"), name="spin"),
            load_run(_write(tmp_path / "sft", 0.3, 0.8, mode="none", peft="/adapters/sft-privacy"), name="sft-privacy")]
    comp = compare_runs(runs, baseline="base")
    assert comp.variant("sft-privacy").kind == "finetuned"
    points = {p.name: p for p in comp.plane.points}
    assert points["sft-privacy"].seesaw and not points["spin"].seesaw
    html = render_report(comp, "html")
    assert 'id="plane"' in html and "Seesaw: sft-privacy (privacy +30.0 [" in html
    md = render_report(comp, "md")
    assert "## Fairness and privacy: is there a seesaw?" in md and "| sft-privacy | finetuned | +30.0 [" in md
    assert comp.to_dict()["plane"]["points"][0]["name"] in ("spin", "sft-privacy")


def test_no_plane_without_finetuned_variants(tmp_path):
    from spin_eval.report import compare_runs, render_report
    from spin_eval.results.load import load_run

    runs = [load_run(_write(tmp_path / "base", 0.5, 0.5, mode="none"), name="base"),
            load_run(_write(tmp_path / "spin", 0.6, 0.5, mode="mask"), name="spin")]
    comp = compare_runs(runs, baseline="base")
    assert comp.plane is None and "plane" not in comp.to_dict()
    assert 'id="plane"' not in render_report(comp, "html")
