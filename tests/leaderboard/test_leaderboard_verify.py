"""spin-eval leaderboard verify on the tiny random Llama: a real run (multiple choice + greedy generation),
packed, then re-evaluated document by document; tampering, a missing model and missing tasks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from run_fixtures import write_question_tasks

from spin_eval.cli import main
from spin_eval.leaderboard.reproduce import choose_documents, compare_values


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory) -> Path:
    return write_question_tasks(tmp_path_factory.mktemp("verifytasks"), "vtest", n=12, generation=True)


@pytest.fixture(scope="module")
def packed(tiny_model_dir, task_dir, tmp_path_factory):
    """A finished tiny run (base + spin), packed into a submission with its evidence."""
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("SPIN_EVAL_CACHE", str(cache))
    out = tmp_path_factory.mktemp("vrun") / "out"
    assert main(["run", "--model", str(tiny_model_dir), "--tasks", "vtest_mc,vtest_gen", "--include-path", str(task_dir),
                 "--limit", "12", "--p", "0.05", "--q", "0.05", "--nsamples", "3", "--batch-size", "4",
                 "--bootstrap-iters", "0", "--controls", "none", "--no-report", "-o", str(out)]) == 0
    folder = tmp_path_factory.mktemp("submission")
    sub = folder / "tiny.json"
    assert main(["leaderboard", "submit", str(out), "-o", str(sub)]) == 0
    yield {"sub": sub, "run": out}
    mp.undo()


def _copy(packed, tmp_path) -> Path:
    shutil.copytree(packed["sub"].parent, tmp_path / "s")
    return tmp_path / "s" / packed["sub"].name


def _verify(sub, task_dir, *extra):
    return main(["leaderboard", "verify", str(sub), "--docs", "3", "--seed", "7", "--include-path", str(task_dir), *extra])


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_verify_reproduces_and_build_shows_it(packed, task_dir, tmp_path, capsys):
    sub = _copy(packed, tmp_path)
    assert _verify(sub, task_dir) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("VERIFIED: ") and "base" in printed and "spin" in printed
    record = json.loads(sub.with_name("tiny.verification.json").read_text())
    assert record["verdict"] == "verified" and record["seed"] == 7
    assert record["documents"] == choose_documents({"vtest_mc": [{"doc_id": i} for i in range(12)],
                                                    "vtest_gen": [{"doc_id": i} for i in range(12)]}, 3, 7)
    assert record["rows_compared"] == 2 * 2 * 3  # 2 variants x 2 tasks x 3 documents
    board = tmp_path / "board"
    assert main(["leaderboard", "build", str(sub), "-o", str(board), "--verified-only"]) == 0
    entry = json.loads((board / "leaderboard.json").read_text())["entries"][0]
    assert entry["verified"] is True and "3 docs/task" in entry["verification"]


def _forge(sub: Path, edit) -> None:
    """Change evidence rows with ``edit(task, rows)`` and re-seal everything a forger can re-seal."""
    import hashlib

    from spin_eval.fileio import sha256_json
    from spin_eval.leaderboard.evidence import evidence_bytes, evidence_path

    doc = json.loads(sub.read_text())
    for task, ref in doc["evidence"]["spin"].items():
        rows = [json.loads(x) for x in evidence_path(sub.parent, ref["sha256"]).read_text().splitlines()]
        if not edit(task, rows, doc):
            continue
        data = evidence_bytes(rows)
        digest = hashlib.sha256(data).hexdigest()
        evidence_path(sub.parent, digest).write_bytes(data)
        doc["evidence"]["spin"][task] = {"sha256": digest, "documents": ref["documents"], "bytes": len(data)}
    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    sub.write_text(json.dumps(doc))


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_verify_all_documents_including_two_digit_ids(packed, task_dir, tmp_path, capsys):
    """Doc ids 10 and 11 sort before 2 as text. lm-eval 0.4.13 evaluates a ``samples=`` selection in index
    order and logs the i-th document as ``doc_id = samples[task][i]``, so a text-sorted selection re-evaluated
    document 2 under the label 10 and verify reported a MISMATCH for an honest submission."""
    sub = _copy(packed, tmp_path)
    assert main(["leaderboard", "verify", str(sub), "--docs", "12", "--include-path", str(task_dir)]) == 0
    assert capsys.readouterr().out.startswith("VERIFIED: 48 per-document results")  # 2 variants x 2 tasks x 12


def test_chosen_documents_are_in_ascending_numeric_order():
    from spin_eval.lmeval_rows import samples_argument

    chosen = choose_documents({"t": [{"doc_id": i} for i in range(30)]}, 12, 3)["t"]
    assert chosen == sorted(chosen) and len(chosen) == 12 and any(d >= 10 for d in chosen)
    assert samples_argument({"t": [11, 2, 5]}) == {"t": [2, 5, 11]} and samples_argument(None) is None


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_tampered_loglikelihoods_are_a_mismatch(packed, task_dir, tmp_path, capsys):
    sub = _copy(packed, tmp_path)

    def better_logliks(task, rows, doc):
        if task != "vtest_mc":
            return False
        for row in rows:  # the scores (acc) stay, so every number still follows from the samples
            row["filtered_resps"] = [[str(float(ll) + 0.5), flag] for ll, flag in row["filtered_resps"]]
        return True

    _forge(sub, better_logliks)
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "b")]) == 0  # consistent, so accepted
    capsys.readouterr()
    assert _verify(sub, task_dir) == 1
    printed = capsys.readouterr().out
    assert printed.startswith("MISMATCH: spin/vtest_mc doc") and "filtered_resps" in printed and "beyond 0.0001" in printed
    record = json.loads(sub.with_name("tiny.verification.json").read_text())
    assert record["verdict"] == "mismatch"
    assert main(["leaderboard", "build", str(sub), "-o", str(tmp_path / "b2"), "--verified-only"]) == 2


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_tampered_generation_and_score_are_a_mismatch(packed, task_dir, tmp_path, capsys):
    sub = _copy(packed, tmp_path)

    def other_answer(task, rows, doc):
        if task != "vtest_gen":
            return False
        for row in rows:  # a different greedy answer that is "correct"; results and headline follow
            row["resps"] = [[row["doc"]["choices"][row["doc"]["label"]]]]
            row["filtered_resps"] = [row["doc"]["choices"][row["doc"]["label"]]]
            row["exact_match"] = 1.0
        doc["results"]["spin"]["results"]["vtest_gen"]["exact_match,none"] = 1.0
        return True

    _forge(sub, other_answer)
    assert _verify(sub, task_dir) == 1
    assert "spin/vtest_gen doc" in capsys.readouterr().out


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_static_tampering_is_a_mismatch_without_loading_a_model(packed, task_dir, tmp_path, capsys):
    sub = _copy(packed, tmp_path)
    doc = json.loads(sub.read_text())
    doc["results"]["spin"]["results"]["vtest_mc"]["acc,none"] = 1.0  # not what the samples say
    from spin_eval.fileio import sha256_json

    doc["results_sha256"] = {v: sha256_json(r) for v, r in doc["results"].items()}
    doc["integrity"] = {"algorithm": "sha256", "content_sha256": sha256_json({k: v for k, v in doc.items() if k != "integrity"})}
    sub.write_text(json.dumps(doc))
    assert _verify(sub, task_dir) == 1
    out = capsys.readouterr().out  # vtest_mc is outside the catalog; its config declares aggregation: mean
    assert out.startswith("MISMATCH: ") and "vtest_mc/acc: the results file reports 1 but its samples give" in out


@pytest.mark.slow  # end to end: lm-eval on the tiny model
def test_cannot_verify_exits_2_with_the_reason(packed, task_dir, tmp_path, capsys):
    sub = _copy(packed, tmp_path)
    assert _verify(sub, task_dir, "--model", str(tmp_path / "no-such-model")) == 2
    out = capsys.readouterr().out
    assert out.startswith("CANNOT-VERIFY: the submission's model") and "cannot be loaded here" in out
    assert main(["leaderboard", "verify", str(sub), "--docs", "2"]) == 2  # tasks not available here
    assert "task(s) vtest_gen, vtest_mc are not available here" in capsys.readouterr().out
    for f in (sub.parent / "evidence").iterdir():
        f.unlink()
    assert _verify(sub, task_dir) == 2
    assert "not found beside the submission" in capsys.readouterr().out
    assert main(["leaderboard", "verify", str(tmp_path / "missing.json")]) == 2


def test_compare_values_rules():
    assert compare_values([["-1.00001", "False"]], [["-1.0", "False"]], 1e-4) is None
    assert "beyond" in compare_values([["-1.001", "False"]], [["-1.0", "False"]], 1e-4)
    assert compare_values(["Paris"], ["Paris"], None) is None
    assert compare_values(["5"], ["5.00001"], None) is not None  # generated text: exact
    assert compare_values({"leak": 1}, {"leak": 0}, None) == "leak: 1 != 0"
