"""--view on `render` and `check`."""

import json

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("granularity", ["example", "unit"])
def test_render_names_the_files_of_a_non_default_view(granularity, tmp_path):
    result = run("render", "--view", granularity, "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{stem}_{granularity}.json" for stem in
                           ("forward", "backprop_to_layer_3", "backprop_to_layer_2", "backprop_to_layer_1"))
    data = json.loads((tmp_path / f"backprop_to_layer_2_{granularity}.json").read_text(encoding="utf-8"))
    assert data["graph"]["granularity"] == granularity
    symbols = {node.get("symbol") for node in data["nodes"]}
    assert ("dW[2](i)" in symbols) if granularity == "example" else ("dw[2]_13" in symbols)


def test_render_one_view_at_one_granularity_is_byte_identical_run_to_run(tmp_path):
    outputs = []
    for folder in ("a", "b"):
        result = run("render", "--view", "unit", "--to-layer", "2", "--format", "json",
                     "--out", str(tmp_path / folder))
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / folder / "backprop_to_layer_2_unit.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_batch_is_the_default_view(tmp_path):
    result = run("render", "--forward", "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["forward.json"]


@pytest.mark.parametrize("granularity", ["batch", "example", "unit"])
def test_check_json_names_the_view_and_agrees(granularity):
    result = run("check", "--view", granularity, "--json", "--layers", "3,4,1", "--hidden-activation",
                 "sigmoid", "--m", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["view"] == granularity
    assert data["ok"] is True and data["views_agree"] is True
    assert {"dW1", "db1", "dW2", "db2"} <= set(data["grads"])
    assert len(data["grads"]["dW1"]) == 4 and len(data["grads"]["dW1"][0]) == 3


def test_check_table_names_the_view():
    result = run("check", "--view", "unit")
    assert result.exit_code == 0, result.output
    assert "view unit" in result.output.splitlines()[0]
    assert "equal the batch view's: yes" in result.output


@pytest.mark.parametrize("command", ["check", "render"])
def test_a_unit_view_too_large_is_one_line_exit_2_and_writes_nothing(command, tmp_path):
    out = tmp_path / "o"
    extra = ["--out", str(out), "--format", "json"] if command == "render" else []
    result = run(command, "--view", "unit", "--layers", "6,10,10,1", *extra)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpdiag: error: the unit view")
    assert "--view batch" in lines[0]
    assert not out.exists()


def test_an_unknown_view_is_a_usage_error():
    result = run("check", "--view", "pixel")
    assert result.exit_code == 2
    assert "'pixel' is not one of 'batch', 'example', 'unit'" in result.output
