"""Calibration files as users' spreadsheets write them: a UTF-8 byte-order mark, rows with extra fields,
non-UTF-8 bytes, deeply nested JSON lines."""

from __future__ import annotations

import pytest

from spin_eval.errors import InputError
from spin_eval.spin.calibration import load_calibration


def test_utf8_bom_in_csv_header_is_accepted(tmp_path):
    path = tmp_path / "general.csv"
    path.write_bytes("\ufeffprompt,response\nWhat is 2+2?,4\n".encode("utf-8"))
    assert load_calibration(path).rows == (("What is 2+2?", "4"),)


def test_utf8_bom_in_jsonl_is_accepted(tmp_path):
    path = tmp_path / "general.jsonl"
    path.write_bytes('\ufeff{"prompt": "p", "response": "r"}\n'.encode("utf-8"))
    assert load_calibration(path).rows == (("p", "r"),)


def test_csv_row_with_extra_fields_names_file_and_line(tmp_path):
    path = tmp_path / "general.csv"
    path.write_text("prompt,response\nok,fine\nWhat is 2+2?,4,five\n")
    with pytest.raises(InputError, match=r"general\.csv: line 3: 3 fields but the header has 2"):
        load_calibration(path)


@pytest.mark.parametrize("suffix,data", [
    (".csv", b"prompt,response\n\xff,x\n"), (".jsonl", b'{"prompt": "\xff", "response": "r"}\n'),
    (".csv", b"prompt,response\n\"unterminated\x00,x\n"), (".jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
])
def test_unreadable_bytes_give_one_line_input_error(tmp_path, suffix, data):
    path = tmp_path / f"general{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputError, match="general"):
        load_calibration(path)
