"""Property tests (hypothesis), part of the reader fuzz suite (test_fuzz_readers.py): hostile numbers,
aliases, deep nesting and special files for every reader of user YAML/JSON (issue 29: non-finite numbers
never pass; bounded parsing). Each input gives a valid object or a one-line SpinEvalError; the gate never
passes a file holding NaN/Inf."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_readers import FUZZ, RESULTS, SAMPLE, _policy_or_error, _scratch

from spin_eval.errors import SpinEvalError

NON_FINITE = st.sampled_from([float("nan"), float("inf"), float("-inf")])
number_literals = st.one_of(
    st.integers(1, 600).map(lambda n: "9" * n),
    st.tuples(st.integers(0, 9), st.integers(-2000, 2000)).map(lambda t: f"{t[0]}.5e{t[1]}"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e308", "-0.0", "0"]),
)


def _one_line_error(exc: SpinEvalError) -> None:
    from spin_eval.bounded import MAX_MESSAGE_CHARS

    text = str(exc)
    assert "\n" not in text and len(text) <= MAX_MESSAGE_CHARS + 400, text[:300]


@FUZZ
@given(NON_FINITE, st.sampled_from(["candidate-doc", "candidate-aggregate", "candidate-stderr", "baseline-doc",
                                    "baseline-aggregate"]),
       st.integers(0, 19), st.lists(st.sampled_from([0.0, 1.0]), min_size=20, max_size=20))
def test_gate_never_passes_a_non_finite_number(bad, where, index, values):
    """Wherever a NaN/Inf sits in the files the gate reads, `check` fails or refuses; it never passes."""

    from run_fixtures import write_fake_run

    from spin_eval.gate.check import run_check
    from spin_eval.gate.policy import Policy
    from spin_eval.results.runfolder import resolve_run

    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    side, _, place = where.partition("-")
    runs = {}
    for name in ("baseline", "candidate"):
        docs = list(values)
        if name == side and place == "doc":
            docs[index] = bad
        runs[name] = write_fake_run(folder / name, {"spin_capability_mc": {"acc": docs}},
                                    with_samples=place != "aggregate" and place != "stderr")
        if name == side and place in ("aggregate", "stderr"):
            results = next(runs[name].rglob("results_*.json"))
            doc = json.loads(results.read_text())
            key = "acc,none" if place == "aggregate" else "acc_stderr,none"
            doc["results"]["spin_capability_mc"][key] = bad
            results.write_text(json.dumps(doc))
    try:
        result = run_check(resolve_run(runs["baseline"]), resolve_run(runs["candidate"]), Policy())
    except SpinEvalError as exc:
        _one_line_error(exc)
        return
    assert not result.passed, where


@FUZZ
@given(number_literals, st.sampled_from(["aggregate", "stderr", "sample", "date", "n-samples"]))
def test_results_readers_hostile_number_literals(literal, field):
    """Any number literal in a results file or a samples line: a RunResults whose numbers are what was
    written (no silent overflow to inf), or a one-line error."""
    import math

    results = json.loads(json.dumps(RESULTS))
    sample = dict(SAMPLE)
    marker = '"__N__"'
    if field == "aggregate":
        results["results"]["t"]["acc,none"] = "__N__"
    elif field == "stderr":
        results["results"]["t"]["acc_stderr,none"] = "__N__"
    elif field == "date":
        results["date"] = "__N__"
    elif field == "n-samples":
        results["n-samples"] = {"t": {"effective": "__N__"}}
    else:
        sample["acc"] = "__N__"
    from spin_eval.results.load import load_run

    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    (folder / "results_2026-01-01T00-00-00.json").write_text(json.dumps(results).replace(marker, literal))
    (folder / "samples_t_2026-01-01T00-00-00.jsonl").write_text(json.dumps(sample).replace(marker, literal) + "\n")
    try:
        run = load_run(folder)
    except SpinEvalError as exc:
        _one_line_error(exc)
        return
    if literal not in ("Infinity", "-Infinity"):  # an infinity read back was spelled as one
        for entries in (run.metrics, run.stderrs):
            for value in entries.get("t", {}).values():
                assert value is None or not math.isinf(value), literal


@st.composite
def hostile_yaml(draw):
    """A policy document with anchors/aliases (a bomb of random width and depth), deep nesting or a long
    number, placed in a random field."""
    kind = draw(st.sampled_from(["bomb", "aliases", "deep", "number", "deep-mapping"]))
    field = draw(st.sampled_from(["version", "alpha", "seed", "rules", "default", "min_mask_jaccard", "junk"]))
    if kind == "bomb":
        width, levels = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        lines = [f"  - &l0 [{', '.join(['x'] * width)}]"]
        lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
        return f"{field}:\n" + "\n".join(lines) + "\n"
    if kind == "aliases":
        return f"a: &a 1\n{field}: [" + ", ".join(["*a"] * draw(st.integers(1, 400))) + "]\n"
    if kind == "deep":
        depth = draw(st.integers(1, 3000))
        return f"{field}: " + "[" * depth + "]" * depth + "\n"
    if kind == "deep-mapping":
        depth = draw(st.integers(1, 300))
        return f"{field}:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth)) + "  " * (depth + 1) + "1\n"
    return f"{field}: {draw(number_literals).replace('Infinity', '.inf').replace('NaN', '.nan')}\n"


@FUZZ
@given(hostile_yaml())
def test_policy_loader_hostile_yaml(text):
    _policy_or_error(text.encode())
    try:
        from spin_eval.gate.policy import load_policy

        load_policy(_scratch("policy.yaml", text.encode()))
    except SpinEvalError as exc:
        _one_line_error(exc)


@FUZZ
@given(st.integers(1, 3000), st.sampled_from(["[", "{\"k\": "]), st.sampled_from(["results", "sample", "manifest"]))
def test_json_readers_deep_nesting(depth, opener, reader):
    from spin_eval.fileio import read_json
    from spin_eval.results.load import load_run

    closer = "]" if opener == "[" else "}"
    deep = opener * depth + "1" + closer * depth
    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    try:
        if reader == "manifest":
            (folder / "m.json").write_text('{"x": ' + deep + "}")
            read_json(folder / "m.json", fix="re-run")
            return
        results = json.dumps(RESULTS)
        sample = json.dumps(SAMPLE)
        if reader == "results":
            results = results[:-1] + ', "deep": ' + deep + "}"
        else:
            sample = sample[:-1] + ', "deep": ' + deep + "}"
        (folder / "results_2026-01-01T00-00-00.json").write_text(results)
        (folder / "samples_t_2026-01-01T00-00-00.jsonl").write_text(sample + "\n")
        load_run(folder)
    except SpinEvalError as exc:
        _one_line_error(exc)


def _read_with(reader: str, path: Path) -> None:
    from spin_eval.fileio import iter_jsonl, read_json
    from spin_eval.gate.policy import load_policy
    from spin_eval.results.load import load_run
    from spin_eval.spin.calibration import load_calibration
    from spin_eval.spin.io import load_mask

    if reader == "policy":
        load_policy(path)
    elif reader == "manifest":
        read_json(path, fix="re-run")
    elif reader == "jsonl":
        list(iter_jsonl(path, fix="re-run"))
    elif reader == "results":
        load_run(path)
    elif reader == "calibration":
        load_calibration(path)
    else:
        load_mask(path)


@pytest.mark.parametrize("special", ["fifo", "dev-zero", "folder"])
@pytest.mark.parametrize("reader", ["policy", "manifest", "jsonl", "results", "calibration", "mask"])
def test_readers_refuse_special_files(tmp_path, reader, special):
    """A FIFO would block a reader forever, /dev/zero never ends: each reader refuses them in one line."""
    import os
    import threading

    names = {"policy": "policy.yaml", "manifest": "spin-eval-run.json", "jsonl": "samples.jsonl",
             "results": "results_2026.json", "calibration": "general.csv", "mask": "m.safetensors"}
    path = tmp_path / names[reader]
    if special == "fifo":
        os.mkfifo(path)
    elif special == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    outcome: dict = {}

    def attempt():
        try:
            _read_with(reader, path)
            outcome["result"] = "read"
        except SpinEvalError as exc:
            outcome["result"] = str(exc)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            outcome["result"] = f"crash {type(exc).__name__}: {exc}"

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():
        with open(path, "wb"):
            pass
        worker.join(5)
        pytest.fail(f"{reader} reader hung on a {special}")
    assert outcome["result"] != "read" and not outcome["result"].startswith("crash"), outcome
    assert "\n" not in outcome["result"]
