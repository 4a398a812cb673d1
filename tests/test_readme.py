"""Every example in README.md runs as printed: the `bpdiag` lines of its shell blocks (with the
file names their comments promise), the console session of `explain`, the Python API block and
the TOML files it shows. Each runs the installed `bpdiag` in an empty folder holding a copy of
`templates/`, as a user in a fresh clone would."""

import ast
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, needs_dot

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
NOT_RUN = ("python benchmarks/bench.py",)  # the benchmark: long, and not an example of use
GALLERY = (".venv/bin/bpdiag render ",)  # the gallery's commands: test_gallery runs them


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def bpdiag_lines() -> list[str]:
    lines = [line.strip() for body in blocks("sh") for line in body.splitlines()]
    return [line for line in lines if line.startswith("bpdiag ")]


def bpdiag_command() -> list[str]:
    script = Path(sys.executable).with_name("bpdiag")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bpdiag"]


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def run(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(bpdiag_command() + args, cwd=folder, capture_output=True, text=True,
                          timeout=600)


def test_the_readme_has_the_examples_this_file_runs():
    assert len(bpdiag_lines()) >= 12
    assert len(blocks("console")) == 1 and len(blocks("python")) == 2 and len(blocks("toml")) == 2
    assert [code for code in blocks("python") if "np.savez(" in code] == [notebook_block()]
    shell = [line for body in blocks("sh") for line in body.splitlines() if line.strip()]
    others = [line for line in shell if not line.startswith("bpdiag ")]
    assert all(line.startswith(("python3 -m venv", ".venv/bin/python -m pytest", *GALLERY, *NOT_RUN))
               for line in others), others


# A learner's notebook, as the course's assignment has it by the time the README's block runs:
# X, Y, parameters and the course's L_model_forward / L_model_backward (ReLU hidden layers,
# sigmoid output, the `grads` keys dA{l-1}, dW{l}, db{l}).
NOTEBOOK = """
import numpy as np

def L_model_forward(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        Z = parameters["W" + str(l)] @ A + parameters["b" + str(l)]
        caches.append((A, parameters["W" + str(l)], Z))
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
    return A, caches

def L_model_backward(AL, Y, caches):
    grads, L, m = {}, len(caches), AL.shape[1]
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(1, L + 1)):
        A_prev, W, Z = caches[l - 1]
        dZ = dA * AL * (1 - AL) if l == L else dA * (Z > 0)
        grads["dW" + str(l)] = dZ @ A_prev.T / m
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = grads["dA" + str(l - 1)] = W.T @ dZ
    return grads

rng = np.random.default_rng(1)
layers_dims = [5, 4, 3, 1]
X = rng.standard_normal((5, 8))
Y = (rng.random((1, 8)) > 0.5).astype(int)
parameters = {}
for l in range(1, len(layers_dims)):
    parameters["W" + str(l)] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * 0.5
    parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
"""


def notebook_block() -> str:
    (code,) = [code for code in blocks("python") if "np.savez(" in code]
    return code


def run_notebook(folder: Path) -> None:
    """The README's notebook block, after the notebook's own code: it writes mine.npz, grads.npz."""
    done = subprocess.run([sys.executable, "-c", NOTEBOOK + notebook_block()], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@needs_dot
@pytest.mark.parametrize("line", bpdiag_lines())
def test_every_bpdiag_line_runs_as_printed(line, folder):
    args = shlex.split(line, comments=True)[1:]
    if "mine.npz" in args:
        run_notebook(folder)
    done = run(folder, args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    comment = line.partition("#")[2]
    for stem in re.findall(r"([\w-]+)\.\*", comment):  # "... backprop_to_layer_2_unit.*"
        out = folder / "out"
        assert sorted(out.glob(f"{stem}.*")), (stem, sorted(p.name for p in out.iterdir()))
    if args[0] == "render":
        written = [Path(folder, path) for path in done.stdout.split()]
        assert written and all(path.is_file() for path in written)


def test_the_explain_session_prints_what_the_readme_shows(folder):
    (session,) = blocks("console")
    command, *shown = session.splitlines()
    assert command.startswith("$ bpdiag ")
    printed = run(folder, shlex.split(command[2:])[1:])
    assert printed.returncode == 0, printed.stderr
    lines = [line.rstrip() for line in printed.stdout.splitlines()]
    position = 0
    for expected in shown:
        if expected == "...":
            continue
        prefix = expected[:-3].rstrip() if expected.endswith("...") else None
        for index in range(position, len(lines)):
            if lines[index] == expected.rstrip() or (prefix and lines[index].startswith(prefix)):
                position = index + 1
                break
        else:
            pytest.fail(f"README line not printed (in this order): {expected!r}\n{printed.stdout}")


def _checked_python(code: str) -> tuple[str, list[str]]:
    """The block with `expr  # 'value'` lines turned into asserts, and the files its comments name."""
    lines, files = [], []
    for line in code.splitlines():
        statement, _, comment = line.partition("  # ")
        comment = comment.strip()
        try:
            expected = ast.literal_eval(comment)
            ast.parse(statement.strip(), mode="eval")
        except (SyntaxError, ValueError):
            expected = None
        if isinstance(expected, str):
            lines.append(f"assert ({statement.strip()}) == {expected!r}, {statement.strip()!r}")
            continue
        if re.fullmatch(r"[\w./-]+\.(json|svg|png|graphml|dot)", comment):
            files.append(comment)
        lines.append(line)
    return "\n".join(lines) + "\n", files


@needs_dot
def test_the_python_api_block_runs_as_printed(folder):
    (code,) = [code for code in blocks("python") if "import bpdiag" in code]
    checked, files = _checked_python(code)
    assert checked.count("assert (") >= 1 and files
    done = subprocess.run([sys.executable, "-c", checked], cwd=folder, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    for name in files:
        assert (folder / name).is_file(), name


def _toml_examples() -> list[tuple[str, dict]]:
    return [(body, tomllib.loads(body)) for body in blocks("toml")]


def test_the_toml_examples_parse():
    kinds = sorted("profile" if "profile" in table else "spec" for _, table in _toml_examples())
    assert kinds == ["profile", "spec"]


@needs_dot
def test_the_spec_file_example_is_accepted(folder):
    (body,) = [body for body, table in _toml_examples() if "layers" in table]
    (folder / "net.toml").write_text(body, encoding="utf-8")
    checked = run(folder, ["check", "--spec", "net.toml"])
    assert checked.returncode == 0, checked.stderr
    drawn = run(folder, ["render", "--spec", "net.toml", "--forward", "--format", "dot,svg"])
    assert drawn.returncode == 0, drawn.stderr
    title = tomllib.loads(body)["title"]
    assert title in (folder / "out" / "forward_nielsen.svg").read_text(encoding="utf-8")


@needs_dot
def test_the_notation_profile_example_is_accepted(folder):
    (body,) = [body for body, table in _toml_examples() if "profile" in table]
    (folder / "mine.toml").write_text(body, encoding="utf-8")
    drawn = run(folder, ["render", "--notation", "mine.toml", "--to-layer", "2", "--format", "dot"])
    assert drawn.returncode == 0, drawn.stderr
    name = tomllib.loads(body)["profile"]
    dot = (folder / "out" / f"backprop_to_layer_2_{name}.dot").read_text(encoding="utf-8")
    assert "∂J/∂W" in dot and f"notation: {name}" in dot
    explained = run(folder, ["explain", "--notation", "mine.toml", "--to-layer", "2"])
    assert explained.returncode == 0, explained.stderr


def test_the_notebook_route_finds_no_difference(folder):
    """A correct course implementation, saved as the README says, agrees with bpdiag on every
    value it saved (the course's `grads` names are bpdiag's)."""
    run_notebook(folder)
    done = run(folder, ["check", "--data", "mine.npz", "--compare", "grads.npz"])
    assert done.returncode == 0, done.stdout + done.stderr
    compared = done.stdout.split("compared with grads.npz:\n")[1].splitlines()
    assert [line.split()[0] for line in compared[:-1]] == [
        "AL", "dW3", "db3", "dA2", "dW2", "db2", "dA1", "dW1", "db1", "dA0"]
    assert compared[-1] == "ok: all 10 agree with bpdiag's values"
