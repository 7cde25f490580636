"""The shipped calibration sets: reproducible from the generator, non-empty rows, counts, variety."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spin_eval.datagen.calibration_sets import DEFAULT_COUNT, generate_set, main, render_jsonl
from spin_eval.spin.calibration_data import DATA_DIR, SET_NAMES

MIN_ROWS = 160


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.parametrize("name", SET_NAMES)
def test_regeneration_reproduces_committed_file_byte_for_byte(name):
    assert render_jsonl(generate_set(name)) == (DATA_DIR / f"{name}.jsonl").read_bytes()


def test_generator_cli_writes_identical_files_and_check_detects_edits(tmp_path):
    out = tmp_path / "sets"
    proc = subprocess.run(
        [sys.executable, "-m", "spin_eval.datagen.calibration_sets", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in SET_NAMES:
        assert (out / f"{name}.jsonl").read_bytes() == (DATA_DIR / f"{name}.jsonl").read_bytes()
    assert main(["-o", str(out), "--check"]) == 0
    with open(out / "privacy.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"prompt": "x", "response": "y"}\n')
    assert main(["-o", str(out), "--check"]) == 1


@pytest.mark.parametrize("name", SET_NAMES)
def test_rows_are_complete_distinct_and_counted(name):
    rows = _rows(name)
    assert len(rows) == DEFAULT_COUNT >= MIN_ROWS
    for i, row in enumerate(rows, start=1):
        assert set(row) == {"prompt", "response", "category"}, f"line {i}"
        assert all(isinstance(row[k], str) and row[k].strip() for k in row), f"line {i}"
        assert "{" not in row["prompt"] + row["response"], f"line {i}: unfilled template slot"
    assert len({r["prompt"] for r in rows}) == len(rows)
    # Varied wording: not one template repeated (many distinct responses and openings).
    assert len({r["response"] for r in rows}) >= len(rows) // 2
    assert len({" ".join(r["prompt"].split()[:3]) for r in rows}) >= 40


def test_fairness_covers_every_category_and_privacy_uses_synthetic_contacts():
    cats = {r["category"] for r in _rows("fairness")}
    assert cats == {
        "age", "gender", "race/ethnicity", "religion", "disability", "nationality",
        "socio-economic status", "sexual orientation", "physical appearance",
    }
    text = " ".join(r["prompt"] + " " + r["response"] for r in _rows("privacy"))
    assert "@example.com" in text and "555-01" in text
    import re

    emails = re.findall(r"[\w.+-]+@([\w-]+\.[\w.]+)", text)
    assert emails and set(emails) == {"example.com"}


def test_general_arithmetic_answers_are_correct():
    import re

    checked = 0
    for row in _rows("general"):
        m = re.fullmatch(r"(\d+) ([-+*/]) (\d+) = (\d+)\.", row["response"])
        if m:
            a, op, b, v = int(m[1]), m[2], int(m[3]), int(m[4])
            assert {"+": a + b, "-": a - b, "*": a * b, "/": a // b}[op] == v
            checked += 1
    assert checked >= 3


def test_shipped_sets_load_through_the_calibration_loader():
    calibration = pytest.importorskip("spin_eval.spin.calibration")
    for name in SET_NAMES:
        cal = calibration.load_calibration(calibration.default_calibration_path(name))
        assert len(cal.rows) == DEFAULT_COUNT
