"""Paths read from manifests resolve inside their folder; output paths are checked before any work."""

from __future__ import annotations

import json

import pytest
from run_fixtures import write_fake_suite_run  # noqa: E402

from spin_eval.errors import InputError
from spin_eval.fileio import resolve_inside
from spin_eval.outputs import check_output_file
from spin_eval.results.runfolder import resolve_run


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "", None, 7, "a\x00b"])
def test_resolve_inside_refuses_paths_leaving_the_folder(tmp_path, relative):
    with pytest.raises(InputError, match="manifest"):
        resolve_inside(tmp_path, relative, "manifest")


def test_resolve_inside_refuses_a_symlink_pointing_out(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "secret").write_text("s")
    (tmp_path / "run" / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(InputError, match="leads outside"):
        resolve_inside(tmp_path / "run", "link", "manifest")
    assert resolve_inside(tmp_path, "run/link", "m") == (tmp_path / "secret").resolve()


def test_check_run_manifest_mask_path_cannot_leave_the_run(tmp_path):
    run = write_fake_suite_run(tmp_path / "run", base={"capability": 0.5, "leak": 0.5, "refusal": 0.1, "bias": 0.1},
                               spin={"capability": 0.5, "leak": 0.5, "refusal": 0.1, "bias": 0.1})
    manifest = json.loads((run / "spin-eval-run.json").read_text())
    manifest["variants"]["spin"]["mask"] = "../../../home/user/.ssh/id_rsa"
    (run / "spin-eval-run.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="leads outside"):
        resolve_run(run)


def test_check_output_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a folder"):
        check_output_file(tmp_path, "--junit")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_output_file(tmp_path / "f" / "out.md", "--markdown")
    with pytest.raises(InputError, match="is also the input --in"):
        check_output_file(tmp_path / "f", "-o", inputs={"--in": tmp_path / "." / "f"})
    assert check_output_file(tmp_path / "new" / "out.md", "-o") == tmp_path / "new" / "out.md"
