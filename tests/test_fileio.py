"""spin_eval.fileio: atomic writes, digests, JSON / JSONL reading with file:line errors."""

import hashlib
import json

import pytest

from spin_eval.errors import InputError
from spin_eval.fileio import (
    file_sha256,
    iter_jsonl,
    read_json,
    sha256_json,
    write_bytes_atomic,
    write_folder_atomic,
    write_json_atomic,
    write_text_atomic,
)


def test_atomic_writes_replace_and_leave_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "f.bin"
    assert write_bytes_atomic(target, b"one") == target
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    write_text_atomic(tmp_path / "t.txt", "a\nä\n")
    assert (tmp_path / "t.txt").read_bytes() == "a\nä\n".encode()
    write_json_atomic(tmp_path / "j.json", {"b": 1, "a": [1]})
    assert (tmp_path / "j.json").read_text() == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}\n'
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["f.bin", "j.json", "sub", "t.txt"]


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def boom(*_a):
        raise OSError("disk full")

    monkeypatch.setattr("spin_eval.fileio.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_digests(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"abc")
    assert file_sha256(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_json({"b": 1, "a": "é"}) == hashlib.sha256('{"a":"é","b":1}'.encode()).hexdigest()


def test_read_json(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"k": 1}))
    bad.write_text("{")
    assert read_json(good, fix="x") == {"k": 1}
    assert read_json(tmp_path / "none.json", fix="x", missing_ok=True) is None
    with pytest.raises(InputError, match=r"none\.json: file not found"):
        read_json(tmp_path / "none.json", fix="x")
    with pytest.raises(InputError, match=r"bad\.json: not valid JSON .*; re-run it"):
        read_json(bad, fix="re-run it")


def test_iter_jsonl_names_file_and_line(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text('{"a": 1}\n\n[2]\n{oops\n')
    rows = iter_jsonl(f, fix="fix it", where="{path} line {lineno}")
    assert next(rows) == (f"{f} line 1", {"a": 1})
    assert next(rows) == (f"{f} line 3", [2])  # blank line 2 skipped, line numbers kept
    with pytest.raises(InputError, match=r"d\.jsonl line 4: not valid JSON \(.+\); fix it"):
        next(rows)
    with pytest.raises(InputError, match=r"d\.jsonl:4: not valid JSON"):
        list(iter_jsonl(f, fix="fix it"))


def test_atomic_write_gives_umask_permissions_not_owner_only(tmp_path):
    import os
    import stat

    from spin_eval.fileio import write_bytes_atomic

    old = os.umask(0o022)
    try:
        target = write_bytes_atomic(tmp_path / "out.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_bytes() == b"x"


def test_copy_file_atomic_copies_bytes_and_leaves_no_temp(tmp_path):
    from spin_eval.fileio import copy_file_atomic

    src = tmp_path / "a.bin"
    src.write_bytes(b"\x00mask\xff")
    dst = copy_file_atomic(src, tmp_path / "out" / "b.bin")
    assert dst.read_bytes() == b"\x00mask\xff"
    assert sorted(p.name for p in dst.parent.iterdir()) == ["b.bin"]


def test_write_folder_atomic_leaves_the_old_folder_or_none_never_half_written(tmp_path):
    import os

    def fill(text):
        def _fill(tmp):
            (tmp / "a.txt").write_text(text)
            (tmp / "sub").mkdir()
            (tmp / "sub" / "b.txt").write_text(text)
        return _fill

    def broken(tmp):
        (tmp / "a.txt").write_text("half")
        raise KeyboardInterrupt

    target = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        write_folder_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its temporary sibling
    assert write_folder_atomic(target, fill("one")) == target
    assert (target / "sub" / "b.txt").read_text() == "one"
    umask = os.umask(0o022)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == 0o777 & ~umask  # mkdir's permissions, not mkdtemp's 0700
    assert ((target / "a.txt").stat().st_mode & 0o777) == 0o666 & ~umask
    with pytest.raises(FileExistsError):
        write_folder_atomic(target, fill("two"))
    with pytest.raises(KeyboardInterrupt):
        write_folder_atomic(target, broken, replace=True)
    assert (target / "a.txt").read_text() == "one"  # the old folder survives a failed replacement
    write_folder_atomic(target, fill("two"), replace=True)
    assert (target / "a.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
