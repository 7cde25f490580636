"""Property tests (hypothesis): every reader of user files turns ANY input into either a valid object or
the documented one-line SpinEvalError, never another exception (a traceback, exit 3).

Readers: mask files (spin.io.load_mask), calibration CSV/JSONL (spin.calibration.load_calibration),
policy YAML (pipeline.policy.load_policy), lm-eval results + samples (spin_eval.results.load.load_run),
leaderboard submissions (pipeline.leaderboard.build_leaderboard, which rejects with the error's text).
Inputs: raw bytes, valid files with random bytes flipped, and valid containers around random JSON.
Budget: the whole module runs in well under a minute (max_examples per test below, no deadline).
"""

from __future__ import annotations

import json
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spin_eval.errors import SpinEvalError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _scratch(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return path


def _mutate(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in flips:
        if out:
            out[pos % len(out)] = value
    return bytes(out)


flips = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=8)


# ------------------------------------------------------------------------------------------------ masks


@pytest.fixture(scope="module")
def valid_mask_bytes(tiny_model_dir) -> bytes:
    from hardening_support import forge_mask, mlp_indices, tiny_model, valid_metadata

    model = tiny_model(tiny_model_dir)
    indices, shapes = mlp_indices(model)
    path = forge_mask(Path(tempfile.mkdtemp()) / "m.safetensors", indices, shapes, valid_metadata(model, indices))
    return path.read_bytes()


def _load_mask_or_error(data: bytes) -> None:
    from spin_eval.spin.io import load_mask
    from spin_eval.spin.mask import SpinMask

    try:
        assert isinstance(load_mask(_scratch("m.safetensors", data)), SpinMask)
    except SpinEvalError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(st.binary(max_size=300))
def test_mask_reader_any_bytes(data):
    _load_mask_or_error(data)


@FUZZ
@given(flips)
def test_mask_reader_flipped_bytes(valid_mask_bytes, changes):
    _load_mask_or_error(_mutate(valid_mask_bytes, changes))


@FUZZ
@given(st.dictionaries(st.sampled_from(["format_version", "model_fingerprint", "counts", "calibration", "p", "target",
                                        "total", "numel_total", "model_name", "warnings", "config"]), json_values))
def test_mask_reader_random_metadata_fields(valid_mask_bytes, changes):
    header_len = struct.unpack("<Q", valid_mask_bytes[:8])[0]
    header = json.loads(valid_mask_bytes[8:8 + header_len])
    meta = json.loads(header["__metadata__"]["spin_eval_mask"])
    meta.update(changes)
    header["__metadata__"]["spin_eval_mask"] = json.dumps(meta)
    new_header = json.dumps(header).encode()
    new_header += b" " * (-len(new_header) % 8)
    _load_mask_or_error(struct.pack("<Q", len(new_header)) + new_header + valid_mask_bytes[8 + header_len:])


# ------------------------------------------------------------------------------------------ calibration


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".csv", ".jsonl"]))
def test_calibration_readers_any_bytes(data, suffix):
    from spin_eval.spin.calibration import CalibrationSet, load_calibration

    try:
        cal = load_calibration(_scratch(f"general{suffix}", data))
        assert isinstance(cal, CalibrationSet) and cal.rows
    except SpinEvalError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(st.lists(json_values, min_size=1, max_size=4))
def test_calibration_jsonl_any_json(rows):
    from spin_eval.spin.calibration import load_calibration

    text = "".join(json.dumps(r) + "\n" for r in rows)
    try:
        load_calibration(_scratch("general.jsonl", text.encode()))
    except SpinEvalError:
        pass


# ----------------------------------------------------------------------------------------------- policy


def _policy_or_error(data: bytes) -> None:
    import math

    from spin_eval.pipeline.policy import Policy, load_policy

    try:
        policy = load_policy(_scratch("policy.yaml", data))
    except SpinEvalError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(policy, Policy)
    for rule in (policy.default, *policy.rules):  # whatever loads has teeth: finite thresholds
        assert math.isfinite(rule.max_regression) and rule.max_regression >= 0
    assert 0 < policy.alpha < 1 and 0 <= policy.seed < 2**32


@FUZZ
@given(st.binary(max_size=200))
def test_policy_loader_any_bytes(data):
    _policy_or_error(data)


@FUZZ
@given(st.dictionaries(st.sampled_from(["version", "alpha", "bootstrap_iters", "seed", "require_same_fingerprint",
                                        "min_mask_jaccard", "missing_metric", "default", "rules"]), json_values))
def test_policy_loader_any_document(doc):
    import yaml

    _policy_or_error(yaml.safe_dump(doc).encode())


@FUZZ
@given(st.sampled_from([".nan", ".inf", "-.inf", "-1", "1e400", "true", "'x'", "[]", "{}", "null", "0x10"]),
       st.sampled_from(["alpha", "seed", "bootstrap_iters", "min_mask_jaccard", "default.max_regression"]))
def test_policy_loader_hostile_scalars(value, field):
    text = f"default:\n  max_regression: {value}\n" if field.startswith("default") else f"{field}: {value}\n"
    _policy_or_error(text.encode())


# ------------------------------------------------------------------------------------ results / samples


RESULTS = {"results": {"t": {"acc,none": 0.5}}, "versions": {"t": 1}, "configs": {"t": {}}, "config": {}}
SAMPLE = {"doc_id": 0, "doc_hash": "a", "filter": "none", "metrics": ["acc"], "acc": 1.0}


def _load_variant_or_error(results: bytes, samples: bytes) -> None:
    from spin_eval.results.load import RunResults, load_run

    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    (folder / "results_2026-01-01T00-00-00.json").write_bytes(results)
    (folder / "samples_t_2026-01-01T00-00-00.jsonl").write_bytes(samples)
    try:
        run = load_run(folder)
    except SpinEvalError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(run, RunResults)
    run.fingerprint  # noqa: B018  (properties on loaded data must not raise either)


@FUZZ
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_results_and_samples_any_bytes(results, samples):
    _load_variant_or_error(results, samples)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(RESULTS)), json_values), st.dictionaries(st.sampled_from(list(SAMPLE)), json_values))
def test_results_and_samples_any_fields(results_changes, sample_changes):
    results = dict(RESULTS, **results_changes)
    _load_variant_or_error(json.dumps(results).encode(), json.dumps(dict(SAMPLE, **sample_changes)).encode())


@FUZZ
@given(st.dictionaries(st.sampled_from(list(RESULTS) + ["versions", "task_hashes", "n-samples", "higher_is_better"]),
                       json_values),
       st.dictionaries(st.sampled_from(list(SAMPLE) + ["arguments", "resps", "filtered_resps", "target", "doc"]),
                       json_values), st.binary(max_size=60))
def test_report_loader_any_fields(results_changes, sample_changes, trailing):
    """The report's own reader of the same files (spin_eval.report.load_run)."""
    from spin_eval.report import load_run

    folder = Path(tempfile.mkdtemp(prefix="spin-eval-fuzz-"))
    (folder / "results_2026-01-01T00-00-00.json").write_text(json.dumps(dict(RESULTS, **results_changes)))
    sample = json.dumps(dict(SAMPLE, **sample_changes)).encode()
    (folder / "samples_t_2026-01-01T00-00-00.jsonl").write_bytes(sample + b"\n" + trailing)
    try:
        load_run(folder)
    except SpinEvalError as exc:
        assert "\n" not in str(exc)


# ---------------------------------------------------------------------------------------------- submissions


@pytest.fixture(scope="module")
def valid_submission() -> dict:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
    from pipeline_fixtures import write_fake_suite_run

    from spin_eval.pipeline.submission import make_submission

    run = write_fake_suite_run(Path(tempfile.mkdtemp()) / "run", base={"capability": 0.6, "leak": 0.5, "refusal": 0.1,
                               "bias": 0.2}, spin={"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1})
    return json.loads(json.dumps(make_submission(run)))


def _build_or_reject(data: bytes) -> None:
    from spin_eval.pipeline.leaderboard import build_leaderboard

    board = build_leaderboard([_scratch("s.json", data)])
    assert len(board.entries) + len(board.rejected) == 1
    for _, reason in board.rejected:
        assert "\n" not in reason


@FUZZ
@given(st.binary(max_size=300))
def test_submission_reader_any_bytes(data):
    _build_or_reject(data)


@FUZZ
@given(st.sampled_from(["name", "model", "mask", "tasks", "variants", "results", "results_sha256", "headline",
                        "integrity", "schema_version"]), json_values, st.booleans())
def test_submission_reader_any_field(valid_submission, field, value, rehash):
    from spin_eval.fileio import sha256_json

    doc = json.loads(json.dumps(valid_submission))
    doc[field] = value
    if rehash and isinstance(doc.get("integrity"), dict):  # an attacker recomputes the unsigned hash
        doc["integrity"]["content_sha256"] = sha256_json({k: v for k, v in doc.items() if k != "integrity"})
    _build_or_reject(json.dumps(doc).encode())


@FUZZ
@given(flips)
def test_submission_reader_flipped_bytes(valid_submission, changes):
    _build_or_reject(_mutate(json.dumps(valid_submission).encode(), changes))


# ------------------------------------------------------------------ hostile numbers, aliases, nesting, special files
# (issue 29: non-finite numbers never pass; bounded parsing; every reader of user YAML/JSON)

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
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
    from pipeline_fixtures import write_fake_run

    from spin_eval.pipeline.check import run_check
    from spin_eval.pipeline.policy import Policy
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
        from spin_eval.pipeline.policy import load_policy

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
    from spin_eval.pipeline.policy import load_policy
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
