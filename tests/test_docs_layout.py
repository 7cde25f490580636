"""docs/architecture.md is true to the code, beyond every named path existing (tests/test_docs_paths.py): the
three uses and the results layer are listed module by module, and every module that writes files is named
under "I/O modules"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_docs_paths import TREE

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PATHS = {path for _, path in TREE}
#: Packages the tree lists completely (every module, one line each).
COMPLETE = ("spin_eval/run", "spin_eval/gate", "spin_eval/leaderboard", "spin_eval/results")
WRITES = re.compile(r"write_(?:json|text|bytes)_atomic\(|copy_file_atomic\(|\.write_text\(|\.write_bytes\(|os\.replace\("
                    r"|shutil\.(?:rmtree|move|copy\w*)\(|save_file\(|\.unlink\(|write_folder_atomic\("
                    r"|open\([^)]*[\"'](?:w|a|wb|ab|x)[\"']")


@pytest.mark.parametrize("package", COMPLETE)
def test_the_uses_and_the_results_layer_are_listed_completely(package):
    modules = sorted(f"{package}/{p.name}" for p in (ROOT / package).glob("*.py") if p.name != "__init__.py")
    assert len(modules) >= 2, package
    missing = [m for m in modules if m not in PATHS]
    assert missing == [], f"add these modules to docs/architecture.md's tree: {missing}"


def _io_section() -> set[str]:
    section = DOC.read_text(encoding="utf-8").split("## I/O modules", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(spin_eval/[A-Za-z0-9_/]+(?:\.py|/))`", section))


def _unnamed(writers: list[str], named: set[str]) -> list[str]:
    return [w for w in writers if w not in named and not any(n.endswith("/") and w.startswith(n) for n in named)]


def test_every_module_that_writes_files_is_named_under_io_modules():
    writers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "spin_eval").rglob("*.py")
                     if WRITES.search(p.read_text(encoding="utf-8")))
    assert len(writers) >= 10  # the pattern finds the writers at all
    unnamed = _unnamed(writers, _io_section())
    assert unnamed == [], f"modules that write files, not named under docs/architecture.md's 'I/O modules': {unnamed}"


def test_the_io_check_catches_an_unnamed_writer():
    named = _io_section()
    assert "spin_eval/run/manifest.py" in named and "spin_eval/cli/" in named
    assert _unnamed(["spin_eval/cli/run.py", "spin_eval/run/manifest.py", "spin_eval/run/x.py"], named) == [
        "spin_eval/run/x.py"]
