"""Property tests (hypothesis): every reader of user files turns ANY input into either a valid object or
the documented one-line SpinEvalError, never another exception (a traceback, exit 3).

Readers: mask files (spin.io.load_mask), calibration CSV/JSONL (spin.calibration.load_calibration),
policy YAML (gate.policy.load_policy), lm-eval results + samples (spin_eval.results.load.load_run),
leaderboard submissions (leaderboard.build.build_leaderboard, which rejects with the error's text).
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

    from spin_eval.gate.policy import Policy, load_policy

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

    from run_fixtures import write_fake_suite_run

    from spin_eval.leaderboard.pack import make_submission

    run = write_fake_suite_run(Path(tempfile.mkdtemp()) / "run", base={"capability": 0.6, "leak": 0.5, "refusal": 0.1,
                               "bias": 0.2}, spin={"capability": 0.5, "leak": 0.2, "refusal": 0.1, "bias": 0.1})
    return json.loads(json.dumps(make_submission(run)))


def _build_or_reject(data: bytes) -> None:
    from spin_eval.leaderboard.build import build_leaderboard

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

