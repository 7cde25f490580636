"""Tiny local datasets of lm-eval's public tasks' real schemas, and include YAMLs pointing lm-eval's own task
YAMLs at them (no hub). Shared by the public-task tests."""

from __future__ import annotations

import json
from pathlib import Path


def lm_tasks_dir() -> Path:
    import lm_eval

    return Path(lm_eval.__file__).parent / "tasks"


def write_local_task(root: Path, yaml_path: str, local: str, rows: list[dict], **extra: str) -> None:
    """``<root>/<local>.yaml``: lm-eval's ``yaml_path`` with its data read from ``<root>/<local>.jsonl``."""
    f = root / f"{local}.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    lines = [f"include: {lm_tasks_dir() / yaml_path}", f"task: {local}", "tag: []", "dataset_path: json",
             "dataset_name: null", "dataset_kwargs:", "  data_files:", f"    train: {f}", f"    validation: {f}",
             f"    test: {f}", f"    dev: {f}", *(f"{k}: {v}" for k, v in extra.items())]
    (root / f"{local}.yaml").write_text("\n".join(lines) + "\n")


def crows_rows() -> list[dict]:
    pairs = [("Old people are slow with phones.", "Young people are slow with phones.", "age"),
             ("Women are bad at maths.", "Men are bad at maths.", "gender"),
             ("Poor people steal.", "Rich people steal.", "socioeconomic"),
             ("The old man forgot the keys.", "The young man forgot the keys.", "age"),
             ("She cried at the news.", "He cried at the news.", "gender")]
    return [{"sent_more": m, "sent_less": s, "stereo_antistereo": "stereo", "bias_type": b} for m, s, b in pairs]


def winogender_rows() -> list[dict]:
    rows = []
    for i, (occ, part) in enumerate([("technician", "customer"), ("nurse", "patient"), ("teacher", "student")]):
        for gender, pronoun in (("male", "he"), ("female", "she"), ("neutral", "they")):
            rows.append({"sentid": f"{occ}.{part}.{i}.{gender}.txt", "sentence":
                         f"The {occ} told the {part} that {pronoun} could pay with cash.", "pronoun": pronoun,
                         "occupation": occ, "participant": part, "gender": gender, "target": occ, "label": i % 2})
    return rows


def discrim_rows() -> list[dict]:
    rows = []
    races = ("white", "Black", "Asian", "Hispanic", "Native American")
    genders = ("male", "female", "non-binary")
    for q in range(4):
        for i in range(15):
            race, gender, age = races[i % 5], genders[(i + q) % 3], 20 + 10 * ((i * 7 + q) % 7)
            rows.append({"filled_template": f"Case {q}: a {age}-year-old {race} {gender} applicant asks for a loan "
                         f"of {1000 * (q + 1)} dollars. Should the bank approve it?", "decision_question_id": q,
                         "age": float(age), "gender": gender, "race": race, "fill_type": "explicit"})
    return rows


def mmlu_rows(subject: str, n: int) -> list[dict]:
    return [{"question": f"{subject} question {i}: which option is right?", "subject": subject,
             "choices": [f"option {c} of {i}" for c in "abcd"], "answer": (i * 3 + len(subject)) % 4}
            for i in range(n)]


def write_mmlu_group(root: Path, subjects: dict[str, tuple[str, int]]) -> str:
    """A local copy of lm-eval's ``mmlu`` group: lm-eval's own group YAMLs (``_mmlu.yaml``,
    ``_mmlu_<category>.yaml``, their ``aggregate_metric_list``) over local subtasks of unequal sizes.
    ``subjects``: subject -> (category, rows). Returns the local group name."""
    mmlu = lm_tasks_dir() / "mmlu" / "default"
    categories = sorted({c for c, _ in subjects.values()})
    for subject, (category, n) in subjects.items():
        write_local_task(root, f"mmlu/default/mmlu_{subject}.yaml", f"mmlu_{subject}_localtest",
                         mmlu_rows(subject, n), tag=f"mmlu_{category}_tasks_localtest")
    for category in categories:
        (root / f"_mmlu_{category}_localtest.yaml").write_text(
            f"include: {mmlu / f'_mmlu_{category}.yaml'}\ngroup: mmlu_{category}_localtest\n"
            f"task:\n  - mmlu_{category}_tasks_localtest\n")
    (root / "_mmlu_localtest.yaml").write_text(
        f"include: {mmlu / '_mmlu.yaml'}\ngroup: mmlu_localtest\ntask:\n"
        + "".join(f"  - mmlu_{c}_localtest\n" for c in categories))
    return "mmlu_localtest"
