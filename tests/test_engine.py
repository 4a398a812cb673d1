"""The differentiation engine: backward views derived by the reverse pass over the operation rules
(graph/reverse.py, ops/), for every output head, hidden activation and granularity."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpdiag.cli import cli
from bpdiag.execute import forward_values
from bpdiag.explanation.steps import explain_view
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.graph.unit import unit_node_count
from bpdiag.legend import build_legend, default_title
from bpdiag.model import HIDDEN_ACTIVATIONS, OUTPUTS, Network, SpecError
from bpdiag.ops import OPS, SHORTCUTS
from bpdiag.profiles import builtin
from bpdiag.spec import parse_spec
from bpdiag.verify import check, random_problem
from conftest import assert_check_passes
from bpdiag.views import GRANULARITIES, View, all_views

HEADS = {"sigmoid": (2, 3, 2, 1), "softmax": (2, 3, 3), "linear": (3, 2, 2)}


def _operands(graph, op):
    return [source for _, source in sorted((d[a.ARG], s) for s, _, d in graph.in_edges(op, data=True)
                                           if a.ARG in d)]


def _producer(graph, node, role=a.OUTPUT):
    return next((s for s, _, d in graph.in_edges(node, data=True) if d.get(a.ROLE) == role), None)


@st.composite
def networks(draw) -> Network:
    output = draw(st.sampled_from(OUTPUTS))
    depth = draw(st.integers(1, 4))
    hidden = [draw(st.integers(1, 3)) for _ in range(depth)]
    last = {"sigmoid": 1, "softmax": draw(st.integers(2, 3)), "linear": draw(st.integers(1, 3))}
    return Network(tuple(hidden) + (last[output],), draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
                   draw(st.floats(0.01, 0.5)), output)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from(GRANULARITIES), st.integers(0, 3))
def test_derived_gradients_equal_finite_differences(network, granularity, seed):
    assert_check_passes(network, granularity, seed)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_cache_marks_are_exactly_what_the_backward_steps_read(output, granularity):
    network = Network(HEADS[output], "relu", output=output)
    forward = build_graph(network, View(None, granularity))
    read = {}
    for view in all_views(network, granularity)[1:]:
        graph = build_graph(network, view)
        for node, data in graph.nodes(data=True):
            if data[a.KIND] == a.OPERATION and data[a.PHASE] == a.BACKWARD_PHASE:
                for source in _operands(graph, node):
                    if graph.nodes[source][a.KIND] == a.FORWARD:
                        read.setdefault(source, set()).add(view.to_layer)
                        # a backward view draws its cached inputs with the forward view's marks
                        assert graph.nodes[source][a.CACHED]
    cached = {node for node, data in forward.nodes(data=True) if data.get(a.CACHED)}
    assert cached == set(read)
    inference = build_graph(network, View(None, granularity), inference=True)
    assert not any(data.get(a.CACHED) for _, data in inference.nodes(data=True))


@pytest.mark.parametrize("output", OUTPUTS)
def test_each_dW_is_formed_from_dZ_and_the_layer_input_and_the_pass_stops_at_K(output):
    network = Network(HEADS[output], "tanh", output=output)
    L = network.depth
    for k in range(1, L + 1):
        graph = build_graph(network, View(k))
        for layer in range(k, L + 1):
            prev = "fwd:X" if layer == 1 else f"fwd:L{layer - 1}:A"
            op = _producer(graph, f"bwd:L{layer}:dW")
            assert _operands(graph, op) == [f"bwd:L{layer}:dZ", prev]
        layers = {d[a.LAYER] for n, d in graph.nodes(data=True)
                  if d[a.KIND] == a.GRADIENT and d[a.NAME] == "dZ"}
        assert layers == set(range(k, L + 1))
        assert f"bwd:L{k - 1}:dA" not in graph and "bwd:L0:dA" not in graph  # never dX
        assert not any(n.startswith(f"bwd:L{k - 1}:") for n in graph)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_each_head_draws_its_shortcut_beside_the_chain_rule(output, granularity):
    network = Network(HEADS[output], "relu", output=output)
    graph = build_graph(network, View(network.depth, granularity))
    shortcuts = [n for n, d in graph.nodes(data=True)
                 if d[a.KIND] == a.OPERATION and d.get(a.OP) == a.SUBTRACT]
    # one per output unit in the unit view, one matrix route otherwise
    assert len(shortcuts) == (network.units(network.depth) if granularity == "unit" else 1)
    for op in shortcuts:
        (d_z,) = graph.successors(op)
        assert graph.edges[op, d_z][a.ROLE] == a.EQUIVALENT
        assert _producer(graph, d_z) is not None  # the chain rule's own route
        assert graph.nodes[d_z][a.FORMULA].endswith(graph.nodes[op][a.LABEL].split(" (")[0])


def test_every_shortcut_and_operation_is_declared_once():
    assert len({(s.activation, s.loss) for s in SHORTCUTS}) == len(SHORTCUTS)
    assert set(a.OPERATIONS) == set(OPS)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ("relu", "sigmoid"))
def test_unit_node_count_predicts_every_head(output, activation):
    network = Network(HEADS[output], activation, output=output)
    for view in all_views(network, "unit"):
        assert len(build_graph(network, view)) == unit_node_count(network, view)


def test_softmax_labels_are_one_hot_and_linear_targets_real():
    softmax = random_problem(Network((2, 3, 3), output="softmax"), 6, 0)
    assert softmax.y.shape == (3, 6)
    assert np.array_equal(softmax.y.sum(axis=0), np.ones(6)) and set(np.unique(softmax.y)) <= {0, 1}
    linear = random_problem(Network((2, 2), output="linear"), 5, 0)
    assert linear.y.shape == (2, 5) and not set(np.unique(linear.y)) <= {0.0, 1.0}


def test_the_heads_costs_are_the_course_formulas():
    for output, sizes in HEADS.items():
        network = Network(sizes, "relu", output=output)
        report = check(network, m=5, seed=2)
        out = forward_values(network, report.problem)[f"fwd:L{network.depth}:A"]
        y = report.problem.y
        if output == "sigmoid":
            expected = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
        elif output == "softmax":
            expected = -np.sum(y * np.log(out)) / 5  # J = −(1/m) Σᵢ Σₖ Y ln A[L]
        else:
            expected = np.sum((out - y) ** 2) / (2 * 5)  # J = (1/(2m)) Σᵢ ‖A[L] − Y‖²
        assert report.cost == pytest.approx(expected, rel=1e-12)
        if output == "softmax":
            assert np.allclose(out.sum(axis=0), 1.0)


def test_output_sizes_are_checked_with_the_fix():
    with pytest.raises(SpecError, match="softmax output needs C = n"):
        Network((2, 1), output="softmax")
    with pytest.raises(SpecError, match="--output softmax"):
        Network((2, 3))
    with pytest.raises(SpecError, match="unknown output"):
        Network((2, 1), output="relu")
    assert Network((2, 3), output="Linear").output == "linear"


def test_titles_legend_and_group_name_the_head():
    for output, task in (("softmax", "softmax classification"), ("linear", "linear regression")):
        network = Network(HEADS[output], output=output)
        graph = build_graph(network, View(1))
        assert default_title(graph).endswith(f"doing {task}")
        legend = build_legend(graph, version="0", network_text=network.describe(), title=None,
                              license=None)
        rows = {row[0]: row for row in legend.notation}
        assert ("one-hot" in rows["Y"][1]) == (output == "softmax")
        assert rows["Y"][2] == "(n[L], m)"
    assert "output softmax" in Network((2, 3), output="softmax").describe()


def test_a_profile_without_the_heads_rows_uses_the_courses():
    nielsen = builtin("nielsen")
    row = nielsen.legend_row("Y", "batch", "softmax")
    assert "one-hot" in row[1]
    assert nielsen.legend_row("Y", "batch") == nielsen.legend_row("Y", "batch", "sigmoid")


def test_spec_output_key():
    assert parse_spec('layers = [2, 3, 4]\noutput = "softmax"\n').network.output == "softmax"
    assert parse_spec('layers = [2, 1]\n').network.output == "sigmoid"
    with pytest.raises(SpecError, match="'output'"):
        parse_spec('layers = [2, 1]\noutput = "tanh"\n')
    with pytest.raises(SpecError, match='output = "softmax"'):
        parse_spec('layers = [2, 3]\n')


def test_cli_output_option_on_check_render_and_explain(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--json", "--layers", "2,3,3", "--output", "softmax",
                                 "--m", "4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["output"] == "softmax" and data["ok"] is True
    y = np.array(data["Y"])
    assert y.shape == (3, 4) and np.array_equal(y.sum(axis=0), np.ones(4))
    assert set(data["grads"]) == {"dW1", "db1", "dW2", "db2", "dZ1", "dZ2", "dA0", "dA1", "dA2"}
    result = runner.invoke(cli, ["render", "--layers", "2,2", "--output", "linear", "--format",
                                 "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "backprop_to_layer_1_linear.json").read_text(encoding="utf-8"))
    assert graph["graph"]["output"] == "linear"
    result = runner.invoke(cli, ["explain", "--layers", "2,3,3", "--output", "softmax",
                                 "--to-layer", "2"])
    assert result.exit_code == 0, result.output
    assert "dZ[2] = A[2] − Y" in result.output and "softmax with cross-entropy" in result.output
    result = runner.invoke(cli, ["check", "--layers", "2,1", "--output", "softmax"])
    assert result.exit_code == 2 and "C = n[1] ≥ 2" in result.output


def test_explain_softmax_reads_the_cached_output_for_the_jacobian():
    explanation = explain_view(Network((2, 3, 3), output="softmax"), View(2))
    jacobian = next(step for step in explanation.steps if step.symbol == "g[2]'(Z[2])")
    assert [(o.symbol, o.cached) for o in jacobian.operands] == [("A[2]", True)]
    assert jacobian.shape == ("n[2]", "n[2]", "m")


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_values_on_every_head_and_view(output, granularity, tmp_path):
    sizes = ",".join(map(str, HEADS[output]))
    result = CliRunner().invoke(cli, ["render", "--layers", sizes, "--output", output, "--view",
                                      granularity, "--to-layer", "1", "--values", "--format",
                                      "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.json")
    nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"]
    verdicts = [node["check"] for node in nodes if "check" in node]
    assert verdicts and all(v["passed"] for v in verdicts)
