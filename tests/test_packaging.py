"""The wheel carries the templates, and an installed (non-editable) bpdiag runs from any folder."""

import subprocess
import sys
import venv
import zipfile

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
    assert "bpdiag/cli.py" in names
    assert not any(name.startswith(("tests/", "out/")) for name in names)


def test_installed_wheel_renders_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                           str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = env_dir / "bin" / "bpdiag"
    done = subprocess.run([str(script), "render", "--to-layer", "3", "--format", "dot,json", "--out", "d"],
                          cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    located = subprocess.run([str(python), "-c", "import bpdiag.resources as r; print(r.templates_dir())"],
                             cwd=work, capture_output=True, text=True)
    assert "site-packages" in located.stdout, located.stdout
    assert (work / "d" / "backprop_to_layer_3.dot").read_text(encoding="utf-8").startswith("digraph")
