"""The wheel carries the templates, and an installed (non-editable) bpdiag runs from any folder.

The installed wheel runs in a fresh venv that sees nothing of the base interpreter (no system
site packages): only its own site-packages, where the wheel goes, and the dependencies the wheel
declares, linked from the environment running the tests. So the test needs no network and no
package index, and it fails when the wheel imports something it does not declare, whatever the
base interpreter happens to have installed.
"""

import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(out), str(ROOT)], capture_output=True, text=True)
    if done.returncode != 0 and "hatchling" in done.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("bpdiag-*.whl")
    return path


def test_wheel_contains_the_templates(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "bpdiag/templates/styles.toml" in names
    assert "bpdiag/templates/notation/dls.toml" in names
    assert "bpdiag/templates/notation/nielsen.toml" in names
    for part in ("step.html", "step.css", "step.js", "index.html", "index.css"):
        assert f"bpdiag/templates/html/{part}" in names
    assert "bpdiag/cli.py" in names
    assert not any(name.startswith(("tests/", "out/")) for name in names)


def _requirements(metadata: str) -> list[str]:
    """The distribution names a METADATA text requires (extras left out)."""
    from packaging.requirements import Requirement

    names = []
    for line in Parser().parsestr(metadata).get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def _wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return _requirements(archive.read(name).decode("utf-8"))


def _link_dependencies(names: list[str], folder: Path) -> list[str]:
    """Symlink into `folder` the installed files of `names` and of what they require, from the
    environment running the tests; returns the distributions linked."""
    folder.mkdir()
    linked: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop(0)
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in linked:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"the wheel requires {name}, which the test environment lacks")
        linked.append(key)
        for top in sorted({path.parts[0] for path in dist.files or [] if path.parts[0] != ".."}):
            source = Path(dist.locate_file(top))
            target = folder / top
            if source.exists() and not target.exists():
                target.symlink_to(source, target_is_directory=source.is_dir())
        pending += _requirements(dist.read_text("METADATA") or "")
    return linked


def _isolated_venv(env_dir: Path, dependencies: Path) -> Path:
    """A venv without system site packages whose only other path is `dependencies`."""
    venv.create(env_dir, system_site_packages=False, with_pip=True, clear=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # a plain path in a .pth file: appended after the venv's own site-packages, and .pth files
    # found there are not run (so the editable install of the test environment stays out)
    (Path(purelib) / "bpdiag-test-dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    return python


def test_requirements_parser_keeps_markers_honest():
    metadata = ("Metadata-Version: 2.1\nName: x\nRequires-Dist: numpy>=1.24\n"
                "Requires-Dist: pytest>=7; extra == 'test'\nRequires-Dist: lxml>=4.9\n")
    assert _requirements(metadata) == ["numpy", "lxml"]


def test_installed_wheel_renders_from_another_folder(wheel, tmp_path):
    required = _wheel_requirements(wheel)
    assert {"numpy", "networkx", "lxml", "click", "graphviz"} <= set(required), required
    linked = _link_dependencies(required, tmp_path / "dependencies")
    env_dir = tmp_path / "venv"
    python = _isolated_venv(env_dir, tmp_path / "dependencies")
    # the venv sees neither the base interpreter's site-packages nor the test environment's
    seen = subprocess.run([str(python), "-c", "import sys; print('\\n'.join(sys.path))"],
                          capture_output=True, text=True, check=True).stdout.split("\n")
    outside = {sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})[key]
               for key in ("purelib", "platlib")} | {sysconfig.get_paths()["purelib"]}
    assert not outside & {path.rstrip("/") for path in seen}, (outside, seen)
    assert subprocess.run([str(python), "-c", "import pytest"], capture_output=True).returncode != 0

    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = python.parent / "bpdiag"
    done = subprocess.run([str(script), "render", "--to-layer", "3", "--format", "graphml,dot,json,html",
                           "--out", "d"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, (done.stderr, linked)
    located = subprocess.run([str(python), "-c", "import bpdiag.resources as r; print(r.templates_dir())"],
                             cwd=work, capture_output=True, text=True)
    assert Path(located.stdout.strip()).is_relative_to(env_dir), located.stdout + located.stderr
    assert (work / "d" / "backprop_to_layer_3.dot").read_text(encoding="utf-8").startswith("digraph")
    assert (work / "d" / "backprop_to_layer_3.graphml").read_bytes().startswith(b"<?xml")
    assert b'id="bpdiag-steps"' in (work / "d" / "backprop_to_layer_3.html").read_bytes()
