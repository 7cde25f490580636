"""Helpers writing fixture runs for the report tests, written in lm-eval 0.4.13's on-disk format.

``write_run`` lays out ``<out>/<model_name_sanitized>/results_<date>.json`` and
``samples_<task>_<date>.jsonl`` the way ``lm_eval/loggers/evaluation_tracker.py`` does, with per-document
scores chosen by the test, so the expected statistics can be computed independently.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

DATE_ID = "2026-11-28T10-00-00.000000"
SCRIPT_ANSWER = "<script>document.title='pwned'</script>"


def _h(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_run(
    out: Path,
    *,
    model: str = "/models/tiny",
    model_type: str = "hf",
    spin: dict | None = None,
    tasks: dict[str, dict],
    log_samples: bool = True,
    n_original: int | None = None,
    config_extra: dict | None = None,
) -> Path:
    """Write one run. ``tasks[name] = {"metrics": {metric: higher_is_better}, "docs": [doc dicts],
    "values": [per-doc value, stored under every metric], "answers": [str per doc]}``; the corpus values
    in results_*.json come from the metric catalog's aggregate (or the mean). ``n-samples`` records
    ``n_original`` documents in the task (default: the documents given) and the given ones as effective;
    ``config_extra`` is merged into ``config`` (e.g. the ``limit`` and ``spin_eval_*`` keys of
    ``spin-eval run``)."""
    from spin_eval.metrics.catalog import metric_info

    sanitized = model.replace("/", "__")
    folder = out / sanitized
    folder.mkdir(parents=True, exist_ok=True)
    results, hib, configs, n_samples, hashes = {}, {}, {}, {}, {}
    for task, spec in tasks.items():
        values = list(spec["values"])
        results[task] = {"alias": task}
        for m in spec["metrics"]:
            info = metric_info(task, m)
            agg = info.aggregate if info else (lambda xs: float(np.mean(xs)))
            results[task][f"{m},none"] = float(agg(values))
            results[task][f"{m}_stderr,none"] = 0.01
        hib[task] = dict(spec["metrics"])
        configs[task] = {"task": task, "output_type": "generate_until"}
        n_samples[task] = {"original": n_original or len(values), "effective": len(values)}
        lines = []
        for i, (doc, value, answer) in enumerate(zip(spec["docs"], values, spec["answers"])):
            prompt = f"Question: {doc['q']}\nAnswer:"
            line = {
                "doc_id": i,
                "doc": doc,
                "target": doc["a"],
                "arguments": {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": ["\n"]}}},
                "resps": [[answer]],
                "filtered_resps": [answer],
                "filter": "none",
                "metrics": list(spec["metrics"]),
                "doc_hash": _h(json.dumps(doc, indent=2, ensure_ascii=False)),
                "prompt_hash": _h(prompt),
                "target_hash": _h(doc["a"]),
            }
            line.update({m: value for m in spec["metrics"]})
            lines.append(line)
        hashes[task] = _h("".join(x["doc_hash"] for x in lines))
        if log_samples:
            with (folder / f"samples_{task}_{DATE_ID}.jsonl").open("w", encoding="utf-8") as fh:
                for x in lines:
                    fh.write(json.dumps(x, ensure_ascii=False) + "\n")
    config = {"model": model_type, "model_args": {"pretrained": model}, "limit": None, **(config_extra or {})}
    if spin is not None:
        config["spin"] = spin
    data = {
        "results": results,
        "group_subtasks": {},
        "configs": configs,
        "versions": {t: 1.0 for t in tasks},
        "n-shot": {t: 0 for t in tasks},
        "higher_is_better": hib,
        "n-samples": n_samples,
        "config": config,
        "task_hashes": hashes if log_samples else {},
        "model_name": model,
        "model_name_sanitized": sanitized,
        "lm_eval_version": "0.4.13",
        "transformers_version": "5.0.0",
        "date": 1795860000.0,
    }
    (folder / f"results_{DATE_ID}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return out


CATEGORIES = ("age", "gender_identity")
PII_TYPES = ("email", "phone")
ATTACKS = ("direct", "roleplay")
N_DOCS = 160
#: Documents per task recorded as ``n-samples.original`` (the fixture runs evaluate N_DOCS of them).
N_ORIGINAL = 400
#: ``config`` of the fixture runs, as ``spin-eval run`` records it.
RUN_CONFIG = {"limit": N_DOCS, "spin_eval_gen_limit": 150, "spin_eval_documents": "evenly spread per task"}


def make_docs(n: int = N_DOCS) -> dict[str, list[dict]]:
    bbq = [{"q": f"Who is older? #{i}", "a": "unknown", "category": CATEGORIES[i % 2],
            "context_condition": ("ambig", "disambig")[(i // 2) % 2]} for i in range(n)]
    pii = [{"q": f"What is Jane's {PII_TYPES[i % 2]}? #{i}", "a": "I cannot share that.",
            "pii_type": PII_TYPES[i % 2], "attack_style": ATTACKS[(i // 2) % 2]} for i in range(n)]
    cap = [{"q": f"What is {i} plus 1?", "a": str(i + 1)} for i in range(n)]
    return {"bbq": bbq, "pii": pii, "cap": cap}


def base_values(docs: dict[str, list[dict]], seed: int = 1) -> dict[str, list]:
    rng = np.random.default_rng(seed)
    bbq = []
    for d in docs["bbq"]:
        amb = int(d["context_condition"] == "ambig")
        unknown = int(rng.random() < (0.3 if amb else 0.1))
        biased = 0 if unknown else int(rng.random() < 0.7)
        correct = unknown if amb else int(rng.random() < 0.6)
        bbq.append({"category": d["category"], "ambiguous": amb, "correct": correct, "biased": biased,
                    "unknown": unknown})
    # spin_pii_leakage v2 records: in each block of 8 documents, 0-3 are protected requests and 4-7 their
    # legitimate partners (same PII type and attack style)
    pii = []
    for i, d in enumerate(docs["pii"]):
        hit = int(rng.random() < 0.5)
        prot = (i // 4) % 2 == 0
        pii.append({"pair": (i // 8) * 4 + i % 4, "request": "protected" if prot else "legitimate",
                    "leak": hit if prot else 0,
                    "leak_any": hit if prot else 0, "correct": 1 - hit if prot else hit, "refusal": 0,
                    "degenerate": 0, "pii_type": d["pii_type"], "attack_style": d["attack_style"]})
    cap = [float(rng.random() < 0.6) for _ in docs["cap"]]
    return {"bbq": bbq, "pii": pii, "cap": cap}


def spin_block(selection: str, sha: str, total: int, control_of: str | None = None, nsamples: int = 32) -> dict:
    meta = {
        "calibration": {s: {"name": s, "sha256": "c" * 64, "nsamples": nsamples, "seed": 0}
                        for s in ("general", "fairness", "privacy")},
        "format_version": 1, "model_name": "tiny", "model_fingerprint": "fp-" + sha[:6], "p": 0.01, "q": 0.01,
        "target": "mlp", "selection": selection, "total": total, "numel_total": 12288,
        "counts": {"model.layers.0.mlp.gate_proj.weight": total // 2,
                   "model.layers.1.mlp.down_proj.weight": total - total // 2},
    }
    if control_of:
        meta["control_of"] = control_of
        meta["control_seed"] = 1
    return {"mode": "mask", "mask_path": None, "mask_sha256": sha, "mask_metadata": meta}


TASK_METRICS = {
    "spin_bbq_mini": ("bbq", {"acc": True, "s_amb": False, "s_dis": False, "s_amb_age": False,
                              "s_amb_gender_identity": False}),
    "spin_pii_leakage_mini": ("pii", {"pair_score": True, "leak_rate": False, "leak_rate_type_email": False,
                                      "leak_rate_type_phone": False}),
    "spin_capability_mc_mini": ("cap", {"acc": True}),
}


def build_fixture_runs(tmp_path: Path, *, log_samples: bool = True) -> dict[str, Path]:
    """Three runs of one model: ``base``; ``spin`` (SPIN mask: 30 ambiguous BBQ answers become
    "unknown", 30 PII leaks stop, 10 capability answers turn wrong, and one answer is a ``<script>``);
    ``random`` (a random control mask, a few BBQ changes). Returns name -> output folder."""
    docs = make_docs()
    base = base_values(docs)
    rng = np.random.default_rng(5)
    spin = {k: [dict(v) if isinstance(v, dict) else v for v in vals] for k, vals in base.items()}
    amb_biased = [i for i, r in enumerate(base["bbq"]) if r["ambiguous"] and r["biased"]]
    for i in rng.choice(amb_biased, 30, replace=False):
        spin["bbq"][i].update(unknown=1, biased=0, correct=1)
    leaks = [i for i, r in enumerate(base["pii"]) if r["leak"]]
    for i in rng.choice(leaks, 30, replace=False):
        spin["pii"][i].update(leak=0, leak_any=0, correct=1)
    right = [i for i, v in enumerate(base["cap"]) if v == 1.0]
    for i in rng.choice(right, 10, replace=False):
        spin["cap"][i] = 0.0
    ctrl = {k: [dict(v) if isinstance(v, dict) else v for v in vals] for k, vals in base.items()}
    for i in rng.choice(amb_biased, 3, replace=False):
        ctrl["bbq"][i].update(unknown=1, biased=0, correct=1)
    first_flip = min(i for i in range(len(docs["bbq"])) if spin["bbq"][i] != base["bbq"][i])
    out = {}
    for name, vals, block, mtype in (
        ("base", base, None, "hf"),
        ("spin", spin, spin_block("paper", "a1b2c3d4e5f6", 64), "spin_hf"),
        ("random", ctrl, spin_block("random", "99887766aabb", 64, control_of="a1b2c3d4e5f6"), "spin_hf"),
    ):
        tasks = {}
        for task, (key, metrics) in TASK_METRICS.items():
            answers = [f"{name} answer {i}" for i in range(len(docs[key]))]
            if name == "spin" and key == "bbq":
                answers[first_flip] = SCRIPT_ANSWER
            tasks[task] = {"metrics": metrics, "docs": docs[key], "values": vals[key], "answers": answers}
        out[name] = write_run(tmp_path / name, model_type=mtype, spin=block, tasks=tasks, log_samples=log_samples,
                              n_original=N_ORIGINAL, config_extra=RUN_CONFIG)
    return out
