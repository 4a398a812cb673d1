"""Dataflow graphs (networkx DiGraphs) of a network, one per view.

A view's graph is bipartite: quantity nodes (X, W[l], Z[l], dW[l], ...) and operation nodes,
with edges from operands to operations and from operations to their results. Node attribute
names are in `attrs`.
"""

from __future__ import annotations


import networkx as nx

from ..model import Network
from ..views import View
from . import attrs as a
from .batch import build_batch
from .example import build_example
from .reverse import derive, mark_cache
from .unit import build_unit

# The deepest network (L) the batch and example views draw. Their size grows with L only (the
# sizes n[l] are symbols on the diagram), about 12 nodes per layer and view; past 30 layers a
# diagram is several metres wide and unreadable, and Graphviz's layout time keeps growing.
# The unit view has its own limit, unit.MAX_UNIT_NODES.
MAX_DRAWN_LAYERS = 30


def check_drawable(network: Network, view: View) -> None:
    """Refuse a view too large to draw: unit views past MAX_UNIT_NODES, others past MAX_DRAWN_LAYERS."""
    view.check_fits(network)
    if view.granularity == "unit":
        from .unit import check_unit_size
        check_unit_size(network, view)
    elif network.depth > MAX_DRAWN_LAYERS:
        from ..model import SpecError
        raise SpecError(
            f"a network with L = {network.depth} layers is too deep to draw (the {view.granularity} "
            f"view draws at most L = {MAX_DRAWN_LAYERS}); draw fewer layers, or "
            "use --format json (the graph without a drawing) or 'bpdiag check'")


# One forward builder per granularity (views.GRANULARITIES): m examples at once, one example,
# one scalar. Back-propagation is derived from the forward graph (reverse.py).
BUILDERS = {"batch": build_batch, "example": build_example, "unit": build_unit}


def _drop_training_head(graph: nx.DiGraph) -> None:
    """At inference the forward pass ends at A[L] = Ŷ: there are no labels, so no loss and no
    cost (they exist to be differentiated in training)."""
    labels = [node for node, data in graph.nodes(data=True)
              if data[a.KIND] == a.DATA and data[a.NAME] in ("Y", "y")]
    head = [node for node, data in graph.nodes(data=True) if data.get(a.GROUP) == a.COST_GROUP]
    graph.remove_nodes_from(labels + head)


def build_graph(network: Network, view: View, *, m: int | None = None,
                inference: bool = False) -> nx.DiGraph:
    """The dataflow graph of `view`; `m` fixes the number of examples in the numeric dims.

    The forward graph is built from the model; back-propagation to layer K is derived from it,
    and the forward quantities its rules read are marked cached (none at inference). A view to
    layer K needs the forward graph from layer K - 1 on: its rules read nothing further down.
    """
    view.check_fits(network)
    if inference and not view.is_forward:
        from ..model import SpecError
        raise SpecError("--inference draws the forward pass only (nothing is differentiated "
                        "at inference); drop --to-layer or drop --inference")
    if view.granularity == "unit":
        from .unit import check_unit_size
        check_unit_size(network, view)
    if inference:
        network = network.at_inference()
    first = 1 if view.is_forward else max(1, view.to_layer - 1)
    graph = BUILDERS[view.granularity](network, m=m, first_layer=first, inference=inference)
    if inference:
        _drop_training_head(graph)
    else:
        mark_cache(graph, derive(graph, view.granularity, first).reads)
    if not view.is_forward:
        graph = derive(graph, view.granularity, view.to_layer).graph
    graph.graph.update(
        view=view.name,
        granularity=view.granularity,
        layers=list(network.sizes),
        hidden_activation=network.hidden_activation,
        output=network.output,
        inference=inference,
    )
    # batch norm's and the regularisers' settings, only where they are on (a network without
    # them is as before)
    if network.batch_norm:
        graph.graph.update(batch_norm=True)
    if network.l2 > 0:
        graph.graph["lambd"] = network.l2
    if network.dropout:
        graph.graph["keep_prob"] = network.keep_prob
    return graph
