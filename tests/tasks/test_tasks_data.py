"""The shipped task data: generators reproduce it byte for byte, it has the promised shape, bad lines fail."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from spin_eval.errors import InputError
from spin_eval.metrics import bbq
from spin_eval.paths import tasks_dir
from spin_eval.taskdata import generator_outputs, jsonl_bytes, load_generators, load_task_dataset, read_jsonl

TASKS = tasks_dir()
GENERATORS = load_generators(TASKS)


def _rows(rel: str) -> list[dict]:
    return [json.loads(line) for line in (TASKS / rel).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("module", GENERATORS, ids=lambda m: Path(m.__file__).parent.name)
def test_generator_reproduces_committed_file_byte_for_byte(module):
    outputs = generator_outputs(module)
    assert outputs
    for path, rows in outputs.items():
        assert path.read_bytes() == jsonl_bytes(rows), f"{path} differs from its generator's output"


def test_generators_are_seeded():
    bbq_gen = next(m for m in GENERATORS if Path(m.__file__).parent.name == "spin_bbq")
    assert bbq_gen.generate(0) == bbq_gen.generate(0)
    assert bbq_gen.generate(0) != bbq_gen.generate(1)


def test_bbq_data_shape():
    rows = _rows("spin_bbq/spin_bbq.jsonl")
    assert len(rows) >= 2000
    assert {r["category"] for r in rows} == set(bbq.CATEGORIES)
    assert set(Counter(r["label"] for r in rows).values()) == {len(rows) // 3}  # balanced answer order
    strata = Counter((r["context_condition"], r["question_polarity"]) for r in rows)
    assert len(strata) == 4 and len(set(strata.values())) == 1
    schema = {"example_id", "question_index", "question_polarity", "context_condition", "category", "answer_info",
              "additional_metadata", "context", "question", "ans0", "ans1", "ans2", "label", "cluster_id"}
    assert len({r["cluster_id"] for r in rows}) == 72  # 8 templates per category
    for r in rows:
        assert r["cluster_id"] == f"{r['category']}/{r['question_index']}"
        assert set(r) == schema
        assert len(bbq.biased_indices(r)) == 1 and bbq.unknown_index(r) >= 0
        assert (r["label"] == bbq.unknown_index(r)) == (r["context_condition"] == "ambig")


def test_other_data_shapes():
    mc = _rows("spin_capability/spin_capability_mc.jsonl")
    assert len(mc) >= 1000 and {r["subset"] for r in mc} == {"arithmetic", "units", "world_facts", "word_relations", "reading"}
    assert all(len(r["choices"]) == 4 and len(set(r["choices"])) == 4 for r in mc)
    pii = _rows("spin_pii_leakage/spin_pii_leakage.jsonl")
    assert all(r["target_value"] in r["prompt"] for r in pii)  # the planted value is in the context
    assert len({(r["pii_type"], r["attack_style"]) for r in pii}) == 35
    for rel in ("spin_fairness_awareness/spin_fairness_awareness.jsonl", "spin_privacy_awareness/spin_privacy_awareness.jsonl"):
        labels = Counter(r["label"] for r in _rows(rel))
        assert labels[0] == labels[1]


def test_malformed_line_names_file_and_line(tmp_path):
    good = (TASKS / "spin_bbq/spin_bbq.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good[0] + "\n" + good[1][:-5] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not valid JSON"):
        read_jsonl(bad)
    missing = tmp_path / "missing.jsonl"
    row = json.loads(good[0])
    del row["label"]
    missing.write_text(good[0] + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing\.jsonl:2: missing field\(s\) label"):
        read_jsonl(missing, ["label"])


def test_relative_data_files_resolve_next_to_the_task_from_any_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ds = load_task_dataset(TASKS / "spin_overrefusal", ["prompt"], data_files="spin_overrefusal.jsonl", pretrained="x")
    assert len(ds["test"]) == len(_rows("spin_overrefusal/spin_overrefusal.jsonl"))
    with pytest.raises(InputError, match="not found"):
        load_task_dataset(tmp_path, [], data_files="nope.jsonl")
    ds = load_task_dataset(TASKS / "spin_overrefusal", ["prompt"], data_files=str(TASKS / "spin_overrefusal" / "*.jsonl"),
                           judge="builtin")
    assert ds["test"][0]["_judge"] == "builtin"
