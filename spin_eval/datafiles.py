"""``spin-eval run --metadata data_files=PATH``: the original BBQ JSONL (or any file of its schema), offline.

Two tasks read BBQ-schema files: spin-eval's ``spin_bbq`` / ``spin_bbq_mini`` (their loader takes lm-eval's
``--metadata data_files``) and lm-eval's own ``bbq`` (its YAML loads ``oskarvanderwal/bbq`` from the hub and
never reads metadata): for ``bbq`` spin-eval writes a small include YAML (lm-eval's ``bbq`` with
``dataset_path: json`` and the files as its test split) into the cache and puts it on the include path, so
the task keeps its name, its metrics and its catalog entry.

lm-eval hands ``--metadata`` to every task of a run. The other shipped tasks name their own data files in
their YAML (lm-eval then passes ``data_files`` twice and Python raises a TypeError), and hub tasks ignore
it (they would silently read the hub); both are refused with one line naming the task and the fix.
"""

from __future__ import annotations

import glob
from pathlib import Path

from spin_eval.errors import InputError

#: Tasks that read BBQ-schema files from --metadata data_files.
BBQ_TASKS = ("bbq", "spin_bbq", "spin_bbq_mini")
FIX = ("run the BBQ tasks (bbq, spin_bbq, spin_bbq_mini) with --metadata data_files in a run of their own, or "
       "give that task its files with an include YAML (docs/public-tasks.md)")


def parse_metadata(text: str) -> str:
    """The data_files value of ``--metadata data_files=PATH[;PATH...]`` (or lm-eval's JSON form)."""
    import json

    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise InputError(f"--metadata {text:.60}: not valid JSON; give data_files=PATH") from None
    else:
        key, sep, value = text.partition("=")
        data = {key.strip(): value.strip()} if sep else {}
    if set(data) != {"data_files"} or not isinstance(data["data_files"], str) or not data["data_files"]:
        raise InputError(f"--metadata {text:.60}: spin-eval run takes data_files=PATH only (a file or glob of "
                         "BBQ-schema JSONL; the judge is --judge)")
    return data["data_files"]


def resolve_files(data_files: str) -> list[str]:
    """Absolute paths of the files ``data_files`` names (``;``-separated files or globs); InputError when
    one names nothing."""
    out: list[str] = []
    for pattern in (p.strip() for p in data_files.split(";") if p.strip()):
        found = sorted(glob.glob(str(Path(pattern).expanduser())))
        if not found:
            raise InputError(f"--metadata data_files={pattern}: no such file")
        out += [str(Path(f).resolve()) for f in found]
    return out


def leaf_names(tasks: tuple[str, ...], groups_dir: Path) -> list[str]:
    """Task names with the shipped groups (``tasks/groups/*.yaml``) expanded to their tasks."""
    import yaml

    groups: dict[str, list[str]] = {}
    for file in sorted(groups_dir.glob("*.yaml")):
        cfg = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if isinstance(cfg, dict) and isinstance(cfg.get("group"), str) and isinstance(cfg.get("task"), list):
            groups[cfg["group"]] = [str(t) for t in cfg["task"]]

    def expand(name: str, seen: frozenset[str]) -> list[str]:
        if name not in groups or name in seen:
            return [name]
        return [leaf for sub in groups[name] for leaf in expand(sub, seen | {name})]

    return [leaf for t in tasks for leaf in expand(t, frozenset())]


def check_tasks(tasks: tuple[str, ...], shipped_dir: Path) -> None:
    """InputError naming the first task that cannot read --metadata data_files, with the fix."""
    for name in leaf_names(tasks, shipped_dir / "groups"):
        if name in BBQ_TASKS:
            continue
        if any(shipped_dir.glob(f"*/{name}.yaml")):
            why = "reads its own data files (dataset_kwargs.data_files in its YAML; lm-eval would raise a TypeError)"
        else:
            why = "does not read --metadata data_files (lm-eval loads it from its YAML's dataset_path)"
        raise InputError(f"--metadata data_files: task {name} {why}; {FIX}")


def bbq_include_yaml(files: list[str]) -> str:
    """lm-eval's ``bbq`` reading ``files`` (its own YAML included, so its metrics stay lm-eval's)."""
    import json

    import lm_eval

    original = Path(lm_eval.__file__).parent / "tasks" / "bbq" / "bbq_multiple_choice.yaml"
    return (f"# written by spin-eval run --metadata data_files: lm-eval's bbq on local files\n"
            f"include: {json.dumps(str(original))}\ntask: bbq\ndataset_path: json\ndataset_name: null\n"
            f"dataset_kwargs:\n  data_files:\n    test: {json.dumps(files)}\n")


def prepare(tasks: tuple[str, ...], metadata: str, shipped_dir: Path, cache: Path) -> tuple[tuple[str, ...], str | None]:
    """(the files, for lm-eval's task metadata; include folder for ``bbq`` or None), every task checked."""
    data_files = parse_metadata(metadata)
    check_tasks(tasks, shipped_dir)
    files = resolve_files(data_files)
    if "bbq" not in leaf_names(tasks, shipped_dir / "groups"):
        return tuple(files), None
    from spin_eval.fileio import sha256_json, write_text_atomic

    text = bbq_include_yaml(files)
    folder = cache / "data-tasks" / sha256_json(text)[:16]
    write_text_atomic(folder / "bbq.yaml", text)
    return tuple(files), str(folder)
