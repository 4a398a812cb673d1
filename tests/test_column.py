"""The page layout's rules (bpdiag.export.column): batch normalisation's cached statistics read
from the side, the chain straight through dσ² and dμ."""

import json

from bpdiag.export import column
from bpdiag.export import render as render_module
from bpdiag.export.dot import _on_spine, dot_names, to_dot
from bpdiag.graph import build_graph
from bpdiag.layout import from_graphviz_json
from bpdiag.model import Network
from bpdiag.views import View
from conftest import needs_dot

STATISTICS = ["fwd:L2:Z", "fwd:L2:mu", "fwd:L2:sigma2"]  # in the order dσ²'s step reads them
CHAIN = ["bwd:L2:dZnorm", "bwd:L2:dsigma2:op", "bwd:L2:dsigma2", "bwd:L2:dmu:op", "bwd:L2:dmu",
         "bwd:L2:dZ:op"]


def batch_norm_graph():
    return build_graph(Network(batch_norm=True), View(2))


def test_the_statistics_are_read_from_the_side_at_their_first_reader():
    graph = batch_norm_graph()
    readers = column.first_readers(graph)
    assert readers["bwd:L2:dsigma2:op"] == STATISTICS
    chain = column.chain(graph, lambda node: _on_spine(graph, node))
    assert set(CHAIN) <= chain
    assert not chain & {*STATISTICS, "bwd:L2:dgamma", "bwd:L2:dbeta"}
    attrs = column.edge_attrs(graph, chain)
    # dZ_norm ranked above dσ²'s step by one rank per statistic and one for the step
    assert attrs["bwd:L2:dZnorm", "bwd:L2:dsigma2:op"] == {"weight": "20", "minlen": "4"}
    for value in STATISTICS:  # the arrows to the later readers ask nothing of the layout
        assert attrs[value, "bwd:L2:dmu:op"] == attrs[value, "bwd:L2:dZ:op"] == {"weight": "0"}
    # an arrow past chain nodes (dZ_norm -> dZ's step) is not held straight; the chain's are
    assert ("bwd:L2:dZnorm", "bwd:L2:dZ:op") not in attrs
    assert all(attrs[edge] == {"weight": "20"} for edge in zip(CHAIN[1:], CHAIN[2:]))


def test_the_unit_view_and_the_strip_are_left_as_they_were():
    unit = build_graph(Network((2, 2, 1)), View(1, "unit"))
    assert column.first_readers(unit) == {}
    graph = batch_norm_graph()
    names = dot_names(graph)
    strip = to_dot(graph, title="t", layout="strip").source
    edges = {line.split(" [")[0].strip(): line for line in strip.splitlines() if " -> " in line}
    assert "weight" not in edges[f"{names['fwd:L2:Z']} -> {names['bwd:L2:dmu:op']}"]
    assert "minlen" not in edges[f"{names['bwd:L2:dZnorm']} -> {names['bwd:L2:dsigma2:op']}"]


@needs_dot
def test_the_statistics_stack_beside_a_straight_chain():
    graph = batch_norm_graph()
    source = to_dot(graph, title="t", layout="column").source
    layout = from_graphviz_json(json.loads(render_module.run_dot(source, ("json0",))["json0"]),
                                dot_names(graph), {})
    boxes = layout.nodes
    tops = [boxes[node].y for node in ["bwd:L2:dZnorm", *STATISTICS, "bwd:L2:dsigma2:op"]]
    # each on a rank of its own, between dZ_norm and the step
    assert all(upper < lower for upper, lower in zip(tops, tops[1:])), tops
    below = boxes["bwd:L2:dZnorm"].y + boxes["bwd:L2:dZnorm"].height
    assert all(boxes[value].y >= below for value in STATISTICS)
    centres = [boxes[node].x + boxes[node].width / 2 for node in CHAIN[:-1]]
    assert max(centres) - min(centres) < 1, centres
