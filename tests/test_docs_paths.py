"""Every module or file path that the docs name in backticks exists in the checkout.

A doc that names ``pipeline/rundir.py:load_variant`` after that module was removed sends a newcomer to
nothing. The rule: a backticked ``path.py`` (optionally ``:name``) with a folder must resolve under the
repository root or one of the project's top folders; a bare file name must be the name of some tracked
file; and a ``:name`` suffix must be defined (``def``/``class``/assignment) in that file. Paths of other
repositories are named in ``EXTERNAL`` with the doc that cites them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *ROOT.glob("*/README.md")])
REF = re.compile(r"`((?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]*[A-Za-z0-9_]\.py)(?::([A-Za-z_][A-Za-z0-9_.]*))?`")
# Paths in other repositories that the docs cite on purpose (the SPIN reference code, examples of user files).
EXTERNAL = {"src/SPIN.py"}
SEARCH_ROOTS = ("", "spin_eval/", "tests/", "bench/", "scripts/")


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:  # not a git checkout (an sdist): fall back to the files on disk
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if ".venv" not in p.parts]
    return out.stdout.split()


TRACKED = _tracked_files()
BASENAMES = {Path(p).name for p in TRACKED}


def _resolve(path: str) -> Path | None:
    if "/" not in path:
        matches = [p for p in TRACKED if Path(p).name == path]
        return ROOT / matches[0] if len(matches) == 1 else (ROOT / matches[0] if matches else None)
    for prefix in SEARCH_ROOTS:
        candidate = ROOT / (prefix + path)
        if candidate.exists():
            return candidate
    return None


def _references() -> list[tuple[str, int, str, str | None]]:
    refs = []
    for doc in DOCS:
        for lineno, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            for match in REF.finditer(line):
                refs.append((str(doc.relative_to(ROOT)), lineno, match.group(1), match.group(2)))
    return refs


REFERENCES = _references()


def test_the_docs_name_modules_at_all():
    """The scan finds the references it is meant to check (a broken pattern would pass everything)."""
    assert len(REFERENCES) > 50
    assert any(path.startswith("spin_eval/") for _, _, path, _ in REFERENCES)


@pytest.mark.parametrize(("doc", "lineno", "path", "name"), REFERENCES, ids=[f"{d}:{n}:{p}" for d, n, p, _ in REFERENCES])
def test_named_module_exists(doc, lineno, path, name):
    if path in EXTERNAL:
        return
    found = _resolve(path)
    assert found is not None, f"{doc}:{lineno} names `{path}`, which is not in the checkout: fix the doc"
    if name and "/" in path:  # a bare name may match several files; only a full path pins the definition
        leaf = name.split(".")[-1]
        text = found.read_text(encoding="utf-8")
        pattern = rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(leaf)}\b|^\s*{re.escape(leaf)}\s*[:=]"
        assert re.search(pattern, text, re.M), f"{doc}:{lineno} names `{path}:{name}`, not defined in {found.relative_to(ROOT)}"


def test_the_checker_catches_a_missing_module():
    assert _resolve("pipeline/rundir.py") is None
    assert _resolve("results/load.py") is not None
    assert "spin_hf.py" in BASENAMES


def _architecture_tree() -> list[tuple[int, str]]:
    """(line, path) of every module in docs/architecture.md's package tree, folders from indentation."""
    lines = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("spin_eval/"))
    stack: list[tuple[int, str]] = [(0, "spin_eval/")]
    found = []
    for lineno in range(start + 1, len(lines)):
        line = lines[lineno]
        if line.startswith("```"):
            break
        match = re.match(r"^( *)([A-Za-z0-9_]+(?:\.py|/))(?:\s|$)", line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        if indent == 0:  # a top-level folder of the checkout (tasks/, reports/, bench/ ...)
            stack = [(0, name)]
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = "".join(folder for _, folder in stack)
        if name.endswith("/"):
            stack.append((indent, name))
        found.append((lineno + 1, parent + name))
    return found


TREE = _architecture_tree()


def test_the_architecture_tree_is_parsed():
    assert ("spin_eval/adapter/spin_hf.py" in {path for _, path in TREE}) and len(TREE) > 30


@pytest.mark.parametrize(("lineno", "path"), TREE, ids=[path for _, path in TREE])
def test_architecture_tree_entry_exists(lineno, path):
    assert (ROOT / path).exists(), f"docs/architecture.md:{lineno} lists {path}, which is not in the checkout"
