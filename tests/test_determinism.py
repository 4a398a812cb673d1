"""The same input gives byte-identical files in every format, across runs, working directories and
PYTHONHASHSEED values, so diagrams kept in git never change without a reason."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT, needs_dot

TITLE = 'Ünïcode <&> "quoted" ]]> \\ 日本'

# Two renders in one interpreter: every view and format of the default network, and a unit view
# with user text in the legend and the numbers of --values.
SCRIPT = textwrap.dedent(f"""
    import sys
    from bpdiag.cli import cli
    out = sys.argv[1]
    for args in (["render", "--all", "--format", "graphml,svg,png,pdf,dot,json,drawio", "--out", out],
                 ["render", "--view", "unit", "--to-layer", "1", "--layers", "2,2,1",
                  "--format", "graphml,svg,png,pdf,dot,json,drawio", "--title", {TITLE!r},
                  "--license", "CC BY 4.0 — ©", "--out", out],
                 ["render", "--to-layer", "2", "--values", "--m", "3", "--seed", "4",
                  "--format", "graphml,svg,png,pdf,dot,json,drawio", "--out", out + "/values"]):
        try:
            cli.main(args, prog_name="bpdiag")
        except SystemExit as exc:
            if exc.code:
                raise
""")


def _render(cwd: Path, out: str, hash_seed: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONHASHSEED=hash_seed)
    subprocess.run([sys.executable, "-c", SCRIPT, out], cwd=cwd, env=env, check=True,
                   capture_output=True)
    folder = cwd / out if not Path(out).is_absolute() else Path(out)
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@needs_dot
def test_every_format_is_byte_identical_across_runs_folders_and_hash_seeds(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b" / "deeper"
    first.mkdir()
    second.mkdir(parents=True)
    runs = [_render(first, "out", "0"),
            _render(second, str(tmp_path / "absolute"), "12345"),
            _render(first, "again", "random")]
    assert len(runs[0]) == 42
    assert {name.rsplit(".", 1)[1] for name in runs[0]} == {"graphml", "svg", "png", "pdf", "dot", "json",
                                                            "drawio"}
    assert runs[0] == runs[1] == runs[2]


@needs_dot
def test_outputs_name_no_folder_or_time(tmp_path):
    _render(tmp_path, "out", "0")
    for path in (tmp_path / "out").rglob("*.*"):
        data = path.read_bytes()
        assert str(tmp_path).encode() not in data, path.name
        assert b"bpdiag-" not in data, path.name  # Graphviz's scratch folder
