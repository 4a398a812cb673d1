"""The example and unit views: what they contain, how their steps are wired, the unit-view limit."""

import networkx as nx
import pytest

from bpdiag.export.json import graph_to_json
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph, unit
from bpdiag.graph.unit import MAX_UNIT_NODES, unit_node_count
from bpdiag.model import Network, SpecError
from bpdiag.views import View, all_views

NET = Network((2, 3, 2, 1))
NETWORKS = [Network((2, 1)), Network((2, 3, 2, 1)), Network((3, 4, 1), "tanh"),
            Network((1, 2, 2, 2, 1), "leaky_relu", 0.2), Network((2, 3, 1), "sigmoid")]
QUANTITY_ATTRS = {a.KIND, a.PHASE, a.LAYER, a.GROUP, a.SYMBOL, a.NAME, a.SHAPE, a.DIMS, a.FORMULA,
                  a.NOTE, a.CACHED, a.CACHED_FOR}


def symbols(graph, kind=None):
    return {d[a.SYMBOL] for _, d in graph.nodes(data=True)
            if d[a.KIND] in a.QUANTITY_KINDS and (kind is None or d[a.KIND] == kind)}


def producer_inputs(graph, symbol):
    """The op and operand symbols of the operation that produces `symbol` (main route)."""
    node = next(n for n, d in graph.nodes(data=True) if d.get(a.SYMBOL) == symbol)
    (op,) = [s for s, _, e in graph.in_edges(node, data=True) if e[a.ROLE] == a.OUTPUT]
    operands = sorted((e[a.ARG], s) for s, _, e in graph.in_edges(op, data=True) if a.ARG in e)
    return graph.nodes[op][a.OP], [graph.nodes[s][a.SYMBOL] for _, s in operands]


@pytest.mark.parametrize("granularity", ["example", "unit"])
@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: ",".join(map(str, n.sizes)) + n.hidden_activation)
def test_every_diagram_of_every_view_is_a_stable_dag_with_full_attributes(net, granularity):
    for view in all_views(net, granularity):
        g = build_graph(net, view, m=4)
        assert g.graph["granularity"] == granularity and g.graph["view"] == view.name
        assert nx.is_directed_acyclic_graph(g)
        assert graph_to_json(g) == graph_to_json(build_graph(net, view, m=4))
        for node, d in g.nodes(data=True):
            assert d[a.KIND] in a.QUANTITY_KINDS + (a.OPERATION, a.ANNOTATION), node
            if d[a.KIND] in a.QUANTITY_KINDS:
                assert set(d) == QUANTITY_ATTRS, node
                assert d[a.FORMULA] and len(d[a.SHAPE]) == len(d[a.DIMS]), node
            elif d[a.KIND] == a.OPERATION:
                assert d[a.OP] in a.OPERATIONS, node
        # every computed quantity has exactly one main route
        for node, d in g.nodes(data=True):
            if d[a.KIND] in (a.FORWARD, a.GRADIENT, a.DERIVATIVE, a.COST):
                producers = [s for s, _, e in g.in_edges(node, data=True) if e[a.ROLE] == a.OUTPUT]
                inputs_only = not view.is_forward and d[a.PHASE] == "forward"
                assert len(producers) == (0 if inputs_only else 1), node


def test_example_forward_is_one_examples_columns_then_the_mean_over_examples():
    g = build_graph(NET, View(None, "example"), m=5)
    assert symbols(g) == {"x", "y", "W[1]", "b[1]", "z[1]", "a[1]", "W[2]", "b[2]", "z[2]", "a[2]",
                          "W[3]", "b[3]", "z[3]", "a[3]", "ℒ", "J"}
    assert producer_inputs(g, "z[1]") == ("linear", ["W[1]", "x", "b[1]"])
    assert producer_inputs(g, "z[2]") == ("linear", ["W[2]", "a[1]", "b[2]"])
    assert producer_inputs(g, "ℒ") == ("loss", ["a[3]", "y"])
    assert producer_inputs(g, "J") == ("mean_over_examples", ["ℒ"])
    shapes = {d[a.SYMBOL]: (d[a.SHAPE], d[a.DIMS]) for _, d in g.nodes(data=True) if a.SHAPE in d}
    assert shapes["x"] == (["n[0]", "1"], [2, 1])
    assert shapes["a[1]"] == (["n[1]", "1"], [3, 1])
    assert shapes["W[2]"] == (["n[2]", "n[1]"], [2, 3])
    assert shapes["J"] == ([], [])


def test_example_backprop_has_per_example_gradients_and_the_averaging_step():
    g = build_graph(NET, View(1, "example"))
    assert symbols(g, a.GRADIENT) == {
        "da[3]", "dz[3]", "dW[3](i)", "dW[3]", "db[3]", "da[2]", "dz[2]", "dW[2](i)", "dW[2]",
        "db[2]", "da[1]", "dz[1]", "dW[1](i)", "dW[1]", "db[1]"}
    assert producer_inputs(g, "dW[2](i)") == ("matmul", ["dz[2]", "a[1]"])
    assert producer_inputs(g, "dW[1](i)") == ("matmul", ["dz[1]", "x"])
    assert producer_inputs(g, "dW[2]") == ("mean_over_examples", ["dW[2](i)"])
    assert producer_inputs(g, "db[2]") == ("mean_over_examples", ["dz[2]"])
    assert producer_inputs(g, "da[2]") == ("matmul", ["W[3]", "dz[3]"])
    assert producer_inputs(g, "dz[2]") == ("hadamard", ["da[2]", "g[2]'(z[2])"])
    assert producer_inputs(g, "g[2]'(z[2])") == ("activation_derivative", ["z[2]"])
    assert producer_inputs(g, "da[3]") == ("loss_derivative", ["a[3]", "y"])
    assert g.nodes["bwd:L2:dW(i)"][a.DIMS] == [2, 3]
    routes = {g.nodes[s][a.OP]: e[a.ROLE] for s, _, e in g.in_edges("bwd:L3:dz", data=True)}
    assert routes == {"hadamard": a.OUTPUT, "subtract": a.EQUIVALENT}


def test_unit_forward_writes_the_sum_over_k_with_every_scalar_as_an_operand():
    g = build_graph(NET, View(None, "unit"))
    weights = {f"w[{l}]_{j}{k}" for l, (rows, cols) in enumerate([(3, 2), (2, 3), (1, 2)], 1)
               for j in range(1, rows + 1) for k in range(1, cols + 1)}
    assert symbols(g, a.PARAMETER) == weights | {"b[1]_1", "b[1]_2", "b[1]_3", "b[2]_1", "b[2]_2",
                                                  "b[3]_1"}
    assert symbols(g, a.DATA) == {"x_1", "x_2", "y"}
    assert producer_inputs(g, "z[2]_1") == (
        "weighted_sum", ["w[2]_11", "a[1]_1", "w[2]_12", "a[1]_2", "w[2]_13", "a[1]_3", "b[2]_1"])
    assert producer_inputs(g, "z[1]_3") == ("weighted_sum", ["w[1]_31", "x_1", "w[1]_32", "x_2", "b[1]_3"])
    assert producer_inputs(g, "a[2]_2") == ("activation", ["z[2]_2"])
    assert producer_inputs(g, "J") == ("mean_over_examples", ["ℒ"])
    assert all(d[a.DIMS] == [] for _, d in g.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS)


def test_unit_backprop_sums_over_units_and_over_examples():
    g = build_graph(NET, View(1, "unit"))
    grads = symbols(g, a.GRADIENT)
    forward = build_graph(NET, View(None, "unit"))
    params = symbols(forward, a.PARAMETER)
    assert {s for s in grads if s[:2] in ("dw", "db")} == {"d" + p for p in params}
    assert "da[0]_1" not in grads
    assert producer_inputs(g, "dw[2]_12") == ("mean_over_examples", ["dz[2]_1", "a[1]_2"])
    assert producer_inputs(g, "dw[1]_32") == ("mean_over_examples", ["dz[1]_3", "x_2"])
    assert producer_inputs(g, "db[2]_2") == ("mean_over_examples", ["dz[2]_2"])
    assert producer_inputs(g, "da[1]_2") == ("weighted_sum", ["w[2]_12", "dz[2]_1", "w[2]_22", "dz[2]_2"])
    assert producer_inputs(g, "dz[1]_2") == ("product", ["da[1]_2", "g[1]'(z[1]_2)"])
    assert producer_inputs(g, "g[1]'(z[1]_2)") == ("activation_derivative", ["z[1]_2"])
    assert producer_inputs(g, "g[3]'(z[3]_1)") == ("activation_derivative", ["a[3]_1"])


@pytest.mark.parametrize("k", [1, 2, 3])
def test_unit_backprop_to_layer_k_stops_at_layer_k(k):
    g = build_graph(NET, View(k, "unit"))
    layers_with_dw = {d[a.LAYER] for _, d in g.nodes(data=True) if d.get(a.NAME) == "dw"}
    assert layers_with_dw == set(range(k, 4))
    layers_with_da = {d[a.LAYER] for _, d in g.nodes(data=True) if d.get(a.NAME) == "da"}
    assert layers_with_da == set(range(k, 4))


@pytest.mark.parametrize("granularity", ["example", "unit"])
@pytest.mark.parametrize("activation, reads", [("relu", "z"), ("leaky_relu", "z"), ("tanh", "a"),
                                               ("sigmoid", "a")])
def test_activation_derivatives_read_the_right_cached_value(granularity, activation, reads):
    net = Network((2, 3, 2, 1), activation, 0.1)
    g = build_graph(net, View(1, granularity))
    unit_suffix = "_1" if granularity == "unit" else ""
    op, operands = producer_inputs(g, f"g[2]'(z[2]{unit_suffix})")
    assert (op, operands) == ("activation_derivative", [f"{reads}[2]{unit_suffix}"])
    derivative = next(d for _, d in g.nodes(data=True) if d.get(a.SYMBOL) == f"g[2]'(z[2]{unit_suffix})")
    expected = {"relu": "else 0", "leaky_relu": "else α = 0.1", "tanh": "1 − a[2]", "sigmoid": "(1 − a[2]"}
    assert expected[activation] in derivative[a.FORMULA]
    op_node = next(s for s, _, e in g.in_edges(f"bwd:L2:dg{unit_suffix}", data=True))
    assert g.nodes[op_node][a.FUNCTION] == activation


def test_cache_marks_in_the_example_and_unit_views():
    example = build_graph(NET, View(None, "example"))
    cached = {d[a.SYMBOL]: d[a.CACHED_FOR] for _, d in example.nodes(data=True) if d[a.KIND] != a.OPERATION
              and d[a.CACHED]}
    assert cached == {"z[1]": ["dz[1]"], "z[2]": ["dz[2]"], "a[1]": ["dW[2](i)"],
                      "a[2]": ["dW[3](i)"], "a[3]": ["da[3]", "dz[3]"]}
    units = build_graph(NET, View(None, "unit"))
    cached = {d[a.SYMBOL]: d[a.CACHED_FOR] for _, d in units.nodes(data=True) if d[a.KIND] != a.OPERATION
              and d[a.CACHED]}
    assert cached["a[1]_2"] == ["dw[2]_12", "dw[2]_22"]
    assert cached["z[2]_1"] == ["dz[2]_1"]
    assert cached["a[3]_1"] == ["da[3]_1", "dz[3]_1"]
    assert len(cached) == 3 + 3 + 2 + 2 + 1  # z[1], a[1], z[2], a[2], a[3]
    for granularity in ("example", "unit"):
        inference = build_graph(NET, View(None, granularity), inference=True)
        assert not any(d.get(a.CACHED) for _, d in inference.nodes(data=True))


@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 2, 1), (3, 4, 4, 1), (12, 1), (1, 1, 1, 1)])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_unit_node_count_predicts_the_built_graph(sizes, activation):
    net = Network(sizes, activation)
    for view in all_views(net, "unit"):
        assert unit_node_count(net, view) == build_graph(net, view).number_of_nodes()


def test_the_default_network_fits_the_unit_view_and_a_wide_one_does_not():
    assert max(unit_node_count(NET, v) for v in all_views(NET, "unit")) == 101 < MAX_UNIT_NODES
    wide = Network((4, 8, 8, 1))
    with pytest.raises(SpecError) as info:
        build_graph(wide, View(1, "unit"))
    message = str(info.value)
    count = unit_node_count(wide, View(1, "unit"))
    assert count > MAX_UNIT_NODES
    assert "--view batch" in message and f"{MAX_UNIT_NODES} " in message and f"{count} nodes" in message
    assert "\n" not in message
    build_graph(wide, View(1, "example"))  # the other views have no such limit


def test_the_unit_limit_is_exactly_the_constant(monkeypatch):
    view = View(1, "unit")
    count = unit_node_count(NET, view)
    monkeypatch.setattr(unit, "MAX_UNIT_NODES", count)
    assert build_graph(NET, view).number_of_nodes() == count
    monkeypatch.setattr(unit, "MAX_UNIT_NODES", count - 1)
    with pytest.raises(SpecError, match=f"would have {count} nodes"):
        build_graph(NET, view)


def test_unit_subscripts_stay_readable_past_nine_units():
    g = build_graph(Network((12, 1)), View(1, "unit"))
    assert "w[1]_1,12" in symbols(g, a.PARAMETER) | symbols(build_graph(Network((12, 1)), View(None, "unit")))
    assert "dw[1]_1,12" in symbols(g, a.GRADIENT)
    assert "fwd:x_12" in g
