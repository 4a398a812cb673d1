"""render --values: the numbers drawn are the numbers `bpdiag check --json` reports."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.graph import build_graph
from bpdiag.labels import node_label
from bpdiag.model import Network
from bpdiag.values import value_lines
from bpdiag.views import View


def check_json(*args):
    result = CliRunner().invoke(cli, ["check", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def rendered_nodes(network, view, seed, m):
    options = RenderOptions(values=True, seed=seed, m=m)
    data = json.loads(render_view(network, view, ("json",), options)["json"])
    return {node["id"]: node for node in data["nodes"]}


@pytest.mark.parametrize("to_layer", [1, 2, 3])
def test_batch_values_are_the_checks_numbers(to_layer):
    reported = check_json("--seed", "4", "--m", "3")
    nodes = rendered_nodes(Network(), View(to_layer), seed=4, m=3)
    for layer in range(3, to_layer - 1, -1):
        for name in ("W", "b"):
            node = nodes[f"bwd:L{layer}:d{name}"]
            np.testing.assert_array_equal(node["value"], reported["grads"][f"d{name}{layer}"])
            assert node["check"]["relative_error"] == reported["relative_error"][f"d{name}{layer}"]
            assert node["check"]["passed"] is True
    np.testing.assert_array_equal(nodes["fwd:Y"]["value"], reported["Y"])
    assert nodes["fwd:J"]["value"] == reported["cost"]


def test_forward_values_are_the_checks_data_and_parameters():
    reported = check_json("--seed", "2", "--m", "4")
    nodes = rendered_nodes(Network(), View(None), seed=2, m=4)
    np.testing.assert_array_equal(nodes["fwd:X"]["value"], reported["X"])
    np.testing.assert_array_equal(nodes["fwd:L2:W"]["value"], reported["params"]["W2"])
    assert nodes["fwd:J"]["value"] == reported["cost"]


def test_example_view_shows_every_examples_values_and_the_averaged_gradient():
    reported = check_json("--seed", "1", "--m", "3", "--view", "example")
    nodes = rendered_nodes(Network(), View(1, "example"), seed=1, m=3)
    np.testing.assert_allclose(nodes["bwd:L1:dW"]["value"], reported["grads"]["dW1"], rtol=0, atol=0)
    x = nodes["fwd:x"]
    assert x["value_per_example"] is True
    np.testing.assert_array_equal(np.hstack([np.array(v) for v in x["value"]]), reported["X"])


def test_unit_view_values_are_the_entries_of_the_batch_gradients():
    reported = check_json("--seed", "0", "--m", "3")
    nodes = rendered_nodes(Network(), View(2, "unit"), seed=0, m=3)
    dw2 = np.array(reported["grads"]["dW2"])
    for j in range(2):
        for k in range(3):
            assert nodes[f"bwd:L2:dw_{j + 1}_{k + 1}"]["value"] == pytest.approx(dw2[j, k], rel=1e-12)
            assert nodes[f"bwd:L2:dw_{j + 1}_{k + 1}"]["check"]["passed"] is True


def test_labels_show_values_and_the_verdict():
    graph = build_graph(Network(), View(3), m=2)
    from bpdiag.values import annotate
    annotate(graph, Network(), View(3), m=2, seed=0)
    text = node_label(graph, "bwd:L3:dW").plain
    assert "✓ check passes: rel. error" in text
    assert "[" in text


def test_value_formatting():
    assert value_lines([[0.123456, -2.0]]) == ["[0.123  −2]"]
    assert value_lines(0.5) == ["0.5"]
    big = [[float(i * 7 + j) for j in range(7)] for i in range(7)]
    assert value_lines(big) == ["values in [0, 48]"]
    assert value_lines([[[1.0]], [[2.0]]], per_example=True) == ["i = 1: [1]"]


def test_values_cli_writes_files(tmp_path):
    result = CliRunner().invoke(cli, ["render", "--to-layer", "3", "--values", "--format", "json",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "backprop_to_layer_3_values.json").read_text(encoding="utf-8"))
    assert data["graph"]["values_seed"] == 0 and data["graph"]["values_m"] == 4
