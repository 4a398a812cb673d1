import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdiag import __version__
from bpdiag.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", [[], ["check"], ["render"], ["explain"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_check_table_passes():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "ok: all 6 gradients" in result.output
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        assert key in result.output


def test_check_json_has_the_promised_fields():
    result = run("check", "--json", "--layers", "3,4,1", "--hidden-activation", "tanh", "--m", "3",
                 "--seed", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("layers", "hidden_activation", "m", "seed", "X", "Y", "params", "cost", "grads",
                "numeric_grads", "relative_error", "ok"):
        assert key in data
    assert data["layers"] == [3, 4, 1] and data["m"] == 3 and data["seed"] == 5
    assert set(data["params"]) == {"W1", "b1", "W2", "b2"}
    assert set(data["grads"]) == {"dW1", "db1", "dW2", "db2", "dA2", "dZ2", "dA1", "dZ1", "dA0"}
    assert set(data["forward"]) == {"Z1", "A1", "Z2", "A2"}
    assert set(data["numeric_grads"]) == {"dW1", "db1", "dW2", "db2"}
    assert len(data["X"]) == 3 and len(data["X"][0]) == 3
    assert data["ok"] is True


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["check", "--layers", "2,0,1"], "must be at least 1"),
        (["check", "--layers", "2,3"], "needs exactly 1"),
        (["check", "--layers", "2,a,1"], "not a whole number"),
        (["check", "--hidden-activation", "softmax"], "hidden-activation"),
        (["render", "--to-layer", "4", "--format", "json"], "outside 1..3"),
        (["render", "--to-layer", "0", "--format", "json"], "outside 1..3"),
        (["render", "--format", "gif"], "unknown format 'gif'"),
        (["render", "--to-layer", "2", "--inference", "--format", "json"], "inference"),
        (["render", "--forward", "--to-layer", "2"], "choose one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, fragment, tmp_path):
    result = CliRunner().invoke(cli, args + ["--out", str(tmp_path / "o")] if args[0] == "render" else args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("bpdiag: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_render_json_writes_every_view(tmp_path):
    result = run("render", "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["backprop_to_layer_1.json", "backprop_to_layer_2.json",
                     "backprop_to_layer_3.json", "forward.json"]
    data = json.loads((tmp_path / "backprop_to_layer_2.json").read_text(encoding="utf-8"))
    by_id = {node["id"]: node for node in data["nodes"]}
    assert by_id["bwd:L2:dW"]["formula"] == "dW[2] = (1/m) dZ[2] A[1]ᵀ"
    assert by_id["fwd:L1:A"]["cached"] is True
    assert data["graph"]["view"] == "backprop_to_layer_2"


def test_render_out_naming_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["render", "--format", "json", "--out", str(target)])
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert target.read_text() == "x"


def test_installed_console_script_runs():
    beside = Path(sys.executable).with_name("bpdiag")  # the venv's own script first
    script = str(beside) if beside.exists() else shutil.which("bpdiag")
    if script is None:
        pytest.skip("the bpdiag console script is not on PATH (package not installed)")
    done = subprocess.run([script, "check", "--layers", "2,2,1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ok: all 4 gradients" in done.stdout


def test_python_dash_m_runs():
    done = subprocess.run([sys.executable, "-m", "bpdiag", "--version"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout


@pytest.mark.parametrize("args, where", [(["render", "--to-layer"], "bpdiag render --help"),
                                         (["check", "--seed"], "bpdiag check --help")])
def test_an_option_without_its_value_points_at_the_commands_help(args, where, tmp_path):
    """click's parser stops before the command has a context; the hint still names its help."""
    done = subprocess.run([sys.executable, "-m", "bpdiag", *args], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (f"bpdiag: error: Option '{args[-1]}' requires an argument. "
                                   f"(see '{where}')")
    assert not any(tmp_path.iterdir())
