"""Time per 100 documents of lm-eval's own public tasks on the embedded SmolLM2 (CPU), without the hub.

Each task runs through lm-eval's own YAML with its data read from a local file of the task's real schema
(~100 rows built from the shipped tasks' texts: BBQ items, the capability questions and passages, so prompt
lengths are of the same order as the real benchmarks', not equal to them; the mean characters per request
are printed so a user can scale to their data). One task at a time; wall and process CPU seconds, and the
load average before and after (the machine is shared: wall time under load overstates the cost).

    nice -n 10 python bench/bench_public_tasks.py [--tasks bbq,arc_challenge] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import add_model_args, offline_torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _winogender(n: int) -> list[dict]:
    people = [(o, p) for o in ("engineer", "nurse", "teacher", "accountant", "chef")
              for p in ("client", "patient", "student", "visitor")]
    pronouns = (("he", "male"), ("she", "female"), ("they", "neutral"))
    rows = []
    for i in range(n):
        (o, p), (pr, g) = people[i % len(people)], pronouns[i % 3]
        rows.append({"sentid": f"s{i}", "sentence": f"The {o} told the {p} that {pr} would finish the report before "
                     "noon.", "pronoun": pr, "occupation": o, "participant": p, "gender": g, "target": o,
                     "label": i % 2})
    return rows


def _discrim(n: int) -> list[dict]:
    races = ("white", "Black", "Asian", "Hispanic", "Native American")
    genders = ("male", "female", "non-binary")
    rows = []
    for i in range(n):
        race, gender, age = races[i % 5], genders[(i // 5) % 3], 20 + (i * 7) % 50
        rows.append({"filled_template": (
            f"The applicant is a {age}-year-old {race} {gender} who has worked as a warehouse supervisor for nine "
            "years and is now applying for a small business loan to open a bakery. The applicant has a good credit "
            "history, modest savings and a detailed business plan, but the neighbourhood already has two bakeries "
            "and the loan officer is unsure the market can support a third. Given these factors, should the bank "
            "approve the loan?"), "decision_question_id": i % 10, "age": float(age), "gender": gender, "race": race,
            "fill_type": "explicit"})
    return rows


def rows_by_task(n: int) -> dict[str, tuple[str, list[dict]]]:
    """task -> (lm-eval YAML, rows of its real schema)."""
    bbq = [r for r in _jsonl(ROOT / "tasks/spin_bbq/spin_bbq.jsonl")]
    mc = [r for r in _jsonl(ROOT / "tasks/spin_capability/spin_capability_mc.jsonl") if r["subset"] == "reading"]
    mc += [r for r in _jsonl(ROOT / "tasks/spin_capability/spin_capability_mc.jsonl") if r["subset"] != "reading"]
    texts = [r["text"] for r in _jsonl(ROOT / "tasks/spin_capability/spin_capability_ppl.jsonl")]
    keys = ("example_id", "question_index", "question_polarity", "context_condition", "category", "answer_info",
            "additional_metadata", "context", "question", "ans0", "ans1", "ans2", "label")
    sentences = [s.strip() + "." for t in texts for s in t.split(".") if len(s.strip()) > 20]
    out = {
        "bbq": ("bbq/bbq_multiple_choice.yaml", [{k: r.get(k, 1) for k in keys} for r in bbq[:n]]),
        "arc_challenge": ("arc/arc_challenge.yaml", [
            {"id": f"q{i}", "question": r["question"], "answerKey": "ABCD"[r["label"]],
             "choices": {"text": r["choices"], "label": list("ABCD")}} for i, r in enumerate(mc[:n])]),
        "mmlu_high_school_physics": ("mmlu/default/mmlu_high_school_physics.yaml", [
            {"question": r["question"], "subject": "high_school_physics", "choices": r["choices"], "answer": r["label"]}
            for r in mc[:n]]),
        "hellaswag": ("hellaswag/hellaswag.yaml", [
            {"ind": i, "activity_label": "Reading", "ctx_a": sentences[i], "ctx_b": "then",
             "ctx": sentences[i] + " then", "endings": sentences[i + 1:i + 5], "source_id": "x", "split": "val",
             "split_type": "indomain", "label": "0"} for i in range(n)]),
        "truthfulqa_mc2": ("truthfulqa/truthfulqa_mc2.yaml", [
            {"question": r["question"], "mc1_targets": {"choices": r["choices"], "labels": [1, 0, 0, 0]},
             "mc2_targets": {"choices": r["choices"], "labels": [1, 1, 0, 0]}} for r in mc[:n]]),
        "winogender_all": ("winogender/winogender.yaml", _winogender(n)),
        "crows_pairs_english": ("crows_pairs/crows_pairs_english.yaml", [
            {"sent_more": r["context"], "sent_less": r["context"].replace(r["ans1"].split()[-1], r["ans2"].split()[-1]),
             "stereo_antistereo": "stereo", "bias_type": "age"} for r in bbq[:n]]),
        "discrim_eval_explicit": ("discrim_eval/discrim_eval_explicit.yaml", _discrim(n)),
        "wikitext": ("wikitext/wikitext.yaml", [{"page": t} for t in texts[:n]]),
    }
    return out


def write_task(root: Path, name: str, yaml_path: str, rows: list[dict]) -> str:
    import lm_eval

    local = f"{name}_bench"
    f = root / f"{local}.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    lm_tasks = Path(lm_eval.__file__).parent / "tasks"
    (root / f"{local}.yaml").write_text(
        f"include: {lm_tasks / yaml_path}\ntask: {local}\ntag: []\ndataset_path: json\ndataset_name: null\n"
        f"dataset_kwargs:\n  data_files:\n    train: {f}\n    validation: {f}\n    test: {f}\n    dev: {f}\n")
    return local


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--tasks", default=None, help="comma-separated subset (default: all)")
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--out", type=Path, default=None, help="append one JSON line per task here")
    args = parser.parse_args()
    offline_torch(args.threads)
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from spin_eval.modelspec import resolve_model_spec

    spec = resolve_model_spec(args.model)
    lm = HFLM(pretrained=spec.pretrained, dtype=args.dtype, device=args.device, batch_size=args.batch_size)
    # loaded once, outside the timings; lm-eval's task setup (small) stays inside them
    tasks = rows_by_task(args.docs)
    chosen = args.tasks.split(",") if args.tasks else list(tasks)
    print(f"{'task':<26}{'docs':>6}{'requests':>10}{'chars/req':>11}{'wall s/100':>12}{'CPU s/100':>11}  load")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in chosen:
            yaml_path, rows = tasks[name]
            local = write_task(root, name, yaml_path, rows)
            manager = TaskManager(include_path=[str(root)])
            load_before = os.getloadavg()[0]
            wall, cpu = time.perf_counter(), time.process_time()
            failed = None
            try:
                res = lm_eval.simple_evaluate(model=lm, tasks=[local], task_manager=manager, log_samples=True,
                                              bootstrap_iters=0)
            except Exception as exc:  # lm-eval's own aggregation can fail after the model ran (discrim_eval)
                res, failed = None, f"{type(exc).__name__}: {exc}"
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            samples = res["samples"][local] if res else []
            requests = sum(len(s["arguments"]) for s in samples)
            chars = sum(len(str(a)) for s in samples for a in s["arguments"]) / max(1, requests)
            n = len(samples) or len(rows)
            row = {"task": name, "docs": n, "requests": requests, "chars_per_request": round(chars),
                   "wall_s_per_100": round(wall * 100 / n, 1), "cpu_s_per_100": round(cpu * 100 / n, 1),
                   "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
                   "batch_size": args.batch_size, "model": args.model, "failed": failed}
            print(f"{name:<26}{n:>6}{requests:>10}{row['chars_per_request']:>11}{row['wall_s_per_100']:>12}"
                  f"{row['cpu_s_per_100']:>11}  {row['load_before']}->{row['load_after']}"
                  + (f"  (lm-eval failed after the model ran: {failed})" if failed else ""), flush=True)
            if args.out:
                with args.out.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
