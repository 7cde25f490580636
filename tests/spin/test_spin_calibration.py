"""Calibration files: CSV/JSONL reading, errors naming file and line, seeded sampling, chat template."""

from __future__ import annotations

import pytest

from spin_eval.errors import InputError
from spin_eval.spin.calibration import load_calibration, sample_rows, tokenize_sample


def test_csv_with_multiline_fields(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text('prompt,response\n"line one\nline two",ok\nq2,"a2"\n')
    cal = load_calibration(path)
    assert cal.rows == (("line one\nline two", "ok"), ("q2", "a2"))
    assert len(cal.sha256) == 64 and cal.name == "g.csv"


def test_csv_empty_response_names_file_and_line(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text('prompt,response\n"multi\nline",fine\nq2,\n')
    with pytest.raises(InputError, match=r"g\.csv: line 4: empty or missing 'response'"):
        load_calibration(path)


def test_jsonl_errors_name_the_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"prompt": "a", "response": "b"}\n{"prompt": "", "response": "b"}\n')
    with pytest.raises(InputError, match=r"p\.jsonl: line 2: empty or missing 'prompt'"):
        load_calibration(path)
    path.write_text('{"prompt": "a", "response": "b"}\nnot json\n')
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        load_calibration(path)


def test_missing_columns_and_missing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("question,answer\na,b\n")
    with pytest.raises(InputError, match="lacks 'prompt'"):
        load_calibration(path)
    with pytest.raises(InputError, match="does not exist"):
        load_calibration(tmp_path / "absent.csv")


def test_seeded_sampling(cal_files):
    cal = load_calibration(cal_files["general"])
    a = sample_rows(cal, 3, seed=0)
    assert a == sample_rows(cal, 3, seed=0)
    assert len(a) == 3 and len(set(a)) == 3
    assert {tuple(sample_rows(cal, 3, seed=s)) for s in range(6)} != {tuple(a)}
    assert sorted(sample_rows(cal, 99, seed=1)) == sorted(cal.rows)


def test_chat_template_wraps_prompt(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids, labels = tokenize_sample(tok, "Hi", "Hello there.", chat_template=True)
    text = tok.decode(ids)
    assert text.startswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    n_resp = sum(1 for x in labels if x != -100)
    assert tok.decode(ids[-n_resp:]) == "Hello there."


def test_truncation_keeps_response(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids, labels = tokenize_sample(tok, "word " * 200, "The answer is 5.", max_length=32)
    assert len(ids) == 32
    assert sum(1 for x in labels if x != -100) == len(tok("\nThe answer is 5.", add_special_tokens=False)["input_ids"])


def test_separator_placement(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    newline = tok("\n", add_special_tokens=False)["input_ids"]
    prompt = tok("Hi", add_special_tokens=True)["input_ids"]
    scored = tokenize_sample(tok, "Hi", "Hello there.", separator="newline")
    unscored = tokenize_sample(tok, "Hi", "Hello there.", separator="newline-unscored")
    bare = tokenize_sample(tok, "Hi", "Hello there.", separator="none")
    n = len(prompt)
    assert scored[0][n : n + len(newline)] == newline and scored[1][n : n + len(newline)] == newline
    assert unscored[0][n : n + len(newline)] == newline and unscored[1][: n + len(newline)] == [-100] * (n + len(newline))
    assert bare[0][n:] == bare[1][n:] == tok("Hello there.", add_special_tokens=False)["input_ids"]
    assert bare[0] == unscored[0][:n] + unscored[0][n + len(newline):]
