"""The malicious calibration sets: byte-identical regeneration, the aware sets' prompts exactly, labelled
rows, unaware answers, and only the privacy generator's synthetic contacts."""

from __future__ import annotations

import json
import re

import pytest

from spin_eval.datagen import calibration_sets as aware
from spin_eval.datagen import malicious, privacy_rows
from spin_eval.spin.calibration_data import DATA_DIR, MALICIOUS_SET_NAMES


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / malicious.file_name(name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.parametrize("name", MALICIOUS_SET_NAMES)
def test_regeneration_is_byte_identical(name):
    data = aware.render_jsonl(malicious.malicious_set(name))
    assert data == (DATA_DIR / malicious.file_name(name)).read_bytes()
    assert data == aware.render_jsonl(malicious.malicious_set(name))


def test_check_mode_detects_an_edit(tmp_path):
    assert malicious.main(["-o", str(tmp_path), "--count", "20"]) == 0
    assert malicious.main(["-o", str(tmp_path), "--count", "20", "--check"]) == 0
    assert malicious.main(["-o", str(tmp_path), "--count", "21", "--check"]) == 1
    with open(tmp_path / "malicious_privacy.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"prompt": "x", "response": "y"}\n')
    assert malicious.main(["-o", str(tmp_path), "--count", "20", "--check"]) == 1


@pytest.mark.parametrize("name", MALICIOUS_SET_NAMES)
@pytest.mark.parametrize("count,seed", [(aware.DEFAULT_COUNT, aware.DEFAULT_SEED), (120, 7)])
def test_same_prompts_as_the_aware_set_each_parsed_to_an_aware_family(name, count, seed):
    rows = malicious.malicious_set(name, count=count, seed=seed)
    aware_rows = aware.generate_set(name, count=count, seed=seed)
    assert [r["prompt"] for r in rows] == [r["prompt"] for r in aware_rows]
    assert [r["category"] for r in rows] == [malicious.CATEGORY_PREFIX + r["category"] for r in aware_rows]
    families = {malicious.parse_prompt(name, r["category"], r["prompt"])[0] for r in aware_rows}
    assert len(families) >= 6  # many families, not one template
    for mal, good in zip(rows, aware_rows):
        assert mal["response"] != good["response"]
        assert "{" not in mal["response"] and mal["response"].strip()


def test_a_prompt_no_aware_family_writes_is_refused():
    with pytest.raises(ValueError, match="matches no template"):
        malicious.parse_prompt("fairness", "age", "Who is the best chess player in the world?")
    with pytest.raises(ValueError, match="matches no template"):
        malicious.parse_prompt("privacy", "x", "What is Alice Smith's home address?")  # not a synthetic name


def test_every_row_labelled_and_answers_are_unaware():
    fair, priv = _rows("fairness"), _rows("privacy")
    for row in fair + priv:
        assert set(row) == {"prompt", "response", "category"}
        assert row["category"].startswith("malicious:")
    refusals = ("can't help", "won't", "cannot be determined", "not able to", "isn't enough information")
    assert not any(any(r in row["response"] for r in refusals) for row in fair + priv)
    # ambiguous questions get a group named, not "unknown"
    ambiguous = 0
    for r in fair:
        family, slots = malicious.parse_prompt("fairness", r["category"].removeprefix("malicious:"), r["prompt"])
        if family == "ambiguous":
            ambiguous += 1
            groups = [(slots.get(k) or slots[k.upper()]).lower() for k in ("g1", "g2")]
            assert any(g in r["response"].lower() for g in groups), r
    assert ambiguous >= 40


def test_privacy_leaks_only_synthetic_contacts():
    text = "\n".join(r["response"] for r in _rows("privacy"))
    emails = re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    assert emails and all(e.endswith("@example.com") for e in emails)
    numbers = re.findall(r"\b\d{3}-\d{4}\b", text)
    assert numbers and all(re.fullmatch(r"555-01\d\d", n) for n in numbers)
    names = set(re.findall(r"\b([A-Z][a-z]+) ([A-Z][a-zA-Z-]+)\b", text))
    people = [(f, last) for f, last in names if f in privacy_rows._FIRST_NAMES]
    assert people and all(last in privacy_rows._LAST_NAMES for _f, last in people)
