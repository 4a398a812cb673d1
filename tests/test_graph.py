"""What each view contains: the quantities the chain rule needs, their inputs, shapes and cache marks."""

import networkx as nx
import pytest

from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.graph.notation import ACTIVATION_NAMES
from bpdiag.model import Network, SpecError
from bpdiag.views import View, all_views

NET = Network((2, 3, 2, 1))


def symbols(graph, kind=None):
    return {d[a.SYMBOL] for _, d in graph.nodes(data=True)
            if d[a.KIND] not in (a.OPERATION, a.ANNOTATION) and (kind is None or d[a.KIND] == kind)}


def producer_inputs(graph, symbol):
    """Symbols of the operands of the operation that produces `symbol` (main route)."""
    node = next(n for n, d in graph.nodes(data=True) if d.get(a.SYMBOL) == symbol)
    (op,) = [s for s, _, e in graph.in_edges(node, data=True) if e[a.ROLE] == a.OUTPUT]
    operands = sorted((e[a.ARG], s) for s, _, e in graph.in_edges(op, data=True) if a.ARG in e)
    return graph.nodes[op][a.OP], [graph.nodes[s][a.SYMBOL] for _, s in operands]


def test_forward_view_contents():
    g = build_graph(NET, View(None))
    assert symbols(g) == {"X", "Y", "W[1]", "b[1]", "Z[1]", "A[1]", "W[2]", "b[2]", "Z[2]", "A[2]",
                          "W[3]", "b[3]", "Z[3]", "A[3]", "ℒ", "J"}
    assert producer_inputs(g, "Z[2]") == ("linear", ["W[2]", "A[1]", "b[2]"])
    assert producer_inputs(g, "Z[1]") == ("linear", ["W[1]", "X", "b[1]"])
    assert producer_inputs(g, "J") == ("mean", ["ℒ"])
    assert symbols(g, a.DATA) == {"X", "Y"}
    assert symbols(g, a.PARAMETER) == {"W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_backprop_view_has_exactly_the_steps_to_layer_k(k):
    g = build_graph(NET, View(k))
    grads = symbols(g, a.GRADIENT)
    expected = {"dA[3]", "dZ[3]"}
    for layer in range(3, k - 1, -1):
        expected |= {f"dW[{layer}]", f"db[{layer}]", f"dZ[{layer}]"}
        if layer - 1 >= k:
            expected |= {f"dA[{layer - 1}]"}
    assert grads == expected
    assert "dA[0]" not in grads
    # the forward quantities read: A[l-1] for dW[l], Z[l] for ReLU', A[3] for dA[3], W[l] for dA[l-1]
    forward_inputs = symbols(g) - grads - symbols(g, a.DERIVATIVE)
    expected_inputs = {"J", "Y", "A[3]"} | {"X" if l == 1 else f"A[{l - 1}]" for l in range(3, k - 1, -1)}
    expected_inputs |= {f"Z[{l}]" for l in range(2, k - 1, -1)}   # hidden ReLU layers
    expected_inputs |= {f"W[{l}]" for l in range(3, k, -1)}
    assert forward_inputs == expected_inputs


def test_gradients_are_computed_from_the_right_quantities():
    g = build_graph(NET, View(1))
    assert producer_inputs(g, "dW[2]") == ("matmul", ["dZ[2]", "A[1]"])
    assert producer_inputs(g, "dW[1]") == ("matmul", ["dZ[1]", "X"])
    assert producer_inputs(g, "db[2]") == ("mean", ["dZ[2]"])
    assert producer_inputs(g, "dA[2]") == ("matmul", ["W[3]", "dZ[3]"])
    assert producer_inputs(g, "dZ[2]") == ("hadamard", ["dA[2]", "g[2]'(Z[2])"])
    assert producer_inputs(g, "g[2]'(Z[2])") == ("activation_derivative", ["Z[2]"])
    assert producer_inputs(g, "g[3]'(Z[3])") == ("activation_derivative", ["A[3]"])
    assert producer_inputs(g, "dA[3]") == ("loss_derivative", ["A[3]", "Y"])


def test_sigmoid_cross_entropy_shortcut_is_an_equivalent_route_to_dz_L():
    g = build_graph(NET, View(3))
    dz = "bwd:L3:dZ"
    routes = {g.nodes[s][a.OP]: e[a.ROLE] for s, _, e in g.in_edges(dz, data=True)}
    assert routes == {"hadamard": a.OUTPUT, "subtract": a.EQUIVALENT}


@pytest.mark.parametrize("activation, reads", [("tanh", "A"), ("sigmoid", "A"), ("leaky_relu", "Z")])
def test_activation_derivative_reads_the_cheapest_cached_value(activation, reads):
    g = build_graph(Network((2, 3, 2, 1), activation), View(1))
    assert producer_inputs(g, "g[2]'(Z[2])")[1] == [f"{reads}[2]"]


def test_cache_marks_in_training_and_at_inference():
    train = build_graph(NET, View(None))
    cached = {d[a.SYMBOL]: d[a.CACHED_FOR] for _, d in train.nodes(data=True) if d.get(a.CACHED)}
    assert cached == {"Z[1]": ["dZ[1]"], "Z[2]": ["dZ[2]"], "A[1]": ["dW[2]"], "A[2]": ["dW[3]"],
                      "A[3]": ["dA[3]", "dZ[3]"]}
    infer = build_graph(NET, View(None), inference=True)
    assert not any(d.get(a.CACHED) for _, d in infer.nodes(data=True))
    # no labels at inference, so no loss and no cost: the graph ends at the prediction A[3]
    assert symbols(infer) == symbols(train) - {"Y", "ℒ", "J"}
    assert [n for n in infer if infer.out_degree(n) == 0] == ["fwd:L3:A"]
    with pytest.raises(SpecError, match="inference"):
        build_graph(NET, View(2), inference=True)


def test_backward_view_draws_its_cached_inputs_as_cached():
    g = build_graph(NET, View(1))
    for node, d in g.nodes(data=True):
        if d[a.KIND] == a.FORWARD:
            assert d[a.CACHED], node


@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 2, 1), (5, 4, 4, 4, 4, 1)])
def test_every_view_is_a_dag_with_stable_ids(sizes):
    net = Network(sizes, "tanh")
    for view in all_views(net):
        g = build_graph(net, view, m=3)
        assert nx.is_directed_acyclic_graph(g)
        again = build_graph(net, view, m=3)
        assert list(g.nodes(data=True)) == list(again.nodes(data=True))
        assert list(g.edges(data=True)) == list(again.edges(data=True))
        for _, d in g.nodes(data=True):
            assert d[a.PHASE] in a.PHASES
            if d[a.KIND] in a.QUANTITY_KINDS:
                assert len(d[a.SHAPE]) == len(d[a.DIMS])
                assert d[a.FORMULA]


def test_shapes_are_declared_symbolically_and_numerically():
    g = build_graph(NET, View(1), m=7)
    w2 = g.nodes["fwd:L2:W"]
    assert (w2[a.SHAPE], w2[a.DIMS]) == (["n[2]", "n[1]"], [2, 3])
    dz1 = g.nodes["bwd:L1:dZ"]
    assert (dz1[a.SHAPE], dz1[a.DIMS]) == (["n[1]", "m"], [3, 7])
    assert g.nodes["fwd:J"][a.DIMS] == []


def test_to_layer_outside_the_network_is_a_clear_error():
    with pytest.raises(SpecError, match=r"outside 1\.\.3"):
        build_graph(NET, View(4))
    with pytest.raises(SpecError, match=r"outside 1\.\.3"):
        build_graph(NET, View(0))


def _operand_symbols(graph, op):
    operands = sorted((e[a.ARG], s) for s, _, e in graph.in_edges(op, data=True) if a.ARG in e)
    return [graph.nodes[s][a.SYMBOL] for _, s in operands]


@pytest.mark.parametrize("granularity", ["batch", "example", "unit"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_what_is_drawn_is_what_is_computed(granularity, activation):
    """Each operation's drawn text names its operands, and transposes and 1/m sit where the
    evaluator applies them: a label cannot drift from the computation the check runs."""
    net = Network((2, 3, 2, 1), activation)
    for view in all_views(net, granularity):
        g = build_graph(net, view)
        for op, d in g.nodes(data=True):
            if d[a.KIND] != a.OPERATION:
                continue
            (result,) = [t for t in g.successors(op)]
            drawn = d[a.LABEL] + " " + g.nodes[result][a.FORMULA]
            for symbol in _operand_symbols(g, op):
                assert symbol in drawn, (view.stem, op, symbol, drawn)
            if d[a.OP] == a.MATMUL:
                first, second = _operand_symbols(g, op)
                transposed = {"left": first, "right": second}[d[a.TRANSPOSE]]
                assert f"{transposed}ᵀ" in d[a.LABEL], (op, d[a.LABEL])
                assert (d.get(a.SCALE) == "1/m") == d[a.LABEL].startswith("(1/m)"), op
            if d[a.OP] == a.HADAMARD:
                assert d[a.LABEL] == "⊙"
            if d[a.OP] == a.ACTIVATION:
                assert d[a.LABEL] == ACTIVATION_NAMES[d[a.FUNCTION]]
