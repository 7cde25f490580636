"""Read one lm-eval run (``results_*.json`` + ``samples_*.jsonl`` written with ``--log_samples``).

lm-eval 0.4.13 writes ``<output_path>/<model_name_sanitized>/results_<date_id>.json`` and, beside it,
``samples_<task>_<date_id>.jsonl`` (one line per document and filter). :func:`load_run` accepts the
results file itself, the folder holding it, or the ``--output_path`` folder above it.

The one rule for a folder holding several results files: results files directly in the folder win; the
newest ``date_id`` among them is read (lm-eval's file names order by time). Without any, exactly one
sub-folder may hold results files (lm-eval's model folder); several are refused naming them. Samples are
``samples_<task>_<same date_id>.jsonl``, else the newest samples file of the task beside the results.

Documents are keyed as :mod:`spin_eval.results.samples` reads them (``doc_hash``, ``#k`` for repeats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spin_eval.bounded import LARGE, read_json_file
from spin_eval.errors import InputError
from spin_eval.fileio import iter_jsonl
from spin_eval.lmeval_rows import validate_sample
from spin_eval.results.groups import pooled_samples
from spin_eval.results.samples import SampleRecord, read_samples

_RESULTS_RE = re.compile(r"^results_(?P<date>.+)\.json$")
#: Keys of ``results[task]`` that are not metrics.
_NON_METRIC_KEYS = {"name", "alias", "sample_len", " ", ""}
#: ``config`` keys that decide which documents are evaluated and how (compared across runs by the report).
#: ``spin_eval_*`` keys are written by ``spin-eval run`` (``limit`` is then the user's ``--limit``).
#: lm-eval evaluation options ``spin-eval run`` records in ``config`` (besides lm-eval's own gen_kwargs).
EVAL_OPTION_KEYS = ("apply_chat_template", "fewshot_as_multiturn", "system_instruction", "judge",
                    "spin_eval_model_args")
EVAL_CONFIG_KEYS = ("limit", "spin_eval_gen_limit", "spin_eval_documents", "gen_kwargs", "random_seed",
                    "numpy_seed", "torch_seed", "fewshot_seed", *EVAL_OPTION_KEYS)


@dataclass
class RunResults:
    """One evaluated variant of a model, as lm-eval wrote it."""

    name: str
    """Short name (the run folder's name) used by ``--baseline``."""
    path: str
    """The results file read."""
    model: str
    """lm-eval's ``model_name`` (the pretrained model evaluated)."""
    model_type: str
    """lm-eval's ``--model`` (``hf``, ``spin_hf``, ...)."""
    model_args: dict
    spin: dict | None
    """``config.spin`` written by ``spin_hf`` (``mode``, ``mask_path``, ``mask_sha256``, ``mask_metadata``)."""
    metrics: dict[str, dict[str, float | None]]
    """task -> ``"metric,filter"`` -> value (lm-eval's aggregate); stderr keys kept separately."""
    stderrs: dict[str, dict[str, float | None]]
    """task -> ``"metric,filter"`` -> lm-eval's bootstrap stderr (None where lm-eval wrote ``N/A``)."""
    higher_is_better: dict[str, dict[str, bool]]
    groups: dict[str, list[str]]
    """lm-eval's ``group_subtasks``: group name -> its subtasks."""
    samples: dict[str, dict[str, dict[str, SampleRecord]]] = field(default_factory=dict)
    """task -> filter -> doc_key -> record (empty where the run was made without ``--log_samples``)."""
    task_hashes: dict[str, str] = field(default_factory=dict)
    versions: dict[str, Any] = field(default_factory=dict)
    n_samples: dict[str, Any] = field(default_factory=dict)
    mask_file: str | None = None
    """The mask file on disk: ``config.spin.mask_path`` if it exists (absolute, or relative to the run
    folder), else ``<spin-eval run folder>/masks/<name>.safetensors``; None when not found."""
    lm_eval_version: str | None = None
    transformers_version: str | None = None
    date: float | None = None
    limit: float | None = None
    eval_config: dict[str, Any] = field(default_factory=dict)
    """The :data:`EVAL_CONFIG_KEYS` present in ``config`` (absent keys were not recorded)."""
    n_shot: dict[str, Any] = field(default_factory=dict)
    """lm-eval's ``n-shot``: task -> few-shot count."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The parsed results file as lm-eval wrote it (submissions carry it unchanged)."""

    @property
    def fingerprint(self) -> str | None:
        """The model fingerprint recorded in ``config.spin`` (mask metadata first), None when absent."""
        spin = self.spin or {}
        meta = spin.get("mask_metadata") if isinstance(spin.get("mask_metadata"), dict) else {}
        return meta.get("model_fingerprint") or spin.get("model_fingerprint")

    def metric_value(self, task: str, metric: str, filt: str = "none") -> float | None:
        """lm-eval's aggregate of ``metric`` (None when not reported)."""
        return self.metrics.get(task, {}).get(f"{metric},{filt}")

    def stderr(self, task: str, metric: str, filt: str = "none") -> float | None:
        """lm-eval's standard error of ``metric`` (None when not reported or ``N/A``)."""
        return self.stderrs.get(task, {}).get(f"{metric},{filt}")

    def doc_values(self, task: str, metric: str, filt: str = "none") -> dict[str, Any] | None:
        """doc key -> logged per-document value of ``metric``; None without samples of that task/filter."""
        records = self.samples.get(task, {}).get(filt)
        if not records:
            return None
        return {k: rec.values[metric] for k, rec in records.items() if rec.values.get(metric) is not None}


def _to_float(value: Any) -> float | None:
    """A number as float (NaN kept: lm-eval writes NaN for undefined metrics), None for ``"N/A"`` etc."""
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def find_results_file(path: str | Path) -> Path:
    """The results file that ``path`` names (file, model folder or output folder), newest first."""
    p = Path(path)
    if p.is_file():
        if not _RESULTS_RE.match(p.name) and p.suffix != ".json":
            raise InputError(f"{p}: not an lm-eval results file (expected results_<date>.json)")
        return p
    if not p.is_dir():
        raise InputError(f"{p}: no such file or folder; pass an lm-eval --output_path folder or a results_*.json")
    candidates = sorted(f for f in p.iterdir() if f.is_file() and _RESULTS_RE.match(f.name))
    if not candidates:
        subdirs = [
            d for d in sorted(p.iterdir()) if d.is_dir() and any(_RESULTS_RE.match(f.name) for f in d.iterdir())
        ]
        if len(subdirs) > 1:
            names = ", ".join(d.name for d in subdirs)
            raise InputError(
                f"{p}: holds results of several models ({names}); pass one model folder per run, "
                f"e.g. {subdirs[0]}"
            )
        if subdirs:
            candidates = sorted(f for f in subdirs[0].iterdir() if f.is_file() and _RESULTS_RE.match(f.name))
    if not candidates:
        raise InputError(
            f"{p}: no results_*.json found here or one folder below; run lm-eval with --output_path {p} "
            "(and --log_samples for paired statistics)"
        )
    return max(candidates, key=lambda f: _RESULTS_RE.match(f.name).group("date"))


def _run_name(given: Path, results_file: Path, sanitized: str | None) -> str:
    """The output folder's name (not lm-eval's sanitized model sub-folder inside it)."""
    folder = (given.parent if given.is_file() else given).resolve()
    if folder == results_file.parent.resolve() and (folder.name == sanitized or folder.name.startswith("__")):
        folder = folder.parent
    return folder.resolve().name or str(folder)


#: Fields of an lm-eval results file that must be JSON objects when present.
_OBJECT_FIELDS = ("config", "configs", "higher_is_better", "group_subtasks", "task_hashes", "versions", "n-samples",
                  "n-shot")


def _find_mask_file(run: RunResults, results_file: Path) -> str | None:
    spin = run.spin or {}
    if spin.get("mode") in (None, "none"):
        return None
    candidates: list[Path] = []
    if spin.get("mask_path"):
        mp = Path(str(spin["mask_path"])).expanduser()
        candidates.append(mp)
        if not mp.is_absolute():
            candidates += [results_file.parent / mp, results_file.parent.parent / mp]
    for up in (results_file.parent.parent, results_file.parent.parent.parent):
        if up.name == "runs":
            candidates.append(up.parent / "masks" / f"{run.name}.safetensors")
    for c in candidates:
        if c.is_file():
            return str(c)
    return None


def _read_results_file(results_file: Path) -> dict:
    data = read_json_file(results_file, str(results_file), LARGE, fix="re-run lm-eval")
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise InputError(f"{results_file}: no 'results' object; is this an lm-eval results file?")
    for key in _OBJECT_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise InputError(f"{results_file}: field '{key}' must be an object; is this an lm-eval results file?")
    # task names become parts of sample file names: a name with a path separator is corrupt, never followed
    unsafe = [t for t in data["results"] if "/" in t or "\\" in t or t.startswith(".")]
    if unsafe:
        raise InputError(f"{results_file}: task name {unsafe[0]!r:.60} is not a plain name; the results file is corrupt")
    return data


def parse_results(data: dict, *, name: str, path: str) -> RunResults:
    """A :class:`RunResults` (without samples) from a parsed results file (pure)."""
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    model_args = config.get("model_args") or {}
    if isinstance(model_args, str):  # lm-eval keeps the CLI string in some paths
        pairs = [kv.split("=", 1) for kv in model_args.split(",") if "=" in kv]
        model_args = {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(model_args, dict):
        model_args = {}
    metrics: dict[str, dict[str, float | None]] = {}
    stderrs: dict[str, dict[str, float | None]] = {}
    for task, entries in data["results"].items():
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            if key in _NON_METRIC_KEYS or "," not in key:
                continue
            metric, _, filt = key.partition(",")
            if metric.endswith("_stderr"):
                stderrs.setdefault(task, {})[f"{metric[: -len('_stderr')]},{filt}"] = _to_float(value)
            else:
                val = _to_float(value)
                if val is not None:
                    metrics.setdefault(task, {})[key] = val
    # The base model: lm-eval names a run after its peft=/delta= folder, but a fine-tuned variant of the same
    # base (spin-eval run --baselines) is compared with it like a masked one.
    model = str(model_args.get("pretrained") or data.get("model_name") or config.get("model") or "unknown")

    def _dict(key: str) -> dict:
        value = data.get(key)
        return dict(value) if isinstance(value, dict) else {}

    return RunResults(
        name=name,
        path=path,
        model=model,
        model_type=str(config.get("model") or data.get("model_source") or "unknown"),
        model_args=dict(model_args),
        spin=config.get("spin") if isinstance(config.get("spin"), dict) else None,
        metrics=metrics,
        stderrs=stderrs,
        higher_is_better={t: dict(v) for t, v in _dict("higher_is_better").items() if isinstance(v, dict)},
        groups={g: list(v) for g, v in _dict("group_subtasks").items() if isinstance(v, list)},
        task_hashes=_dict("task_hashes"),
        versions=_dict("versions"),
        n_samples=_dict("n-samples"),
        lm_eval_version=data.get("lm_eval_version"),
        transformers_version=data.get("transformers_version"),
        date=_to_float(data.get("date")),
        limit=_to_float(config.get("limit")),
        eval_config={k: config[k] for k in EVAL_CONFIG_KEYS if k in config},
        n_shot=_dict("n-shot"),
        raw=data,
    )


def load_run(path: str | Path, *, with_samples: bool = True, name: str | None = None) -> RunResults:
    """Load one lm-eval run: results, per-document samples (when logged) and provenance.

    Raises :class:`~spin_eval.errors.InputError` naming the file when there are no results or the JSON is
    broken. ``name`` overrides the run's name (default: its output folder's name).
    """
    given = Path(path)
    results_file = find_results_file(given)
    data = _read_results_file(results_file)
    run = parse_results(
        data, name=name or _run_name(given, results_file, data.get("model_name_sanitized")), path=str(results_file)
    )
    run.mask_file = _find_mask_file(run, results_file)
    if with_samples:
        configs = data.get("configs") if isinstance(data.get("configs"), dict) else {}
        for task, file in sample_files(results_file, list(run.metrics)).items():
            task_config = configs.get(task) if isinstance(configs.get(task), dict) else {}
            run.samples[task] = read_samples(file, task_config.get("output_type"))
        run.samples.update(pooled_samples(run.groups, run.samples))  # group rows (mmlu): their leaves pooled
    return run


def sample_files(results_file: str | Path, tasks: list[str]) -> dict[str, Path]:
    """task -> its ``samples_<task>_<date>.jsonl`` beside ``results_file`` (the same date, else the newest)."""
    results_file = Path(results_file)
    date_id = _RESULTS_RE.match(results_file.name)
    out: dict[str, Path] = {}
    for task in tasks:
        pattern = f"samples_{task}_{date_id.group('date')}.jsonl" if date_id else None
        file = results_file.parent / pattern if pattern else None
        if file is None or not file.is_file():
            # the date part has no '_': samples_mmlu_* must not pick up samples_mmlu_anatomy_*
            others = sorted(f for f in results_file.parent.glob(f"samples_{task}_*.jsonl")
                            if "_" not in f.name[len(f"samples_{task}_"):])
            file = others[-1] if others else None
        if file is not None:
            out[task] = file
    return out


def raw_sample_rows(run: RunResults) -> dict[str, list[dict[str, Any]]]:
    """task -> the run's logged lm-eval sample rows as written (validated), for tasks with samples."""
    fix = "the samples file is truncated or corrupt, re-run lm-eval with --log_samples"
    return {task: [validate_sample(row, where) for where, row in iter_jsonl(file, fix=fix)]
            for task, file in sample_files(run.path, sorted(run.samples)).items()}
